// mcpdrive: the MCP benchmark client (test/bench). Starts one stdio server, speaks JSON-RPC
// lines to it over plain pipes (no SDK, so the client costs the same for every server), runs
// the MCP figures and prints them as one JSON object on stdout.
//
//   node mcpdrive.mjs [--cwd DIR] [--outdir DIR] [--outdir-b DIR] [--seq 500] [--list-reps 50]
//                     [--tput-calls 200] [--inflight 16] [--reps 3] [--sleepers 16]
//                     [--nap-s 0.5] [--big-reps 5] [--big-bytes N]
//                     -- SERVER ARGS... [:: SERVER_B ARGS...]
//
// With two servers (ours and the floor), every figure alternates between them round by round,
// so both are measured under the same load; the output is a JSON array, one object per server.
// --outdir/--outdir-b are the servers' output directories, emptied around each big call.
// Every server must offer the tools `hi` (echo hi), `nap` (sleep --nap-s seconds) and `bigout`
// (writes --big-bytes bytes). Figures (times in ms):
//   list     tools/list latency, --list-reps sequential requests: median/min/max, tool count
//   seq      --seq sequential tools/call of hi: p50/p99/min/max round trip
//   tput     --tput-calls calls of hi with --inflight in flight, --reps times: calls/s
//   sleep    --sleepers calls of nap sent at once, --reps times: parallelism =
//            sleepers * nap / wall time (16 = perfect)
//   big      one bigout call, --big-reps times: MiB/s; rss_kb = the server's VmHWM after it
// A figure that fails gets {"error": "..."} and the others still run. Per-server stderr is
// inherited.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const opts = {
    cwd: process.cwd(), outdir: '', 'outdir-b': '', seq: 500, 'list-reps': 50, 'tput-calls': 200, inflight: 16,
    reps: 3, sleepers: 16, 'nap-s': 0.5, 'big-reps': 5, 'big-bytes': 104857600,
};
const argv = process.argv.slice(2);
let cmd = [];
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') { cmd = argv.slice(i + 1); break; }
    const k = argv[i].replace(/^--/, '');
    if (!(k in opts)) { console.error(`mcpdrive: unknown option ${argv[i]}`); process.exit(2); }
    opts[k] = typeof opts[k] === 'number' ? Number(argv[++i]) : argv[++i];
}
if (!cmd.length) { console.error('mcpdrive: no server command'); process.exit(2); }

// One server process and its pending requests.
class Server {
    constructor(cmd) {
        this.dead = null;
        this.pending = new Map();
        this.nextId = 1;
        this.buf = '';
        this.proc = spawn(cmd[0], cmd.slice(1), { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'inherit'] });
        this.proc.on('exit', (code, sig) => this.fail(`server exited (${sig || code})`));
        this.proc.on('error', (e) => this.fail(`cannot start server: ${e.message}`));
        this.proc.stdin.on('error', () => {});
        this.proc.stdout.setEncoding('utf8');
        this.proc.stdout.on('data', (chunk) => this.data(chunk));
    }

    fail(why) {
        if (!this.dead) this.dead = why;
        for (const [, p] of this.pending) p.reject(new Error(this.dead));
        this.pending.clear();
    }

    data(chunk) {
        this.buf += chunk;
        let nl;
        while ((nl = this.buf.indexOf('\n')) >= 0) {
            const line = this.buf.slice(0, nl);
            this.buf = this.buf.slice(nl + 1);
            if (!line.trim()) continue;
            // Both servers put "jsonrpc" then "id" first (mcp.md §2), so the id is read without
            // parsing the whole line: a big tools/list answer is parsed only when it is looked
            // at, and the client's JSON.parse does not weigh on the latency being measured.
            const m = /^\{"jsonrpc":"2\.0","id":(\d+),/.exec(line);
            let id = m ? Number(m[1]) : undefined;
            if (id === undefined) {
                try { id = JSON.parse(line).id; } catch { continue; }
            }
            const p = this.pending.get(id);
            if (!p) continue;
            this.pending.delete(id);
            p.resolve(line);
        }
    }

    request(method, params) {
        if (this.dead) return Promise.reject(new Error(this.dead));
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            this.proc.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
        });
    }

    notify(method) {
        if (!this.dead) this.proc.stdin.write(JSON.stringify({ jsonrpc: '2.0', method }) + '\n');
    }

    hwmKb() {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
        return m ? Number(m[1]) : null;
    }

    close() {
        this.proc.stdin.end();
        if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
        return new Promise((resolve) => {
            const killer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
            this.proc.on('exit', () => { clearTimeout(killer); resolve(); });
        });
    }
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function call(srv, name, want) {
    const t0 = now();
    const m = JSON.parse(await srv.request('tools/call', { name, arguments: {} }));
    const dt = now() - t0;
    if (m.error) throw new Error(`tools/call ${name}: ${m.error.message}`);
    const text = m.result?.content?.[0]?.text ?? '';
    if (m.result.isError) throw new Error(`tools/call ${name} failed: ${text.slice(0, 300)}`);
    if (want && !want.test(text)) throw new Error(`tools/call ${name}: unexpected text ${JSON.stringify(text.slice(0, 200))}`);
    return dt;
}

