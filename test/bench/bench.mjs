// bench.mjs: the `make bench` driver (called by run.sh). Generates the Runfiles, measures
// `run` against its floors in the same run, and prints one markdown table (also written to
// BUILD/bench/RESULTS.md). Never fails on a figure: a command that fails shows `n/a (error)`.
//
//   node test/bench/bench.mjs BUILD
// env: BENCH_QUICK=1 for a fast smoke run; BENCH_UPDATE=1 to refresh test/bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';

const BUILD = resolve(process.argv[2] || 'build');
const BIN = join(BUILD, 'bench');
const RUN = join(BUILD, 'run');
const WORK = join(BIN, 'work');
const HERE = resolve(new URL('.', import.meta.url).pathname);
const QUICK = !!process.env.BENCH_QUICK;
const SIZES = [10, 1000, 10000, 100000];
// Repetitions per size (interleaved, every command once per repetition) and a time cap.
const REPS = QUICK ? { 10: 10, 1000: 10, 10000: 5, 100000: 3 } : { 10: 200, 1000: 200, 10000: 50, 100000: 10 };
const CAP_S = QUICK ? 5 : 60;
const BIG = 104857600;
const log = (...a) => console.error('bench:', ...a);

mkdirSync(WORK, { recursive: true });
const HOME = join(WORK, 'home');
mkdirSync(HOME, { recursive: true });
const ENV = { ...process.env, HOME, RUN_NO_GLOBAL_MERGE: '1', NO_COLOR: '1' };
delete ENV.RUN_SHELL;

function sh(cmd, args, opt = {}) {
    const r = spawnSync(cmd, args, { env: ENV, maxBuffer: 1 << 30, encoding: 'utf8', ...opt });
    return { status: r.status, signal: r.signal, stdout: r.stdout || '', stderr: r.stderr || '', error: r.error };
}

function firstLine(s) {
    return (s || '').split('\n').find((l) => l.trim()) || '';
}

