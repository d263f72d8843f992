// The JSON-RPC layer of run --serve-mcp (mcp.md §2–§5, §12), through a raw line writer:
// malformed frames, ids, notifications, batches, versions, huge lines, file stdin, shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { project, rawServer, serverEnv, RUN_BIN, sleep } from './helpers.mjs';

const fence = async (s, id = 'fence') => s.request(id, 'ping');

test('classification: order, codes, messages and exact id echo (§3.1, §3.2)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    const cases = [
        ['{bad json\n', null, -32700],
        [Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'),
            Buffer.from([0xff, 0xfe]), Buffer.from('"}}\n')]), null, -32700],
        ['42\n', null, -32600],
        ['"text"\n', null, -32600],
        ['{"jsonrpc":"2.0","id":null,"method":"ping"}\n', null, -32600],
        ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}\n', null, -32600],
        ['{"jsonrpc":"2.0","id":true,"method":"ping"}\n', null, -32600],
        ['{"jsonrpc":"2.0","id":[],"method":"ping"}\n', null, -32600],
        ['{"jsonrpc":"2.0","id":{},"method":"ping"}\n', null, -32600],
        ['{"jsonrpc":"1.0","id":"v","method":"ping"}\n', 'v', -32600],
        ['{"id":"w","method":"ping"}\n', 'w', -32600],
        ['{"jsonrpc":"2.0","id":"m"}\n', 'm', -32600],
        ['{"jsonrpc":"2.0","id":"n","method":42}\n', 'n', -32600],
        ['{"jsonrpc":"2.0","id":"q","method":"nope/nothing"}\n', 'q', -32601],
        ['{"jsonrpc":"2.0","id":"r","method":"ping","params":[1,2]}\n', 'r', -32602],
        ['{"jsonrpc":"2.0","id":"s","method":"ping","params":"x"}\n', 's', -32602],
    ];
    for (const [line] of cases) s.send(line);
    // Never answered: client responses, notifications (valid, unknown, or malformed).
    s.send('{"jsonrpc":"2.0","id":77,"result":{}}\n');
    s.send('{"jsonrpc":"2.0","id":78,"error":{"code":1,"message":"x"}}\n');
    s.send('{"jsonrpc":"2.0","method":"ping"}\n');
    s.send('{"jsonrpc":"2.0","method":"notifications/whatever","params":{}}\n');
    s.send('{"jsonrpc":"1.0","method":"notifications/initialized"}\n');
    s.send('{"method":17}\n');
    s.send('\n   \r\n\t\n');
    const f = await fence(s);
    const got = s.lines.map((l) => l.msg);
    assert.equal(got.length, cases.length, JSON.stringify(got));
    cases.forEach(([line, id, code], i) => {
        assert.deepEqual(Object.keys(got[i]), ['jsonrpc', 'id', 'error'], line.toString());
        assert.equal(got[i].jsonrpc, '2.0');
        assert.equal(got[i].id, id, line.toString());
        assert.equal(got[i].error.code, code, line.toString());
        assert.deepEqual(Object.keys(got[i].error), ['code', 'message']);
    });
    assert.match(got[0].error.message, /^Parse error: ./);
    assert.match(got[1].error.message, /^Parse error: ./);
    for (const i of [2, 3, 4, 5, 9, 11, 12]) assert.match(got[i].error.message, /^Invalid Request: ./);
    assert.equal(got[13].error.message, 'Method not found: nope/nothing');
    assert.equal(got[14].error.message, 'Invalid params: params must be an object');
    assert.equal(f.result && JSON.stringify(f.result), '{}');
    const { code } = await s.end();
    assert.equal(code, 0);
    assert.match(s.stderr(), /^run: warning: .*notification/m);
    assert.doesNotMatch(s.stderr(), /Parse error/); // stderr is for logs, not for answers
});