function stats(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const q = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
    const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return { n: s.length, median: med, min: s[0], max: s[s.length - 1], p99: q(0.99) };
}

function withTimeout(p, ms, what) {
    let t;
    return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); })])
        .finally(() => clearTimeout(t));
}

function cleanOutdir(dir) {
    if (!dir) return;
    try {
        for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
    } catch { /* not created yet */ }
}

// Run figure `name` on every server, `rounds` rounds, each round one `step(srv, state)` per
// server in turn, so that both servers see the same machine state. A server whose step throws
// gets {"error": ...} for this figure and is skipped for the rest of it.
async function figure(name, rounds, ms, step, finish) {
    const st = servers.map(() => ({ xs: [], error: null }));
    const deadline = now() + ms;
    for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < servers.length; k++) {
            if (st[k].error) continue;
            try {
                if (servers[k].dead) throw new Error(servers[k].dead);
                const left = deadline - now();
                if (left <= 0) throw new Error(`${name}: timed out after ${ms / 1000} s`);
                await withTimeout(step(servers[k], st[k], r), left, name);
            } catch (e) {
                st[k].error = e.message;
            }
        }
    }
    servers.forEach((srv, k) => {
        out[k][name] = st[k].error ? { error: st[k].error } : { ...stats(st[k].xs), ...(finish ? finish(srv, st[k]) : {}) };
    });
}

const cmds = [[]];
for (const w of cmd) {
    if (w === '::') cmds.push([]);
    else cmds[cmds.length - 1].push(w);
}
const outdirs = [opts.outdir, opts['outdir-b']];
const servers = cmds.map((c) => new Server(c));
const out = servers.map(() => ({}));

await figure('init', 1, 30000, async (srv, st) => {
    const t0 = now();
    const m = JSON.parse(await srv.request('initialize', {
        protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcpdrive', version: '1' },
    }));
    if (m.error) throw new Error(m.error.message);
    srv.notify('notifications/initialized');
    st.xs.push(now() - t0);
});

await figure('list', opts['list-reps'], 120000, async (srv, st) => {
    const t0 = now();
    const line = await srv.request('tools/list', {});
    st.xs.push(now() - t0);
    if (st.tools === undefined) {
        const m = JSON.parse(line);
        if (m.error) throw new Error(m.error.message);
        st.tools = m.result.tools.length;
        st.bytes = line.length;
    }
}, (srv, st) => ({ tools: st.tools, bytes: st.bytes }));

const chunk = 25;
await figure('seq', Math.ceil(opts.seq / chunk), 180000, async (srv, st) => {
    for (let i = 0; i < chunk && st.xs.length < opts.seq; i++) st.xs.push(await call(srv, 'hi', /\bhi\n/));
});

await figure('tput', opts.reps, 180000, async (srv, st) => {
    let started = 0;
    const t0 = now();
    const worker = async () => {
        while (started < opts['tput-calls']) {
            started++;
            await call(srv, 'hi', /\bhi\n/);
        }
    };
    await Promise.all(Array.from({ length: opts.inflight }, worker));
    st.xs.push(opts['tput-calls'] / ((now() - t0) / 1000));
});

await figure('sleep', opts.reps, 120000, async (srv, st) => {
    const t0 = now();
    await Promise.all(Array.from({ length: opts.sleepers }, () => call(srv, 'nap')));
    st.xs.push((opts.sleepers * opts['nap-s'] * 1000) / (now() - t0));
});

await figure('big', opts['big-reps'], 300000, async (srv, st) => {
    const k = servers.indexOf(srv);
    if (st.before === undefined) st.before = srv.hwmKb();
    cleanOutdir(outdirs[k]);
    const dt = await call(srv, 'bigout', /Output truncated: \d+ bytes/);
    cleanOutdir(outdirs[k]);
    st.xs.push(opts['big-bytes'] / 1048576 / (dt / 1000));
    st.rss = srv.hwmKb();
}, (srv, st) => ({ rss_kb_before: st.before, rss_kb: st.rss }));

servers.forEach((srv, k) => { out[k].server_error = srv.dead; });
await Promise.all(servers.map((srv) => srv.close()));
process.stdout.write(JSON.stringify(out) + '\n');
