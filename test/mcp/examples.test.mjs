// examples.md §8–§13 as golden tests, through the official SDK client (and the raw writer
// where exact bytes or older protocol versions matter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { project, rawServer, sdkClient, textOf, normMs, alive, until, write } from './helpers.mjs';

const BUILTINS = '{"name":"set_cwd","description":"Change the working directory used by the following tool calls of this session. A relative path is resolved against the current working directory. The Runfile is looked up again from the new directory (unless the server was started with --runfile).","inputSchema":{"type":"object","properties":{"path":{"type":"string","description":"Directory to switch to, absolute or relative to the current working directory."}},"required":["path"]}},{"name":"get_cwd","description":"Return the working directory that tool calls of this session use.","inputSchema":{"type":"object","properties":{},"required":[]}},{"name":"run_docs","description":"Read the documentation of run and of the Runfile format. Call it without a topic (or with \\"index\\") to list the topics.","inputSchema":{"type":"object","properties":{"topic":{"type":"string","description":"Topic slug: getting-started, runfile-syntax, arguments, variables, attributes-and-interpreters, command-composition, polyglot-commands, mcp, cli, bash-differences, recipes, faq, reference. Omit it or use \\"index\\" for the list."}},"required":[]}}';

const GREET = '{"name":"greet","description":"Greet someone","inputSchema":{"type":"object","properties":{"name":{"type":"string"},"greeting":{"type":"string","default":"Hello"},"timeout":{"type":"integer","description":"Optional time limit in seconds for this call. When it is exceeded, the command and everything it started are stopped and the call fails. Omit it (or use 0) for no limit.","minimum":0}},"required":["name"]}}';

test('§8: a parse error in a sourced file: only built-ins, calls return the diagnostics', async (t) => {
    const p = project({
        Runfile: 'source tasks/db.run\n\n# @desc Run the tests\ntest() pytest -q\n',
        'tasks/db.run': '# @desc Apply migrations\nmigrate(steps: int = 1, target) {\n    ./manage.py migrate "$target" --steps "$steps"\n}\n\nseed(file = "seed.sql" {\n    psql < "$file"\n}\n',
    });
    t.after(p.cleanup);
    const { client, stderr } = await sdkClient(p);
    t.after(() => client.close());
    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((x) => x.name), ['set_cwd', 'get_cwd', 'run_docs']);
    assert.match(client.getInstructions(), /\n\nThe Runfile has errors/);
    for (const name of ['test', 'migrate', 'anything']) {
        const r = await client.callTool({ name, arguments: {} });
        assert.equal(r.isError, true);
        const text = textOf(r).replace(/\n {6}= hint: [^\n]*\n/, '\n      = hint: <hint>\n');
        assert.equal(text, "The Runfile has errors, so its tools cannot run:\n\n" +
            "tasks/db.run:6:24: error: expected ',' or ')' after parameter 'file'\n" +
            '    6 | seed(file = "seed.sql" {\n' +
            '      |                        ^\n' +
            '      = hint: <hint>\n' +
            "Runfile:1:8: note: 'tasks/db.run' is sourced here\n\n" +
            'Fix the Runfile (run_docs topic "runfile-syntax" describes the syntax) and call the tool again.');
    }
    // Built-ins still work, and the diagnostics were logged once for the one load.
    assert.equal(textOf(await client.callTool({ name: 'get_cwd', arguments: {} })), p.dir);
    assert.equal(stderr().split("error: expected ',' or ')'").length - 1, 1, stderr());
});

