// The hostile-input matrix of the MCP server: every JSON type in every argument position
// (mcp.md §7.3, §7.4), missing/extra/null arguments, malformed envelopes (§3.1, §7.1), 10 MB
// values, NUL and invalid UTF-8, values that look like options or shell code, tool names with
// `..` and `/`, Runfiles with 100,000 functions, deep and cyclic `source` chains, unterminated
// blocks and heredocs, CRLF and binary junk (runfile.md), and shutdown by SIGTERM, SIGINT and
// end of input while calls run (§12). Each case has its specified answer; the server must
// answer every request exactly once and survive all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { project, rawServer, serverEnv, normMs, alive, until, RUN_BIN } from './helpers.mjs';

// Every parameter kind, all required, so that each position can be probed alone while the
// others hold valid values. The body prints every argv word in brackets.
const RUNFILE = `
# @desc Every type
all(s, i: int, n: float, b: bool, o: object, ...rest) printf '[%s]' "$@"

# @desc Optional values
opt(s = "d", i: int = 5, b: bool = no, ...rest) printf '[%s]' "$s" "$i" "$b" "$#"

# @desc Nothing needed
none() echo none

# @desc Print the first argument's length in bytes
len(v) printf '%s' "$v" | wc -c

# @desc Lots of output, slowly, then a marker
# @noerrexit
spew(tag) {
    echo "$$" > "pid-$tag"
    yes 0123456789 | head -c 200000
    sleep 1000 &
    wait
}

# @desc NUL bytes and invalid UTF-8 on both streams
nul() { printf 'a\\377b\\000c\\342\\202d\\n'; printf 'e\\000f\\n' >&2; exit 3; }

# @desc Take a nap
nap() { sleep 1.2; echo napped; }

# @desc Namespaced big output
ns:big() for i in $(seq 1 500); do echo 012345678; done
`;

// The values tried in every position: each JSON type, and strings that look like other types,
// options or shell code.
const VALUES = [null, true, false, 0, -1, 1.5, 1e21, '', 'abc', '42', '-7', '1.5', 'yes', 'OFF',
    '{"a":1}', '--list', '$(touch pwned)', '`touch pwned`', [], ['x', 2, true, null, [1], { k: 'v' }],
    {}, { a: [1, { b: null }] }];
const BASE = { s: 'S', i: 1, n: 2, b: true, o: {}, rest: ['r'] };
const PHRASE = {
    s: 'a string', i: 'an integer', n: 'a number', b: 'a boolean (true/false/yes/no/on/off/1/0)',
    o: 'a JSON object', rest: 'an array',
};

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const numText = (v) => String(v); // exact for the numbers of VALUES (mcp.md §7.3)
const wordOf = (v) => (typeof v === 'string' ? v : v === null ? 'null'
    : typeof v === 'object' ? JSON.stringify(v) : String(v));

// The argv text of value 'v' for parameter 'key' per mcp.md §7.3, or undefined when invalid.
function accepted(key, v) {
    switch (key) {
    case 's':
        return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    case 'i':
        if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? String(v) : undefined;
        return typeof v === 'string' && /^[+-]?[0-9]+$/.test(v) ? v : undefined;
    case 'n':
        if (typeof v === 'number') return numText(v);
        return typeof v === 'string' && v !== '' && /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(v) ? v : undefined;
    case 'b':
        if (typeof v === 'boolean') return String(v);
        if (typeof v !== 'string') return undefined;
        if (/^(true|yes|on|1)$/i.test(v)) return 'true';
        return /^(false|no|off|0)$/i.test(v) ? 'false' : undefined;
    case 'o':
        if (isObj(v)) return JSON.stringify(v);
        if (typeof v !== 'string') return undefined;
        try { const x = JSON.parse(v); return isObj(x) ? JSON.stringify(x) : undefined; } catch { return undefined; }
    default:
        throw new Error(key);
    }
}

// The expected result text of calling `all` with BASE overridden by {key: v}.
function expectedAll(key, v) {
    const args = { ...BASE, [key]: v };
    if (key === 'timeout') {
        const ok = v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
        return ok ? { ok: '[S][1][2][true][{}][r]' }
            : { err: `'timeout' must be a non-negative integer, got ${JSON.stringify(v)}` };
    }
    if (key === 'rest') {
        if (v === null || v === '') return { ok: '[S][1][2][true][{}]' };
        if (typeof v === 'string') return { ok: `[S][1][2][true][{}][${v}]` };
        if (!Array.isArray(v)) return { err: `'rest' must be ${PHRASE.rest}, got ${JSON.stringify(v)}` };
        return { ok: '[S][1][2][true][{}]' + v.map((w) => `[${wordOf(w)}]`).join('') };
    }
    if (v === null) return { err: `missing required argument '${key}'` };
    const text = accepted(key, v);
    if (text === undefined) return { err: `'${key}' must be ${PHRASE[key]}, got ${JSON.stringify(v)}` };
    const order = ['s', 'i', 'n', 'b', 'o'];
    const words = order.map((k) => (k === key ? text : accepted(k, args[k])));
    return { ok: words.map((w) => `[${w}]`).join('') + '[r]' };
}

