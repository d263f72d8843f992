// The Runfile in a session (mcp.md §11, §14.1): caching, reload on change (request-time and
// watched), notifications/tools/list_changed, set_cwd to another project, --runfile pinning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { project, rawServer, sdkClient, textOf, sleep, until, write } from './helpers.mjs';

const A = '# @desc Tool a\na() echo a\n';
const AB = A + '\n# @desc Tool b\nb() echo b\n';
const names = (r) => r.tools.map((t) => t.name);

test('a changed Runfile is seen at once and announced once (§11.1, §11.3)', async (t) => {
    const p = project({ Runfile: A });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changes++; });
    assert.deepEqual(names(await client.listTools()), ['a', 'set_cwd', 'get_cwd', 'run_docs']);
    // The request-time check sees the change without waiting for the watch.
    write(p.dir, 'Runfile', AB);
    assert.deepEqual(names(await client.listTools()), ['a', 'b', 'set_cwd', 'get_cwd', 'run_docs']);
    assert.ok(await until(() => changes === 1, 3000), 'list_changed arrived');
    await sleep(500);
    assert.equal(changes, 1, 'only once for one change');
    // A change that leaves the list as it is announces nothing.
    write(p.dir, 'Runfile', '# a comment\n' + AB);
    await sleep(800);
    assert.equal(changes, 1);
    assert.equal(textOf(await client.callTool({ name: 'b', arguments: {} })).split('\n')[1], 'b');
    // The watch alone (no request) notices a removed tool.
    write(p.dir, 'Runfile', A);
    assert.ok(await until(() => changes === 2, 3000), 'watched change announced');
    assert.deepEqual(names(await client.listTools()), ['a', 'set_cwd', 'get_cwd', 'run_docs']);
    // Sourcing a missing file leaves the list as it is; the file appearing changes it.
    write(p.dir, 'Runfile', A + 'source lib/more.run\n');
    await sleep(700);
    assert.equal(changes, 2);
    write(p.dir, 'lib/more.run', '# @desc Tool c\nc() echo c\n');
    assert.ok(await until(() => changes === 3, 3000), 'a missing sourced file that appears');
    // The sourced file's own directory is watched too.
    write(p.dir, 'lib/more.run', '# @desc Tool d\nd() echo d\n');
    assert.ok(await until(() => changes === 4, 3000), 'a sourced file that changes');
    assert.deepEqual(names(await client.listTools()), ['a', 'd', 'set_cwd', 'get_cwd', 'run_docs']);
});

test('a load is cached: its warnings are logged once until a file changes (§11.1, §13)', async (t) => {
    const p = project({ Runfile: A + '\n# @desc Clash\nclash(timeout) echo x\n' });
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.initialize();
    for (let i = 0; i < 4; i++) await s.request(`l${i}`, 'tools/list');
    await s.request('c', 'tools/call', { name: 'a', arguments: {} });
    const warn = "function 'clash' is not offered as an MCP tool";
    const count = () => s.stderr().split(warn).length - 1;
    assert.ok(await until(() => count() === 1, 1000), s.stderr());
    await sleep(300);
    assert.equal(count(), 1, s.stderr());
    fs.utimesSync(path.join(p.dir, 'Runfile'), new Date(), new Date(Date.now() + 5000));
    await s.request('l9', 'tools/list');
    assert.ok(await until(() => count() === 2, 1000), s.stderr());
    assert.match(s.stderr(), /^Runfile:\d+:\d+: warning: function 'clash' is not offered as an MCP tool: its parameter 'timeout' clashes with the built-in timeout argument$/m);
    await s.end();
});

test('list_changed only after notifications/initialized (§4.2, §11.3)', async (t) => {
    const p = project({ Runfile: A });
    t.after(p.cleanup);
    const s = rawServer(p);
    await s.request(1, 'initialize', { protocolVersion: '2025-11-25' });
    write(p.dir, 'Runfile', AB);
    await s.request(2, 'tools/list');
    await sleep(700);
    await s.request(3, 'ping');
    assert.deepEqual(s.lines, [], 'nothing before notifications/initialized');
    s.notify('notifications/initialized');
    write(p.dir, 'Runfile', A);
    const n = await s.next((m) => m.method, 3000);
    assert.equal(n.text, '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}');
    await s.end();
});

