// A black-box conformance suite of run --serve-mcp, written from mcp.md (and examples.md
// §8–§13, differences.md M1–M18, cli.md §6) requirement by requirement: one check per
// requirement, exact texts where the specification gives them. Groups run concurrently (each
// has its own servers); the checks of a group run in order.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import {
    project, write, rawServer, sdkClient, serverEnv, RUN_BIN, sleep, alive, until, textOf, normMs,
} from './helpers.mjs';

const VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const RUN_VERSION = execFileSync(RUN_BIN, ['--version'], { encoding: 'utf8' }).trim().split(' ').pop();
const TIMEOUT_PROP = '{"type":"integer","description":"Optional time limit in seconds for this call. When it is exceeded, the command and everything it started are stopped and the call fails. Omit it (or use 0) for no limit.","minimum":0}';
const SET_CWD = '{"name":"set_cwd","description":"Change the working directory used by the following tool calls of this session. A relative path is resolved against the current working directory. The Runfile is looked up again from the new directory (unless the server was started with --runfile).","inputSchema":{"type":"object","properties":{"path":{"type":"string","description":"Directory to switch to, absolute or relative to the current working directory."}},"required":["path"]}}';
const GET_CWD = '{"name":"get_cwd","description":"Return the working directory that tool calls of this session use.","inputSchema":{"type":"object","properties":{},"required":[]}}';
const RUN_DOCS = '{"name":"run_docs","description":"Read the documentation of run and of the Runfile format. Call it without a topic (or with \\"index\\") to list the topics.","inputSchema":{"type":"object","properties":{"topic":{"type":"string","description":"Topic slug: getting-started, runfile-syntax, arguments, variables, attributes-and-interpreters, command-composition, polyglot-commands, mcp, cli, bash-differences, recipes, faq, reference. Omit it or use \\"index\\" for the list."}},"required":[]}}';
const BUILTINS = `${SET_CWD},${GET_CWD},${RUN_DOCS}`;
const TOPICS = [
    ['getting-started', 'Getting started with run'],
    ['runfile-syntax', 'Runfile syntax reference'],
    ['arguments', 'Function arguments and parameters'],
    ['variables', 'Variables'],
    ['attributes-and-interpreters', 'Attributes and interpreters (@shell, @os, @desc)'],
    ['command-composition', 'Command composition and piping'],
    ['polyglot-commands', 'Polyglot commands (Python, Node, Ruby)'],
    ['mcp', 'MCP integration'],
    ['cli', 'CLI reference'],
    ['bash-differences', 'Differences from plain bash'],
    ['recipes', 'Recipes and examples'],
    ['faq', 'FAQ'],
    ['reference', 'Full reference'],
];

// The main project of most groups.
const MAIN = `# @instructions Ask before deploying to prod
# @instructions "Prefer the fast test suite"

# @desc Greet someone
greet(name, greeting = "Hello") echo "$greeting, $name!"

# @desc Show the argv
# @arg env Target environment
deploy(env, version = "latest", region = "eu", ...flags) { printf '[%s]' "$@"; echo " $#"; }

# @desc Typed values
typed(s, i: int, n: float, b: bool, o: object, x: int = 7, ...r) { printf '[%s]' "$@"; echo; }

# @desc Legacy parameters
# @arg 1:a The a
# @arg 2:b? integer Count
legacy() { printf '[%s]' "$@"; echo; }

# @desc Warn
warn() { echo out-text; echo warn-text >&2; }

# @desc Check
check() { echo "bad input"; exit 3; }

# @desc Die by a signal
die() { echo before; kill -9 $$; }

# @desc No newline, fenced stderr
nonl() { printf abc; printf 'x\`\`\`\`y' >&2; }

# @desc Mark that it ran
mark(n: int) { touch marker; }

# @desc Sleep a while
nap(secs = "0.3", tag = "t") { echo "$$" > "nap-$tag.pid"; sleep "$secs"; echo "napped $tag"; }

# @desc Wait in the background
wait_db() { echo "waiting for db"; sleep 30 & echo $! > bg.pid; wait; }

# @desc Ignore SIGTERM
stubborn() { trap '' TERM; echo stubborn; while :; do sleep 0.1; done; }

# @desc A namespaced tool
docker:build() echo "built"

nodesc() echo hidden
`;

// Checks of one group share servers: they run one after the other.
const SEQ = { concurrency: 1 };
const fenceIds = { n: 0 };
// A ping whose answer proves every earlier line was handled.
async function fence(s) {
    const id = `fence-${++fenceIds.n}`;
    const r = await s.request(id, 'ping');
    assert.deepEqual(r, { jsonrpc: '2.0', id, result: {} });
}
// Lines not yet consumed by a response()/next() (after a fence).
function rest(s) {
    return s.lines.map((l) => l.text);
}
function drain(s) {
    const t = rest(s);
    s.lines.length = 0;
    return t;
}
// Send one raw line and return the text of the response with this id.
async function rawCall(s, id, obj, ms) {
    s.send(JSON.stringify({ jsonrpc: '2.0', id, ...obj }) + '\n');
    return (await s.response(id, ms)).text;
}
const call = (s, id, name, args, extra = {}) =>
    rawCall(s, id, { method: 'tools/call', params: { name, ...(args === undefined ? {} : { arguments: args }), ...extra } });
const errLine = (id, code, message) =>
    JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
const resLine = (id, text, isError) =>
    JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }], isError } });
// The text of a tools/call response line, with the duration replaced by <ms>.
function report(line) {
    const m = JSON.parse(line);
    assert.ok(m.result, line);
    return { text: normMs(m.result.content[0].text), isError: m.result.isError };
}
async function init(s, version, id = 'init') {
    const params = version === undefined ? {} : { protocolVersion: version, capabilities: {}, clientInfo: { name: 'conf', version: '1' } };
    const r = await s.request(id, 'initialize', params);
    s.notify('notifications/initialized');
    return r;
}
function server(t, p, opts) {
    const s = rawServer(p, opts);
    t.after?.(() => s.child.kill('SIGKILL'));
    return s;
}
async function endOk(s) {
    const { code, signal } = await s.end();
    assert.equal(signal, null);
    assert.equal(code, 0);
}
const readPid = (dir, name) => until(() => {
    try { return Number(fs.readFileSync(path.join(dir, name), 'utf8').trim()) || 0; } catch { return 0; }
}, 5000, 20);