function setup(t, files = { Runfile: RUNFILE }, env = {}) {
    const p = project(files);
    t.after(p.cleanup);
    const s = rawServer(p, { env });
    t.after(() => { if (s.child.exitCode === null) s.child.kill('SIGKILL'); });
    return { p, s };
}

// Send every request at once and collect exactly one answer per id (a second answer for any
// id, or an answer for an unknown id, fails the test).
async function batch(s, reqs, ms = 30000) {
    const want = new Map(reqs.map((r) => [r.id, r]));
    for (const r of reqs) s.send({ jsonrpc: '2.0', ...r });
    const got = new Map();
    const end = Date.now() + ms;
    while (got.size < want.size) {
        const { msg } = await s.next((m) => m && 'id' in m && ('result' in m || 'error' in m), end - Date.now());
        assert.ok(want.has(msg.id), `answer for unknown id ${JSON.stringify(msg.id)}`);
        assert.ok(!got.has(msg.id), `second answer for id ${msg.id}`);
        got.set(msg.id, msg);
    }
    return got;
}

// Equal texts, except that the JSON excerpt after ", got " only has to be the same JSON value
// (1e21 may be written 1e21 or 1e+21).
function sameProblem(actual, expected, label) {
    const a = actual.split(', got '), e = expected.split(', got ');
    if (a.length === 2 && e.length === 2 && a[0] === e[0]) {
        assert.deepEqual(JSON.parse(a[1]), JSON.parse(e[1]), label);
        return;
    }
    assert.equal(actual, expected, label);
}

const callReq = (id, name, args) => ({ id, method: 'tools/call', params: args === undefined ? { name } : { name, arguments: args } });

test('matrix: every JSON value in every argument position of every type (§7.3, §7.4)', async (t) => {
    const { p, s } = setup(t);
    await s.initialize('2025-11-25');
    const cases = [];
    for (const key of ['s', 'i', 'n', 'b', 'o', 'rest', 'timeout']) {
        for (const v of VALUES) {
            if (key === 'timeout' && v === 1e21) continue; // beyond any clock: not specified
            cases.push({ id: cases.length + 1, key, v, want: expectedAll(key, v) });
        }
    }
    const got = await batch(s, cases.map((c) => callReq(c.id, 'all', { ...BASE, [c.key]: c.v })));
    for (const c of cases) {
        const r = got.get(c.id);
        const label = `${c.key} = ${JSON.stringify(c.v)}`;
        assert.ok(r.result, `${label}: ${JSON.stringify(r)}`);
        const text = r.result.content[0].text;
        if (c.want.ok !== undefined) {
            assert.equal(normMs(text), `Execution: \`all\` ✓ Success (<ms>ms)\n${c.want.ok}\n`, label);
            assert.equal(r.result.isError, false, label);
        } else {
            sameProblem(text, `Invalid arguments for tool 'all': ${c.want.err}`, label);
            assert.equal(r.result.isError, true, label);
        }
    }
    assert.ok(!fs.existsSync(path.join(p.dir, 'pwned')), 'shell code in a value ran');
    console.log(`# argument matrix: ${cases.length} cases`);
    // Older revisions report the same failures as JSON-RPC errors.
    await s.initialize('2025-06-18');
    const old = await batch(s, [callReq('o1', 'all', { ...BASE, i: 'abc', timeout: -1 })]);
    assert.deepEqual(old.get('o1').error, {
        code: -32602,
        message: "Invalid arguments for tool 'all': 'i' must be an integer, got \"abc\"; 'timeout' must be a non-negative integer, got -1",
    });
});

