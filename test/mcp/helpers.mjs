// Shared helpers of the MCP tests: temporary projects, the official SDK client, and a raw
// line writer for what no SDK would send. RUN_BIN names the binary under test.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const RUN_BIN = process.env.RUN_BIN
    ? path.resolve(process.env.RUN_BIN)
    : path.resolve(new URL('../../build/run', import.meta.url).pathname);

// A fresh directory tree: <root>/home is HOME (no ~/.runfile), <root>/home/proj the project.
// 'files' maps paths relative to the project to their text.
export function project(files = {}) {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'run-mcp-')));
    const home = path.join(root, 'home');
    const dir = path.join(home, 'proj');
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) write(dir, name, text);
    return { root, home, dir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

export function write(dir, name, text) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
}

export function serverEnv(p, extra = {}) {
    const env = { ...process.env, HOME: p.home, ...extra };
    for (const k of ['RUN_SHELL', 'RUN_MCP_OUTPUT_DIR', 'RUN_NO_GLOBAL_MERGE', 'RUN_RUNFILE_DIR',
        'RUN_MCP_MAX_CONCURRENCY', 'RUN_MCP_MAX_FRAME', 'RUN_LOG'])
        if (!(k in extra)) delete env[k];
    return env;
}

// The official client over stdio. Returns { client, transport, stderr() }.
export async function sdkClient(p, { cwd = p.dir, env = {}, args = [], capabilities = {} } = {}) {
    const transport = new StdioClientTransport({
        command: RUN_BIN,
        args: ['--serve-mcp', ...args],
        cwd,
        env: serverEnv(p, env),
        stderr: 'pipe',
    });
    let err = '';
    transport.stderr?.on('data', (d) => { err += d; });
    const client = new Client({ name: 'run-tests', version: '1.0.0' }, { capabilities });
    await client.connect(transport);
    return { client, transport, stderr: () => err };
}

// A raw server: write lines, read lines. Each line read is parsed JSON (or the raw text when
// it is not JSON, which would be a bug the tests then show).
export function rawServer(p, { cwd = p.dir, env = {}, args = [], stdin = 'pipe' } = {}) {
    const child = spawn(RUN_BIN, ['--serve-mcp', ...args], {
        cwd,
        env: serverEnv(p, env),
        stdio: [stdin, 'pipe', 'pipe'],
    });
    const lines = [];
    const waiters = [];
    let buf = '';
    let stderr = '';
    const exited = new Promise((resolve) => {
        child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            let v;
            try { v = JSON.parse(line); } catch { v = { unparsable: line }; }
            lines.push({ text: line, msg: v });
            flush();
        }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    // Writing to a server that already exited is part of some tests (EPIPE, shutdown).
    child.stdin?.on('error', () => {});
    function flush() {
        while (waiters.length) {
            const w = waiters[0];
            const idx = lines.findIndex((l) => w.pred(l.msg));
            if (idx < 0) return;
            waiters.shift();
            clearTimeout(w.timer);
            w.resolve(lines.splice(idx, 1)[0]);
        }
    }
    const api = {
        child,
        exited,
        stderr: () => stderr,
        // Write raw text (a '\n' is not added) or an object (as one line).
        send(x) {
            child.stdin.write(typeof x === 'string' || Buffer.isBuffer(x) ? x : JSON.stringify(x) + '\n');
        },
        // The next line for which pred(msg) is true (default: any), as { text, msg }.
        next(pred = () => true, ms = 10000) {
            return new Promise((resolve, reject) => {
                const w = { pred, resolve };
                w.timer = setTimeout(() => {
                    waiters.splice(waiters.indexOf(w), 1);
                    reject(new Error(`no matching line within ${ms} ms; stderr: ${stderr}`));
                }, ms);
                waiters.push(w);
                flush();
            });
        },
        // The response to request 'id' (same value and type).
        response(id, ms) {
            return api.next((m) => m && m.id === id && ('result' in m || 'error' in m), ms);
        },
        // Send a request and wait for its response; returns the parsed response.
        async request(id, method, params, ms) {
            const m = { jsonrpc: '2.0', id, method };
            if (params !== undefined) m.params = params;
            api.send(m);
            return (await api.response(id, ms)).msg;
        },
        notify(method, params) {
            const m = { jsonrpc: '2.0', method };
            if (params !== undefined) m.params = params;
            api.send(m);
        },
        async initialize(version = '2025-11-25') {
            const r = await api.request('init', 'initialize', {
                protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' },
            });
            api.notify('notifications/initialized');
            return r;
        },
        lines,
        // Close stdin and wait for the exit.
        async end() {
            child.stdin.end();
            return exited;
        },
    };
    return api;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// True while a process with this pid runs (signal 0 probes without sending anything). A
// zombie does not count: it is dead and only waits for its new parent (an orphan's is the
// container's init, which may reap late) to collect it.
export function alive(pid) {
    try { process.kill(pid, 0); } catch (e) { return e.code === 'EPERM'; }
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch { return false; }
}

// Wait until 'cond()' is true or 'ms' passed; returns the last value.
export async function until(cond, ms = 5000, step = 50) {
    const end = Date.now() + ms;
    let v = await cond();
    while (!v && Date.now() < end) {
        await sleep(step);
        v = await cond();
    }
    return v;
}

export function textOf(result) {
    return result.content.map((c) => c.text).join('');
}

// Replace the duration of a report header with <ms>.
export function normMs(text) {
    return text.replace(/\((\d+)ms\)/, '(<ms>ms)');
}