test('ids are echoed exactly: big integers, strings that look like numbers (§3.1)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    s.send('{"jsonrpc":"2.0","id":9007199254740991,"method":"ping"}\n');
    s.send('{"jsonrpc":"2.0","id":9223372036854775807,"method":"ping"}\n');
    s.send('{"jsonrpc":"2.0","id":-42,"method":"ping"}\n');
    s.send('{"jsonrpc":"2.0","id":"1","method":"ping"}\n');
    s.send('{"jsonrpc":"2.0","id":"","method":"ping","params":null}\n');
    s.send('{"jsonrpc":"2.0","id":"ü€😀","method":"ping","params":{}}\n');
    await fence(s);
    const texts = s.lines.map((l) => l.text);
    assert.deepEqual(texts, [
        '{"jsonrpc":"2.0","id":9007199254740991,"result":{}}',
        '{"jsonrpc":"2.0","id":9223372036854775807,"result":{}}',
        '{"jsonrpc":"2.0","id":-42,"result":{}}',
        '{"jsonrpc":"2.0","id":"1","result":{}}',
        '{"jsonrpc":"2.0","id":"","result":{}}',
        '{"jsonrpc":"2.0","id":"ü€😀","result":{}}',
    ]);
    await s.end();
});

test('methods the server does not serve get -32601 at once (§5)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    const names = ['resources/list', 'resources/templates/list', 'resources/read',
        'resources/subscribe', 'resources/unsubscribe', 'prompts/list', 'prompts/get',
        'logging/setLevel', 'completion/complete', 'tasks/get', 'tasks/result', 'tasks/list',
        'tasks/cancel', 'server/discover', 'sampling/createMessage', 'elicitation/create',
        'roots/list', 'notifications/initialized', 'Ping', 'tools/list/'];
    // server/discover comes before initialize, as dual-era clients send it.
    for (const [i, m] of names.entries()) s.send({ jsonrpc: '2.0', id: i, method: m, params: {} });
    await fence(s);
    assert.equal(s.lines.length, names.length);
    for (const [i, m] of names.entries()) {
        assert.deepEqual(s.lines[i].msg, {
            jsonrpc: '2.0', id: i, error: { code: -32601, message: `Method not found: ${m}` },
        });
    }
    await s.end();
});

test('initialize negotiates the version; a second one replaces it (§4.1)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    const cases = [['2025-11-25', '2025-11-25'], ['2025-06-18', '2025-06-18'],
        ['2025-03-26', '2025-03-26'], ['2024-11-05', '2024-11-05'], ['2099-01-01', '2025-11-25'],
        [undefined, '2025-11-25'], [20250326, '2025-11-25'], ['2024-10-07', '2025-11-25']];
    let n = 0;
    for (const [asked, answered] of cases) {
        const params = { capabilities: {}, clientInfo: { name: 'x', version: '1' } };
        if (asked !== undefined) params.protocolVersion = asked;
        const r = await s.request(++n, 'initialize', params);
        assert.deepEqual(Object.keys(r.result), ['protocolVersion', 'capabilities', 'serverInfo',
            'instructions']);
        assert.equal(r.result.protocolVersion, answered, String(asked));
        assert.deepEqual(r.result.capabilities, { tools: { listChanged: true } });
        assert.deepEqual(r.result.serverInfo, { name: 'run', version: '0.6.0' });
    }
    // Without params at all, and with params null.
    assert.equal((await s.request(++n, 'initialize')).result.protocolVersion, '2025-11-25');
    assert.equal((await s.request(++n, 'initialize', null)).result.protocolVersion, '2025-11-25');
    // The version in force is the last one: only 2025-03-26 has batches.
    await s.request(++n, 'initialize', { protocolVersion: '2025-03-26' });
    s.send('[{"jsonrpc":"2.0","id":"b1","method":"ping"}]\n');
    assert.deepEqual((await s.next()).msg, [{ jsonrpc: '2.0', id: 'b1', result: {} }]);
    await s.end();
});

test('instructions: base text and the no-Runfile note (§4.3)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    const r = await s.initialize();
    const text = r.result.instructions;
    for (const word of ['Runfile', '@desc', 'timeout', 'get_cwd', 'set_cwd', 'run_docs',
        'runfile-syntax', 'saved', 'working directory'])
        assert.ok(text.includes(word), `instructions mention ${word}: ${text}`);
    assert.match(text, /\n\nNo Runfile was found/);
    assert.doesNotMatch(text, /Runfile instructions:/);
    await s.end();
});

