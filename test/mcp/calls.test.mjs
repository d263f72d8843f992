// Running tool calls (mcp.md §7–§10, §12): concurrency, queueing, cancellation, timeouts with
// escalation, progress, huge output, hostile values, start failures, shutdown with calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { project, rawServer, sdkClient, textOf, normMs, alive, until, sleep } from './helpers.mjs';

const RUNFILE = `
# @desc Sleep, then say done
slow(secs = "2") { sleep "$secs"; echo "slow done"; }

# @desc Mark start and end in a trace
peak() { echo + >> trace; sleep 0.3; echo - >> trace; }

# @desc Answer at once
fast() echo fast

# @desc Build the image
docker:build(tag = "dev") echo "built $tag"

# @desc Where am I
where() { pwd; echo "$__RUNFILE_DIR__"; }

# @desc Print each argument in brackets
args(...words) printf '[%s]\\n' "$@"

# @desc Leave pids behind, print a lot, then hang
hang() {
    seq 1 600
    sleep 1000 &
    echo "$$ $!" > "pids-$1"
    wait
}

# @desc Ignore SIGTERM and hang
stubborn(tag) {
    trap '' TERM
    sleep 1000 &
    echo "$$ $!" > "pids-$tag"
    while :; do sleep 0.1; done
}

# @desc Talk every 400 ms
chatty() {
    for i in 1 2 3 4 5 6; do echo "step $i"; sleep 0.4; done
    printf 'unfinished line'
    sleep 0.6
}

# @desc Control characters, NUL and bytes that are not UTF-8
bytes() { printf 'a\\000b\\033[1m\\tc\\377d\\342\\202e\\n'; printf 'w\\000\\n' >&2; }

# @desc A long last line of two-byte characters
long_line() { printf x; for i in $(seq 1 150); do printf '\\303\\251'; done; echo; sleep 1.4; }

# @desc Ten MiB of lines
# @noerrexit
big() yes 0123456789 | head -c 10485760

# @desc Fail with status 3
check() { echo "bad input"; exit 3; }

# @desc Format a price
# @shell node
fmt(price: float, qty: int = 1, gift: bool = false) {
    const total = (price * qty).toFixed(2);
    console.log(\`total=\${total} gift=\${gift}\`);
}

# @desc Needs ruby
# @shell ruby
rb() puts 1
`;

function readPids(dir, tag) {
    const f = path.join(dir, `pids-${tag}`);
    if (!fs.existsSync(f)) return null;
    const v = fs.readFileSync(f, 'utf8').trim().split(' ').map(Number);
    return v.length === 2 && v.every((x) => x > 0) ? v : null;
}

test('a slow call blocks neither ping nor a fast call; answers come out of order (§9.1)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const order = [];
    const slow = client.callTool({ name: 'slow', arguments: { secs: 2 } }).then((r) => {
        order.push('slow');
        return r;
    });
    await sleep(100);
    const t0 = Date.now();
    await client.ping();
    assert.ok(Date.now() - t0 < 1000, 'ping answered while the slow call runs');
    const fast = await client.callTool({ name: 'fast', arguments: {} });
    order.push('fast');
    assert.ok(Date.now() - t0 < 1500);
    assert.equal(normMs(textOf(fast)), 'Execution: `fast` ✓ Success (<ms>ms)\nfast\n');
    assert.equal(normMs(textOf(await slow)), 'Execution: `slow` ✓ Success (<ms>ms)\nslow done\n');
    assert.deepEqual(order, ['fast', 'slow']);
});

test('the concurrency limit queues calls in order; a timeout starts when the call runs (§9.1)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const s = rawServer(p, { env: { RUN_MCP_MAX_CONCURRENCY: '1' } });
    await s.initialize();
    const started = Date.now();
    s.send({ jsonrpc: '2.0', id: 'a', method: 'tools/call',
        params: { name: 'slow', arguments: { secs: '1.2' } } });
    s.send({ jsonrpc: '2.0', id: 'b', method: 'tools/call',
        params: { name: 'slow', arguments: { secs: '0.3', timeout: 1 } } });
    // A waiting call's id is in use too; ping is served at once.
    const dup = await s.request('b', 'ping');
    assert.deepEqual(dup.error, { code: -32600, message: 'Invalid Request: id already in use' });
    const a = await s.response('a');
    const b = await s.response('b');
    assert.equal(a.msg.result.isError, false);
    assert.equal(b.msg.result.isError, false, b.msg.result.content[0].text);
    assert.ok(Date.now() - started >= 1400);
    assert.deepEqual(s.lines.length, 0);
    // The id is free again once answered.
    assert.deepEqual((await s.request('b', 'ping')).result, {});
    await s.end();
});