test('matrix: absent, null, empty and extra arguments; every problem reported in order (§7.3)', async (t) => {
    const { s } = setup(t);
    await s.initialize('2025-11-25');
    const ok = (out) => ({ ok: out });
    const cases = [
        ['none', undefined, ok('none')],
        ['none', null, ok('none')],
        ['none', {}, ok('none')],
        ['none', { extra: 1, timeout: 0, '': [], '../x': '/' }, ok('none')],
        ['opt', {}, ok('[d][5][false][0]')],
        ['opt', { s: '', i: '', b: '', rest: '' }, ok('[d][5][false][0]')],
        ['opt', { s: null, i: null, b: null, rest: null }, ok('[d][5][false][0]')],
        ['opt', { i: 7 }, ok('[d][7][false][2]')],
        ['opt', { b: 'on' }, ok('[d][5][true][3]')],
        ['opt', { rest: ['x'] }, ok('[d][5][false][4]')],
        ['all', {}, { err: "missing required argument 's'; missing required argument 'i'; missing required argument 'n'; missing required argument 'b'; missing required argument 'o'" }],
        ['all', { s: [], i: 'x', n: true, b: 2, o: [], rest: 1, timeout: 'x' }, {
            err: "'s' must be a string, got []; 'i' must be an integer, got \"x\"; 'n' must be a number, got true; "
                + "'b' must be a boolean (true/false/yes/no/on/off/1/0), got 2; 'o' must be a JSON object, got []; "
                + "'rest' must be an array, got 1; 'timeout' must be a non-negative integer, got \"x\"",
        }],
        ['len', { v: 'ü€😀' }, ok('9')],
        // A NUL cannot travel in argv: the value is refused, never cut short.
        ['len', { v: 'a\u0000b' }, { err: "'v' must be a string, got \"a\\u0000b\"" }],
    ];
    const got = await batch(s, cases.map(([name, args], i) => callReq(i + 1, name, args)));
    cases.forEach(([name, args, want], i) => {
        const r = got.get(i + 1);
        const label = `${name} ${JSON.stringify(args)}`;
        assert.ok(r.result, `${label}: ${JSON.stringify(r)}`);
        const text = r.result.content[0].text;
        if (want.ok !== undefined) assert.equal(normMs(text), `Execution: \`${name}\` ✓ Success (<ms>ms)\n${want.ok}\n`, label);
        else assert.equal(text, `Invalid arguments for tool '${name}': ${want.err}`, label);
    });
});

test('matrix: malformed envelopes, names with .. and /, bad params and ids (§3.1, §7.1)', async (t) => {
    const { p, s } = setup(t);
    await s.initialize('2025-11-25');
    const E = (code, message) => ({ code, message });
    const badParams = E(-32602, 'Invalid params: params must be an object');
    const noName = E(-32602, 'Missing tool name');
    const notObj = E(-32602, 'Arguments must be an object');
    const cases = [];
    for (const params of [1, 'x', true, []]) cases.push([{ method: 'tools/call', params }, badParams]);
    cases.push([{ method: 'tools/call' }, badParams]);
    cases.push([{ method: 'tools/call', params: null }, badParams]);
    for (const name of [undefined, null, 1, true, [], {}, '']) cases.push([{ method: 'tools/call', params: { name, arguments: {} } }, noName]);
    for (const args of [1, 'x', true, false, [], [{}], 0]) cases.push([{ method: 'tools/call', params: { name: 'none', arguments: args } }, notObj]);
    for (const name of ['..', '../none', 'none/..', '/none', 'a/b', '../../etc/passwd', 'NONE', 'none ', 'ns:big', 'nö', 'none\u0000']) {
        cases.push([{ method: 'tools/call', params: { name, arguments: {} } }, E(-32602, `Tool not found: ${name}`)]);
    }
    cases.push([{ method: 'tools/list', params: { cursor: 'x' } }, E(-32602, 'Invalid params: unknown cursor')]);
    cases.push([{ method: 'ping', params: 5 }, badParams]);
    cases.push([{ method: 'no/such' }, E(-32601, 'Method not found: no/such')]);
    cases.push([{ method: 'ping\u0000' }, E(-32601, 'Method not found: ping\u0000')]);
    const reqs = cases.map(([r], i) => ({ id: i + 1, ...r }));
    const got = await batch(s, reqs);
    cases.forEach(([r, want], i) => assert.deepEqual(got.get(i + 1).error, want, JSON.stringify(r)));

    // Lines that never reach a method: each gets exactly one error with id null.
    const raw = [
        ['{"jsonrpc":"2.0","id":null,"method":"ping"}\n', -32600],
        ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}\n', -32600],
        ['{"jsonrpc":"2.0","id":true,"method":"ping"}\n', -32600],
        ['{"jsonrpc":"2.0","id":[],"method":"ping"}\n', -32600],
        ['{"jsonrpc":"2.0","id":{},"method":"ping"}\n', -32600],
        ['"just a string"\n', -32600],
        ['42\n', -32600],
        ['[]\n', -32600],
        ['{"jsonrpc":"2.0","id":7,"method":"ping"\n', -32700],
        [Buffer.from('{"jsonrpc":"2.0","id":8,"method":"p\xffng"}\n', 'latin1'), -32700],
        [Buffer.from('{"jsonrpc":"2.0","id":9,"method":"ping\0"}\n', 'latin1'), -32700],
        ['{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"\\ud800"}}\n', -32700],
        [Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x80, 0x0a]), -32700],
        ['\x1b[31m\x07 rm -rf / ; \n', -32700],
    ];
    for (const [line, code] of raw) {
        s.send(line);
        const { msg } = await s.next((m) => m && m.id === null);
        assert.equal(msg.error.code, code, String(line));
    }
    // Blank lines and CRLF line ends: nothing for the first, a normal answer for the second.
    s.send('\n   \n\t\r\n{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r\n');
    assert.deepEqual((await s.response('crlf')).msg, { jsonrpc: '2.0', id: 'crlf', result: {} });
    assert.equal(s.lines.length, 0, `unexpected extra lines: ${JSON.stringify(s.lines)}`);
    // Nothing was created anywhere by names with .. or /.
    assert.deepEqual(fs.readdirSync(p.dir), ['Runfile']);
    assert.deepEqual(fs.readdirSync(p.home).sort(), ['proj']);
    console.log(`# envelope matrix: ${cases.length + raw.length + 1} cases`);
});

