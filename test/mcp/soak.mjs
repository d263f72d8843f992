// make soak: 10,000 tools/call requests through the official SDK client, 16 in flight, a mix of
// fast, slow, failing, huge-output, timed-out, cancelled, invalid and hostile calls. Every
// request must be answered exactly once (a cancelled one at most once, and only when the call
// had already ended), every answer must be the specified one, and the server's open fds, RSS
// and child processes must not grow: the figures at start and end are printed.
//
// Usage: node soak.mjs [TOTAL] [IN_FLIGHT]   (RUN_BIN names the binary; defaults 10000, 16)
import fs from 'node:fs';
import path from 'node:path';
import { project, sdkClient, textOf, sleep } from './helpers.mjs';

const TOTAL = Number(process.argv[2] || 10000);
const IN_FLIGHT = Number(process.argv[3] || 16);
const TAG = `run-soak-${process.pid}-${Date.now()}`;

const RUNFILE = `
# @desc Answer at once
fast(n) echo "fast $n"

# @desc Answer after a while
slow(n, secs: float = 0.2) { sleep "$secs"; echo "slow $n"; }

# @desc Fail with status 3
fail(n) { echo "out $n"; echo "failing $n" >&2; exit 3; }

# @desc A lot of output
# @noerrexit
huge(n, bytes: int = 200000) yes "line $n" | head -c "$bytes"

# @desc Hang with a background child (for timeouts and cancellation)
hang(n) { sleep 30 & wait; }

# @desc Print every argument in brackets
args(...words) printf '[%s]' "$@"
`;

const HOSTILE = ['--list', '-h', '$(touch pwned)', '`touch pwned`', '; touch pwned', "'\"", '*', '',
    'line\nbreak', 'ünï😀'];

// The kind of call number i: a fixed pattern, so every run does the same mix.
const KINDS = [
    ...Array(10).fill('fast'), 'slow', 'slow', 'fail', 'fail', 'fail', 'huge', 'timeout', 'cancel',
    'invalid', 'hostile',
];
const kindOf = (i) => KINDS[(i * 7) % KINDS.length];

function procStats(pid, tag) {
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
    // Children: every live process (not a zombie) that carries this run's tag in its
    // environment, wherever it was re-parented to, apart from the server itself.
    let children = 0;
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d) || Number(d) === pid) continue;
        try {
            const env = fs.readFileSync(`/proc/${d}/environ`, 'latin1');
            if (!env.includes(`RUN_SOAK_TAG=${tag}\0`)) continue;
            const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
            if (st.slice(st.lastIndexOf(')') + 2)[0] !== 'Z') children++;
        } catch { /* gone meanwhile */ }
    }
    return { fds, rssKiB: rss, children };
}

const p = project({ Runfile: RUNFILE });
const outDir = path.join(p.root, 'out');
let failures = 0;
function fail(msg) {
    failures++;
    if (failures <= 20) console.log(`soak: FAIL ${msg}`);
}

const { client, transport, stderr } = await sdkClient(p, { env: { RUN_SOAK_TAG: TAG, RUN_MCP_OUTPUT_DIR: outDir } });
const pid = transport.pid;

// Count every response by id on the raw stream, under the SDK.
const answers = new Map();
const inner = transport.onmessage;
transport.onmessage = (msg, extra) => {
    if (msg && 'id' in msg && ('result' in msg || 'error' in msg))
        answers.set(msg.id, (answers.get(msg.id) || 0) + 1);
    inner(msg, extra);
};
// The SDK numbers its requests; remember which id each call got, and which were cancelled.
const sent = [];
const idByN = new Map();
const innerSend = transport.send.bind(transport);
transport.send = (msg, opts) => {
    if (msg.method === 'tools/call') {
        sent.push(msg.id);
        idByN.set(msg.params.arguments.n, msg.id);
    }
    return innerSend(msg, opts);
};
const cancelledIds = new Set();
const lateCancel = new Set();