test('many calls at once: all answered, never more running than the limit (§9.1)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p, { env: { RUN_MCP_MAX_CONCURRENCY: '3' } });
    t.after(() => client.close());
    const results = await Promise.all(Array.from({ length: 10 },
        () => client.callTool({ name: 'peak', arguments: {} })));
    assert.ok(results.every((r) => r.isError === false));
    const trace = fs.readFileSync(path.join(p.dir, 'trace'), 'utf8').trim().split('\n');
    assert.equal(trace.length, 20);
    let running = 0;
    let max = 0;
    for (const x of trace) {
        running += x === '+' ? 1 : -1;
        max = Math.max(max, running);
    }
    assert.ok(max <= 3 && max >= 2, `peak concurrency ${max}`);
    // And 40 quick ones with the default limit.
    const many = await Promise.all(Array.from({ length: 40 },
        (_, i) => client.callTool({ name: 'args', arguments: { words: [String(i)] } })));
    many.forEach((r, i) => assert.equal(textOf(r).split('\n')[1], `[${i}]`));
});

test('a waiting call keeps the snapshot taken when it arrived (§9.1)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    fs.mkdirSync(path.join(p.dir, 'sub'));
    const s = rawServer(p, { env: { RUN_MCP_MAX_CONCURRENCY: '1' } });
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: { secs: '0.5' } } });
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'where', arguments: {} } });
    const cd = await s.request(3, 'tools/call', { name: 'set_cwd', arguments: { path: 'sub' } });
    assert.equal(cd.result.isError, false);
    const r4 = s.request(4, 'tools/call', { name: 'where', arguments: {} });
    const r2 = await s.response(2);
    assert.equal(r2.msg.result.content[0].text.split('\n').slice(1, 3).join('|'), `${p.dir}|${p.dir}`);
    assert.equal((await r4).result.content[0].text.split('\n').slice(1, 3).join('|'), `${p.dir}/sub|${p.dir}`);
    await s.end();
});

test('cancellation: waiting calls vanish, running ones die with their group, no answer, files deleted (§9.3)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const s = rawServer(p, { env: { RUN_MCP_MAX_CONCURRENCY: '1' } });
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'hang', arguments: {} } });
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fast', arguments: {} } });
    s.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'fast', arguments: {} } });
    const pids = await until(() => readPids(p.dir, ''), 5000);
    assert.ok(pids, 'the call started');
    // The output went over 1200 bytes, so a file exists now.
    const outDir = path.join(p.dir, '.run-output');
    assert.ok(await until(() => fs.existsSync(outDir) && fs.readdirSync(outDir).length === 1));
    // Unknown ids, wrong types and non-call ids are ignored.
    s.notify('notifications/cancelled', { requestId: 99 });
    s.notify('notifications/cancelled', { requestId: '1' });
    s.notify('notifications/cancelled', { requestId: 2, reason: 'changed my mind' });
    s.notify('notifications/cancelled', { requestId: 1, reason: 'user pressed stop' });
    assert.ok(await until(() => pids.every((x) => !alive(x)), 3000), 'group killed');
    const r3 = await s.response(3);
    assert.equal(normMs(r3.msg.result.content[0].text), 'Execution: `fast` ✓ Success (<ms>ms)\nfast\n');
    await sleep(300);
    await s.request('fence', 'ping');
    assert.deepEqual(s.lines.map((l) => l.msg.id), [], 'no answer for 1 and 2');
    assert.ok(await until(() => fs.readdirSync(outDir).length === 0), 'output file deleted');
    // The ids are free again.
    assert.deepEqual((await s.request(1, 'ping')).result, {});
    await s.end();
    assert.match(s.stderr(), /user pressed stop/);
});