test('matrix: built-in tools with hostile arguments (§14)', async (t) => {
    const { p, s } = setup(t, { Runfile: RUNFILE, afile: '', 'sub/x': '' });
    await s.initialize('2025-06-18');
    const inv = (tool, problem) => ({ error: { code: -32602, message: `Invalid arguments for tool '${tool}': ${problem}` } });
    const res = (text, isError = true) => ({ result: { content: [{ type: 'text', text }], isError } });
    const cannot = (given, reason) => res(`Cannot change the working directory to '${given}': ${reason}`);
    const long = 'a'.repeat(5000);
    const cases = [
        ['set_cwd', {}, inv('set_cwd', "missing required argument 'path'")],
        ['set_cwd', { path: null }, inv('set_cwd', "missing required argument 'path'")],
        ['set_cwd', { path: 1 }, inv('set_cwd', "'path' must be a string, got 1")],
        ['set_cwd', { path: ['/'] }, inv('set_cwd', "'path' must be a string, got [\"/\"]")],
        ['set_cwd', { path: '/nonexistent/x' }, cannot('/nonexistent/x', 'No such file or directory')],
        ['set_cwd', { path: 'afile' }, cannot('afile', 'Not a directory')],
        ['set_cwd', { path: 'afile/..' }, cannot('afile/..', 'Not a directory')],
        ['set_cwd', { path: long }, cannot(long, 'File name too long')],
        ['set_cwd', { path: '$(touch pwned)' }, cannot('$(touch pwned)', 'No such file or directory')],
        ['run_docs', { topic: 1 }, inv('run_docs', "'topic' must be a string, got 1")],
        ['run_docs', { topic: { a: 1 } }, inv('run_docs', "'topic' must be a string, got {\"a\":1}")],
        ['get_cwd', { extra: [1, 2] }, res(p.dir, false)],
    ];
    const got = await batch(s, cases.map(([name, args], i) => callReq(i + 1, name, args)));
    cases.forEach(([name, args, want], i) => {
        const r = got.get(i + 1);
        delete r.jsonrpc; delete r.id;
        assert.deepEqual(r, want, `${name} ${JSON.stringify(args).slice(0, 80)}`);
    });
    const docs = (await s.request('d', 'tools/call', { name: 'run_docs', arguments: { topic: '../../etc/passwd' } })).result;
    assert.equal(docs.isError, false);
    assert.match(docs.content[0].text, /^Unknown topic `\.\.\/\.\.\/etc\/passwd`\. Available topics: getting-started, /);
    // A relative path with .. is canonicalised; the session moves, the server does not.
    const moved = (await s.request('m', 'tools/call', { name: 'set_cwd', arguments: { path: 'sub/../sub/./' } })).result;
    assert.equal(moved.content[0].text, `Working directory changed to ${path.join(p.dir, 'sub')}\nRunfile: ${path.join(p.dir, 'Runfile')}`);
    assert.equal((await s.request('g', 'tools/call', { name: 'get_cwd' })).result.content[0].text, path.join(p.dir, 'sub'));
    assert.ok(!fs.existsSync(path.join(p.dir, 'pwned')) && !fs.existsSync(path.join(p.dir, 'sub', 'pwned')));
    console.log(`# built-in matrix: ${cases.length + 3} cases`);
});

test('matrix: odd cancellations, progress tokens and reused ids (§3.1, §9.3, §9.5)', async (t) => {
    const { s } = setup(t);
    await s.initialize('2025-11-25');
    // A call that runs 1.2 s: long enough for a progress notification, were one due.
    const hold = (id, meta) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'nap', arguments: {}, _meta: meta } });
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'spew', arguments: { tag: 'c1' } } });
    s.send({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: { name: 'spew', arguments: { tag: 'c2' } } });
    // Cancellations that match nothing: another type, another value, no params, junk.
    for (const params of [{ requestId: '1' }, { requestId: 1.0000001 }, { requestId: [1] }, { requestId: null }, {}, undefined, 'x', { requestId: 'init' }])
        s.notify('notifications/cancelled', params);
    // Reusing the id of a running call is refused; the running call is untouched.
    s.send({ jsonrpc: '2.0', id: 'dup', method: 'ping' });
    assert.deepEqual((await s.response('dup')).msg.error, { code: -32600, message: 'Invalid Request: id already in use' });
    // Progress tokens that are neither strings nor integers get no progress; the call is answered.
    for (const [i, token] of [[10, 1.5], [11, { a: 1 }], [12, [1]], [13, true], [14, null]])
        s.send(hold(i, { progressToken: token }));
    for (const id of [10, 11, 12, 13, 14]) {
        const r = (await s.response(id, 10000)).msg;
        assert.equal(normMs(r.result.content[0].text), 'Execution: `nap` ✓ Success (<ms>ms)\nnapped\n');
    }
    assert.equal(s.lines.filter((l) => l.msg.method === 'notifications/progress').length, 0);
    // Both spewing calls are still running: cancel them for real; neither is ever answered.
    s.notify('notifications/cancelled', { requestId: 1, reason: 'x'.repeat(100000) });
    s.notify('notifications/cancelled', { requestId: 'dup' });
    assert.deepEqual(await s.request('p', 'ping'), { jsonrpc: '2.0', id: 'p', result: {} });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(s.lines.filter((l) => l.msg.id === 1 || l.msg.id === 'dup'), []);
});