// ---- inputs -------------------------------------------------------------------------------
const dirs = {};
for (const n of SIZES) {
    const d = join(WORK, `n${n}`);
    mkdirSync(d, { recursive: true });
    const fd = openSync(join(d, 'Runfile'), 'w');
    const r = spawnSync(join(BIN, 'genrunfile'), [String(n)], { stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    if (r.status !== 0) throw new Error(`genrunfile ${n} failed`);
    dirs[n] = d;
}
const mcpDir = dirs[1000];
const bigPath = join(mcpDir, 'big.txt');
if (!existsSync(bigPath) || statSync(bigPath).size !== BIG) {
    const line = 'x'.repeat(99) + '\n';
    const block = Buffer.from(line.repeat(10486).slice(0, 1048576)); // 1 MiB, lines across blocks
    const fd = openSync(bigPath, 'w');
    for (let i = 0; i < BIG / block.length; i++) writeSync(fd, block);
    closeSync(fd);
}

// ---- validation: does `run` work, and does it print what the floors print? ---------------
const check = {};
for (const n of SIZES) {
    const d = dirs[n];
    const c = (check[n] = {});
    const hi = sh(RUN, ['hi'], { cwd: d });
    c.hi = hi.status === 0 && hi.stdout === 'hi\n' ? null : `exit ${hi.status ?? hi.signal}: ${firstLine(hi.stderr) || JSON.stringify(hi.stdout.slice(0, 60))}`;
    for (const [mode, floor] of [['--list', 'floor_list'], ['--inspect', 'floor_inspect']]) {
        const ours = sh(RUN, [mode], { cwd: d });
        const fl = sh(join(BIN, floor), [], { cwd: d });
        if (fl.status !== 0) throw new Error(`${floor} failed at N=${n}: ${fl.stderr}`);
        if (ours.status !== 0) c[mode] = { error: `exit ${ours.status ?? ours.signal}: ${firstLine(ours.stderr)}` };
        else c[mode] = { same: ours.stdout === fl.stdout, warnings: ours.stderr.split('\n').filter(Boolean).length };
    }
}

// ---- wall time: posix_spawn + wait, interleaved ------------------------------------------
const CMDS = [
    ['run_hi', [RUN, 'hi']],
    ['bash_hi', ['bash', '-c', 'echo hi']],
    ['sh_hi', ['/bin/sh', '-c', 'echo hi']],
    ['run_list', [RUN, '--list']],
    ['floor_list', [join(BIN, 'floor_list')]],
    ['run_inspect', [RUN, '--inspect']],
    ['floor_inspect', [join(BIN, 'floor_inspect')]],
    ['run_version', [RUN, '--version']],
    ['ideal_hi', [join(BIN, 'ideal_run'), 'hi']],
    ['true', ['/bin/true']],
];
const wall = {};
for (const n of SIZES) {
    log(`timing N=${n} (${REPS[n]} repetitions)`);
    const args = ['-n', String(REPS[n]), '-w', '2', '-t', String(CAP_S), '--'];
    CMDS.forEach(([, argv], i) => args.push(...(i ? ['::'] : []), ...argv));
    const r = sh(join(BIN, 'spawnbench'), args, { cwd: dirs[n] });
    const lines = r.stdout.trim().split('\n');
    wall[n] = {};
    CMDS.forEach(([key], i) => {
        const f = (lines[i] || 'error no output').split(' ');
        wall[n][key] = f[0] === 'ok' ? { reps: +f[1], median: f[2] / 1000, min: f[3] / 1000, max: f[4] / 1000 } : { error: f.slice(1).join(' ') };
    });
}

// ---- instruction counts (callgrind): noise-free, run's own process only ------------------
const IR_CMDS = [['run_hi', [RUN, 'hi']], ['run_list', [RUN, '--list']], ['floor_list', [join(BIN, 'floor_list')]],
    ['run_inspect', [RUN, '--inspect']], ['floor_inspect', [join(BIN, 'floor_inspect')]]];
const ir = {};
const haveValgrind = sh('valgrind', ['--version']).status === 0;
for (const n of SIZES) {
    ir[n] = {};
    if (!haveValgrind) continue;
    log(`callgrind N=${n}`);
    for (const [key, argv] of IR_CMDS) {
        if (key === 'run_hi' && n === 100000) continue; // 2.5G Ir, and the same load as --list
        const r = sh('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...argv], { cwd: dirs[n] });
        const m = /Collected\s*:\s*(\d+)/.exec(r.stderr);
        ir[n][key] = m && r.status === 0 ? Number(m[1]) : null;
    }
}

// ---- MCP ---------------------------------------------------------------------------------
let mcp = null;
{
    log('MCP figures');
    const shm = existsSync('/dev/shm') ? '/dev/shm' : WORK;
    const outOurs = join(shm, `run-bench-ours-${process.pid}`);
    const outFloor = join(shm, `run-bench-floor-${process.pid}`);
    // The floor serves the same tool list: the floor lister's --inspect text, compacted.
    const insp = sh(join(BIN, 'floor_inspect'), [], { cwd: mcpDir });
    const toolsJson = join(WORK, 'tools-1000.json');
    writeFileSync(toolsJson, JSON.stringify(JSON.parse(insp.stdout).tools));
    const driver = ['--cwd', mcpDir, '--outdir', outOurs, '--outdir-b', outFloor];
    if (QUICK) driver.push('--seq', '50', '--list-reps', '5', '--reps', '1', '--big-reps', '1');
    else driver.push('--reps', '5');
    const r = spawnSync('node', [join(HERE, 'mcpdrive.mjs'), ...driver, '--',
        RUN, '--serve-mcp', '::',
        join(BIN, 'floor_mcp'), '-s', 'bash', '-o', outFloor, '-t', toolsJson,
        'hi=echo hi', 'nap=sleep 0.5', 'bigout=cat big.txt'],
    { env: { ...ENV, RUN_MCP_OUTPUT_DIR: outOurs }, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 900000 });
    rmSync(outOurs, { recursive: true, force: true });
    rmSync(outFloor, { recursive: true, force: true });
    try {
        mcp = JSON.parse(r.stdout);
    } catch {
        mcp = [{ error: `driver failed: ${firstLine(r.stderr)}` }, {}];
    }
    if (r.stderr.trim()) writeFileSync(join(WORK, 'mcp-stderr.log'), r.stderr);
}

// ---- MCP server instructions per request (callgrind; user space only, no fork/exec cost) ---
const mcpIr = { ours: {}, floor: {} };
if (haveValgrind) {
    log('callgrind MCP servers');
    const init = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}\n';
    const reqs = (k, f) => init + Array.from({ length: k }, (_, i) => f(i + 2) + '\n').join('');
    const list = (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/list"}`;
    const callHi = (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"hi","arguments":{}}}`;
    const servers = {
        ours: [RUN, '--serve-mcp'],
        floor: [join(BIN, 'floor_mcp'), '-s', 'bash', '-o', join(WORK, 'ir-out'), '-t', join(WORK, 'tools-1000.json'), 'hi=echo hi'],
    };
    const K = 10;
    for (const [name, argv] of Object.entries(servers)) {
        const counts = {};
        for (const [fig, f] of [['list', list], ['call', callHi]]) {
            for (const k of [1, K + 1]) {
                const input = join(WORK, `ir-${fig}-${k}.jsonl`);
                writeFileSync(input, reqs(k, f));
                // stdin stays open 3 s after the requests, so every call ends before EOF.
                const r = sh('bash', ['-c', '(cat "$0"; sleep 3) | valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" >/dev/null', input, ...argv], { cwd: mcpDir });
                const m = /Collected\s*:\s*(\d+)/.exec(r.stderr);
                counts[`${fig}${k}`] = m ? Number(m[1]) : null;
            }
            const a = counts[`${fig}1`], b = counts[`${fig}${K + 1}`];
            mcpIr[name][fig] = a && b ? (b - a) / K : null;
        }
    }
    rmSync(join(WORK, 'ir-out'), { recursive: true, force: true });
}

// ---- the table ---------------------------------------------------------------------------
const rows = [];
const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x >= 1000 ? x.toFixed(0) : x.toFixed(d));
const cell = (s) => (!s ? 'n/a' : s.error ? `n/a (error)` : `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`);
const ratio = (a, b) => (a && b && !a.error && !b.error ? a.median / b.median : null);
const status = (r, ok) => (r === null ? 'n/a' : ok(r) ? 'met' : '**MISSED**');
const notes = [];
function row(figure, n, ours, floor, floorName, r, target, st, note = '') {
    rows.push(`| ${figure} | ${n} | ${ours} | ${floor} | ${floorName} | ${r === null ? 'n/a' : fmt(r) + '×'} | ${target} | ${st} | ${note} |`);
}
const irNote = (n, a, b) => (ir[n][a] && ir[n][b] ? `Ir ${fmt(ir[n][a] / 1e6, 1)}M vs ${fmt(ir[n][b] / 1e6, 1)}M (${fmt(ir[n][a] / ir[n][b])}×)` : '');

for (const n of SIZES) {
    const w = wall[n];
    const r = ratio(w.run_hi, w.bash_hi);
    const err = check[n].hi ? `n/a (error): ${check[n].hi}` : '';
    const shR = ratio(w.run_hi, w.sh_hi);
    const note = [err, shR ? `${fmt(shR)}× sh -c (${fmt(w.sh_hi.median)} ms)` : '', ir[n].run_hi ? `run's own Ir ${fmt(ir[n].run_hi / 1e6, 2)}M` : '', `${w.run_hi.reps ?? 0} reps`].filter(Boolean).join('; ');
    row('`run hi` start-up, ms', n.toLocaleString('en'), check[n].hi ? 'n/a (error)' : cell(w.run_hi), cell(w.bash_hi), "spawn `bash -c 'echo hi'`", check[n].hi ? null : r,
        n === 1000 ? '≤ 1.10×' : '', n === 1000 ? status(check[n].hi ? null : r, (x) => x <= 1.10) : '', note);
}
{
    // Reference points for the start-up figures: what any process and `run` itself cost, and
    // the best a separate runner program can do (ideal_run: one-pass scan, then exec bash).
    const w = wall[1000];
    row('reference: `run --version`, ms', '–', cell(w.run_version), cell(w.true), 'spawn `/bin/true`', ratio(w.run_version, w.true), '', '',
        'the process cost every `run` invocation pays before reading the Runfile');
    for (const n of SIZES) {
        const v = wall[n];
        row('reference: ideal runner `hi`, ms', n.toLocaleString('en'), cell(v.ideal_hi), cell(v.bash_hi), "spawn `bash -c 'echo hi'`", ratio(v.ideal_hi, v.bash_hi), '', '',
            'test/bench/ideal_run: one-pass scan of the Runfile, then exec of bash (no fork); the lower bound of any runner that is a program of its own');
    }
}
for (const [mode, key, floorKey, floorName, target] of [['--list', 'run_list', 'floor_list', 'one-pass lister (sorts)', 2], ['--inspect', 'run_inspect', 'floor_inspect', 'one-pass inspector', 2.5]]) {
    for (const n of SIZES) {
        const w = wall[n];
        const c = check[n][mode];
        const bad = c.error;
        const r = bad ? null : ratio(w[key], w[floorKey]);
        const note = [bad ? `n/a (error): ${c.error}` : c.same ? 'output identical to floor' : '**output differs from floor**',
            mode === '--inspect' && !bad && ratio(w[key], w.floor_list) ? `${fmt(ratio(w[key], w.floor_list))}× the lister` : '',
            irNote(n, key, floorKey), `${w[key].reps ?? 0} reps`].filter(Boolean).join('; ');
        row(`\`run ${mode}\`, ms`, n.toLocaleString('en'), bad ? 'n/a (error)' : cell(w[key]), cell(w[floorKey]), floorName, r,
            n === 10000 ? `≤ ${target}×` : '', n === 10000 ? status(r, (x) => x <= target) : '', note);
    }
    // Cost per 1,000 functions between successive sizes: linear growth = equal slopes.
    const slope = (src, k, a, b) => (src[b]?.[k] != null && src[a]?.[k] != null ? ((val(src[b][k]) - val(src[a][k])) / (b - a)) * 1000 : null);
    const val = (x) => (typeof x === 'number' ? x : x.error ? NaN : x.median);
    const sW = [slope(wall, key, 1000, 10000), slope(wall, key, 10000, 100000)];
    const sF = [slope(wall, floorKey, 1000, 10000), slope(wall, floorKey, 10000, 100000)];
    const sI = [slope(ir, key, 1000, 10000), slope(ir, key, 10000, 100000)];
    const bad = check[100000][mode].error || check[10000][mode].error;
    const lin = bad || sI[0] === null ? null : sI[1] / sI[0];
    row(`\`run ${mode}\` cost per 1,000 functions`, '1k→10k, 10k→100k',
        bad ? 'n/a (error)' : `${fmt(sW[0])}, ${fmt(sW[1])} ms`, `${fmt(sF[0])}, ${fmt(sF[1])} ms`, 'floor slope',
        bad ? null : sW[1] / sF[1], 'linear', status(lin, (x) => x <= 1.25),
        sI[0] !== null && !bad ? `Ir per 1k: ${fmt(sI[0] / 1e6)}M, ${fmt(sI[1] / 1e6)}M (slope ratio ${fmt(lin)}, linear if ≤ 1.25)` : '');
}

const [mo, mf] = mcp;
const g = (o, k) => (o && o[k] ? o[k] : { error: (o && o.error) || 'missing' });
const mrow = (figure, k, field, floorName, target, ok, unit, extra = '') => {
    const a = g(mo, k), b = g(mf, k);
    const A = a.error ? null : a[field], B = b.error ? null : b[field];
    const r = A != null && B ? A / B : null;
    const c = (o, f) => (o.error ? 'n/a (error)' : f === 'median' ? cell(o) : fmt(o[f]));
    row(figure, '1,000', c(a, field), c(b, field), floorName, r, target, target ? status(r, ok) : '',
        [a.error ? `error: ${a.error}` : '', extra, a.n ? `${a.n} samples` : '', unit].filter(Boolean).join('; '));
};
const lo = g(mo, 'list');
const irPer = (fig) => (mcpIr.ours[fig] && mcpIr.floor[fig] ? `server Ir per request ${fmt(mcpIr.ours[fig] / 1e6, 2)}M vs ${fmt(mcpIr.floor[fig] / 1e6, 3)}M (user space)` : '');
rows.push('| | | | | | | | | |');
row('MCP `tools/list` latency, ms', '1,000', cell(lo), cell(g(mf, 'list')), 'floor server (constant)',
    ratio(lo, g(mf, 'list')), '< 5 ms', lo.error ? 'n/a' : lo.median < 5 ? 'met' : '**MISSED**',
    [lo.error ? `error: ${lo.error}` : `${lo.tools} tools, ${fmt(lo.bytes / 1024, 0)} KiB`, `${lo.n ?? 0} samples`, irPer('list')].filter(Boolean).join('; '));
mrow('MCP `tools/call` round trip p50, ms', 'seq', 'median', 'floor server', '≤ 1.25×', (x) => x <= 1.25, 'sequential, `hi`', irPer('call'));
mrow('MCP `tools/call` round trip p99, ms', 'seq', 'p99', 'floor server', '', null, 'sequential, `hi`');
mrow('MCP 200 calls, 16 in flight, calls/s', 'tput', 'median', 'floor server', '≥ 0.8×', (x) => x >= 0.8, 'throughput');
mrow('MCP 16 sleeping calls, parallelism', 'sleep', 'median', 'floor server', '≥ 0.95×', (x) => x >= 0.95, '16 × `sleep 0.5` sent at once; 16 = perfect');
mrow('MCP 100 MiB output, MiB/s', 'big', 'median', 'floor server (splice)', '≥ 0.8×', (x) => x >= 0.8, 'output dir on /dev/shm');
{
    const a = g(mo, 'big'), b = g(mf, 'big');
    const r = !a.error && !b.error && a.rss_kb && b.rss_kb ? a.rss_kb / b.rss_kb : null;
    row('MCP peak RSS after 100 MiB calls, MiB', '1,000', a.error ? 'n/a (error)' : fmt(a.rss_kb / 1024, 1), b.error ? 'n/a (error)' : fmt(b.rss_kb / 1024, 1),
        'floor server', r, '≤ 4×', status(r, (x) => x <= 4), a.error ? '' : `VmHWM; before the big calls: ${fmt(a.rss_kb_before / 1024, 1)} vs ${fmt(b.rss_kb_before / 1024, 1)} MiB`);
}

const git = (args) => sh('git', args, { cwd: HERE }).stdout.trim();
const commit = git(['rev-parse', '--short', 'HEAD']) + (git(['status', '--porcelain', '--untracked-files=no']) ? ' (+ local changes)' : '');
const cpu = (cpus()[0] && cpus()[0].model) || 'unknown';
const head = [
    `Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}  `,
    `Machine: ${cpus().length} CPUs (nproc ${sh('nproc', []).stdout.trim()}), ${cpu}, ${sh('uname', ['-sr']).stdout.trim()}  `,
    `Commit: ${commit}${QUICK ? '  \n**BENCH_QUICK=1: smoke run, too few repetitions to quote**' : ''}`,
    '',
    'Wall times are medians [min–max] over interleaved repetitions (each repetition runs the figure and',
    'its floor back to back); ratios are ours / floor from the same run. Ir = instructions counted by',
    "callgrind (the process itself, not its children). Repetitions: N=10 and 1,000: " + `${REPS[10]}; N=10,000: ${REPS[10000]}; N=100,000: ${REPS[100000]} (capped at ${CAP_S} s per size).`,
    '',
    '| figure | N | ours | floor | floor is | ratio | target | status | notes |',
    '|---|---|---|---|---|---|---|---|---|',
];
const table = head.concat(rows).join('\n') + '\n';
writeFileSync(join(BIN, 'RESULTS.md'), table);
// BENCH_UPDATE=1: also replace the table in test/bench/RESULTS.md (between its markers), keeping
// the hand-written analysis around it.
if (process.env.BENCH_UPDATE) {
    const md = join(HERE, 'RESULTS.md');
    const begin = '<!-- table: written by `BENCH_UPDATE=1 make bench` -->', end = '<!-- end of table -->';
    const old = existsSync(md) ? readFileSync(md, 'utf8') : `# Benchmark results\n\n${begin}\n${end}\n`;
    const a = old.indexOf(begin), b = old.indexOf(end);
    if (a < 0 || b < a) log(`${md} has no table markers; not updated`);
    else writeFileSync(md, old.slice(0, a + begin.length) + '\n' + table + old.slice(b));
}
writeFileSync(join(BIN, 'raw.json'), JSON.stringify({ check, wall, ir, mcp, mcpIr }, null, 1));
process.stdout.write(table);