const counts = {};
async function one(i) {
    const kind = kindOf(i);
    counts[kind] = (counts[kind] || 0) + 1;
    const n = String(i);
    try {
        switch (kind) {
        case 'fast': {
            const r = await client.callTool({ name: 'fast', arguments: { n } });
            if (r.isError || !/^Execution: `fast` ✓ Success \(\d+ms\)\nfast \d+\n$/.test(textOf(r)) || !textOf(r).endsWith(`fast ${n}\n`))
                fail(`fast ${n}: ${textOf(r)}`);
            break;
        }
        case 'slow': {
            const r = await client.callTool({ name: 'slow', arguments: { n, secs: 0.1 + (i % 4) * 0.1 } });
            if (r.isError || !textOf(r).endsWith(`\nslow ${n}\n`)) fail(`slow ${n}: ${textOf(r)}`);
            break;
        }
        case 'fail': {
            const r = await client.callTool({ name: 'fail', arguments: { n } });
            const want = new RegExp(`^Execution: \`fail\` ✗ Failed \\(\\d+ms\\)\nout ${n}\n\\*\\*Stderr:\\*\\*\n\`\`\`\nfailing ${n}\n\`\`\`\n\n\\*\\*Exit Code:\\*\\* 3\n$`);
            if (!r.isError || !want.test(textOf(r))) fail(`fail ${n}: ${textOf(r)}`);
            break;
        }
        case 'huge': {
            const bytes = 150000 + (i % 5) * 20000;
            const r = await client.callTool({ name: 'huge', arguments: { n, bytes } });
            const m = /^\[Output truncated: (\d+) bytes, showing last (\d+) bytes\]\n\[Full output saved to: (.*)\]\n/m.exec(textOf(r));
            if (r.isError || !m || Number(m[1]) !== bytes) { fail(`huge ${n}: ${textOf(r).slice(0, 300)}`); break; }
            const size = fs.statSync(m[3]).size;
            if (size !== bytes) fail(`huge ${n}: file has ${size} bytes, not ${bytes}`);
            fs.unlinkSync(m[3]);
            break;
        }
        case 'timeout': {
            const r = await client.callTool({ name: 'hang', arguments: { n, timeout: 1 } });
            if (!r.isError || !/^Execution: `hang` ✗ Timed out \(\d+ms\)\n\*\*Timed out after 1 s:\*\* the command was stopped with SIGTERM\.\n$/.test(textOf(r)))
                fail(`timeout ${n}: ${textOf(r)}`);
            break;
        }
        case 'cancel': {
            const ac = new AbortController();
            const call = client.callTool({ name: 'hang', arguments: { n } }, undefined, { signal: ac.signal });
            await sleep(50 + (i % 5) * 50);
            const id = idByN.get(n);
            cancelledIds.add(id);
            if (answers.has(id)) lateCancel.add(id);
            ac.abort('soak');
            try { await call; fail(`cancel ${n}: answered`); } catch { /* the SDK rejects at once */ }
            break;
        }
        case 'invalid': {
            const r = await client.callTool({ name: 'slow', arguments: { n: [n], secs: 'x', timeout: -1 } });
            const want = `Invalid arguments for tool 'slow': 'n' must be a string, got ["${n}"]; 'secs' must be a number, got "x"; 'timeout' must be a non-negative integer, got -1`;
            if (!r.isError || textOf(r) !== want) fail(`invalid ${n}: ${textOf(r)}`);
            break;
        }
        case 'hostile': {
            const r = await client.callTool({ name: 'args', arguments: { words: [n, ...HOSTILE] } });
            const want = [n, ...HOSTILE].map((w) => `[${w}]`).join('') + '\n';
            if (r.isError || !textOf(r).endsWith(`)\n${want}`)) fail(`hostile ${n}: ${textOf(r)}`);
            break;
        }
        }
    } catch (e) {
        fail(`${kind} ${n}: ${e.message}`);
    }
}