test('10 MB values: a frame over the limit, a refused excerpt, E2BIG; the server keeps serving (§2, §7.3, §8.4)', async (t) => {
    const { s } = setup(t, { Runfile: RUNFILE }, { RUN_MCP_MAX_FRAME: String(12 * 1024 * 1024) });
    await s.initialize('2025-11-25');
    const big = 'x'.repeat(10 * 1024 * 1024);
    const got = await batch(s, [
        callReq(1, 'len', { v: big }),
        callReq(2, 'all', { ...BASE, i: big }),
        callReq(3, 'all', { ...BASE, rest: Array(40000).fill('y'.repeat(256)) }),
        callReq(4, 'len', { v: 'z'.repeat(100000) }),
    ], 60000);
    assert.equal(got.get(1).result.content[0].text, "Execution: `len` ✗ Failed (0ms)\n**Error:** cannot start bash for 'len': Argument list too long\n");
    assert.equal(got.get(1).result.isError, true);
    // The excerpt is the compact JSON cut to 100 bytes.
    assert.equal(got.get(2).result.content[0].text, `Invalid arguments for tool 'all': 'i' must be an integer, got "${'x'.repeat(99)}`);
    assert.match(got.get(3).result.content[0].text, /^Execution: `all` ✗ Failed \(0ms\)\n\*\*Error:\*\* cannot start bash for 'all': Argument list too long\n$/);
    assert.equal(normMs(got.get(4).result.content[0].text), 'Execution: `len` ✓ Success (<ms>ms)\n100000\n');
    // One line over the frame limit is discarded whole: one -32600 with id null.
    s.send(`{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"len","arguments":{"v":"${'w'.repeat(13 * 1024 * 1024)}"}}}\n`);
    const { msg } = await s.next((m) => m && m.id === null, 30000);
    assert.equal(msg.error.code, -32600);
    assert.deepEqual((await s.request('after', 'ping')), { jsonrpc: '2.0', id: 'after', result: {} });
    assert.equal(s.lines.length, 0, 'no answer for the discarded line');
});

test('output files: tool names make file names, nothing escapes the output directory (§10)', async (t) => {
    const { p, s } = setup(t);
    await s.initialize('2025-11-25');
    const r = (await s.request(1, 'tools/call', { name: 'ns__big', arguments: {} })).result;
    const m = /\[Full output saved to: (.*)\]/.exec(r.content[0].text);
    assert.ok(m, r.content[0].text);
    assert.equal(path.dirname(m[1]), path.join(p.dir, '.run-output'));
    assert.match(path.basename(m[1]), /^ns__big-\d+-stdout-\d+\.txt$/);
    assert.equal(fs.statSync(m[1]).size, 5000);
    assert.deepEqual(fs.readdirSync(p.dir).sort(), ['.run-output', 'Runfile']);
    assert.deepEqual(fs.readdirSync(path.join(p.dir, '.run-output')), [path.basename(m[1])]);
    // An output directory with .. in it is resolved against the session cwd (§10.3).
    fs.mkdirSync(path.join(p.home, 'o'));
    const s2 = rawServer(p, { env: { RUN_MCP_OUTPUT_DIR: '../o/../out' } });
    t.after(() => { if (s2.child.exitCode === null) s2.child.kill('SIGKILL'); });
    const r2 = (await s2.request(1, 'tools/call', { name: 'ns__big', arguments: {} })).result;
    const m2 = /\[Full output saved to: (.*)\]/.exec(r2.content[0].text);
    assert.ok(m2 && path.isAbsolute(m2[1]), r2.content[0].text);
    assert.equal(fs.realpathSync(path.dirname(m2[1])), path.join(p.home, 'out', '.run-output'));
    assert.equal(fs.statSync(m2[1]).size, 5000);
    assert.deepEqual(fs.readdirSync(p.home).sort(), ['o', 'out', 'proj']);
    assert.deepEqual(fs.readdirSync(path.join(p.home, 'o')), []);
});