test('set_cwd to another project switches the tools and announces it after the result (§14.1)', async (t) => {
    const p = project({ Runfile: A });
    t.after(p.cleanup);
    const other = path.join(p.home, 'other');
    write(other, 'Runfile', '# @desc Tool z\nz() pwd\n');
    fs.mkdirSync(path.join(other, 'deep/er'), { recursive: true });
    const s = rawServer(p);
    await s.initialize();
    await s.request(1, 'tools/list');
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'set_cwd',
        arguments: { path: '../other/deep/er' } } });
    const first = await s.next();
    assert.equal(first.msg.id, 2);
    assert.deepEqual(first.msg.result, { content: [{ type: 'text',
        text: `Working directory changed to ${other}/deep/er\nRunfile: ${other}/Runfile` }],
        isError: false });
    const second = await s.next();
    assert.equal(second.msg.method, 'notifications/tools/list_changed');
    const list = await s.request(3, 'tools/list');
    assert.deepEqual(names(list.result), ['z', 'set_cwd', 'get_cwd', 'run_docs']);
    // Tools run in the session cwd; the server process stays where it was.
    const z = await s.request(4, 'tools/call', { name: 'z', arguments: {} });
    assert.equal(z.result.content[0].text.split('\n')[1], `${other}/deep/er`);
    assert.equal(fs.readlinkSync(`/proc/${s.child.pid}/cwd`), p.dir);
    // Out of every project: only the built-ins, and the Runfile tools are gone.
    const none = await s.request(5, 'tools/call', { name: 'set_cwd', arguments: { path: p.root } });
    assert.equal(none.result.content[0].text, `Working directory changed to ${p.root}\n` +
        'No Runfile found from this directory; only the built-in tools are available.');
    await s.next((m) => m.method === 'notifications/tools/list_changed');
    const gone = await s.request(6, 'tools/call', { name: 'z', arguments: {} });
    assert.deepEqual(gone.error, { code: -32602, message: 'Tool not found: z' });
    // Back into the same project: the same list as before, no notification for a set_cwd
    // that leaves it unchanged.
    await s.request(7, 'tools/call', { name: 'set_cwd', arguments: { path: other } });
    await s.next((m) => m.method === 'notifications/tools/list_changed');
    await s.request(8, 'tools/call', { name: 'set_cwd', arguments: { path: 'deep' } });
    await sleep(300);
    await s.request(9, 'ping');
    assert.deepEqual(s.lines, []);
    await s.end();
});

test('--runfile pins the Runfile for the whole session (§11.1, §14.1)', async (t) => {
    const p = project({ Runfile: A });
    t.after(p.cleanup);
    const other = path.join(p.home, 'other');
    write(other, 'Runfile', '# @desc Tool z\nz() pwd\n');
    const s = rawServer(p, { args: ['--runfile', 'Runfile'] });
    await s.initialize();
    const r = await s.request(1, 'tools/call', { name: 'set_cwd', arguments: { path: other } });
    assert.equal(r.result.content[0].text,
        `Working directory changed to ${other}\nRunfile: ${p.dir}/Runfile (fixed by --runfile)`);
    assert.deepEqual(names((await s.request(2, 'tools/list')).result),
        ['a', 'set_cwd', 'get_cwd', 'run_docs']);
    // The call runs in the session cwd.
    write(p.dir, 'Runfile', '# @desc Where\nwhere() pwd\n');
    const w = await s.request(3, 'tools/call', { name: 'where', arguments: {} });
    assert.equal(w.result.content[0].text.split('\n')[1], other);
    await s.end();
});

test('instructions carry the Runfile errors note; a fixed Runfile brings the tools back (§4.3, M7)', async (t) => {
    const p = project({ Runfile: '# @desc Broken\nbroken(a b) echo x\n' });
    t.after(p.cleanup);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    assert.match(client.getInstructions(), /errors/);
    assert.deepEqual(names(await client.listTools()), ['set_cwd', 'get_cwd', 'run_docs']);
    const r = await client.callTool({ name: 'broken', arguments: {} });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /^The Runfile has errors, so its tools cannot run:\n\nRunfile:2:/);
    write(p.dir, 'Runfile', '# @desc Fixed\nbroken(a, b) echo "$a$b"\n');
    const ok = await client.callTool({ name: 'broken', arguments: { a: 'x', b: 'y' } });
    assert.equal(ok.isError, false);
    assert.equal(textOf(ok).split('\n')[1], 'xy');
});

test('the prelude runs on every call, never for listing; --no-prelude skips it (§9.2)', async (t) => {
    const p = project({ Runfile: 'GREETING=hi\necho "prelude ran" >> prelude.log\n\n# @desc Say\nsay() echo "$GREETING"\n' });
    t.after(p.cleanup);
    const log = path.join(p.dir, 'prelude.log');
    const s = rawServer(p);
    await s.initialize();
    await s.request(1, 'tools/list');
    assert.ok(!fs.existsSync(log), 'listing runs nothing');
    const r = await s.request(2, 'tools/call', { name: 'say', arguments: {} });
    assert.equal(r.result.content[0].text.split('\n')[1], 'hi');
    await s.request(3, 'tools/call', { name: 'say', arguments: {} });
    assert.equal(fs.readFileSync(log, 'utf8'), 'prelude ran\nprelude ran\n');
    await s.end();
    fs.rmSync(log);
    const n = rawServer(p, { args: ['--no-prelude'] });
    await n.initialize();
    const r2 = await n.request(1, 'tools/call', { name: 'say', arguments: {} });
    assert.equal(r2.result.content[0].text.split('\n')[1], '');
    assert.ok(!fs.existsSync(log));
    await n.end();
});