test('batches: only under 2025-03-26, answered together (§3.3)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    const batch = '[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n';
    s.send(batch); // before initialize: the 2024-11-05 rules
    assert.deepEqual((await s.next()).msg, { jsonrpc: '2.0', id: null, error: { code: -32600,
        message: 'Invalid Request: batches are not supported in protocol version 2024-11-05' } });
    await s.request('i1', 'initialize', { protocolVersion: '2025-06-18' });
    s.send(batch);
    assert.equal((await s.next()).msg.error.message,
        'Invalid Request: batches are not supported in protocol version 2025-06-18');
    await s.request('i2', 'initialize', { protocolVersion: '2025-03-26' });
    s.send(JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        42,
        { jsonrpc: '2.0', id: 'cwd', method: 'tools/call', params: { name: 'get_cwd' } },
        { jsonrpc: '2.0', id: 'x', method: 'nope' },
        { jsonrpc: '2.0', id: 'init', method: 'initialize', params: {} },
        { jsonrpc: '2.0', id: 2, method: 'ping' },
    ]) + '\n');
    const line = await s.next();
    assert.ok(Array.isArray(line.msg), line.text);
    assert.deepEqual(line.msg, [
        { jsonrpc: '2.0', id: 1, result: {} },
        { jsonrpc: '2.0', id: null, error: { code: -32600, message: line.msg[1].error.message } },
        { jsonrpc: '2.0', id: 'cwd', result: { content: [{ type: 'text', text: p.dir }],
            isError: false } },
        { jsonrpc: '2.0', id: 'x', error: { code: -32601, message: 'Method not found: nope' } },
        { jsonrpc: '2.0', id: 'init', error: { code: -32600, message: line.msg[4].error.message } },
        { jsonrpc: '2.0', id: 2, result: {} },
    ]);
    assert.match(line.msg[4].error.message, /^Invalid Request: /);
    // An empty batch is one error; a batch of notifications gets nothing.
    s.send('[]\n');
    assert.deepEqual((await s.next()).msg.error.code, -32600);
    s.send('[{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":5,"result":1}]\n');
    await fence(s);
    assert.equal(s.lines.length, 0);
    await s.end();
});

// tools/list is sent as text written straight from the Runfile model; in a batch it is built
// as a jansson tree instead. Both must be the same bytes, for every kind of value.
test('tools/list in a batch is byte for byte the list sent alone (§3.3, §6)', async (t) => {
    const p = project({
        Runfile: [
            '# @desc Ship "it" \\ now / é \u20ac \x1b\ttab',
            '# @arg version The "version"',
            'release:canary(version, count: int = -3, ratio: float = 2e3, big: number = 1e21,',
            "  small: number = 0.1, dry: bool = yes, opts: object = '{\"b\": 1, \"a\": [true, null, 2.50]}',",
            '  label = "it\'s \\"q\\"", ...extra) {',
            '  echo "$version"',
            '}',
            '# @desc Legacy',
            '# @arg 1:name Who',
            '# @arg 2:count? int How many',
            'legacy() echo "$1"',
            '',
        ].join('\n'),
    });
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.request('i', 'initialize', { protocolVersion: '2025-03-26' });
    s.send('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
    const alone = await s.response(1);
    s.send('[{"jsonrpc":"2.0","id":2,"method":"tools/list"}]\n');
    const batch = await s.next((m) => Array.isArray(m));
    const head1 = '{"jsonrpc":"2.0","id":1,"result":', head2 = '[{"jsonrpc":"2.0","id":2,"result":';
    assert.ok(alone.text.startsWith(head1) && alone.text.endsWith('}'), alone.text);
    assert.ok(batch.text.startsWith(head2) && batch.text.endsWith('}]'), batch.text);
    const a = alone.text.slice(head1.length, -1), b = batch.text.slice(head2.length, -2);
    assert.equal(a, b);
    const tools = JSON.parse(a).tools;
    assert.deepEqual(tools.map((x) => x.name), ['release__canary', 'legacy', 'set_cwd', 'get_cwd',
        'run_docs']);
    assert.equal(tools[0].description, 'Ship "it" \\ now / é \u20ac \x1b\ttab');
    assert.deepEqual(tools[0].inputSchema.properties.opts.default, { b: 1, a: [true, null, 2.5] });
    assert.match(a, /"big":\{"type":"number","default":1e21\}/);
    await s.end();
});

test('requests before initialize follow 2024-11-05; validation by version (§4.2, §7.3)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    const list = await s.request(1, 'tools/list');
    assert.deepEqual(list.result.tools.map((x) => x.name), ['set_cwd', 'get_cwd', 'run_docs']);
    const bad = await s.request(2, 'tools/call', { name: 'set_cwd', arguments: {} });
    assert.deepEqual(bad.error, { code: -32602,
        message: "Invalid arguments for tool 'set_cwd': missing required argument 'path'" });
    await s.request(3, 'initialize', { protocolVersion: '2025-11-25' });
    const bad2 = await s.request(4, 'tools/call', { name: 'set_cwd', arguments: { path: 42 } });
    assert.deepEqual(bad2.result, { content: [{ type: 'text',
        text: "Invalid arguments for tool 'set_cwd': 'path' must be a string, got 42" }],
        isError: true });
    const bad3 = await s.request(5, 'tools/call', { name: 'run_docs', arguments: { topic: [1] } });
    assert.equal(bad3.result.isError, true);
    assert.match(bad3.result.content[0].text, /^Invalid arguments for tool 'run_docs': 'topic'/);
    await s.end();
});