test('NUL bytes and invalid UTF-8 in a call\'s output arrive escaped and repaired, nothing cut (§8.2)', async (t) => {
    const { s } = setup(t);
    await s.initialize('2025-11-25');
    const r = (await s.request(1, 'tools/call', { name: 'nul', arguments: {} })).result;
    assert.equal(r.isError, true);
    assert.equal(normMs(r.content[0].text),
        'Execution: `nul` ✗ Failed (<ms>ms)\na\uFFFDb\u0000c\uFFFDd\n**Stderr:**\n```\ne\u0000f\n```\n\n**Exit Code:** 3\n');
    // A string id holding a NUL is echoed byte for byte.
    assert.deepEqual((await s.request('a\u0000b', 'ping')), { jsonrpc: '2.0', id: 'a\u0000b', result: {} });
});

test('a hostile environment: the output directory is a file, the session cwd is deleted (§10.2, §14.1)', async (t) => {
    const { p, s } = setup(t, { Runfile: RUNFILE, afile: 'x', 'gone/.keep': '' }, { RUN_MCP_OUTPUT_DIR: 'afile' });
    await s.initialize('2025-11-25');
    const r = (await s.request(1, 'tools/call', { name: 'ns__big', arguments: {} })).result;
    assert.equal(r.isError, false);
    assert.match(r.content[0].text, /^Execution: `ns:big` ✓ Success \(\d+ms\)\n\[Output truncated: 5000 bytes, showing last 1200 bytes\]\n\[Full output could not be saved: [^\n]+\]\n\n012345678\n/);
    assert.equal(fs.readFileSync(path.join(p.dir, 'afile'), 'utf8'), 'x');
    await s.request(2, 'tools/call', { name: 'set_cwd', arguments: { path: 'gone' } });
    fs.rmSync(path.join(p.dir, 'gone'), { recursive: true });
    const c = (await s.request(3, 'tools/call', { name: 'none', arguments: {} })).result;
    assert.equal(c.isError, true);
    assert.match(c.content[0].text, /^Execution: `none` ✗ Failed \(0ms\)\n\*\*Error:\*\* cannot start bash for 'none': [^\n]*No such file or directory\n$/);
    assert.equal((await s.request(4, 'tools/call', { name: 'get_cwd' })).result.content[0].text, path.join(p.dir, 'gone'));
    const back = (await s.request(5, 'tools/call', { name: 'set_cwd', arguments: { path: '..' } })).result;
    assert.equal(back.isError, true, 'a deleted cwd has no ..');
    const abs = (await s.request(6, 'tools/call', { name: 'set_cwd', arguments: { path: p.dir } })).result;
    assert.equal(abs.isError, false);
    assert.equal(normMs((await s.request(7, 'tools/call', { name: 'none', arguments: {} })).result.content[0].text), 'Execution: `none` ✓ Success (<ms>ms)\nnone\n');
});

function bigRunfile(n) {
    const parts = [];
    for (let i = 0; i < n; i++) parts.push(`# @desc Function ${i}\nf${i}(a, b: int = ${i}) echo "${i} $a $b"\n`);
    return parts.join('');
}

// The server's whole stdout for the given request lines, read in chunks (the line splitter of
// helpers.mjs re-scans its buffer per chunk, which a 40 MB answer makes quadratic).
function serveOnce(p, lines) {
    return new Promise((resolve, reject) => {
        const child = spawn(RUN_BIN, ['--serve-mcp'], { cwd: p.dir, env: serverEnv(p), stdio: ['pipe', 'pipe', 'pipe'] });
        const chunks = [];
        child.stdout.on('data', (d) => chunks.push(d));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, out: Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) }));
        for (const l of lines) child.stdin.write(JSON.stringify(l) + '\n');
        // Keep stdin open until both answers are in (end of input would stop the call).
        const poll = setInterval(() => {
            if (Buffer.concat(chunks).toString('latin1').split('\n').length > lines.length) { clearInterval(poll); child.stdin.end(); }
        }, 200);
    });
}

test('a Runfile with 100,000 described functions: listed and callable (§6, §7)', async (t) => {
    const p = project({ Runfile: bigRunfile(100000) });
    t.after(p.cleanup);
    const { code, out } = await serveOnce(p, [
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'f99999', arguments: { a: 'z' } } },
    ]);
    assert.equal(code, 0);
    const tools = out.find((m) => m.id === 1).result.tools;
    assert.equal(tools.length, 100003);
    assert.equal(tools[99999].name, 'f99999');
    assert.deepEqual(tools[99999].inputSchema.properties.b, { type: 'integer', default: 99999 });
    assert.deepEqual(tools.slice(100000).map((x) => x.name), ['set_cwd', 'get_cwd', 'run_docs']);
    const r = out.find((m) => m.id === 2).result;
    assert.equal(normMs(r.content[0].text), 'Execution: `f99999` ✓ Success (<ms>ms)\n99999 z 99999\n');
});