test('cancelling through the SDK (AbortSignal) kills a call that ignores SIGTERM (§9.3)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const ac = new AbortController();
    const call = client.callTool({ name: 'stubborn', arguments: { tag: 'sdk' } }, undefined,
        { signal: ac.signal });
    const pids = await until(() => readPids(p.dir, 'sdk'), 5000);
    assert.ok(pids);
    const t0 = Date.now();
    ac.abort('stop');
    await assert.rejects(call);
    assert.ok(await until(() => pids.every((x) => !alive(x)), 4500), 'killed after the grace period');
    const took = Date.now() - t0;
    assert.ok(took >= 1500, `SIGKILL came after the 2 s grace period (${took} ms)`);
    await client.ping();
});

test('a timeout that SIGTERM cannot end escalates to SIGKILL (§9.4, §8.2)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const t0 = Date.now();
    const r = await client.callTool({ name: 'stubborn', arguments: { tag: 'to', timeout: 1 } });
    const took = Date.now() - t0;
    assert.ok(took >= 2800 && took < 6000, `took ${took}`);
    assert.equal(r.isError, true);
    assert.equal(normMs(textOf(r)), 'Execution: `stubborn` ✗ Timed out (<ms>ms)\n' +
        '**Timed out after 1 s:** the command was stopped with SIGTERM, then SIGKILL.\n');
    const pids = readPids(p.dir, 'to');
    assert.ok(await until(() => pids.every((x) => !alive(x)), 2000));
});

test('progress: once per second with the last output line (§9.5)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const seen = [];
    const r = await client.callTool({ name: 'chatty', arguments: {} }, undefined, {
        onprogress: (pr) => seen.push(pr),
    });
    assert.equal(r.isError, false);
    assert.ok(seen.length >= 2 && seen.length <= 4, JSON.stringify(seen));
    seen.forEach((pr, i) => {
        assert.equal(pr.progress, i + 1);
        assert.equal(pr.total, undefined);
        assert.match(pr.message, /^(step \d|unfinished line)$/);
    });

    // The message is cut to 200 bytes without splitting a character.
    const long = [];
    await client.callTool({ name: 'long_line', arguments: {} }, undefined, {
        onprogress: (pr) => long.push(pr),
    });
    assert.equal(long.length, 1);
    assert.equal(long[0].message, 'x' + 'é'.repeat(99));
    assert.equal(Buffer.byteLength(long[0].message), 199);

    // Before 2025-03-26 there is no message; without a token there is no progress at all.
    const s = rawServer(p);
    await s.initialize('2024-11-05');
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/call',
        params: { name: 'chatty', arguments: {}, _meta: { progressToken: 'tok' } } });
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call',
        params: { name: 'chatty', arguments: {} } });
    await s.response(1);
    await s.response(2);
    const notes = s.lines.map((l) => l.msg);
    assert.ok(notes.length >= 2);
    for (const [i, n] of notes.entries())
        assert.deepEqual(n, { jsonrpc: '2.0', method: 'notifications/progress',
            params: { progressToken: 'tok', progress: i + 1 } });
    await s.end();
});

test('10 MiB of output: the truncated form in the result, every byte in the file (§10)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const r = await client.callTool({ name: 'big', arguments: {} });
    const text = textOf(r);
    const N = 10485760;
    const full = '0123456789\n'.repeat(Math.ceil(N / 11)).slice(0, N);
    // The longest suffix that starts a line and has at most 1200 bytes.
    let start = full.length - 1200;
    while (full[start - 1] !== '\n') start++;
    const tail = full.slice(start);
    const m = text.match(/^Execution: `big` ✓ Success \(\d+ms\)\n\[Output truncated: (\d+) bytes, showing last (\d+) bytes\]\n\[Full output saved to: (.*)\]\n\n([^]*)$/);
    assert.ok(m, text.slice(0, 300));
    assert.equal(Number(m[1]), N);
    assert.equal(Number(m[2]), tail.length);
    assert.equal(m[4], tail + '\n');
    assert.equal(fs.statSync(m[3]).size, N);
    assert.ok(fs.readFileSync(m[3], 'latin1') === full);
});