test('tools/call and tools/list parameter errors (§6.1, §7.1)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.initialize('2025-06-18');
    const e = async (id, method, params) => (await s.request(id, method, params)).error;
    assert.deepEqual(await e(1, 'tools/call'), { code: -32602,
        message: 'Invalid params: params must be an object' });
    assert.deepEqual(await e(2, 'tools/call', {}), { code: -32602, message: 'Missing tool name' });
    assert.deepEqual(await e(3, 'tools/call', { name: '' }), { code: -32602,
        message: 'Missing tool name' });
    assert.deepEqual(await e(4, 'tools/call', { name: 7 }), { code: -32602,
        message: 'Missing tool name' });
    assert.deepEqual(await e(5, 'tools/call', { name: 'get_cwd', arguments: [] }), {
        code: -32602, message: 'Arguments must be an object' });
    assert.deepEqual(await e(6, 'tools/call', { name: 'nope', arguments: {} }), { code: -32602,
        message: 'Tool not found: nope' });
    assert.deepEqual(await e(7, 'tools/list', { cursor: 'abc' }), { code: -32602,
        message: 'Invalid params: unknown cursor' });
    const ok = await s.request(8, 'tools/call', { name: 'get_cwd', arguments: null, _meta: {} });
    assert.equal(ok.result.content[0].text, p.dir);
    const l = await s.request(9, 'tools/list', { _meta: { progressToken: 1 } });
    assert.equal(l.result.tools.length, 3);
    await s.end();
});

test('frames: CRLF, partial writes, a line over the limit (§2)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p, { env: { RUN_MCP_MAX_FRAME: '1000' } });
    s.send('{"jsonrpc":"2.0",');
    await sleep(50);
    s.send('"id":1,"method":"ping"}\r\n');
    assert.deepEqual((await s.response(1)).msg.result, {});
    s.send(`{"jsonrpc":"2.0","id":2,"method":"ping","params":{"x":"${'y'.repeat(2000)}"}}\n`);
    s.send('{"jsonrpc":"2.0","id":3,"method":"ping"}\n');
    const big = await s.next();
    assert.deepEqual(Object.keys(big.msg), ['jsonrpc', 'id', 'error']);
    assert.equal(big.msg.id, null);
    assert.equal(big.msg.error.code, -32600);
    assert.deepEqual((await s.next()).msg, { jsonrpc: '2.0', id: 3, result: {} });
    // Exactly the limit is accepted.
    const pad = 1000 - '{"jsonrpc":"2.0","id":4,"method":"ping","params":{"x":""}}'.length;
    s.send(`{"jsonrpc":"2.0","id":4,"method":"ping","params":{"x":"${'z'.repeat(pad)}"}}\n`);
    assert.deepEqual((await s.next()).msg, { jsonrpc: '2.0', id: 4, result: {} });
    await s.end();
});