function chain(n, cycleTo) {
    const files = { Runfile: 'source lib/s1.run\n# @desc Top\ntop() echo top\n' };
    for (let i = 1; i <= n; i++) {
        const next = i < n ? `source s${i + 1}.run\n` : cycleTo ? `source ${cycleTo}\n` : '';
        files[`lib/s${i}.run`] = `${next}# @desc Level ${i}\nlevel${i}() echo ${i}\n`;
    }
    return files;
}

test('source chains: 200 deep works, cycles are read once, 300 deep is a Runfile error (runfile.md §7)', async (t) => {
    {
        const { s } = setup(t, chain(200, '../Runfile'));
        await s.initialize('2025-11-25');
        const names = (await s.request(1, 'tools/list')).result.tools.map((x) => x.name);
        assert.equal(names.length, 201 + 3);
        assert.equal(names.filter((x) => x === 'top').length, 1);
        const r = await s.request(2, 'tools/call', { name: 'level200', arguments: {} });
        assert.equal(normMs(r.result.content[0].text), 'Execution: `level200` ✓ Success (<ms>ms)\n200\n');
    }
    {
        const { s } = setup(t, { Runfile: 'source Runfile\nsource ./Runfile\n# @desc Me\nme() echo me\n' });
        const names = (await s.request(1, 'tools/list')).result.tools.map((x) => x.name);
        assert.deepEqual(names, ['me', 'set_cwd', 'get_cwd', 'run_docs']);
    }
    {
        const { s } = setup(t, chain(300));
        await s.initialize('2025-11-25');
        const names = (await s.request(1, 'tools/list')).result.tools.map((x) => x.name);
        assert.deepEqual(names, ['set_cwd', 'get_cwd', 'run_docs']);
        const r = (await s.request(2, 'tools/call', { name: 'top', arguments: {} })).result;
        assert.equal(r.isError, true);
        assert.match(r.content[0].text, /^The Runfile has errors, so its tools cannot run:\n\n/);
        assert.match(r.content[0].text, /error: source nesting deeper than 256 files/);
    }
});

test('broken Runfiles: unterminated blocks, strings and heredocs, binary junk; CRLF works (runfile.md §10)', async (t) => {
    const broken = {
        'unclosed-block': ["# @desc X\nx() {\n  echo hi\n", "unclosed '{': no matching '}' for this block"],
        'unterminated-heredoc': ["# @desc X\nx() {\n  cat <<EOF\n  hi\n}\n", "unterminated heredoc: no line 'EOF' closes the '<<EOF' here-document"],
        'unterminated-string': ["# @desc X\nx() echo \"hi\ny() echo\n", 'unterminated double-quoted string'],
        'unterminated-subst': ["# @desc X\nx() echo $(date\n", "unterminated '$('"],
        'unmatched-brace': ["# @desc X\nx() echo\n}\n", "unmatched '}'"],
    };
    for (const [name, [text, msg]] of Object.entries(broken)) {
        const { s } = setup(t, { Runfile: text });
        await s.initialize('2025-11-25');
        const r = (await s.request(1, 'tools/call', { name: 'x', arguments: {} })).result;
        assert.equal(r.isError, true, name);
        assert.ok(r.content[0].text.includes(`error: ${msg}`), `${name}: ${r.content[0].text}`);
        const names = (await s.request(2, 'tools/list')).result.tools.map((x) => x.name);
        assert.deepEqual(names, ['set_cwd', 'get_cwd', 'run_docs'], name);
    }
    // Binary junk (a fixed pseudo-random stream): whatever it parses to, the server answers.
    let x = 12345;
    const junk = Buffer.alloc(65536, 0).map(() => { x = (x * 1103515245 + 12345) & 0x7fffffff; return x >> 16; });
    {
        const { s } = setup(t, { Runfile: junk });
        await s.initialize('2025-11-25');
        const l = await s.request(1, 'tools/list');
        assert.ok(Array.isArray(l.result.tools));
        const r = (await s.request(2, 'tools/call', { name: 'nothing', arguments: {} }));
        assert.ok(r.result?.isError === true || r.error?.code === -32602, JSON.stringify(r));
    }
    {
        const { s } = setup(t, { Runfile: '# @desc Crlf\r\ncrlf(a = "x") {\r\n  echo "[$a]"\r\n}\r\n' });
        await s.initialize('2025-11-25');
        const r = (await s.request(1, 'tools/call', { name: 'crlf', arguments: {} })).result;
        assert.equal(normMs(r.content[0].text), 'Execution: `crlf` ✓ Success (<ms>ms)\n[x]\n');
    }
});