test('hostile argument values arrive as data (§7.4, M1)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const words = ['--list', '-h', '$(touch pwned)', '`touch pwned2`', '; touch pwned3',
        "'\"", '--show-script', '*', '', ' spaced  out ', 'line\nbreak', '--', 'ünï'];
    const r = await client.callTool({ name: 'args', arguments: { words } });
    assert.equal(r.isError, false);
    const expected = words.map((w) => `[${w}]\n`).join('');
    assert.equal(normMs(textOf(r)), `Execution: \`args\` ✓ Success (<ms>ms)\n${expected}`);
    for (const f of ['pwned', 'pwned2', 'pwned3']) assert.ok(!fs.existsSync(path.join(p.dir, f)));
    // A single string counts as one element; numbers and booleans become text.
    const one = await client.callTool({ name: 'args', arguments: { words: '-h' } });
    assert.equal(normMs(textOf(one)), 'Execution: `args` ✓ Success (<ms>ms)\n[-h]\n');
    const mixed = await client.callTool({ name: 'args', arguments: { words: [1, 2.5, true, { a: 1 }] } });
    assert.equal(normMs(textOf(mixed)), 'Execution: `args` ✓ Success (<ms>ms)\n[1]\n[2.5]\n[true]\n[{"a":1}]\n');
});

test('a polyglot (node) tool gets typed values by name; absent ones use the default (§7.4)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const fmt = (await client.listTools()).tools.find((x) => x.name === 'fmt');
    assert.deepEqual(Object.keys(fmt.inputSchema.properties), ['price', 'qty', 'gift', 'timeout']);
    const call = async (args) => normMs(textOf(await client.callTool({ name: 'fmt', arguments: args })));
    assert.equal(await call({ gift: 'YES', qty: 3, price: 9.5 }),
        'Execution: `fmt` ✓ Success (<ms>ms)\ntotal=28.50 gift=true\n');
    assert.equal(await call({ price: '9.5', gift: true }),
        'Execution: `fmt` ✓ Success (<ms>ms)\ntotal=9.50 gift=true\n');
    assert.equal(await call({ price: 2 }), 'Execution: `fmt` ✓ Success (<ms>ms)\ntotal=2.00 gift=false\n');
    const bad = await client.callTool({ name: 'fmt', arguments: { price: 'abc', qty: 1.5 } });
    assert.equal(bad.isError, true);
    assert.equal(textOf(bad), "Invalid arguments for tool 'fmt': 'price' must be a number, got \"abc\"; 'qty' must be an integer, got 1.5");
});

test('namespaced functions are called by tool name; reports name the function (§6.2, §8.2)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const names = (await client.listTools()).tools.map((x) => x.name);
    assert.ok(names.includes('docker__build'));
    assert.ok(!names.includes('docker:build'));
    const r = await client.callTool({ name: 'docker__build', arguments: { tag: 'v1' } });
    assert.equal(normMs(textOf(r)), 'Execution: `docker:build` ✓ Success (<ms>ms)\nbuilt v1\n');
    const d = await client.callTool({ name: 'docker__build', arguments: { tag: '' } });
    assert.equal(normMs(textOf(d)), 'Execution: `docker:build` ✓ Success (<ms>ms)\nbuilt dev\n');
    await assert.rejects(client.callTool({ name: 'docker:build', arguments: {} }), /Tool not found: docker:build/);
});

test('NUL and control characters arrive intact; invalid UTF-8 becomes U+FFFD (§8.2)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const r = await client.callTool({ name: 'bytes', arguments: {} });
    assert.equal(normMs(textOf(r)), 'Execution: `bytes` ✓ Success (<ms>ms)\n' +
        'a\u0000b\u001b[1m\tc\ufffdd\ufffde\n**Stderr:**\n```\nw\u0000\n```\n\n');
});