test('a line longer than the default 16 MiB is refused, the connection stays (§2)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    const huge = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + 'a'.repeat(16777216) + '"}}\n';
    s.send(huge);
    s.send('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    const first = await s.next(() => true, 20000);
    assert.deepEqual(first.msg.id, null);
    assert.equal(first.msg.error.code, -32600);
    assert.deepEqual((await s.next()).msg, { jsonrpc: '2.0', id: 2, result: {} });
    // Just under the limit is parsed and answered.
    const ok = '{"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":"' + 'a'.repeat(16000000) + '"}}\n';
    s.send(ok);
    assert.deepEqual((await s.next(() => true, 20000)).msg, { jsonrpc: '2.0', id: 3, result: {} });
    await s.end();
});

test('stdin may be a regular file of JSONL requests (§2)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const file = path.join(p.root, 'requests.jsonl');
    fs.writeFileSync(file, [
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}',
        '{"jsonrpc":"2.0","method":"notifications/initialized"}',
        '',
        '{"jsonrpc":"2.0","id":2,"method":"tools/list"}\r',
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_cwd","arguments":{}}}',
        '{"jsonrpc":"2.0","id":4,"method":"ping"}',
    ].join('\n'));  // the last line has no '\n'
    const fd = fs.openSync(file, 'r');
    const started = Date.now();
    const s = rawServer(p, { stdin: fd });
    fs.closeSync(fd);
    const { code, signal } = await s.exited;
    assert.equal(signal, null, s.stderr());
    assert.equal(code, 0, s.stderr());
    assert.ok(Date.now() - started < 5000);
    const ids = s.lines.map((l) => l.msg.id);
    assert.deepEqual(ids, [1, 2, 3, 4]);
    assert.equal(s.lines[0].msg.result.protocolVersion, '2025-06-18');
    assert.equal(s.lines[2].msg.result.content[0].text, p.dir);
    assert.equal(s.stderr(), '');
});

test('stdin from /dev/null: exits 0 at once with no output (§12)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const fd = fs.openSync('/dev/null', 'r');
    const s = rawServer(p, { stdin: fd });
    fs.closeSync(fd);
    const { code } = await s.exited;
    assert.equal(code, 0);
    assert.equal(s.lines.length, 0);
});

test('SIGTERM, SIGINT and SIGHUP end the server with status 0 (§12)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
        const s = rawServer(p);
        await fence(s);
        s.child.kill(sig);
        const { code, signal } = await s.exited;
        assert.equal(signal, null, sig);
        assert.equal(code, 0, sig);
    }
});

test('a client that closed stdout makes the server exit (EPIPE, §2)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    await fence(s);
    s.child.stdout.destroy();
    await sleep(50);
    for (let i = 0; i < 5; i++) s.send({ jsonrpc: '2.0', id: i, method: 'ping' });
    const result = await Promise.race([s.exited, sleep(5000).then(() => 'hung')]);
    assert.notEqual(result, 'hung');
    assert.equal(result.signal, null);
    assert.equal(result.code, 0);
    s.child.stdin.destroy();
});