// Start three spewing calls and a queued one, then stop the server by 'how'.
async function stopWhileRunning(t, how) {
    const { p, s } = setup(t, { Runfile: RUNFILE }, { RUN_MCP_MAX_CONCURRENCY: '3' });
    await s.initialize('2025-11-25');
    for (const tag of ['a', 'b', 'c', 'd']) s.send({ jsonrpc: '2.0', id: tag, method: 'tools/call', params: { name: 'spew', arguments: { tag } } });
    const pids = await until(() => {
        const v = ['a', 'b', 'c'].map((tag) => { try { return Number(fs.readFileSync(path.join(p.dir, `pid-${tag}`), 'utf8')); } catch { return 0; } });
        return v.every((n) => n > 0) ? v : null;
    }, 5000);
    assert.ok(pids, 'calls started');
    // Let the output files appear (200000 bytes each is far over the 1200-byte threshold).
    await until(() => fs.existsSync(path.join(p.dir, '.run-output'))
        && fs.readdirSync(path.join(p.dir, '.run-output')).length >= 3, 5000);
    const t0 = Date.now();
    if (how === 'eof') s.child.stdin.end();
    else s.child.kill(how);
    const { code, signal } = await s.exited;
    const ms = Date.now() - t0;
    assert.equal(signal, null, how);
    assert.equal(code, 0, how);
    assert.ok(ms < 1500, `${how}: exited after ${ms} ms`); // the SIGKILL grace is 2 s: never waited for zombies
    console.log(`# ${how}: exit after ${ms} ms`);
    // Every process group is gone: the shells and their background sleeps.
    assert.ok(await until(() => pids.every((x) => !alive(x)), 1000), `${how}: a call's process survived`);
    const left = execPgrep(pids);
    assert.deepEqual(left, [], `${how}: group members left: ${left}`);
    assert.ok(!fs.existsSync(path.join(p.dir, 'pid-d')), `${how}: the queued call was started`);
    // No response for stopped calls, and no partial output file is left behind.
    assert.deepEqual(s.lines.map((l) => l.msg), []);
    const out = path.join(p.dir, '.run-output');
    assert.deepEqual(fs.existsSync(out) ? fs.readdirSync(out) : [], [], `${how}: partial files left`);
}

// Processes whose process group is one of the calls' groups (each call's shell leads its own).
function execPgrep(pgids) {
    const left = [];
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        let st;
        try { st = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        if (f[0] !== 'Z' && pgids.includes(Number(f[2]))) left.push(Number(d));
    }
    return left;
}

for (const how of ['SIGTERM', 'SIGINT', 'SIGHUP', 'eof']) {
    test(`shutdown by ${how} while calls run: exit 0 at once, every group killed, no partial files (§12)`, async (t) => {
        await stopWhileRunning(t, how);
    });
}

test('end of input with 2,000 calls queued behind 16 running ones: exit 0 at once, none answered (§9.1, §12)', async (t) => {
    const { p, s } = setup(t, { Runfile: '# @desc Wait\nwait5() sleep 5\n' });
    for (let i = 0; i < 2000; i++) s.send({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'wait5', arguments: {} } });
    assert.deepEqual(await s.request('p', 'ping'), { jsonrpc: '2.0', id: 'p', result: {} });
    // Let the first 16 start.
    await until(() => execPgrepTagless(p.dir) >= 16, 5000);
    const t0 = Date.now();
    const { code, signal } = await s.end();
    const ms = Date.now() - t0;
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.ok(ms < 1500, `exited after ${ms} ms`);
    assert.deepEqual(s.lines, []);
    assert.ok(await until(() => execPgrepTagless(p.dir) === 0, 1000), 'call processes left');
});

// Live processes whose working directory is 'dir' (the calls' shells and their sleeps).
function execPgrepTagless(dir) {
    let n = 0;
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
            if (fs.readlinkSync(`/proc/${d}/cwd`) !== dir) continue;
            const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
            if (st.slice(st.lastIndexOf(')') + 2)[0] !== 'Z') n++;
        } catch { /* gone or not ours */ }
    }
    return n;
}

test('a Runfile that sources a FIFO and /dev/zero: the server answers, with a warning (runfile.md §7)', async (t) => {
    const p = project({ Runfile: 'source fifo\nsource /dev/zero\n# @desc Ok\nok() echo ok\n' });
    t.after(p.cleanup);
    execFileSync('mkfifo', [path.join(p.dir, 'fifo')]);
    const s = rawServer(p);
    t.after(() => { if (s.child.exitCode === null) s.child.kill('SIGKILL'); });
    await s.initialize('2025-11-25');
    const names = (await s.request(1, 'tools/list')).result.tools.map((x) => x.name);
    assert.deepEqual(names, ['ok', 'set_cwd', 'get_cwd', 'run_docs']);
    const r = (await s.request(2, 'tools/call', { name: 'ok', arguments: {} })).result;
    assert.equal(normMs(r.content[0].text), 'Execution: `ok` ✓ Success (<ms>ms)\nok\n');
    assert.match(s.stderr(), /warning: cannot source 'fifo': Not a regular file/);
});