async function runRange(from, to) {
    let next = from;
    const worker = async () => {
        while (next < to) await one(next++);
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

const t0 = Date.now();
// Warm up with the first tenth of the calls (at most 1,000), so that the start figures
// include the server's steady-state buffers (and, under ASan, a full quarantine), then measure.
const WARM = Math.min(1000, Math.floor(TOTAL / 10 / KINDS.length) * KINDS.length) || KINDS.length;
await runRange(0, WARM);
await sleep(1500);
const start = procStats(pid, TAG);
const samples = [start];
// While calls run, the same probe must see their processes (or it proves nothing at the end).
let peakChildren = 0;
const sampler = setInterval(() => {
    try { peakChildren = Math.max(peakChildren, procStats(pid, TAG).children); } catch { /* exiting */ }
}, 1000);
console.log(`soak: start (after ${WARM} calls)  fds ${start.fds}  rss ${start.rssKiB} KiB  children ${start.children}`);
for (let from = WARM; from < TOTAL; from += 1000) {
    await runRange(from, Math.min(TOTAL, from + 1000));
    const s = procStats(pid, TAG);
    samples.push(s);
    console.log(`soak: ${Math.min(TOTAL, from + 1000)} calls  fds ${s.fds}  rss ${s.rssKiB} KiB  children ${s.children}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
clearInterval(sampler);
// Let cancelled calls' groups and drains finish, then take the end figures.
await sleep(2500);
const end = procStats(pid, TAG);
console.log(`soak: end    fds ${end.fds}  rss ${end.rssKiB} KiB  children ${end.children}`);

// Exactly once: every call the SDK sent was answered once; cancelled ones never, unless the
// answer had already arrived when the cancellation was sent.
let missing = 0, doubled = 0, cancelledAnswered = 0;
for (const id of sent) {
    const c = answers.get(id) || 0;
    if (cancelledIds.has(id)) {
        if (c > 1) doubled++;
        if (c === 1 && !lateCancel.has(id)) cancelledAnswered++;
    } else if (c === 0) missing++;
    else if (c > 1) doubled++;
}
const leftovers = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => !f.startsWith('.')) : [];
await client.close();
await sleep(500);
const after = procStats(process.pid, TAG).children; // the server is gone: nothing may carry the tag
const pwned = fs.existsSync(path.join(p.dir, 'pwned'));
p.cleanup();

const secs = (Date.now() - t0) / 1000;
console.log(`soak: ${sent.length} calls in ${secs.toFixed(1)} s (${IN_FLIGHT} in flight): ${JSON.stringify(counts)}`);
console.log(`soak: answers missing ${missing}, duplicated ${doubled}, after cancellation ${cancelledAnswered} (late cancels ${lateCancel.size}); output files left ${leftovers.length}; processes after close ${after}`);
const rssMax = Math.max(...samples.map((s) => s.rssKiB));
console.log(`soak: peak child processes while running ${peakChildren}`);
console.log(`soak: rss min ${Math.min(...samples.map((s) => s.rssKiB))} max ${rssMax} KiB; fds max ${Math.max(...samples.map((s) => s.fds))}`);

if (sent.length !== TOTAL) fail(`${sent.length} calls sent, not ${TOTAL}`);
if (missing || doubled || cancelledAnswered) fail('a request was not answered exactly once');
if (end.fds > start.fds) fail(`fds grew from ${start.fds} to ${end.fds}`);
// RSS noise: allocator caching of the 64 KiB output tails and JSON buffers of 16 calls.
if (end.rssKiB > start.rssKiB + Math.max(4096, start.rssKiB / 5)) fail(`rss grew from ${start.rssKiB} to ${end.rssKiB} KiB`);
if (peakChildren === 0) fail('the child probe never saw a call process');
if (end.children !== 0) fail(`${end.children} processes of calls left at the end`);
if (after !== 0) fail(`${after} processes left after the server exited`);
if (leftovers.length) fail(`output files of cancelled calls left: ${leftovers.slice(0, 3)}`);
if (pwned) fail('a hostile value ran as shell code');
// Under `make soak BUILD=build/asan` the sanitizers report to stderr (leaks at exit).
if (/Sanitizer|runtime error/.test(stderr())) fail(`sanitizer report:\n${stderr().slice(0, 3000)}`);
console.log(failures ? `soak: FAILED (${failures} problems)` : 'soak: ok');
process.exit(failures ? 1 : 0);