describe('conformance', { concurrency: 6 }, () => {

    // ------------------------------------------------------------------ transport, §2–§3
    describe('transport and classification (§2, §3)', SEQ, () => {
        let p; let s;
        before(() => { p = project(); s = rawServer(p); });
        after(async () => { await endOk(s); p.cleanup(); });

        it('answers ping before initialize with exactly {"jsonrpc":"2.0","id":1,"result":{}} (§4.2, §5)', async () => {
            assert.equal(await rawCall(s, 1, { method: 'ping' }), '{"jsonrpc":"2.0","id":1,"result":{}}');
        });
        it('ignores empty and whitespace-only lines and drops the \\r of CRLF (§2)', async () => {
            s.send('\n  \t \n\r\n{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r\n');
            assert.equal((await s.response('crlf')).text, '{"jsonrpc":"2.0","id":"crlf","result":{}}');
            await fence(s);
            assert.deepEqual(drain(s), []);
        });
        it('a message may arrive in pieces (partial writes) (§2)', async () => {
            s.send('{"jsonrpc":"2.0",');
            await sleep(50);
            s.send('"id":"parts","method":"ping"}\n');
            assert.equal((await s.response('parts')).text, '{"jsonrpc":"2.0","id":"parts","result":{}}');
        });
        it('invalid JSON: -32700, id null, "Parse error: <text>", member order (§3.1, §3.2)', async () => {
            s.send('{"jsonrpc":"2.0","id":5,"method":\n');
            const l = await s.next((m) => m.id === null);
            assert.match(l.text, /^\{"jsonrpc":"2\.0","id":null,"error":\{"code":-32700,"message":"Parse error: [^"]+"\}\}$/);
        });
        it('invalid UTF-8 is a parse error -32700 (§3.1)', async () => {
            s.send(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":"u","method":"ping","params":{"x":"'),
                Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}\n')]));
            const l = await s.next((m) => m.id === null);
            assert.equal(l.msg.error.code, -32700);
            assert.match(l.msg.error.message, /^Parse error: ./);
            await fence(s);
            assert.deepEqual(drain(s), []);
        });
        it('non-objects (number, string, true, null) get -32600 with id null (§3.1)', async () => {
            for (const x of ['42', '"text"', 'true', 'null']) {
                s.send(x + '\n');
                const l = await s.next((m) => m.id === null);
                assert.equal(l.msg.error.code, -32600, x);
                assert.match(l.msg.error.message, /^Invalid Request: ./, x);
                assert.deepEqual(Object.keys(l.msg), ['jsonrpc', 'id', 'error']);
            }
        });
        it('an id that is null, 1.5, true, [] or {} gets -32600 with id null (§3.1, M11)', async () => {
            for (const id of ['null', '1.5', 'true', '[]', '{}', '1e3']) {
                s.send(`{"jsonrpc":"2.0","id":${id},"method":"ping"}\n`);
                const l = await s.next((m) => m.id === null);
                assert.equal(l.msg.error.code, -32600, id);
                assert.match(l.msg.error.message, /^Invalid Request: ./, id);
            }
            await fence(s);
            assert.deepEqual(drain(s), []);
        });
        it('a wrong or missing jsonrpc, a missing or non-string method: -32600 echoing the id (§3.1, M11)', async () => {
            const cases = [
                ['{"jsonrpc":"1.0","id":"a1","method":"ping"}', 'a1'],
                ['{"jsonrpc":2,"id":"a2","method":"ping"}', 'a2'],
                ['{"id":"a3","method":"ping"}', 'a3'],
                ['{"jsonrpc":"2.0","id":"a4"}', 'a4'],
                ['{"jsonrpc":"2.0","id":"a5","method":42}', 'a5'],
                ['{"jsonrpc":"2.0","id":6,"method":null}', 6],
            ];
            for (const [line, id] of cases) {
                s.send(line + '\n');
                const l = await s.response(id);
                assert.equal(l.msg.error.code, -32600, line);
                assert.match(l.msg.error.message, /^Invalid Request: ./, line);
                assert.deepEqual(Object.keys(l.msg.error), ['code', 'message']);
                // The details keep nihilok/run's wording for a wrong version.
                if (line.includes('"id":"a1"')) assert.equal(l.msg.error.message, 'Invalid Request: Invalid JSON-RPC version: 1.0');
            }
        });
        it('classification order: a bad id beats a bad jsonrpc; a bad jsonrpc beats an unknown method; an unknown method beats bad params (§3.1)', async () => {
            s.send('{"jsonrpc":"1.0","id":1.5,"method":"nope"}\n');
            assert.equal((await s.next((m) => m.id === null)).msg.error.code, -32600);
            s.send('{"jsonrpc":"1.0","id":"o2","method":"nope"}\n');
            assert.equal((await s.response('o2')).msg.error.code, -32600);
            s.send('{"jsonrpc":"2.0","id":"o3","method":"nope","params":[1]}\n');
            assert.equal((await s.response('o3')).text, errLine('o3', -32601, 'Method not found: nope'));
        });
        it('params that are not an object (array, string, number, true) get -32602; null is accepted (§3.1)', async () => {
            for (const [i, v] of ['[1,2]', '"x"', '3', 'true'].entries()) {
                assert.equal(await rawCall(s, `pp${i}`, { method: 'ping', params: JSON.parse(v) }),
                    errLine(`pp${i}`, -32602, 'Invalid params: params must be an object'));
            }
            assert.equal(await rawCall(s, 'pn', { method: 'ping', params: null }), '{"jsonrpc":"2.0","id":"pn","result":{}}');
        });
        it('ids are echoed exactly: 64-bit integers, negative, zero, strings that look like numbers, "", non-ASCII as UTF-8 (§2, §3.1)', async () => {
            const ids = ['9007199254740991', '9223372036854775807', '-9223372036854775808', '-1', '0', '"1"', '""', '"ü€😀"'];
            for (const id of ids) s.send(`{"jsonrpc":"2.0","id":${id},"method":"ping"}\n`);
            await fence(s);
            assert.deepEqual(drain(s), ids.map((id) => `{"jsonrpc":"2.0","id":${id},"result":{}}`));
        });
        it('"\\u0000" is valid JSON: an id holding it is echoed; a method holding it is not found (§3.1)', async () => {
            s.send('{"jsonrpc":"2.0","id":"a\\u0000b","method":"ping"}\n');
            s.send('{"jsonrpc":"2.0","id":"nul-m","method":"ping\\u0000x"}\n');
            s.send('{"jsonrpc":"2.0","method":"notifications/initialized\\u0000"}\n');
            await fence(s);
            assert.deepEqual(drain(s), ['{"jsonrpc":"2.0","id":"a\\u0000b","result":{}}',
                errLine('nul-m', -32601, 'Method not found: ping\u0000x')]);
        });
        it('responses from the client (result or error without method) are ignored (§3.1)', async () => {
            s.send('{"jsonrpc":"2.0","id":"r1","result":{}}\n');
            s.send('{"jsonrpc":"2.0","id":"r2","error":{"code":-1,"message":"x"}}\n');
            await fence(s);
            assert.deepEqual(drain(s), []);
        });
        it('notifications are never answered, valid or not (§3.1, §5, M11)', async () => {
            for (const l of [
                '{"jsonrpc":"2.0","method":"ping"}', '{"jsonrpc":"2.0","method":"tools/list"}',
                '{"jsonrpc":"2.0","method":"notifications/whatever","params":{}}',
                '{"jsonrpc":"1.0","method":"notifications/initialized"}', '{"method":17}', '{}',
                '{"jsonrpc":"2.0","method":"tools/call","params":[1]}',
                '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"none"}}',
            ]) s.send(l + '\n');
            await fence(s);
            assert.deepEqual(drain(s), []);
        });
        it('malformed notifications are logged as "run: warning: …" on stderr (§3.1, §13)', async () => {
            assert.ok(await until(() => /^run: warning: .+$/m.test(s.stderr()), 2000), s.stderr());
            for (const line of s.stderr().split('\n').filter(Boolean))
                assert.match(line, /^run: (warning|error): /, line);
        });
        it('every method of the not-served list gets -32601 "Method not found: <method>" (§5)', async () => {
            const methods = ['resources/list', 'resources/templates/list', 'resources/read', 'resources/subscribe',
                'resources/unsubscribe', 'prompts/list', 'prompts/get', 'logging/setLevel', 'completion/complete',
                'tasks/get', 'tasks/result', 'tasks/list', 'tasks/cancel', 'server/discover',
                'sampling/createMessage', 'elicitation/create', 'roots/list', 'nope', 'tools/get', 'Ping'];
            for (const [i, m] of methods.entries())
                assert.equal(await rawCall(s, i, { method: m, params: {} }), errLine(i, -32601, `Method not found: ${m}`));
        });
        it('notification methods sent as requests are not served (-32601) (§5)', async () => {
            assert.equal(await rawCall(s, 'ni', { method: 'notifications/initialized' }),
                errLine('ni', -32601, 'Method not found: notifications/initialized'));
        });
        it('stdout carried only JSON-RPC messages, each compact on one line (§2)', async () => {
            await fence(s);
            assert.deepEqual(drain(s), []);
            assert.equal(s.lines.filter((l) => l.msg.unparsable !== undefined).length, 0);
        });
    });

    describe('frame limit (§2, RUN_MCP_MAX_FRAME)', SEQ, () => {
        it('a line longer than RUN_MCP_MAX_FRAME is refused with -32600, id null; a line of exactly the limit is served; the connection stays', async (t) => {
            const p = project();
            t.after(p.cleanup);
            const s = server(t, p, { env: { RUN_MCP_MAX_FRAME: '100' } });
            const line = (n) => {
                const base = '{"jsonrpc":"2.0","id":"x","method":"ping"}';
                const id = 'x'.repeat(n - base.length + 1);
                return `{"jsonrpc":"2.0","id":"${id}","method":"ping"}`;
            };
            const ok = line(100);
            assert.equal(ok.length, 100);
            s.send(ok + '\n');
            assert.equal((await s.next()).text, `{"jsonrpc":"2.0","id":${JSON.stringify(JSON.parse(ok).id)},"result":{}}`);
            s.send(line(101) + '\n');
            const l = await s.next();
            assert.equal(l.msg.id, null);
            assert.equal(l.msg.error.code, -32600);
            assert.match(l.msg.error.message, /^Invalid Request: ./);
            s.send('x'.repeat(5000) + '\n{"jsonrpc":"2.0","id":"after","method":"ping"}\n');
            assert.equal((await s.next((m) => m.id === null)).msg.error.code, -32600);
            assert.equal((await s.response('after')).text, '{"jsonrpc":"2.0","id":"after","result":{}}');
            await endOk(s);
        });
    });

    // ------------------------------------------------------------------ initialize, §4
    describe('initialize and instructions (§4)', SEQ, () => {
        let p; let base;
        before(async () => {
            p = project({ Runfile: MAIN, 'plain/Runfile': '# @desc One\none() echo 1\n', 'bad/Runfile': 'bad(a b) echo x\n', 'none/.keep': '' });
        });
        after(() => p.cleanup());

        for (const v of VERSIONS) {
            it(`negotiates ${v} by echoing it (§4.1)`, async (t) => {
                const s = server(t, p);
                const r = await init(s, v);
                assert.equal(r.result.protocolVersion, v);
                await endOk(s);
            });
        }
        for (const [what, params] of [['unknown', { protocolVersion: '2099-01-01' }], ['missing', {}],
            ['a number', { protocolVersion: 20251125 }], ['null', { protocolVersion: null }],
            ['an old one', { protocolVersion: '2024-10-07' }], ['no params at all', undefined]]) {
            it(`answers 2025-11-25 when protocolVersion is ${what} (§4.1)`, async (t) => {
                const s = server(t, p);
                const r = await s.request(1, 'initialize', params);
                assert.equal(r.result.protocolVersion, '2025-11-25');
                // The negotiated version rules the session: validation failures are results.
                const v = await call(s, 2, 'greet', {});
                assert.equal(v, resLine(2, "Invalid arguments for tool 'greet': missing required argument 'name'", true));
                await endOk(s);
            });
        }
        it('the result is exact: member order, capabilities, serverInfo with the --version version (§4.1, example 9)', async (t) => {
            const s = server(t, p, { cwd: path.join(p.dir, 'plain') });
            s.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}\n');
            const l = await s.response(1);
            base = l.msg.result.instructions;
            assert.equal(l.text, `{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{"listChanged":true}},"serverInfo":{"name":"run","version":"${RUN_VERSION}"},"instructions":${JSON.stringify(base)}}}`);
            assert.equal(RUN_VERSION, '0.6.0');
            await endOk(s);
        });
        it('the base text says everything §4.3 requires', () => {
            assert.ok(base && !base.includes('\n\n'), base);
            for (const re of [/Runfile/, /\brun\b/, /working directory/i, /@desc/, /tool/, /param|argument/i, /timeout/,
                /second/, /get_cwd/, /set_cwd/, /long output|output/i, /last lines/i, /saved|file/i,
                /syntax error/i, /run_docs/, /runfile-syntax/])
                assert.match(base, re);
        });
        it('Runfile instructions follow as "Runfile instructions:" and one "- <text>" line each, outer quotes removed (§4.3)', async (t) => {
            const s = server(t, p);
            const r = await init(s, '2025-11-25');
            assert.equal(r.result.instructions, `${base}\n\nRunfile instructions:\n- Ask before deploying to prod\n- Prefer the fast test suite`);
            await endOk(s);
        });
        it('instructions in text order: ~/.runfile first, sourced files where sourced; tools likewise (§4.3, §6.1)', async (t) => {
            const q = project({ Runfile: 'source lib.run\n# @instructions From project\n# @desc P\nproj() echo p\n# @desc Shared project\nshared() echo ps\n', 'lib.run': '# @instructions From lib\n' });
            t.after(q.cleanup);
            write(q.home, '.runfile', '# @instructions From global\n# @desc G\nglob() echo g\n# @desc Shared global\nshared() echo gs\n');
            const s = server(t, q);
            const r = await init(s, '2025-11-25');
            assert.equal(r.result.instructions, `${base}\n\nRunfile instructions:\n- From global\n- From lib\n- From project`);
            const l = await s.request(2, 'tools/list');
            assert.deepEqual(l.result.tools.slice(0, -3).map((x) => [x.name, x.description]), [['glob', 'G'], ['proj', 'P'], ['shared', 'Shared project']]);
            await endOk(s);
        });
        it('no Runfile: base text, then a note naming set_cwd (§4.3)', async (t) => {
            const q = project();
            t.after(q.cleanup);
            const s = server(t, q);
            const r = await init(s, '2025-11-25');
            const ins = r.result.instructions;
            assert.ok(ins.startsWith(base + '\n\n'), ins);
            const note = ins.slice(base.length + 2);
            assert.match(note, /Runfile/);
            assert.match(note, /set_cwd/);
            assert.doesNotMatch(note, /Runfile instructions:/);
            await endOk(s);
        });
        it('a Runfile with errors: base text, then a note about the errors and the built-in tools (§4.3, M7)', async (t) => {
            const s = server(t, p, { cwd: path.join(p.dir, 'bad') });
            const r = await init(s, '2025-11-25');
            const ins = r.result.instructions;
            assert.ok(ins.startsWith(base + '\n\n'), ins);
            const note = ins.slice(base.length + 2);
            assert.match(note, /error/i);
            assert.match(note, /built-in/i);
            await endOk(s);
        });
        it('a second initialize is answered the same way and replaces the version (§4.1)', async (t) => {
            const s = server(t, p);
            const a = await s.request('i1', 'initialize', { protocolVersion: '2025-03-26' });
            s.send('[{"jsonrpc":"2.0","id":"b1","method":"ping"}]\n');
            assert.equal((await s.next((m) => Array.isArray(m))).text, '[{"jsonrpc":"2.0","id":"b1","result":{}}]');
            const b = await s.request('i2', 'initialize', { protocolVersion: '2025-06-18' });
            assert.deepEqual({ ...b.result, protocolVersion: 'x' }, { ...a.result, protocolVersion: 'x' });
            assert.equal(b.result.protocolVersion, '2025-06-18');
            s.send('[{"jsonrpc":"2.0","id":"b2","method":"ping"}]\n');
            assert.equal((await s.next()).text, errLine(null, -32600, 'Invalid Request: batches are not supported in protocol version 2025-06-18'));
            await endOk(s);
        });
        it('initialize never fails for missing capabilities/clientInfo; stderr stays empty (§4.1, §13)', async (t) => {
            const s = server(t, p);
            const r = await s.request(1, 'initialize', { protocolVersion: '2025-06-18' });
            assert.equal(r.result.serverInfo.name, 'run');
            await s.request(2, 'tools/list');
            await endOk(s);
            assert.equal(s.stderr(), '');
        });
    });

    // ------------------------------------------------------------------ tools/list, §6
    describe('tools/list and schemas (§6, §14, cli.md §6)', SEQ, () => {
        let p;
        before(() => {
            p = project({
                Runfile: '# @instructions Never deploy on Fridays\n\n# @desc Greet someone\ngreet(name, greeting = "Hello") echo "$greeting, $name!"\n',
                'schemas/Runfile': MAIN,
                'drops/Runfile': [
                    '# @desc clash', 'clash(timeout) echo x', '',
                    '# @desc long', `${'a'.repeat(60)}:${'b'.repeat(5)}() echo x`, '',
                    '# @desc shadow', 'set_cwd() echo x', '',
                    '# @desc first', 'a:b() echo 1', '',
                    '# @desc second', 'a__b() echo 2', '',
                    '# @desc third', 'c:_d() echo 3', '',
                    '# @desc fourth', 'c_:d() echo 4', '',
                    '# @desc kept', 'kept() echo k', '',
                    '# @desc max', `${'m'.repeat(61)}:x() echo m`, '',
                ].join('\n'),
            });
        });
        after(() => p.cleanup());

        it('example 9: the greet tool and the three built-ins, byte for byte (§6.1–§6.3, §14)', async (t) => {
            const s = server(t, p);
            await init(s, '2025-06-18');
            const text = await rawCall(s, 2, { method: 'tools/list' });
            assert.equal(text, `{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"greet","description":"Greet someone","inputSchema":{"type":"object","properties":{"name":{"type":"string"},"greeting":{"type":"string","default":"Hello"},"timeout":${TIMEOUT_PROP}},"required":["name"]}},${BUILTINS}]}}`);
            for (const [i, params] of [{}, { _meta: { progressToken: 1 } }, null].entries())
                assert.equal(await rawCall(s, 10 + i, { method: 'tools/list', params }), text.replace('"id":2', `"id":${10 + i}`));
            await endOk(s);
        });
        it('non-ASCII text is sent as UTF-8, not \\u escapes; "/" is not escaped (§2)', async (t) => {
            const q = project({ Runfile: '# @desc Grüße / 😀 «x»\ngruss() echo\n' });
            t.after(q.cleanup);
            const srv = server(t, q);
            const l = await rawCall(srv, 1, { method: 'tools/list' });
            assert.ok(l.includes('"description":"Grüße / 😀 «x»"'), l);
            await endOk(srv);
        });
        it('no Runfile: exactly the three built-ins, no nextCursor (§6.1)', async (t) => {
            const q = project();
            t.after(q.cleanup);
            const s = server(t, q);
            assert.equal(await rawCall(s, 1, { method: 'tools/list' }), `{"jsonrpc":"2.0","id":1,"result":{"tools":[${BUILTINS}]}}`);
            await endOk(s);
        });
        it('a cursor gets -32602 "Invalid params: unknown cursor" (§6.1)', async (t) => {
            const s = server(t, p);
            assert.equal(await rawCall(s, 1, { method: 'tools/list', params: { cursor: 'abc' } }), errLine(1, -32602, 'Invalid params: unknown cursor'));
            assert.equal(await rawCall(s, 2, { method: 'tools/list', params: { cursor: '' } }), errLine(2, -32602, 'Invalid params: unknown cursor'));
            await endOk(s);
        });
        it('schemas: types, @arg descriptions, typed defaults, rest arrays, legacy @arg, order; undescribed functions and ":" names (§6.2, §6.3, M9, M10)', async (t) => {
            const s = server(t, p, { cwd: path.join(p.dir, 'schemas') });
            const r = await s.request(1, 'tools/list');
            const tools = r.result.tools;
            assert.deepEqual(tools.map((x) => x.name), ['greet', 'deploy', 'typed', 'legacy', 'warn', 'check', 'die',
                'nonl', 'mark', 'nap', 'wait_db', 'stubborn', 'docker__build', 'set_cwd', 'get_cwd', 'run_docs']);
            const js = (name) => JSON.stringify(tools.find((x) => x.name === name).inputSchema);
            assert.equal(js('deploy'), `{"type":"object","properties":{"env":{"type":"string","description":"Target environment"},"version":{"type":"string","default":"latest"},"region":{"type":"string","default":"eu"},"flags":{"type":"array","items":{"type":"string"}},"timeout":${TIMEOUT_PROP}},"required":["env"]}`);
            assert.equal(js('typed'), `{"type":"object","properties":{"s":{"type":"string"},"i":{"type":"integer"},"n":{"type":"number"},"b":{"type":"boolean"},"o":{"type":"object"},"x":{"type":"integer","default":7},"r":{"type":"array","items":{"type":"string"}},"timeout":${TIMEOUT_PROP}},"required":["s","i","n","b","o"]}`);
            assert.equal(js('legacy'), `{"type":"object","properties":{"a":{"type":"string","description":"The a"},"b":{"type":"integer","description":"Count"},"timeout":${TIMEOUT_PROP}},"required":["a"]}`);
            assert.equal(js('warn'), `{"type":"object","properties":{"timeout":${TIMEOUT_PROP}},"required":[]}`);
            assert.equal(tools.find((x) => x.name === 'docker__build').description, 'A namespaced tool');
            for (const x of tools) {
                assert.match(x.name, /^[A-Za-z0-9_-]{1,64}$/);
                assert.deepEqual(Object.keys(x), ['name', 'description', 'inputSchema']);
            }
            await endOk(s);
        });
        it('defaults of every type: string, integer, number, boolean, object (§6.3)', async (t) => {
            const q = project({ Runfile: `# @desc D\n# @arg b The count\n# @arg rest More words\nd(a = 'x y', b: int = -3, c: float = 2.50, e: bool = YES, f: number = 1e21, g: obj = '{"z": [1, "ü"], "a": null}', h: float = 3, ...rest) echo\n` });
            t.after(q.cleanup);
            const s = server(t, q);
            s.send('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
            const raw = (await s.response(1)).text;
            // Number defaults in the execution.md §4 form: an integral value keeps ".0".
            assert.ok(raw.includes('"h":{"type":"number","default":3.0}'), raw);
            const r = JSON.parse(raw);
            const props = r.result.tools[0].inputSchema.properties;
            assert.equal(JSON.stringify(props), `{"a":{"type":"string","default":"x y"},"b":{"type":"integer","description":"The count","default":-3},"c":{"type":"number","default":2.5},"e":{"type":"boolean","default":true},"f":{"type":"number","default":1e+21},"g":{"type":"object","default":{"z":[1,"ü"],"a":null}},"h":{"type":"number","default":3},"rest":{"type":"array","description":"More words","items":{"type":"string"}},"timeout":${TIMEOUT_PROP}}`
                );
            await endOk(s);
        });
        it('§6.4: parameters named timeout, names over 64 characters, built-in names and collisions are not offered; the winner rules hold', async (t) => {
            const s = server(t, p, { cwd: path.join(p.dir, 'drops') });
            const r = await s.request(1, 'tools/list');
            assert.deepEqual(r.result.tools.map((x) => [x.name, x.description]).slice(0, 3),
                [['a__b', 'second'], ['c___d', 'fourth'], ['kept', 'kept']]);
            assert.equal(r.result.tools[3].name, `${'m'.repeat(61)}__x`);
            assert.deepEqual(r.result.tools.slice(4).map((x) => x.name), ['set_cwd', 'get_cwd', 'run_docs']);
            const v = await call(s, 2, 'a__b', {});
            assert.equal(report(v).text, 'Execution: `a__b` ✓ Success (<ms>ms)\n2\n');
            assert.equal(await call(s, 3, 'clash', {}), errLine(3, -32602, 'Tool not found: clash'));
            await s.request(4, 'tools/list');
            await endOk(s);
            const err = s.stderr();
            const long = `${'a'.repeat(60)}:${'b'.repeat(5)}`;
            const want = [
                /^Runfile:2:\d+: warning: function 'clash' is not offered as an MCP tool: its parameter 'timeout' clashes with the built-in timeout argument$/m,
                new RegExp(`^Runfile:5:\\d+: warning: function '${long}' is not offered as an MCP tool: its tool name is longer than 64 characters$`, 'm'),
                /^Runfile:8:\d+: warning: function 'set_cwd' is not offered as an MCP tool: 'set_cwd' is a built-in tool$/m,
                /^Runfile:11:\d+: warning: function 'a:b' is not offered as an MCP tool: 'a__b' has the same tool name 'a__b'$/m,
                /^Runfile:17:\d+: warning: function 'c:_d' is not offered as an MCP tool: 'c_:d' has the same tool name 'c___d'$/m,
            ];
            for (const re of want) assert.match(err, re);
            // Once per load, although the list was computed for two requests.
            assert.equal(err.split('is not offered as an MCP tool').length - 1, 5, err);
        });
        it('§6.4: the function named like the tool wins even when it comes first', async (t) => {
            const q = project({ Runfile: '# @desc own\nx__y() echo own\n# @desc other\nz() echo z\n# @desc later\nx:y() echo later\n' });
            t.after(q.cleanup);
            const srv = server(t, q);
            const r = await srv.request(1, 'tools/list');
            assert.deepEqual(r.result.tools.slice(0, -3).map((x) => [x.name, x.description]), [['x__y', 'own'], ['z', 'other']]);
            assert.equal(report(await call(srv, 2, 'x__y', {})).text, 'Execution: `x__y` ✓ Success (<ms>ms)\nown\n');
            await endOk(srv);
            assert.match(srv.stderr(), /^Runfile:6:\d+: warning: function 'x:y' is not offered as an MCP tool: 'x__y' has the same tool name 'x__y'$/m);
        });
        it('--inspect prints tools/list without the built-ins as JSON_INDENT(2) text (cli.md §6)', async (t) => {
            const dir = path.join(p.dir, 'schemas');
            const out = spawnSync(RUN_BIN, ['--inspect'], { cwd: dir, env: serverEnv(p), encoding: 'utf8' });
            assert.equal(out.status, 0, out.stderr);
            const s = server(t, p, { cwd: dir });
            const r = await s.request(1, 'tools/list');
            await endOk(s);
            const tools = r.result.tools.slice(0, -3);
            assert.equal(out.stdout, JSON.stringify({ tools }, null, 2) + '\n');
            const o1 = spawnSync(RUN_BIN, ['--inspect'], { cwd: path.join(p.dir, 'drops'), env: serverEnv(p), encoding: 'utf8' });
            assert.equal(o1.status, 0);
            assert.match(o1.stderr, /^Runfile:2:\d+: warning: function 'clash' is not offered as an MCP tool: its parameter 'timeout' clashes with the built-in timeout argument$/m);
            assert.deepEqual(JSON.parse(o1.stdout).tools.map((x) => x.name), ['a__b', 'c___d', 'kept', `${'m'.repeat(61)}__x`]);
            const none = project();
            t.after(none.cleanup);
            const o2 = spawnSync(RUN_BIN, ['--inspect'], { cwd: none.dir, env: serverEnv(none), encoding: 'utf8' });
            assert.equal(o2.status, 0);
            assert.equal(o2.stdout, '{\n  "tools": []\n}\n');
            write(none.dir, 'Runfile', 'bad(a b) echo x\n');
            const o3 = spawnSync(RUN_BIN, ['--inspect'], { cwd: none.dir, env: serverEnv(none), encoding: 'utf8' });
            assert.equal(o3.status, 1);
            assert.equal(o3.stdout, '');
            assert.match(o3.stderr, /^Runfile:1:7: error: /m);
        });
        it('Runfile order is the position of each winning definition; @os mismatches do not exist (§6.1, M12)', async (t) => {
            const q = project({ Runfile: '# @desc A1\na() echo 1\n# @desc B\nb() echo b\n# @desc A2\na() echo 2\n# @os windows\n# @desc W\nwin() echo w\n' });
            t.after(q.cleanup);
            const srv = server(t, q);
            const r = await srv.request(1, 'tools/list');
            assert.deepEqual(r.result.tools.slice(0, -3).map((x) => [x.name, x.description]), [['b', 'B'], ['a', 'A2']]);
            assert.equal(await call(srv, 2, 'win', {}), errLine(2, -32602, 'Tool not found: win'));
            await endOk(srv);
        });
        it('listing never executes anything: the prelude and top-level commands do not run (§6.1, C8)', async (t) => {
            const q = project({ Runfile: 'touch listed\n# @desc T\nt() echo t\n' });
            t.after(q.cleanup);
            const s = server(t, q);
            await init(s, '2025-06-18');
            await s.request(1, 'tools/list');
            await endOk(s);
            assert.equal(fs.existsSync(path.join(q.dir, 'listed')), false);
        });
    });

    // ------------------------------------------------------------------ tools/call steps, §7
    describe('tools/call steps and validation (§7)', SEQ, () => {
        let p; let s; let bad;
        before(async () => {
            p = project({ Runfile: MAIN, 'broken/Runfile': 'bad(a b) echo x\n', 'broken/sub/.keep': '' });
            s = rawServer(p);
            await init(s, '2025-06-18');
            bad = rawServer(p, { cwd: path.join(p.dir, 'broken') });
            await init(bad, '2025-11-25');
        });
        after(async () => { await endOk(s); await endOk(bad); p.cleanup(); });

        it('step 1: params missing or not an object: -32602 "Invalid params: params must be an object"', async () => {
            assert.equal(await rawCall(s, 1, { method: 'tools/call' }), errLine(1, -32602, 'Invalid params: params must be an object'));
            assert.equal(await rawCall(s, 2, { method: 'tools/call', params: null }), errLine(2, -32602, 'Invalid params: params must be an object'));
            assert.equal(await rawCall(s, 3, { method: 'tools/call', params: [] }), errLine(3, -32602, 'Invalid params: params must be an object'));
        });
        it('step 2: name missing, not a string or empty: -32602 "Missing tool name" (before arguments are looked at)', async () => {
            for (const [i, params] of [{}, { name: 42 }, { name: '' }, { name: null }, { arguments: 5 }, { name: ['greet'] }].entries())
                assert.equal(await rawCall(s, `n${i}`, { method: 'tools/call', params }), errLine(`n${i}`, -32602, 'Missing tool name'));
        });
        it('step 3: arguments not an object: -32602 "Arguments must be an object"; null means {} (before the tool lookup)', async () => {
            for (const [i, a] of [[1], 'x', 5, true].entries())
                assert.equal(await call(s, `a${i}`, 'nope', a), errLine(`a${i}`, -32602, 'Arguments must be an object'));
            assert.equal(await call(s, 'a9', 'get_cwd', null), resLine('a9', p.dir, false));
            assert.equal(await call(bad, 'a10', 'bad', 'x'), errLine('a10', -32602, 'Arguments must be an object'));
        });
        it('step 4: built-ins work even when the Runfile has errors (§7.1, §7.2)', async () => {
            assert.equal(await call(bad, 'g', 'get_cwd', {}), resLine('g', path.join(p.dir, 'broken'), false));
            assert.equal(report(await call(bad, 'd', 'run_docs', {})).isError, false);
        });
        it('step 5: a Runfile with errors answers every other name with the diagnostics, exactly (§8.4, example 8, M7)', async () => {
            for (const name of ['bad', 'nope', 'greet']) {
                const r = report(await call(bad, `e-${name}`, name, { timeout: 'x' }));
                assert.equal(r.isError, true);
                assert.match(r.text, /^The Runfile has errors, so its tools cannot run:\n\nRunfile:1:7: error: expected ',' or '\)' after parameter 'a'\n    1 \| bad\(a b\) echo x\n      \|       \^\n(      = hint: [^\n]+\n)?\nFix the Runfile \(run_docs topic "runfile-syntax" describes the syntax\) and call the tool again\.$/);
            }
            const l = await bad.request('lst', 'tools/list');
            assert.deepEqual(l.result.tools.map((x) => x.name), ['set_cwd', 'get_cwd', 'run_docs']);
        });
        it('step 5: diagnostic paths are relative to the session cwd (~/ when outside it, inside HOME) (§8.4)', async () => {
            await call(bad, 'cd', 'set_cwd', { path: 'sub' });
            const r = report(await call(bad, 'e2', 'bad', {}));
            assert.match(r.text, /\n\n~\/proj\/broken\/Runfile:1:7: error: expected ',' or '\)' after parameter 'a'\n/);
            await call(bad, 'cd2', 'set_cwd', { path: '..' });
        });
        it('step 6: an unknown name is -32602 "Tool not found: <name>", checked before validation (§7.1, example 11)', async () => {
            for (const [i, name] of ['nope', 'GREET', 'nodesc', 'docker:build', 'greet ', 'timeout'].entries())
                assert.equal(await call(s, `t${i}`, name, { timeout: 'bad' }), errLine(`t${i}`, -32602, `Tool not found: ${name}`));
            const none = project();
            const n = rawServer(none);
            await init(n, '2025-11-25');
            assert.equal(await call(n, 1, 'greet', {}), errLine(1, -32602, 'Tool not found: greet'));
            await endOk(n);
            none.cleanup();
        });
        it('step 7, up to 2025-06-18 and before initialize: -32602 with "Invalid arguments for tool …" (§7.3, example 11, M8)', async (t) => {
            assert.equal(await call(s, 'v1', 'greet', {}), errLine('v1', -32602, "Invalid arguments for tool 'greet': missing required argument 'name'"));
            for (const v of [undefined, '2024-11-05', '2025-03-26']) {
                const q = server(t, p);
                if (v) await init(q, v);
                assert.equal(await call(q, 5, 'greet', { name: null }), errLine(5, -32602, "Invalid arguments for tool 'greet': missing required argument 'name'"));
                await endOk(q);
            }
        });
        it('step 7, 2025-11-25: an isError result with the same text (§7.3, example 11)', async () => {
            const q = rawServer(p);
            await init(q, '2025-11-25');
            assert.equal(await call(q, 5, 'greet', {}), resLine(5, "Invalid arguments for tool 'greet': missing required argument 'name'", true));
            await endOk(q);
        });
        it('problems come in parameter order then timeout, joined by "; ", with the exact texts (§7.3, cli.md §12)', async () => {
            const args = { o: 5, b: 'maybe', n: 'y', i: 'x', timeout: -5, s: { a: 1 }, x: 1.5 };
            assert.equal(await call(s, 'p1', 'typed', args), errLine('p1', -32602,
                "Invalid arguments for tool 'typed': 's' must be a string, got {\"a\":1}; 'i' must be an integer, got \"x\"; 'n' must be a number, got \"y\"; 'b' must be a boolean (true/false/yes/no/on/off/1/0), got \"maybe\"; 'o' must be a JSON object, got 5; 'x' must be an integer, got 1.5; 'timeout' must be a non-negative integer, got -5"));
            assert.equal(await call(s, 'p2', 'typed', {}), errLine('p2', -32602,
                "Invalid arguments for tool 'typed': missing required argument 's'; missing required argument 'i'; missing required argument 'n'; missing required argument 'b'; missing required argument 'o'"));
        });
        it('<json> is cut to 100 bytes (§7.3)', async () => {
            const long = 'y'.repeat(300);
            const want = JSON.stringify(long).slice(0, 100);
            assert.equal(await call(s, 'c1', 'greet', { name: 'a', timeout: long }), errLine('c1', -32602, `Invalid arguments for tool 'greet': 'timeout' must be a non-negative integer, got ${want}`));
        });
        it('<json> is cut at a character boundary (§7.3)', async () => {
            const v = 'é'.repeat(100);
            assert.equal(await call(s, 'c2', 'mark', { n: v }), errLine('c2', -32602, `Invalid arguments for tool 'mark': 'n' must be an integer, got "${'é'.repeat(49)}`));
        });
        it('timeout validation: "soon", -5, 1.5, true, "3", [] are problems; 0, null and 2.0 are accepted (§7.3, example 13, M17)', async () => {
            for (const [i, v] of ['soon', -5, 1.5, true, '3', []].entries())
                assert.equal(await call(s, `to${i}`, 'greet', { name: 'n', timeout: v }), errLine(`to${i}`, -32602, `Invalid arguments for tool 'greet': 'timeout' must be a non-negative integer, got ${JSON.stringify(v)}`));
            for (const [i, v] of [0, null, 2.0, 1e3].entries())
                assert.equal(report(await call(s, `tk${i}`, 'greet', { name: 'n', timeout: v })).text, 'Execution: `greet` ✓ Success (<ms>ms)\nHello, n!\n');
        });
        it('nothing is started when validation fails (§7.3)', async () => {
            assert.equal(await call(s, 'm1', 'mark', { n: 'abc' }), errLine('m1', -32602, "Invalid arguments for tool 'mark': 'n' must be an integer, got \"abc\""));
            await sleep(100);
            assert.equal(fs.existsSync(path.join(p.dir, 'marker')), false);
        });
        it('accepted values and their argv text (§7.3 table)', async () => {
            const r = report(await call(s, 'ok1', 'typed', { s: 1.5, i: '+42', n: '2.5', b: 'YES', o: '{"z":1,"a":[2]}', x: 3.0 }));
            assert.equal(r.text, 'Execution: `typed` ✓ Success (<ms>ms)\n[1.5][42][2.5][true][{"z":1,"a":[2]}][3]\n');
            const r2 = report(await call(s, 'ok2', 'typed', { s: true, i: -7, n: 1e21, b: false, o: { z: 1, a: 'ü' }, r: 'solo' }));
            assert.equal(r2.text, 'Execution: `typed` ✓ Success (<ms>ms)\n[true][-7][1e+21][false][{"z":1,"a":"ü"}][][solo]\n');
            const r3 = report(await call(s, 'ok3', 'typed', { s: '', i: 2.0, n: 0.1, b: 'off', o: {}, r: ['a', 1, true, [1, 'x'], { k: null }] }));
            assert.equal(r3.text, 'Execution: `typed` ✓ Success (<ms>ms)\n[][2][0.1][false][{}][][a][1][true][[1,"x"]][{"k":null}]\n');
        });
        it('rejected values: a boolean given 0, an integer given "", an object given "[1]" (§7.3)', async () => {
            assert.equal(await call(s, 'rj', 'typed', { s: 'a', i: '', n: 1, b: 0, o: '[1]' }), errLine('rj', -32602,
                "Invalid arguments for tool 'typed': 'i' must be an integer, got \"\"; 'b' must be a boolean (true/false/yes/no/on/off/1/0), got 0; 'o' must be a JSON object, got \"[1]\""));
        });
        it('legacy @arg parameters are validated and mapped by name (§7.3, M9)', async () => {
            assert.equal(await call(s, 'l1', 'legacy', { b: 'x' }), errLine('l1', -32602,
                "Invalid arguments for tool 'legacy': missing required argument 'a'; 'b' must be an integer, got \"x\""));
            assert.equal(report(await call(s, 'l2', 'legacy', { b: 5, a: 'A' })).text, 'Execution: `legacy` ✓ Success (<ms>ms)\n[A][5]\n');
        });
        it('"\\u0000" in a tool name or a value never reaches a process: not found / not a valid string (§7.1, §7.3)', async () => {
            assert.equal(await call(s, 'z1', 'greet\u0000x', { name: 'n' }), errLine('z1', -32602, 'Tool not found: greet\u0000x'));
            assert.equal(await call(s, 'z2', 'get_cwd\u0000', {}), errLine('z2', -32602, 'Tool not found: get_cwd\u0000'));
            const r = JSON.parse(await call(s, 'z3', 'greet', { name: 'a\u0000b' }));
            assert.equal(r.error.code, -32602);
            assert.match(r.error.message, /^Invalid arguments for tool 'greet': 'name' must be /);
            const c = JSON.parse(await call(s, 'z4', 'set_cwd', { path: '/tmp\u0000/x' }));
            assert.equal(c.error.code, -32602);
            assert.equal(await call(s, 'z5', 'get_cwd', {}), resLine('z5', p.dir, false));
        });
        it('members that are not parameters are ignored; _meta and task in params are ignored (§7.1, §7.3)', async () => {
            assert.equal(report(await call(s, 'x1', 'greet', { name: 'n', other: [1] }, { _meta: { foo: 1 }, task: { ttl: 1 } })).text,
                'Execution: `greet` ✓ Success (<ms>ms)\nHello, n!\n');
        });
        it('built-in validation failures follow the version rule too (§14)', async () => {
            assert.equal(await call(s, 'b1', 'set_cwd', {}), errLine('b1', -32602, "Invalid arguments for tool 'set_cwd': missing required argument 'path'"));
            assert.equal(await call(s, 'b2', 'set_cwd', { path: 5 }), errLine('b2', -32602, "Invalid arguments for tool 'set_cwd': 'path' must be a string, got 5"));
            assert.equal(await call(s, 'b3', 'run_docs', { topic: ['x'] }), errLine('b3', -32602, "Invalid arguments for tool 'run_docs': 'topic' must be a string, got [\"x\"]"));
            assert.match(await call(s, 'b4', 'set_cwd', { path: '' }), /^\{"jsonrpc":"2.0","id":"b4","error":\{"code":-32602,"message":"Invalid arguments for tool 'set_cwd': [^"]*'path'/);
            assert.match(await call(bad, 'b5', 'set_cwd', { path: null }), /^\{"jsonrpc":"2.0","id":"b5","result":\{"content":\[\{"type":"text","text":"Invalid arguments for tool 'set_cwd': missing required argument 'path'"\}\],"isError":true\}\}$/);
        });
    });

    // ------------------------------------------------------------------ argv and results, §7.4, §8
    describe('argv mapping and results (§7.4, §8)', SEQ, () => {
        let p; let s;
        before(async () => {
            p = project({ Runfile: MAIN, 'notes.txt': 'a\nb\nc\n', 'ex10/Runfile': '# @desc Count the lines of a file\ncount(file) { wc -l < "$file"; echo "counted $file" >&2; }\n\n# @desc Shout a message\nshout(msg) printf \'%s\\n\' "$msg" | tr a-z A-Z\n', 'ex10/notes.txt': 'a\nb\nc\n' });
            s = rawServer(p);
            await init(s, '2025-11-25');
        });
        after(async () => { await endOk(s); p.cleanup(); });

        it('§7.4 example: {"region":"us","env":"prod"} runs with argv prod "" us', async () => {
            assert.equal(report(await call(s, 1, 'deploy', { region: 'us', env: 'prod' })).text, 'Execution: `deploy` ✓ Success (<ms>ms)\n[prod][][us] 3\n');
        });
        it('§7.4 example: {"env":"prod","flags":["--dry-run"]} runs with argv prod "" "" --dry-run', async () => {
            assert.equal(report(await call(s, 2, 'deploy', { env: 'prod', flags: ['--dry-run'] })).text, 'Execution: `deploy` ✓ Success (<ms>ms)\n[prod][][][--dry-run] 4\n');
        });
        it('absent optional parameters after the last value are not passed; an empty rest adds nothing; timeout is never passed (§7.4)', async () => {
            assert.equal(report(await call(s, 3, 'deploy', { env: 'prod', flags: [], timeout: 5 })).text, 'Execution: `deploy` ✓ Success (<ms>ms)\n[prod] 1\n');
        });
        it('an empty string or null for an optional parameter uses the default (§7.3, E8)', async () => {
            assert.equal(report(await call(s, 4, 'greet', { name: 'Ana', greeting: '' })).text, 'Execution: `greet` ✓ Success (<ms>ms)\nHello, Ana!\n');
            assert.equal(report(await call(s, '4n', 'greet', { name: 'Ana', greeting: null })).text, 'Execution: `greet` ✓ Success (<ms>ms)\nHello, Ana!\n');
        });
        it('values are argv data only: $(…), --list, -h arrive as those characters (§7.4, M1, example 10)', async () => {
            assert.equal(report(await call(s, 5, 'deploy', { env: '$(touch pwned) --list', version: '-h', flags: ['--show-script', '`id`'] })).text,
                'Execution: `deploy` ✓ Success (<ms>ms)\n[$(touch pwned) --list][-h][][--show-script][`id`] 5\n');
            assert.equal(fs.existsSync(path.join(p.dir, 'pwned')), false);
        });
        it('example 10, exact response lines: stderr on success, values as data (M4)', async (t) => {
            const q = server(t, p, { cwd: path.join(p.dir, 'ex10') });
            await init(q, '2025-11-25');
            const a = await rawCall(q, 3, { method: 'tools/call', params: { name: 'count', arguments: { file: 'notes.txt' } } });
            assert.equal(normMs(a), '{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"Execution: `count` ✓ Success (<ms>ms)\\n3\\n**Stderr:**\\n```\\ncounted notes.txt\\n```\\n\\n"}],"isError":false}}');
            const b = await rawCall(q, 4, { method: 'tools/call', params: { name: 'shout', arguments: { msg: '$(rm -rf ~) --list' } } });
            assert.equal(normMs(b), '{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"Execution: `shout` ✓ Success (<ms>ms)\\n$(RM -RF ~) --LIST\\n"}],"isError":false}}');
            await endOk(q);
        });
        it('§8.3: success with stderr', async () => {
            assert.deepEqual(report(await call(s, 6, 'warn', {})), { text: 'Execution: `warn` ✓ Success (<ms>ms)\nout-text\n**Stderr:**\n```\nwarn-text\n```\n\n', isError: false });
        });
        it('§8.3: failure with status 3', async () => {
            assert.deepEqual(report(await call(s, 7, 'check', {})), { text: 'Execution: `check` ✗ Failed (<ms>ms)\nbad input\n**Exit Code:** 3\n', isError: true });
        });
        it('§8.2: killed by a signal: "**Exit Code:** 137 (killed by signal SIGKILL)"', async () => {
            assert.deepEqual(report(await call(s, 8, 'die', {})), { text: 'Execution: `die` ✗ Failed (<ms>ms)\nbefore\n**Exit Code:** 137 (killed by signal SIGKILL)\n', isError: true });
        });
        it('§8.2: a missing final \\n is added; the fence grows past backtick runs in stderr', async () => {
            assert.deepEqual(report(await call(s, 9, 'nonl', {})), { text: 'Execution: `nonl` ✓ Success (<ms>ms)\nabc\n**Stderr:**\n`````\nx````y\n`````\n\n', isError: false });
        });
        it('§8.2: the header names the function, not the tool (docker:build)', async () => {
            assert.equal(report(await call(s, 10, 'docker__build', {})).text, 'Execution: `docker:build` ✓ Success (<ms>ms)\nbuilt\n');
        });
        it('§9.4, example 13: a timeout kills the whole group; exact timeout line; isError', async () => {
            fs.rmSync(path.join(p.dir, 'bg.pid'), { force: true });
            const t0 = Date.now();
            const r = report(await call(s, 11, 'wait_db', { timeout: 1 }));
            const took = Date.now() - t0;
            assert.deepEqual(r, { text: 'Execution: `wait_db` ✗ Timed out (<ms>ms)\nwaiting for db\n**Timed out after 1 s:** the command was stopped with SIGTERM.\n', isError: true });
            assert.ok(took >= 900 && took < 2500, `took ${took}`);
            const bg = await readPid(p.dir, 'bg.pid');
            assert.ok(await until(() => !alive(bg), 2000), 'background sleep still alive');
        });
        it('§9.4: SIGTERM ignored: SIGKILL after 2 s, "…with SIGTERM, then SIGKILL."', async () => {
            const t0 = Date.now();
            const r = report(await call(s, 12, 'stubborn', { timeout: 1 }));
            assert.deepEqual(r, { text: 'Execution: `stubborn` ✗ Timed out (<ms>ms)\nstubborn\n**Timed out after 1 s:** the command was stopped with SIGTERM, then SIGKILL.\n', isError: true });
            assert.ok(Date.now() - t0 >= 2800, `took ${Date.now() - t0}`);
        });
        it('§8.4: an interpreter that is not found: exact result, the server keeps serving', async (t) => {
            const bin = path.join(p.root, 'bin');
            fs.mkdirSync(bin, { recursive: true });
            for (const x of ['bash', 'sh']) fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${x}`], { encoding: 'utf8' }).trim(), path.join(bin, x));
            const q = project({ Runfile: '# @desc Py\n# @shell python3\npy() print(1)\n# @desc Sh\nsh_ok() echo ok\n' });
            t.after(q.cleanup);
            const srv = server(t, q, { env: { PATH: bin } });
            await init(srv, '2025-11-25');
            assert.equal(await call(srv, 1, 'py', {}), resLine(1, "Execution: `py` ✗ Failed (0ms)\n**Error:** interpreter 'python3' not found in PATH (needed by 'py')\n", true));
            assert.equal(report(await call(srv, 2, 'sh_ok', {})).text, 'Execution: `sh_ok` ✓ Success (<ms>ms)\nok\n');
            await endOk(srv);
            assert.match(srv.stderr(), /^run: (error|warning): .*python3/m);
        });
        it('a python3 tool: values by name, an empty optional value uses the default (§7.4, E8)', async (t) => {
            const q = project({ Runfile: '# @desc Py\n# @shell python3\npyd(name, greeting = "Hello", n: int = 2, loud: bool = false) print(f"{greeting}, {name}! {n} {loud}")\n' });
            t.after(q.cleanup);
            const srv = server(t, q);
            assert.equal(report(await call(srv, 1, 'pyd', { name: 'Py', greeting: '' })).text, 'Execution: `pyd` ✓ Success (<ms>ms)\nHello, Py! 2 False\n');
            assert.equal(report(await call(srv, 2, 'pyd', { loud: 'on', n: '5', name: 'Q' })).text, 'Execution: `pyd` ✓ Success (<ms>ms)\nHello, Q! 5 True\n');
            await endOk(srv);
        });
        it('§8.2: each maximal subpart of an invalid sequence is one U+FFFD (as TextDecoder does)', async (t) => {
            const seq = 'a\\342\\202b|\\360\\200c|\\355\\240\\200d|\\300\\257e|\\364\\220\\200\\200f|\\341\\200g|\\377\\376h|\\360\\237\\230i|\\342\\202';
            const q = project({ Runfile: `# @desc B\nbad_utf8() printf '${seq}'\n` });
            t.after(q.cleanup);
            const srv = server(t, q);
            const text = JSON.parse(await call(srv, 1, 'bad_utf8', {})).result.content[0].text;
            const raw = execFileSync('bash', ['-c', `printf '${seq}'`]);
            assert.equal(text.split('\n')[1], new TextDecoder().decode(raw));
            await endOk(srv);
        });
        it('§8.2: invalid UTF-8 becomes U+FFFD; NUL and control characters arrive escaped and intact', async (t) => {
            const q = project({ Runfile: "# @desc B\nbytes() printf 'a\\000b\\033c\\377d\\n'\n" });
            t.after(q.cleanup);
            const srv = server(t, q);
            const line = await call(srv, 1, 'bytes', {});
            assert.equal(JSON.parse(line).result.content[0].text.split('\n').slice(1).join('\n'), 'a\u0000b\u001bc\ufffdd\n');
            await endOk(srv);
        });
    });

    // ------------------------------------------------------------------ the process, §9.2
    describe('tool processes (§9.2, M2)', SEQ, () => {
        let p; let s;
        before(async () => {
            p = project({
                Runfile: [
                    '# @desc stdin', 'readin() { cat; echo "eof"; }',
                    '# @desc session', "ids() { read -r _ _ _ _ pg sid _ < /proc/$$/stat; [ \"$pg\" = $$ ] && [ \"$sid\" = $$ ] && echo leader; }",
                    '# @desc env', 'env_of() { echo "$CONF_VAR|$__RUNFILE_DIR__|$PWD"; }',
                    '# @desc sigpipe', 'pipe() { set +o pipefail; yes | head -n 1; echo "${PIPESTATUS[0]}"; }',
                    '# @desc background', 'bg() { sleep 5 & echo $! > bg-left.pid; echo started; }',
                ].join('\n') + '\n',
                'sub/.keep': '',
            });
            s = rawServer(p, { env: { CONF_VAR: 'conf-value' } });
            await init(s, '2025-11-25');
        });
        after(async () => { await endOk(s); p.cleanup(); });

        it('stdin is /dev/null: the tool cannot read the protocol stream (§9.2, M2)', async () => {
            assert.equal(report(await call(s, 1, 'readin', {})).text, 'Execution: `readin` ✓ Success (<ms>ms)\neof\n');
        });
        it('each call runs in a new session and process group (§9.2)', async () => {
            assert.equal(report(await call(s, 2, 'ids', {})).text, 'Execution: `ids` ✓ Success (<ms>ms)\nleader\n');
        });
        it('environment: the server\'s plus __RUNFILE_DIR__; working directory = session cwd (§9.2)', async () => {
            await call(s, 3, 'set_cwd', { path: 'sub' });
            assert.equal(report(await call(s, 4, 'env_of', {})).text, `Execution: \`env_of\` ✓ Success (<ms>ms)\nconf-value|${p.dir}|${p.dir}/sub\n`);
            await call(s, 5, 'set_cwd', { path: '..' });
        });
        it('SIGPIPE has its default action in tool processes (§2)', async () => {
            assert.equal(report(await call(s, 6, 'pipe', {})).text, 'Execution: `pipe` ✓ Success (<ms>ms)\ny\n141\n');
        });
        it('a background process holding the pipes delays the answer by at most about 1 s and is not killed (§9.2)', async () => {
            const t0 = Date.now();
            const r = report(await call(s, 7, 'bg', {}));
            const took = Date.now() - t0;
            assert.equal(r.text, 'Execution: `bg` ✓ Success (<ms>ms)\nstarted\n');
            assert.ok(took < 2000, `took ${took}`);
            const pid = await readPid(p.dir, 'bg-left.pid');
            assert.ok(alive(pid), 'the background process was killed');
            process.kill(pid, 'SIGKILL');
        });
    });

    // ------------------------------------------------------------------ truncation, §10
    describe('long output (§10, example 12)', SEQ, () => {
        let p;
        before(() => {
            p = project({
                Runfile: [
                    '# @desc Print 400 numbers', 'nums() seq 1 400',
                    '# @desc Long line', 'longline(n: int, c = "a") { head -c "$n" /dev/zero | tr "\\0" "$c"; }',
                    '# @desc Accents', "accents() { for i in $(seq 1000); do printf '\\303\\251'; done; printf a; }",
                    '# @desc Lines', "lines() { head -c 1300 /dev/zero | tr '\\0' x; printf '\\nshort\\n'; }",
                    '# @desc Both streams', 'both() { seq 1 400; seq 1 400 >&2; }',
                    '# @desc Namespaced', 'ns:nums() seq 1 400',
                    '# @desc Raw long line', "rawlong() { printf '\\377'; head -c 2000 /dev/zero | tr '\\0' x; echo; }",
                ].join('\n') + '\n',
                'sub/.keep': '',
            });
        });
        after(() => p.cleanup());
        const outDir = (d) => path.join(d, '.run-output');

        it('example 12: exact text, file name, full content; seq grows per file (§10.1, §10.2)', async (t) => {
            const s = server(t, p);
            await init(s, '2025-11-25');
            const r = report(await call(s, 1, 'nums', {}));
            const m = r.text.match(/^Execution: `nums` ✓ Success \(<ms>ms\)\n\[Output truncated: 1492 bytes, showing last 1200 bytes\]\n\[Full output saved to: (.*)\]\n\n([^]*)$/);
            assert.ok(m, r.text);
            const file = m[1];
            assert.equal(path.dirname(file), outDir(p.dir));
            assert.match(path.basename(file), /^nums-\d{13}-stdout-0\.txt$/);
            const ms = Number(path.basename(file).split('-')[1]);
            assert.ok(Math.abs(Date.now() - ms) < 60000);
            const seq = Array.from({ length: 400 }, (_, i) => `${i + 1}\n`).join('');
            assert.equal(m[2], seq.slice(seq.indexOf('101\n')));
            assert.equal(fs.readFileSync(file, 'utf8'), seq);
            assert.equal((fs.statSync(file).mode & 0o777), 0o600);
            const r2 = report(await call(s, 2, 'both', {}));
            const files = [...r2.text.matchAll(/\[Full output saved to: (.*)\]/g)].map((x) => path.basename(x[1]));
            assert.equal(files.length, 2);
            assert.match(files[0], /^both-\d{13}-stdout-\d+\.txt$/);
            assert.match(files[1], /^both-\d{13}-stderr-\d+\.txt$/);
            assert.deepEqual(files.map((f) => Number(f.match(/-(\d+)\.txt$/)[1])).sort(), [1, 2]);
            assert.match(r2.text, /\*\*Stderr:\*\*\n```\n\[Output truncated: 1492 bytes, showing last 1200 bytes\]\n\[Full output saved to: [^\n]*\]\n\n101\n[^]*\n400\n```\n\n$/);
            await endOk(s);
        });
        it('files are named after the tool name, not the function name (§10.1)', async (t) => {
            const s = server(t, p);
            const r = report(await call(s, 1, 'ns__nums', {})).text;
            assert.match(r, /^Execution: `ns:nums` ✓ Success \(<ms>ms\)\n\[Output truncated: 1492 bytes, showing last 1200 bytes\]\n\[Full output saved to: [^\n]*\/ns__nums-\d{13}-stdout-0\.txt\]\n/);
            await endOk(s);
        });
        it('an existing file is never overwritten: the next <seq> is tried (O_EXCL, §10.1)', async (t) => {
            const q = project({ Runfile: '# @desc Print 400 numbers\nnums() seq 1 400\n' });
            t.after(q.cleanup);
            const dir = path.join(q.dir, '.run-output');
            fs.mkdirSync(dir);
            // Every name the server could pick for its first file exists (hard links: fast).
            const mine = write(q.root, 'mine', 'mine');
            const now = Date.now();
            for (let ms = now - 100; ms < now + 5000; ms++) fs.linkSync(mine, path.join(dir, `nums-${ms}-stdout-0.txt`));
            const s = server(t, q);
            const r = report(await call(s, 1, 'nums', {})).text;
            const f = r.match(/\[Full output saved to: (.*)\]/)[1];
            assert.match(path.basename(f), /^nums-\d{13}-stdout-1\.txt$/);
            assert.equal(fs.readFileSync(f, 'utf8').length, 1492);
            assert.equal(fs.readFileSync(f.replace(/-1\.txt$/, '-0.txt'), 'utf8'), 'mine');
            await endOk(s);
        });
        it('1200 bytes are kept whole; 1201 are truncated (§10.1)', async (t) => {
            const s = server(t, p);
            assert.equal(report(await call(s, 1, 'longline', { n: 1200 })).text, `Execution: \`longline\` ✓ Success (<ms>ms)\n${'a'.repeat(1200)}\n`);
            const r = report(await call(s, 2, 'longline', { n: 1201 })).text;
            assert.match(r, /^Execution: `longline` ✓ Success \(<ms>ms\)\n\[Output truncated: 1201 bytes, showing last 1200 bytes\]\n\[Full output saved to: [^\n]+\]\n\n\.\.\.a{1200}\n$/);
            await endOk(s);
        });
        it('the tail is the longest line-start suffix of at most 1200 bytes (§10.2)', async (t) => {
            const s = server(t, p);
            const r = report(await call(s, 1, 'lines', {})).text;
            assert.match(r, /\[Output truncated: 1307 bytes, showing last 6 bytes\]\n\[Full output saved to: [^\n]+\]\n\nshort\n$/);
            await endOk(s);
        });
        it('a tail inside one long line starts on a character boundary, after "..." (§10.2)', async (t) => {
            const s = server(t, p);
            const r = report(await call(s, 1, 'accents', {})).text;
            assert.match(r, /\[Output truncated: 2001 bytes, showing last 1199 bytes\]\n/);
            assert.ok(r.endsWith('\n\n...' + 'é'.repeat(599) + 'a\n'), r.slice(-50));
            await endOk(s);
        });
        it('a last line over 1200 bytes ending in \\n: the last 1200 bytes after "..."; the file holds the raw bytes (§10.1, §10.2)', async (t) => {
            const s = server(t, p);
            const r = report(await call(s, 1, 'rawlong', {})).text;
            const m = r.match(/^Execution: `rawlong` ✓ Success \(<ms>ms\)\n\[Output truncated: 2002 bytes, showing last 1200 bytes\]\n\[Full output saved to: (.*)\]\n\n\.\.\.(x{1199})\n$/);
            assert.ok(m, r.slice(0, 300));
            const bytes = fs.readFileSync(m[1]);
            assert.equal(bytes.length, 2002);
            assert.equal(bytes[0], 0xff);
            await endOk(s);
        });
        it('RUN_MCP_OUTPUT_DIR relative to the session cwd, following set_cwd (§10.3)', async (t) => {
            const s = server(t, p, { env: { RUN_MCP_OUTPUT_DIR: 'out' } });
            await call(s, 0, 'set_cwd', { path: 'sub' });
            const r = report(await call(s, 1, 'nums', {})).text;
            const f = r.match(/\[Full output saved to: (.*)\]/)[1];
            assert.equal(path.dirname(f), path.join(p.dir, 'sub', 'out', '.run-output'));
            assert.match(path.basename(f), /^nums-\d{13}-stdout-0\.txt$/);
            await endOk(s);
        });
        it('RUN_MCP_OUTPUT_DIR "./a/../out/." names the same directory as "out": the saved path is clean (§10.2, §10.3)', async (t) => {
            const s = server(t, p, { env: { RUN_MCP_OUTPUT_DIR: './a/../out/.' } });
            const r = report(await call(s, 1, 'nums', {})).text;
            const f = r.match(/\[Full output saved to: (.*)\]/)[1];
            assert.equal(path.dirname(f), path.join(p.dir, 'out', '.run-output'));
            assert.ok(fs.existsSync(f));
            await endOk(s);
        });
        it('without RUN_MCP_OUTPUT_DIR (or set empty): the Runfile directory, not the session cwd (§10.3)', async (t) => {
            const s = server(t, p, { cwd: path.join(p.dir, 'sub'), env: { RUN_MCP_OUTPUT_DIR: '' } });
            const r = report(await call(s, 1, 'nums', {})).text;
            assert.equal(path.dirname(r.match(/\[Full output saved to: (.*)\]/)[1]), outDir(p.dir));
            await endOk(s);
        });
        it('".run-output" is not appended twice; an absolute directory is used as given (§10.3)', async (t) => {
            const d = path.join(p.root, 'abs', '.run-output');
            const s = server(t, p, { env: { RUN_MCP_OUTPUT_DIR: d } });
            const r = report(await call(s, 1, 'nums', {})).text;
            assert.equal(path.dirname(r.match(/\[Full output saved to: (.*)\]/)[1]), d);
            const d2 = path.join(p.root, 'abs2');
            const s2 = server(t, p, { env: { RUN_MCP_OUTPUT_DIR: d2 } });
            const r2 = report(await call(s2, 1, 'nums', {})).text;
            assert.equal(path.dirname(r2.match(/\[Full output saved to: (.*)\]/)[1]), path.join(d2, '.run-output'));
            await endOk(s);
            await endOk(s2);
        });
        it('a file that cannot be saved: "[Full output could not be saved: <reason>]", result otherwise unchanged (§10.2)', async (t) => {
            const f = write(p.root, 'afile', 'x');
            const s = server(t, p, { env: { RUN_MCP_OUTPUT_DIR: f } });
            const r = report(await call(s, 1, 'nums', {}));
            assert.equal(r.isError, false);
            assert.match(r.text, /^Execution: `nums` ✓ Success \(<ms>ms\)\n\[Output truncated: 1492 bytes, showing last 1200 bytes\]\n\[Full output could not be saved: [^\n\]]+\]\n\n101\n/);
            await endOk(s);
        });
    });

    // ------------------------------------------------------------------ calls, §9
    describe('concurrency, cancellation and progress (§9)', SEQ, () => {
        let p;
        before(() => {
            p = project({
                Runfile: MAIN + [
                    '# @desc Progress', "prog() { echo first; sleep 1.3; printf 'second\\n\\n'; sleep 1.1; }",
                    '# @desc Quiet', 'quiet() sleep 1.2',
                    '# @desc Long progress line', "longprog() { printf 'a'; for i in $(seq 150); do printf '\\303\\251'; done; echo; sleep 1.2; }",
                    '# @desc Cancel me', 'cancelme() { seq 1 1000; seq 1 1000 >&2; echo $$ > cancel.pid; sleep 30 & echo $! > cancel-bg.pid; wait; }',
                    '# @desc Touch a marker', 'touchit(tag) touch "started-$tag"',
                    '# @desc Stubborn', "stubborn2() { trap '' TERM; echo $$ > stubborn2.pid; while :; do sleep 0.1; done; }",
                    '# @desc Escape', "escape() { setsid sh -c 'echo $$ > escaped.pid; exec sleep 8' & sleep 30; }",
                ].join('\n') + '\n',
            });
        });
        after(() => p.cleanup());

        it('calls run concurrently; ping, tools/list and built-ins are answered while they run; answers come out of order (§9.1, M6)', async (t) => {
            const s = server(t, p);
            await init(s, '2025-11-25');
            const t0 = Date.now();
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'nap', arguments: { secs: '0.8', tag: 'c1' } } }) + '\n');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'slow2', method: 'tools/call', params: { name: 'nap', arguments: { secs: '0.8', tag: 'c2' } } }) + '\n');
            await fence(s);
            await s.request('l', 'tools/list');
            await call(s, 'g', 'get_cwd', {});
            assert.ok(Date.now() - t0 < 500);
            const fast = report(await call(s, 'fast', 'greet', { name: 'x' }));
            assert.equal(fast.isError, false);
            assert.equal(s.lines.length, 0);
            await s.response('slow');
            await s.response('slow2');
            assert.ok(Date.now() - t0 < 1500, 'the two naps ran one after the other');
            await endOk(s);
        });
        it('RUN_MCP_MAX_CONCURRENCY=1: calls wait in arrival order; a waiting call\'s timeout starts when it runs (§9.1)', async (t) => {
            const s = server(t, p, { env: { RUN_MCP_MAX_CONCURRENCY: '1' } });
            await init(s, '2025-11-25');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'A', method: 'tools/call', params: { name: 'nap', arguments: { secs: '1.2', tag: 'A' } } }) + '\n');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'B', method: 'tools/call', params: { name: 'nap', arguments: { secs: '0.2', tag: 'B' }, timeout: 1 } }) + '\n');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'C', method: 'tools/call', params: { name: 'nap', arguments: { secs: '0.4', tag: 'C', timeout: 1 } } }) + '\n');
            await sleep(400);
            assert.ok(fs.existsSync(path.join(p.dir, 'nap-A.pid')));
            assert.equal(fs.existsSync(path.join(p.dir, 'nap-B.pid')), false);
            await fence(s);
            const order = [];
            for (const id of ['A', 'B', 'C']) {
                const l = await s.response(id, 5000);
                order.push(id);
                assert.equal(l.msg.result.isError, false, l.text);
            }
            assert.deepEqual(order, ['A', 'B', 'C']);
            await endOk(s);
        });
        it('an id already in progress gets -32600 "Invalid Request: id already in use"; it is free again after the answer (§3.1)', async (t) => {
            const s = server(t, p);
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'nap', arguments: { secs: '0.6', tag: 'dup' } } }) + '\n');
            await sleep(100);
            s.send('{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
            const e = await s.next((m) => m.id === 7);
            assert.equal(e.text, errLine(7, -32600, 'Invalid Request: id already in use'));
            s.send('{"jsonrpc":"2.0","id":"7","method":"ping"}\n');
            assert.equal((await s.response('7')).text, '{"jsonrpc":"2.0","id":"7","result":{}}');
            const done = await s.response(7);
            assert.equal(done.msg.result.isError, false);
            assert.equal(await rawCall(s, 7, { method: 'ping' }), '{"jsonrpc":"2.0","id":7,"result":{}}');
            await endOk(s);
        });
        it('cancelling a running call: group killed, no response ever, its output files deleted, reason logged (§9.3)', async (t) => {
            const s = server(t, p);
            await init(s, '2025-11-25');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'cx', method: 'tools/call', params: { name: 'cancelme', arguments: {} } }) + '\n');
            const pid = await readPid(p.dir, 'cancel.pid');
            const bg = await readPid(p.dir, 'cancel-bg.pid');
            assert.ok(pid && bg);
            const files = () => fs.readdirSync(path.join(p.dir, '.run-output')).filter((f) => f.startsWith('cancelme-'));
            assert.ok(await until(() => files().length === 2, 2000), String(files()));
            s.notify('notifications/cancelled', { requestId: 'cx', reason: 'changed my mind' });
            assert.ok(await until(() => !alive(pid) && !alive(bg), 3000), 'group still alive');
            await sleep(300);
            await fence(s);
            assert.deepEqual(drain(s), []);
            assert.deepEqual(fs.readdirSync(path.join(p.dir, '.run-output')).filter((f) => f.startsWith('cancelme-')), []);
            assert.match(s.stderr(), /changed my mind/);
            await endOk(s);
        });
        it('cancelling a call that ignores SIGTERM: SIGKILL 2 s later (§9.3)', async (t) => {
            const s = server(t, p);
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'st', method: 'tools/call', params: { name: 'stubborn2', arguments: {} } }) + '\n');
            const pid = await readPid(p.dir, 'stubborn2.pid');
            const t0 = Date.now();
            s.notify('notifications/cancelled', { requestId: 'st' });
            await sleep(1000);
            assert.ok(alive(pid), 'killed before the grace period');
            assert.ok(await until(() => !alive(pid), 3000), 'never killed');
            assert.ok(Date.now() - t0 >= 1900);
            await fence(s);
            assert.deepEqual(drain(s), []);
            await endOk(s);
        });
        it('a timeout does not wait for a process that left the session (§9.4)', async (t) => {
            const s = server(t, p);
            const t0 = Date.now();
            const r = report(await call(s, 1, 'escape', { timeout: 1 }));
            assert.ok(Date.now() - t0 < 3500, `took ${Date.now() - t0}`);
            assert.equal(r.isError, true);
            assert.match(r.text, /^Execution: `escape` ✗ Timed out \(<ms>ms\)\n\*\*Timed out after 1 s:\*\* the command was stopped with SIGTERM\.\n$/);
            const pid = await readPid(p.dir, 'escaped.pid');
            assert.ok(alive(pid));
            process.kill(pid, 'SIGKILL');
            await endOk(s);
        });
        it('cancelling a waiting call: it never starts and is never answered; a wrongly typed requestId is ignored (§9.3)', async (t) => {
            const s = server(t, p, { env: { RUN_MCP_MAX_CONCURRENCY: '1' } });
            await init(s, '2025-11-25');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'nap', arguments: { secs: '0.5', tag: 'w1' } } }) + '\n');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'touchit', arguments: { tag: 'w2' } } }) + '\n');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'touchit', arguments: { tag: 'w3' } } }) + '\n');
            s.notify('notifications/cancelled', { requestId: 2 });
            s.notify('notifications/cancelled', { requestId: '3' });
            s.notify('notifications/cancelled', { requestId: 'init' });
            assert.equal((await s.response(1)).msg.result.isError, false);
            assert.equal((await s.response(3)).msg.result.isError, false);
            await sleep(200);
            await fence(s);
            assert.deepEqual(drain(s), []);
            assert.equal(fs.existsSync(path.join(p.dir, 'started-w2')), false);
            assert.ok(fs.existsSync(path.join(p.dir, 'started-w3')));
            await endOk(s);
        });
        it('progress with a string token: once per second, last non-empty line, exact lines, none after the response (§9.5)', async (t) => {
            const s = server(t, p);
            await init(s, '2025-03-26');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'tools/call', params: { name: 'prog', arguments: {}, _meta: { progressToken: 'tok' } } }) + '\n');
            const r = await s.response('p', 5000);
            assert.equal(r.msg.result.isError, false);
            const notes = drain(s);
            assert.deepEqual(notes, [
                '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"tok","progress":1,"message":"first"}}',
                '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"tok","progress":2,"message":"second"}}',
            ]);
            await sleep(1200);
            await fence(s);
            assert.deepEqual(drain(s), []);
            await endOk(s);
        });
        it('progress with an integer token under 2024-11-05 has no message; no output means no message (§9.5)', async (t) => {
            const s = server(t, p);
            await init(s, '2024-11-05');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'p1', method: 'tools/call', params: { name: 'prog', arguments: {}, _meta: { progressToken: 42 } } }) + '\n');
            const q = server(t, p);
            await init(q, '2025-11-25');
            q.send(JSON.stringify({ jsonrpc: '2.0', id: 'p2', method: 'tools/call', params: { name: 'quiet', arguments: {}, _meta: { progressToken: 0 } } }) + '\n');
            q.send(JSON.stringify({ jsonrpc: '2.0', id: 'p3', method: 'tools/call', params: { name: 'quiet', arguments: {} } }) + '\n');
            await s.response('p1', 5000);
            assert.deepEqual(drain(s), [
                '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":42,"progress":1}}',
                '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":42,"progress":2}}',
            ]);
            await q.response('p2', 5000);
            await q.response('p3', 5000);
            assert.deepEqual(drain(q), ['{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":0,"progress":1}}']);
            await endOk(s);
            await endOk(q);
        });
        it('a waiting call gets no progress; its seconds count from when it starts running (§9.1, §9.5)', async (t) => {
            const s = server(t, p, { env: { RUN_MCP_MAX_CONCURRENCY: '1' } });
            await init(s, '2025-11-25');
            const t0 = Date.now();
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'A', method: 'tools/call', params: { name: 'nap', arguments: { secs: '1.5', tag: 'wp' } } }) + '\n');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'B', method: 'tools/call', params: { name: 'quiet', arguments: {}, _meta: { progressToken: 'b' } } }) + '\n');
            const n = await s.next((m) => m.method === 'notifications/progress', 5000);
            assert.ok(Date.now() - t0 >= 2300, `first progress after ${Date.now() - t0} ms`);
            assert.equal(n.text, '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"b","progress":1}}');
            await s.response('B', 5000);
            await endOk(s);
        });
        it('the progress message is cut to 200 bytes at a character boundary (§9.5)', async (t) => {
            const s = server(t, p);
            await init(s, '2025-06-18');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'lp', method: 'tools/call', params: { name: 'longprog', arguments: {}, _meta: { progressToken: 'L' } } }) + '\n');
            await s.response('lp', 5000);
            const n = drain(s).map((x) => JSON.parse(x));
            assert.equal(n.length, 1);
            assert.equal(n[0].params.message, 'a' + 'é'.repeat(99));
        });
    });

    // ------------------------------------------------------------------ built-ins, §14
    describe('built-in tools (§14)', SEQ, () => {
        let p; let s;
        before(async () => {
            p = project({ Runfile: MAIN, 'sub/.keep': '', 'other/Runfile': '# @desc Other\nother() echo other\n', 'afile': 'x' });
            s = rawServer(p);
            await init(s, '2025-11-25');
        });
        after(async () => { await endOk(s); p.cleanup(); });

        it('get_cwd: the session cwd, nothing else (§14.2)', async () => {
            assert.equal(await call(s, 1, 'get_cwd', {}), resLine(1, p.dir, false));
            assert.equal(await call(s, 2, 'get_cwd'), resLine(2, p.dir, false));
        });
        it('set_cwd relative: two lines, the Runfile found from there (§14.1)', async () => {
            assert.equal(await call(s, 3, 'set_cwd', { path: 'sub' }), resLine(3, `Working directory changed to ${p.dir}/sub\nRunfile: ${p.dir}/Runfile`, false));
            assert.equal(await call(s, 4, 'get_cwd', {}), resLine(4, `${p.dir}/sub`, false));
        });
        it('the server process never changes its own directory (§11.2, §14.1, M14)', () => {
            assert.equal(fs.readlinkSync(`/proc/${s.child.pid}/cwd`), p.dir);
        });
        it('tool processes run in the session cwd (§9.2)', async () => {
            const r = report(await call(s, 5, 'greet', { name: '$(pwd)' }));
            assert.equal(r.text, 'Execution: `greet` ✓ Success (<ms>ms)\nHello, $(pwd)!\n');
            await call(s, 'm', 'mark', { n: 1 });
            assert.ok(fs.existsSync(path.join(p.dir, 'sub', 'marker')));
        });
        it('set_cwd failures: isError, exact text, nothing changes (§14.1)', async () => {
            assert.equal(await call(s, 6, 'set_cwd', { path: 'nope' }), resLine(6, "Cannot change the working directory to 'nope': No such file or directory", true));
            assert.equal(await call(s, 7, 'set_cwd', { path: '../afile' }), resLine(7, "Cannot change the working directory to '../afile': Not a directory", true));
            assert.equal(await call(s, 8, 'get_cwd', {}), resLine(8, `${p.dir}/sub`, false));
        });
        it('set_cwd canonicalises (.., symlinks) and switches the tool list (§14.1, §11)', async () => {
            fs.symlinkSync(path.join(p.dir, 'other'), path.join(p.dir, 'link'));
            assert.equal(await call(s, 9, 'set_cwd', { path: '../link/.' }), resLine(9, `Working directory changed to ${p.dir}/other\nRunfile: ${p.dir}/other/Runfile`, false));
            const l = await s.request(10, 'tools/list');
            assert.deepEqual(l.result.tools.map((x) => x.name), ['other', 'set_cwd', 'get_cwd', 'run_docs']);
            assert.equal(await call(s, 11, 'greet', { name: 'x' }), errLine(11, -32602, 'Tool not found: greet'));
        });
        it('set_cwd to a directory without a Runfile: the third line, only built-ins (§14.1)', async () => {
            assert.equal(await call(s, 12, 'set_cwd', { path: p.root }), resLine(12, `Working directory changed to ${p.root}\nNo Runfile found from this directory; only the built-in tools are available.`, false));
            const l = await s.request(13, 'tools/list');
            assert.deepEqual(l.result.tools.map((x) => x.name), ['set_cwd', 'get_cwd', 'run_docs']);
            await call(s, 14, 'set_cwd', { path: p.dir });
        });
        it('set_cwd with --runfile: "(fixed by --runfile)" and the Runfile stays (§14.1, §11.1)', async (t) => {
            const q = server(t, p, { args: ['--runfile', path.join(p.dir, 'Runfile')] });
            await init(q, '2025-11-25');
            assert.equal(await call(q, 1, 'set_cwd', { path: 'other' }), resLine(1, `Working directory changed to ${p.dir}/other\nRunfile: ${p.dir}/Runfile (fixed by --runfile)`, false));
            const l = await q.request(2, 'tools/list');
            assert.equal(l.result.tools[0].name, 'greet');
            await endOk(q);
        });
        it('run_docs index: exact text for absent, null, "" and "index" (§14.3)', async () => {
            const index = '# run documentation topics\n\nCall run_docs with a topic to read it, for example {"topic": "runfile-syntax"}.\n\n' +
                TOPICS.map(([slug, title]) => `- **${slug}**: ${title}`).join('\n');
            const got = [];
            for (const [i, a] of [{}, { topic: null }, { topic: '' }, { topic: 'index' }, undefined].entries()) {
                const m = JSON.parse(await call(s, `d${i}`, 'run_docs', a));
                assert.equal(m.result.isError, false);
                got.push(m.result.content[0].text);
            }
            for (const g of got) assert.ok(g === index, JSON.stringify(g));
            assert.equal(new Set(got).size, 1);
        });
        it('run_docs unknown topic: exact text, isError false (§14.3)', async () => {
            assert.equal(await call(s, 'u', 'run_docs', { topic: 'Mcp' }), resLine('u',
                'Unknown topic `Mcp`. Available topics: ' + TOPICS.map((x) => x[0]).join(', '), false));
        });
        it('run_docs pages: each starts with "# <title>" and has at least 200 bytes; reference is the twelve joined by one empty line (§14.3, M18)', async () => {
            const pages = [];
            for (const [slug, title] of TOPICS) {
                const m = JSON.parse(await call(s, `pg-${slug}`, 'run_docs', { topic: slug }));
                assert.equal(m.result.isError, false);
                const text = m.result.content[0].text;
                if (slug !== 'reference') assert.ok(text.startsWith(`# ${title}\n`), slug);
                assert.ok(Buffer.byteLength(text) >= 200, slug);
                pages.push(text);
            }
            const ref = pages.pop();
            const trimmed = pages.map((x) => x.replace(/\n+$/, ''));
            assert.ok(ref === trimmed.join('\n\n') || ref === trimmed.join('\n\n') + '\n', 'reference is not the twelve pages joined by one empty line');
        });
    });

    // ------------------------------------------------------------------ reload, §11
    describe('reload and list_changed (§11, §4.2)', SEQ, () => {
        const LC = '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}';
        it('a changed list is announced once, after initialized; an unchanged list never (§11.3)', async (t) => {
            const p = project({ Runfile: '# @desc One\none() echo 1\n' });
            t.after(p.cleanup);
            const s = server(t, p);
            await init(s, '2025-11-25');
            await s.request(1, 'tools/list');
            await sleep(100);
            write(p.dir, 'Runfile', '# @desc One\none() echo 1\n# @desc Two\ntwo() echo 2\n');
            assert.equal((await s.next((m) => m.method, 3000)).text, LC);
            const l = await s.request(2, 'tools/list');
            assert.deepEqual(l.result.tools.map((x) => x.name), ['one', 'two', 'set_cwd', 'get_cwd', 'run_docs']);
            await sleep(400);
            assert.deepEqual(drain(s), []);
            // A change that leaves the list as it was: nothing.
            write(p.dir, 'Runfile', '# a comment\n# @desc One\none() echo 1\n# @desc Two\ntwo() echo 2\n');
            await sleep(700);
            await s.request(3, 'tools/list');
            await fence(s);
            assert.deepEqual(drain(s), []);
            await endOk(s);
        });
        it('no list_changed before notifications/initialized; tools/list is fresh anyway (§4.2, §11.1)', async (t) => {
            const p = project({ Runfile: '# @desc One\none() echo 1\n' });
            t.after(p.cleanup);
            const s = server(t, p);
            await s.request(1, 'initialize', { protocolVersion: '2025-11-25' });
            await s.request(2, 'tools/list');
            write(p.dir, 'Runfile', '# @desc Three\nthree() echo 3\n');
            await sleep(700);
            const l = await s.request(3, 'tools/list');
            assert.deepEqual(l.result.tools.map((x) => x.name), ['three', 'set_cwd', 'get_cwd', 'run_docs']);
            await fence(s);
            assert.deepEqual(drain(s), []);
            await endOk(s);
        });
        it('set_cwd into another project: the result, then list_changed (§14.1, §11.3)', async (t) => {
            const p = project({ Runfile: '# @desc One\none() echo 1\n', 'b/Runfile': '# @desc Bee\nbee() echo b\n' });
            t.after(p.cleanup);
            const s = server(t, p);
            await init(s, '2025-11-25');
            await s.request(1, 'tools/list');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'set_cwd', arguments: { path: 'b' } } }) + '\n');
            await fence(s);
            const texts = [];
            const a = await s.response(2);
            texts.push(a.text);
            texts.push((await s.next((m) => m.method, 2000)).text);
            assert.equal(texts[1], LC);
            assert.ok(a.text.includes('Working directory changed to'));
            await endOk(s);
        });
        it('set_cwd to the same directory: result, no list_changed (§11.3)', async (t) => {
            const p = project({ Runfile: '# @desc One\none() echo 1\n' });
            t.after(p.cleanup);
            const s = server(t, p);
            await init(s, '2025-11-25');
            await s.request(1, 'tools/list');
            assert.equal(await call(s, 2, 'set_cwd', { path: '.' }), resLine(2, `Working directory changed to ${p.dir}\nRunfile: ${p.dir}/Runfile`, false));
            await sleep(300);
            await fence(s);
            assert.deepEqual(drain(s), []);
            await endOk(s);
        });
        it('a Runfile created after the start: tools/list sees it, list_changed is sent once (§11.1, §11.3)', async (t) => {
            const p = project();
            t.after(p.cleanup);
            const s = server(t, p);
            await init(s, '2025-11-25');
            await s.request(1, 'tools/list');
            write(p.dir, 'Runfile', '# @desc New\nnew_tool() echo 1\n');
            await sleep(500);
            const l = await s.request(2, 'tools/list');
            assert.deepEqual(l.result.tools.map((x) => x.name), ['new_tool', 'set_cwd', 'get_cwd', 'run_docs']);
            await sleep(400);
            await fence(s);
            assert.deepEqual(drain(s), [LC]);
            await endOk(s);
        });
        it('a sourced file is part of the load: its change is seen (§11.1)', async (t) => {
            const p = project({ Runfile: 'source lib.run\n', 'lib.run': '# @desc One\none() echo 1\n' });
            t.after(p.cleanup);
            const s = server(t, p);
            await init(s, '2025-11-25');
            await s.request(1, 'tools/list');
            write(p.dir, 'lib.run', '# @desc Uno\nuno() echo 1\n');
            assert.equal((await s.next((m) => m.method, 3000)).text, LC);
            const l = await s.request(2, 'tools/list');
            assert.equal(l.result.tools[0].name, 'uno');
            await endOk(s);
        });
        it('a sourced path that was missing is watched: creating it reloads and announces (§11.1, §11.3)', async (t) => {
            const p = project({ Runfile: 'source lib/opt.run\n# @desc One\none() echo 1\n' });
            t.after(p.cleanup);
            const s = server(t, p);
            await init(s, '2025-11-25');
            const a = await s.request(1, 'tools/list');
            assert.deepEqual(a.result.tools.map((x) => x.name), ['one', 'set_cwd', 'get_cwd', 'run_docs']);
            write(p.dir, 'lib/opt.run', '# @desc Two\ntwo() echo 2\n');
            assert.equal((await s.next((m) => m.method, 3000)).text, LC);
            const b = await s.request(2, 'tools/list');
            assert.deepEqual(b.result.tools.map((x) => x.name), ['two', 'one', 'set_cwd', 'get_cwd', 'run_docs']);
            await endOk(s);
            assert.match(s.stderr(), /^Runfile:1:8: warning: cannot source 'lib\/opt\.run': No such file or directory$/m);
        });
        it('diagnostics are logged once per load, in the runfile.md §10 format (§11.1, §13)', async (t) => {
            const p = project({ Runfile: 'bad(a b) echo x\n' });
            t.after(p.cleanup);
            const s = server(t, p);
            await init(s, '2025-11-25');
            await s.request(1, 'tools/list');
            await call(s, 2, 'bad', {});
            await endOk(s);
            assert.equal(s.stderr().split("Runfile:1:7: error: expected ',' or ')' after parameter 'a'\n").length - 1, 1, s.stderr());
        });
    });

    // ------------------------------------------------------------------ batches, §3.3
    describe('batches (§3.3)', SEQ, () => {
        let p; let s;
        before(async () => {
            p = project({ Runfile: MAIN });
            s = rawServer(p);
            await init(s, '2025-03-26');
        });
        after(async () => { await endOk(s); p.cleanup(); });

        it('2025-03-26: a batch is answered by one array on one line', async () => {
            s.send('[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":"two","method":"nope"}]\n');
            assert.equal((await s.next()).text, `[{"jsonrpc":"2.0","id":1,"result":{}},${errLine('two', -32601, 'Method not found: nope')}]`);
        });
        it('an empty batch: one -32600 with id null (not an array)', async () => {
            s.send('[]\n');
            const l = await s.next();
            assert.equal(l.msg.id, null);
            assert.equal(l.msg.error.code, -32600);
            assert.match(l.text, /^\{"jsonrpc":"2\.0","id":null,"error":\{"code":-32600,"message":"Invalid Request: [^"]+"\}\}$/);
        });
        it('a batch of notifications only gets nothing', async () => {
            s.send('[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}]\n');
            await fence(s);
            assert.deepEqual(drain(s), []);
        });
        it('initialize inside a batch gets -32600; invalid elements get their own errors', async () => {
            s.send('[{"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-06-18"}},42,{"jsonrpc":"2.0","id":1.5,"method":"ping"}]\n');
            const l = await s.next();
            assert.ok(Array.isArray(l.msg), l.text);
            assert.equal(l.msg.length, 3);
            assert.deepEqual(l.msg.map((x) => [x.id, x.error.code]), [['i', -32600], [null, -32600], [null, -32600]]);
            // The version is still 2025-03-26.
            s.send('[{"jsonrpc":"2.0","id":"still","method":"ping"}]\n');
            assert.equal((await s.next()).text, '[{"jsonrpc":"2.0","id":"still","result":{}}]');
        });
        it('a batch with tool calls is sent once its last answer is ready', async () => {
            s.send('[{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"nap","arguments":{"secs":"0.3","tag":"batch"}}},{"jsonrpc":"2.0","id":"p","method":"ping"}]\n');
            const l = await s.next(() => true, 5000);
            assert.ok(Array.isArray(l.msg), l.text);
            assert.deepEqual(l.msg.map((x) => x.id).sort(), ['c', 'p']);
            assert.equal(l.msg.find((x) => x.id === 'c').result.content[0].text.replace(/\(\d+ms\)/, ''), 'Execution: `nap` ✓ Success \nnapped batch\n');
        });
        it('a batch whose call is cancelled is still sent, without that answer (§3.3, §9.3)', async () => {
            s.send('[{"jsonrpc":"2.0","id":"bc","method":"tools/call","params":{"name":"nap","arguments":{"secs":"30","tag":"bc"}}},{"jsonrpc":"2.0","id":"bp","method":"ping"}]\n');
            const pid = await readPid(p.dir, 'nap-bc.pid');
            s.notify('notifications/cancelled', { requestId: 'bc' });
            const l = await s.next(() => true, 4000);
            assert.equal(l.text, '[{"jsonrpc":"2.0","id":"bp","result":{}}]');
            assert.ok(await until(() => !alive(pid), 3000));
        });
        it('a batch element reusing the id of a call in progress gets "id already in use" (§3.1, §3.3)', async () => {
            s.send('[{"jsonrpc":"2.0","id":"same","method":"tools/call","params":{"name":"nap","arguments":{"secs":"0.3","tag":"same"}}},{"jsonrpc":"2.0","id":"same","method":"ping"}]\n');
            const l = await s.next(() => true, 4000);
            assert.ok(Array.isArray(l.msg), l.text);
            assert.equal(l.msg.length, 2);
            assert.ok(l.text.includes(errLine('same', -32600, 'Invalid Request: id already in use')), l.text);
            assert.equal(l.msg.filter((x) => x.result).length, 1);
        });
        it('validation failures inside a batch under 2025-03-26 are -32602 errors', async () => {
            s.send('[{"jsonrpc":"2.0","id":"v","method":"tools/call","params":{"name":"greet","arguments":{}}}]\n');
            assert.equal((await s.next()).text, `[${errLine('v', -32602, "Invalid arguments for tool 'greet': missing required argument 'name'")}]`);
        });
        for (const v of [undefined, '2024-11-05', '2025-06-18', '2025-11-25']) {
            it(`${v ?? 'before initialize'}: one -32600 "Invalid Request: batches are not supported in protocol version ${v ?? '2024-11-05'}"`, async (t) => {
                const q = server(t, p);
                if (v) await init(q, v);
                q.send('[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n');
                assert.equal((await q.next()).text, errLine(null, -32600, `Invalid Request: batches are not supported in protocol version ${v ?? '2024-11-05'}`));
                q.send('[]\n');
                assert.equal((await q.next()).text, errLine(null, -32600, `Invalid Request: batches are not supported in protocol version ${v ?? '2024-11-05'}`));
                await fence(q);
                assert.deepEqual(drain(q), []);
                await endOk(q);
            });
        }
    });

    // ------------------------------------------------------------------ shutdown, §12
    describe('shutdown and logging (§12, §13)', SEQ, () => {
        let p;
        before(() => { p = project({ Runfile: MAIN }); });
        after(() => p.cleanup());

        it('end of input: running calls are stopped (no response), their groups killed, exit 0 promptly (§12, M16)', async (t) => {
            const d = path.join(p.dir, 'eof');
            fs.mkdirSync(d);
            const s = server(t, p, { cwd: d });
            await init(s, '2025-11-25');
            s.send(JSON.stringify({ jsonrpc: '2.0', id: 'w', method: 'tools/call', params: { name: 'wait_db', arguments: {} } }) + '\n');
            const bg = await readPid(d, 'bg.pid');
            const t0 = Date.now();
            await endOk(s);
            assert.ok(Date.now() - t0 < 2500, `took ${Date.now() - t0}`);
            assert.ok(await until(() => !alive(bg), 1000), 'background process left');
            assert.equal(s.lines.filter((l) => l.msg.id === 'w').length, 0);
        });
        for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
            it(`${sig}: exit 0, no process left, even a call that ignores SIGTERM (§12)`, async (t) => {
                const d = path.join(p.dir, sig);
                fs.mkdirSync(d);
                const s = server(t, p, { cwd: d });
                await init(s, '2025-11-25');
                s.send(JSON.stringify({ jsonrpc: '2.0', id: 'w', method: 'tools/call', params: { name: 'wait_db', arguments: {} } }) + '\n');
                s.send(JSON.stringify({ jsonrpc: '2.0', id: 'n', method: 'tools/call', params: { name: 'nap', arguments: { secs: '30', tag: 'n' } } }) + '\n');
                const bg = await readPid(d, 'bg.pid');
                const nap = await readPid(d, 'nap-n.pid');
                s.child.kill(sig);
                const { code, signal } = await s.exited;
                assert.equal(signal, null);
                assert.equal(code, 0);
                assert.ok(await until(() => !alive(bg) && !alive(nap), 1000), 'processes left');
                assert.equal(s.lines.filter((l) => l.msg.id === 'w' || l.msg.id === 'n').length, 0);
            });
        }
        it('end of input: answers already due are all flushed before the exit (§12)', async (t) => {
            const s = server(t, p);
            s.send('{"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-11-25"}}\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
            for (let i = 0; i < 20; i++) s.send(`{"jsonrpc":"2.0","id":${i},"method":"tools/list"}\n`);
            s.send('{"jsonrpc":"2.0","id":"cwd","method":"tools/call","params":{"name":"get_cwd"}}\n');
            await endOk(s);
            assert.equal(s.lines.length, 22);
            assert.equal(s.lines.at(-1).text, resLine('cwd', p.dir, false));
        });
        it('stdin from /dev/null or a regular file of requests: answers, then exit 0 (§2, §12)', async () => {
            const f = write(p.root, 'requests.jsonl', '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_cwd"}}\n');
            const r = spawnSync(RUN_BIN, ['--serve-mcp'], { cwd: p.dir, env: serverEnv(p), stdio: [fs.openSync(f, 'r'), 'pipe', 'pipe'], encoding: 'utf8', timeout: 5000 });
            assert.equal(r.status, 0);
            assert.equal(r.stdout.split('\n')[0], '{"jsonrpc":"2.0","id":1,"result":{}}');
            const r2 = spawnSync(RUN_BIN, ['--serve-mcp'], { cwd: p.dir, env: serverEnv(p), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 5000 });
            assert.equal(r2.status, 0);
            assert.equal(r2.stdout, '');
        });
        it('nothing is logged at start-up or for successful requests; tool output never reaches stdout (§2, §13)', async (t) => {
            const s = server(t, p);
            await init(s, '2025-11-25');
            await s.request(1, 'tools/list');
            await call(s, 2, 'warn', {});
            await call(s, 3, 'greet', { name: 'x' });
            await endOk(s);
            assert.equal(s.stderr(), '');
            assert.deepEqual(s.lines.filter((l) => l.msg.unparsable !== undefined), []);
        });
        it('a client that closed stdout: the server exits 0 (EPIPE, SIGPIPE ignored) (§2, §12)', async () => {
            const child = spawn(RUN_BIN, ['--serve-mcp'], { cwd: p.dir, env: serverEnv(p), stdio: ['pipe', 'pipe', 'pipe'] });
            child.stdout.destroy();
            child.stdin.on('error', () => {});
            const exit = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
            for (let i = 0; i < 50; i++) child.stdin.write(`{"jsonrpc":"2.0","id":${i},"method":"ping"}\n`);
            const timer = setTimeout(() => child.kill('SIGKILL'), 4000);
            const { code, signal } = await exit;
            clearTimeout(timer);
            assert.equal(signal, null);
            assert.equal(code, 0);
        });
    });

    // ------------------------------------------------------------------ the official client
    describe('through the official SDK client', SEQ, () => {
        let p; let c;
        before(async () => {
            p = project({ Runfile: MAIN + '# @desc Progress\nprog() { echo first; sleep 1.2; }\n' });
            c = await sdkClient(p);
        });
        after(async () => { await c.client.close(); p.cleanup(); });

        it('connects: serverInfo, capabilities, instructions (§4)', () => {
            assert.deepEqual(c.client.getServerVersion(), { name: 'run', version: RUN_VERSION });
            assert.deepEqual(c.client.getServerCapabilities(), { tools: { listChanged: true } });
            assert.match(c.client.getInstructions(), /Runfile instructions:\n- Ask before deploying to prod\n- Prefer the fast test suite$/);
        });
        it('lists tools the SDK accepts (§6)', async () => {
            const r = await c.client.listTools();
            assert.equal(r.tools.at(-1).name, 'run_docs');
            assert.equal(r.nextCursor, undefined);
        });
        it('calls a tool and gets the report (§8)', async () => {
            const r = await c.client.callTool({ name: 'greet', arguments: { name: 'SDK' } });
            assert.equal(r.isError, false);
            assert.equal(normMs(textOf(r)), 'Execution: `greet` ✓ Success (<ms>ms)\nHello, SDK!\n');
        });
        it('unknown tool: McpError -32602 "Tool not found: nope" (§7.1)', async () => {
            await assert.rejects(c.client.callTool({ name: 'nope', arguments: {} }), (e) => e.code === -32602 && /Tool not found: nope/.test(e.message));
        });
        it('the SDK negotiates 2025-11-25: a validation failure is an isError result (§7.3)', async () => {
            const r = await c.client.callTool({ name: 'greet', arguments: {} });
            assert.deepEqual(r, { content: [{ type: 'text', text: "Invalid arguments for tool 'greet': missing required argument 'name'" }], isError: true });
        });
        it('progress reaches onprogress (§9.5)', async () => {
            const seen = [];
            const r = await c.client.callTool({ name: 'prog', arguments: {} }, undefined, { onprogress: (x) => seen.push(x) });
            assert.equal(r.isError, false);
            assert.equal(seen.length, 1);
            assert.equal(seen[0].progress, 1);
            assert.equal(seen[0].message, 'first');
        });
        it('tools/list_changed reaches the SDK\'s handler (§11.3)', async () => {
            const { ToolListChangedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
            let changed = 0;
            c.client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed++; });
            fs.appendFileSync(path.join(p.dir, 'Runfile'), '# @desc Added\nadded() echo added\n');
            assert.ok(await until(() => changed === 1, 3000), 'no list_changed');
            const r = await c.client.listTools();
            assert.ok(r.tools.some((x) => x.name === 'added'));
        });
        it('an AbortSignal cancels the call; the server keeps serving (§9.3)', async () => {
            const ac = new AbortController();
            const pending = c.client.callTool({ name: 'nap', arguments: { secs: '30', tag: 'sdk' } }, undefined, { signal: ac.signal });
            const pid = await readPid(p.dir, 'nap-sdk.pid');
            ac.abort('stop');
            await assert.rejects(pending);
            assert.ok(await until(() => !alive(pid), 3000));
            assert.deepEqual(await c.client.ping(), {});
        });
    });
});