test('failures, and an interpreter that cannot be started (§8.2, §8.4)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const r = await client.callTool({ name: 'check', arguments: {} });
    assert.equal(r.isError, true);
    assert.equal(normMs(textOf(r)), 'Execution: `check` ✗ Failed (<ms>ms)\nbad input\n**Exit Code:** 3\n');
    let hasRuby = true;
    try { execFileSync('sh', ['-c', 'command -v ruby']); } catch { hasRuby = false; }
    if (!hasRuby) {
        const rb = await client.callTool({ name: 'rb', arguments: {} });
        assert.equal(rb.isError, true);
        assert.equal(textOf(rb), "Execution: `rb` ✗ Failed (0ms)\n**Error:** interpreter 'ruby' not found in PATH (needed by 'rb')\n");
    }
    // One argument over the kernel's 128 KiB per-string limit cannot be passed (E2BIG).
    const huge = await client.callTool({ name: 'args', arguments: { words: ['x'.repeat(200000)] } });
    assert.equal(huge.isError, true);
    assert.equal(textOf(huge), "Execution: `args` ✗ Failed (0ms)\n**Error:** cannot start bash for 'args': Argument list too long\n");
    // The server keeps serving.
    assert.equal(normMs(textOf(await client.callTool({ name: 'fast', arguments: {} }))),
        'Execution: `fast` ✓ Success (<ms>ms)\nfast\n');
});

test('end of input stops running calls, kills their groups and exits 0 at once (§12)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const s = rawServer(p, { env: { RUN_MCP_MAX_CONCURRENCY: '1' } });
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'hang', arguments: {} } });
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fast', arguments: {} } });
    const pids = await until(() => readPids(p.dir, ''), 5000);
    assert.ok(pids);
    const t0 = Date.now();
    const { code, signal } = await s.end();
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 2500, `exited after ${Date.now() - t0} ms`);
    assert.ok(await until(() => pids.every((x) => !alive(x)), 1000));
    assert.deepEqual(s.lines, [], 'no answers for stopped calls');
});

test('SIGTERM with a call that ignores SIGTERM: killed, exit 0 (§12)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'stubborn', arguments: { tag: 'x' } } });
    const pids = await until(() => readPids(p.dir, 'x'), 5000);
    assert.ok(pids);
    s.child.kill('SIGTERM');
    const { code, signal } = await s.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.ok(await until(() => pids.every((x) => !alive(x)), 1000), 'nothing left behind');
});

test('without pidfds (the SIGCHLD fallback, RUN_PROC_NO_PIDFD): answers, statuses, a timeout and end of input as before (§9)', async (t) => {
    const p = project({ Runfile: RUNFILE });
    t.after(p.cleanup);
    const s = rawServer(p, { env: { RUN_PROC_NO_PIDFD: '1' } });
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 'to', method: 'tools/call',
        params: { name: 'stubborn', arguments: { tag: 'fb', timeout: 1 } } });
    // Thirty calls that end close together, one in three failing: each gets its own answer.
    for (let i = 0; i < 30; i++) {
        s.send({ jsonrpc: '2.0', id: i, method: 'tools/call', params: i % 3
            ? { name: 'args', arguments: { words: [String(i)] } }
            : { name: 'check', arguments: {} } });
    }
    for (let i = 0; i < 30; i++) {
        const r = (await s.response(i)).msg.result;
        assert.equal(normMs(r.content[0].text), i % 3
            ? `Execution: \`args\` ✓ Success (<ms>ms)\n[${i}]\n`
            : 'Execution: `check` ✗ Failed (<ms>ms)\nbad input\n**Exit Code:** 3\n');
    }
    const to = (await s.response('to', 8000)).msg.result;
    assert.equal(normMs(to.content[0].text), 'Execution: `stubborn` ✗ Timed out (<ms>ms)\n' +
        '**Timed out after 1 s:** the command was stopped with SIGTERM, then SIGKILL.\n');
    const killed = readPids(p.dir, 'fb');
    assert.ok(await until(() => killed.every((x) => !alive(x)), 2000));
    // End of input with a call running: its group dies and the server exits 0 at once.
    s.send({ jsonrpc: '2.0', id: 'h', method: 'tools/call', params: { name: 'hang', arguments: {} } });
    const pids = await until(() => readPids(p.dir, ''), 5000);
    assert.ok(pids);
    const { code, signal } = await s.end();
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.ok(await until(() => pids.every((x) => !alive(x)), 1000));
    assert.deepEqual(s.lines, []);
});