test('§9: initialize and tools/list, exact bytes', async (t) => {
    const p = project({
        Runfile: '# @instructions Never deploy on Fridays\n\n# @desc Greet someone\ngreet(name, greeting = "Hello") echo "$greeting, $name!"\n',
    });
    t.after(p.cleanup);
    const s = rawServer(p);
    s.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}\n');
    const init = await s.response(1);
    const base = init.msg.result.instructions.split('\n\n')[0];
    assert.equal(init.text, '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{"listChanged":true}},"serverInfo":{"name":"run","version":"0.6.0"},"instructions":' +
        JSON.stringify(`${base}\n\nRunfile instructions:\n- Never deploy on Fridays`) + '}}');
    s.send('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    s.send('{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n');
    const list = await s.response(2);
    assert.equal(list.text, `{"jsonrpc":"2.0","id":2,"result":{"tools":[${GREET},${BUILTINS}]}}`);
    s.send('{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2099-01-01"}}\n');
    assert.equal((await s.response(3)).msg.result.protocolVersion, '2025-11-25');
    await s.end();

    // The same through the SDK.
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    assert.deepEqual(client.getServerVersion(), { name: 'run', version: '0.6.0' });
    assert.deepEqual(client.getServerCapabilities(), { tools: { listChanged: true } });
    assert.ok(client.getInstructions().endsWith('\n\nRunfile instructions:\n- Never deploy on Fridays'));
    const tools = (await client.listTools()).tools;
    assert.deepEqual(tools[0], JSON.parse(GREET));
    assert.deepEqual(tools.slice(1), JSON.parse(`[${BUILTINS}]`));
    const r = await client.callTool({ name: 'greet', arguments: { name: 'Ana' } });
    assert.equal(normMs(textOf(r)), 'Execution: `greet` ✓ Success (<ms>ms)\nHello, Ana!\n');
});

const EX10 = '# @desc Count the lines of a file\ncount(file) { wc -l < "$file"; echo "counted $file" >&2; }\n\n# @desc Shout a message\nshout(msg) printf \'%s\\n\' "$msg" | tr a-z A-Z\n';

test('§10: stderr on success, values are data', async (t) => {
    const p = project({ Runfile: EX10, 'notes.txt': 'a\nb\nc\n' });
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.initialize();
    s.send('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"count","arguments":{"file":"notes.txt"}}}\n');
    const r3 = await s.response(3);
    assert.equal(r3.text.replace(/\(\d+ms\)/, '(<ms>ms)'),
        '{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"Execution: `count` ✓ Success (<ms>ms)\\n3\\n**Stderr:**\\n```\\ncounted notes.txt\\n```\\n\\n"}],"isError":false}}');
    s.send('{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"shout","arguments":{"msg":"$(rm -rf ~) --list"}}}\n');
    const r4 = await s.response(4);
    assert.equal(r4.text.replace(/\(\d+ms\)/, '(<ms>ms)'),
        '{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"Execution: `shout` ✓ Success (<ms>ms)\\n$(RM -RF ~) --LIST\\n"}],"isError":false}}');
    assert.ok(fs.existsSync(path.join(p.home, 'proj', 'notes.txt')));
    await s.end();
});

test('§11: validation errors depend on the negotiated version', async (t) => {
    const p = project({ Runfile: EX10 });
    t.after(p.cleanup);
    for (const v of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']) {
        const s = rawServer(p);
        await s.initialize(v);
        s.send('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"count","arguments":{}}}\n');
        const r5 = await s.response(5);
        if (v === '2025-11-25')
            assert.equal(r5.text, '{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"Invalid arguments for tool \'count\': missing required argument \'file\'"}],"isError":true}}');
        else
            assert.equal(r5.text, '{"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"Invalid arguments for tool \'count\': missing required argument \'file\'"}}', v);
        s.send('{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"nope","arguments":{}}}\n');
        assert.equal((await s.response(6)).text, '{"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"Tool not found: nope"}}');
        await s.end();
    }
    // Nothing ran: wc never saw a file, no output directory appeared.
    assert.ok(!fs.existsSync(path.join(p.dir, '.run-output')));
});

test('§12: long output is truncated to whole lines and saved in full', async (t) => {
    const p = project({ Runfile: '# @desc Print 400 numbers\nnums() seq 1 400\n' });
    t.after(p.cleanup);
    const outDir = path.join(p.root, 'out');
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const full = Array.from({ length: 400 }, (_, i) => `${i + 1}\n`).join('');
    assert.equal(full.length, 1492);
    const tail = Array.from({ length: 300 }, (_, i) => `${i + 101}\n`).join('');
    assert.equal(tail.length, 1200);
    for (const seq of [0, 1]) {
        const text = textOf(await client.callTool({ name: 'nums', arguments: {} }));
        const m = text.match(/^Execution: `nums` ✓ Success \(\d+ms\)\n\[Output truncated: 1492 bytes, showing last 1200 bytes\]\n\[Full output saved to: (.*)\]\n\n([^]*)$/);
        assert.ok(m, text.slice(0, 300));
        assert.match(m[1], new RegExp(`^${p.dir}/\\.run-output/nums-\\d{13}-stdout-${seq}\\.txt$`));
        assert.equal(m[2], tail);
        assert.equal(fs.readFileSync(m[1], 'utf8'), full);
        assert.equal(fs.statSync(m[1]).mode & 0o777, 0o600);
    }
    // RUN_MCP_OUTPUT_DIR moves the files; the sequence is per server process.
    const other = await sdkClient(p, { env: { RUN_MCP_OUTPUT_DIR: outDir } });
    t.after(() => other.client.close());
    const text = textOf(await other.client.callTool({ name: 'nums', arguments: {} }));
    assert.match(text, new RegExp(`\\[Full output saved to: ${outDir}/\\.run-output/nums-\\d{13}-stdout-0\\.txt\\]`));
});

test('§13: a timeout stops the whole process group', async (t) => {
    const p = project({
        Runfile: '# @desc Wait for the database\nwait_db() {\n    echo "waiting for db"\n    sleep 1000 &\n    echo "$$ $!" > pids\n    wait\n}\n',
    });
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.initialize();
    const started = Date.now();
    s.send('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"wait_db","arguments":{"timeout":2}}}\n');
    const r = await s.response(7, 10000);
    const took = Date.now() - started;
    assert.ok(took >= 1900 && took < 4500, `took ${took} ms`);
    assert.equal(r.text.replace(/\(\d+ms\)/, '(<ms>ms)'),
        '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"Execution: `wait_db` ✗ Timed out (<ms>ms)\\nwaiting for db\\n**Timed out after 2 s:** the command was stopped with SIGTERM.\\n"}],"isError":true}}');
    const pids = fs.readFileSync(path.join(p.dir, 'pids'), 'utf8').trim().split(' ').map(Number);
    assert.equal(pids.length, 2);
    assert.ok(await until(() => pids.every((x) => !alive(x)), 3000), `still alive: ${pids}`);
    for (const bad of ['"soon"', '-5', '1.5', 'true']) {
        s.send(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"wait_db","arguments":{"timeout":${bad}}}}\n`);
        const v = (await s.response(8)).msg.result;
        assert.deepEqual(v, { content: [{ type: 'text',
            text: `Invalid arguments for tool 'wait_db': 'timeout' must be a non-negative integer, got ${bad}` }],
            isError: true });
    }
    await s.end();
});