test('get_cwd, run_docs index and unknown topics (§14)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.initialize();
    const call = async (id, name, args) =>
        (await s.request(id, 'tools/call', { name, arguments: args })).result;
    assert.deepEqual(await call(1, 'get_cwd', {}), { content: [{ type: 'text', text: p.dir }],
        isError: false });
    const index = await call(2, 'run_docs', {});
    const slugs = ['getting-started', 'runfile-syntax', 'arguments', 'variables',
        'attributes-and-interpreters', 'command-composition', 'polyglot-commands', 'mcp', 'cli',
        'bash-differences', 'recipes', 'faq', 'reference'];
    const titles = ['Getting started with run', 'Runfile syntax reference',
        'Function arguments and parameters', 'Variables',
        'Attributes and interpreters (@shell, @os, @desc)', 'Command composition and piping',
        'Polyglot commands (Python, Node, Ruby)', 'MCP integration', 'CLI reference',
        'Differences from plain bash', 'Recipes and examples', 'FAQ', 'Full reference'];
    const expected = '# run documentation topics\n\nCall run_docs with a topic to read it, for ' +
        'example {"topic": "runfile-syntax"}.\n\n' +
        slugs.map((s, i) => `- **${s}**: ${titles[i]}`).join('\n');
    assert.equal(index.content[0].text, expected);
    assert.equal(index.isError, false);
    for (const topic of [null, '', 'index'])
        assert.equal((await call(`i-${topic}`, 'run_docs', { topic })).content[0].text, expected);
    const unknown = await call(3, 'run_docs', { topic: 'nope' });
    assert.deepEqual(unknown, { content: [{ type: 'text',
        text: `Unknown topic \`nope\`. Available topics: ${slugs.join(', ')}` }], isError: false });
    // Every page starts with its title; reference is the other twelve joined by an empty line.
    const pages = [];
    for (const [i, slug] of slugs.entries()) {
        const r = await call(`p-${slug}`, 'run_docs', { topic: slug });
        assert.equal(r.isError, false);
        pages.push(r.content[0].text);
        if (slug !== 'reference') assert.ok(pages[i].length > 0, slug);
    }
    const joined = pages.slice(0, 12).map((x) => x.replace(/\n+$/, '')).join('\n\n') + '\n';
    assert.equal(pages[12], joined);
    const docsLanded = fs.existsSync(new URL('../../man/topics/mcp.md', import.meta.url));
    if (docsLanded) {
        for (const [i, page] of pages.slice(0, 12).entries()) {
            assert.ok(page.startsWith(`# ${titles[i]}\n`), `${slugs[i]} starts with its title`);
            assert.ok(Buffer.byteLength(page) >= 200, `${slugs[i]} has at least 200 bytes`);
        }
    }
    await s.end();
});

test('set_cwd: relative and absolute paths, failures change nothing (§14.1)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    fs.mkdirSync(path.join(p.dir, 'sub/deeper'), { recursive: true });
    fs.writeFileSync(path.join(p.dir, 'file.txt'), 'x');
    const s = rawServer(p);
    await s.initialize();
    const call = async (id, name, args) =>
        (await s.request(id, 'tools/call', { name, arguments: args })).result;
    const none = 'No Runfile found from this directory; only the built-in tools are available.';
    assert.deepEqual(await call(1, 'set_cwd', { path: 'sub/./deeper/..' }), { content: [{
        type: 'text', text: `Working directory changed to ${p.dir}/sub\n${none}` }],
        isError: false });
    assert.equal((await call(2, 'get_cwd', {})).content[0].text, `${p.dir}/sub`);
    const missing = await call(3, 'set_cwd', { path: 'nope' });
    assert.deepEqual(missing, { content: [{ type: 'text',
        text: "Cannot change the working directory to 'nope': No such file or directory" }],
        isError: true });
    const file = await call(4, 'set_cwd', { path: '../file.txt' });
    assert.equal(file.content[0].text,
        "Cannot change the working directory to '../file.txt': Not a directory");
    assert.equal((await call(5, 'get_cwd', {})).content[0].text, `${p.dir}/sub`);
    const abs = await call(6, 'set_cwd', { path: p.root });
    assert.equal(abs.content[0].text.split('\n')[0], `Working directory changed to ${p.root}`);
    const empty = await call(7, 'set_cwd', { path: '' });
    assert.equal(empty.isError, true);
    assert.match(empty.content[0].text, /^Invalid arguments for tool 'set_cwd': 'path'/);
    // The server process itself never changed directory.
    const cwd = fs.readlinkSync(`/proc/${s.child.pid}/cwd`);
    assert.equal(cwd, p.dir);
    await s.end();
});

test('stdout carries only protocol lines; nothing is logged at start-up (§2, §13)', async (t) => {
    const p = project();
    t.after(p.cleanup);
    const child = spawn(RUN_BIN, ['--serve-mcp'], { cwd: p.dir, env: serverEnv(p) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.stdin.end('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0);
    assert.equal(out, '{"jsonrpc":"2.0","id":1,"result":{}}\n');
    assert.equal(err, '');
});
