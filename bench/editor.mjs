// `npm run bench:editor`: the custom editor's worker session on large RDB files,
// measured through the real worker (dist/editorWorker.js) and its protocol
// (src/protocol/editor.ts: SessionRequest / SessionMessage), as the extension
// host drives it — the session is never imported here.
//
// Per file, each run is a fresh child process (`--child FILE`, so peak RSS is
// the run's own) that starts the worker on a MessageChannel, sends `open` and
// measures:
//   - open → first overview with keys > 0, and → "first rows": the reply to a
//     `keys` page of 200 rows of a `query` {} sent right after that overview
//     (target: ≤ 500 ms whatever the file size);
//   - open → the overview with index.done (total indexing time) and keys/s;
//   - peak RSS of the process (process.memoryUsage.rss() every 50 ms in the main
//     thread; the worker shares the process), the RSS growth from the worker's
//     `ready` to index done, and the same after a full GC of the worker (forced by
//     worker.getHeapSnapshot() once all requests are answered): the index's memory;
//   - once done: `summary`, a glob `query` {pattern: 'key:1*'} over the whole
//     index, a `value` page of the biggest key (summary.biggest[0]) and a `keys`
//     page of 200 rows from the middle of the file (ids around keys / 2).
// Prints a table, writes bench/results/editor.json and rewrites BENCHMARKS.md
// between <!-- editor:start --> and <!-- editor:end -->.
//
//   node bench/editor.mjs [--only small|big] [--runs N] [--regen] [--timeout SEC] [--cpu-prof DIR] [--worker PATH] [--no-write]
//
// small: bench/data/small-keys.rdb (bench/generate.mjs, redis-server SAVE)
// big:   bench/data/big-10m.rdb (bench/generate-big-rdb.mjs: ~2.2 GB, 10M keys, written without a server)
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { BIG_RDB, cachedBigRdb, generateBigRdb } from './generate-big-rdb.mjs';
import { BenchError, benchArgs, MiB, fmtBytes, fmtInt, fmtRate, installSignalHandlers, machineInfo, markdownTable, median, revision, runBounded, runCleanups, signalled, textTable, replaceMarkedSection } from './util.mjs';

const benchPath = fileURLToPath(import.meta.url);
const benchDir = path.dirname(benchPath);
const repoRoot = path.resolve(benchDir, '..');
const dataDir = path.join(benchDir, 'data');
const defaultWorker = path.join(repoRoot, 'dist', 'editorWorker.js');
const resultsFile = path.join(benchDir, 'results', 'editor.json');
const benchmarksMd = path.join(repoRoot, 'BENCHMARKS.md');
export const START = '<!-- editor:start -->';
export const END = '<!-- editor:end -->';

/** The issue's target: first rows within 500 ms of `open`, whatever the file size. */
const FIRST_ROWS_TARGET_MS = 500;
const PAGE = 200;
const GLOB = 'key:1*';
const SAMPLE_MS = 50;

const FILES = {
  small: { file: 'small-keys.rdb' },
  big: { file: BIG_RDB.file },
};

const USAGE = `usage: node bench/editor.mjs [--only small|big] [--runs N] [--regen] [--timeout SEC] [--cpu-prof DIR] [--worker PATH] [--no-write]
  --only NAME     measure only small (small-keys.rdb) or big (big-10m.rdb); the other's last results are kept
  --runs N        runs per file, each in a fresh process (default 3; the VM drifts by ~30%)
  --regen         rewrite bench/data/big-10m.rdb even if cached
  --timeout SEC   timeout of each run (default 900)
  --cpu-prof DIR  run the children with --cpu-prof (one .cpuprofile per thread, the worker's included) into DIR
  --worker PATH   measure another build of the editor worker (default dist/editorWorker.js)
  --no-write      print the table only: leave bench/results/editor.json and BENCHMARKS.md alone`;

const log = (m) => console.error(`bench:editor: ${m}`);
const round = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

// ---------------------------------------------------------------------------
// Child: one measured run
// ---------------------------------------------------------------------------

/** Request/reply over the session port; overviews go to `onOverview`. */
class SessionClient {
  constructor(port) {
    this.port = port;
    this.nextId = 1;
    this.pending = new Map();
    this.onOverview = () => {};
    this.readyWaiters = [];
    this.failure = null;
    port.on('message', (m) => this.receive(m));
  }
  receive(m) {
    if (m.type === 'ready') {
      for (const w of this.readyWaiters.splice(0)) w(m);
    } else if (m.type === 'overview') {
      this.onOverview(m.overview, performance.now());
    } else if (m.type === 'reply' || m.type === 'error') {
      const p = m.replyTo !== undefined ? this.pending.get(m.replyTo) : undefined;
      if (!p) {
        if (m.type === 'error') this.fail(new Error(`worker error: ${m.message}`));
        return;
      }
      this.pending.delete(m.replyTo);
      if (m.type === 'error') p.reject(new Error(`worker error on ${p.type}: ${m.message}`));
      else p.resolve({ body: m.body, ms: performance.now() - p.sentAt, at: performance.now() });
    }
  }
  fail(e) {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
  ready() {
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }
  /** Sends a request (its `id` added); resolves { body, ms, at } with the reply. */
  request(req) {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, type: req.type, sentAt: performance.now() });
      this.port.postMessage({ ...req, id });
    });
  }
}

async function child(file, workerFile) {
  const rss = () => process.memoryUsage.rss();
  let peak = rss();
  let peakIndexing = 0;
  let indexing = false;
  const sampler = setInterval(() => {
    const r = rss();
    if (r > peak) peak = r;
    if (indexing && r > peakIndexing) peakIndexing = r;
  }, SAMPLE_MS);
  const sample = () => {
    const r = rss();
    if (r > peak) peak = r;
    return r;
  };

  const out = { file: path.basename(file), bytes: fs.statSync(file).size };
  out.rssStartMiB = sample() / MiB;
  const { port1, port2 } = new MessageChannel();
  const tSpawn = performance.now();
  const worker = new Worker(workerFile, { workerData: { port: port2 }, transferList: [port2] });
  const client = new SessionClient(port1);
  const died = new Promise((_, reject) => {
    worker.on('error', (e) => reject(new Error(`worker failed: ${e.stack ?? e}`)));
    worker.on('exit', (code) => reject(new Error(`worker exited (code ${code}) before the run ended`)));
  });
  died.catch((e) => client.fail(e));
  const race = (p) => Promise.race([p, died]);
  try {
    const ready = await race(client.ready());
    out.protocolVersion = ready.version;
    out.workerReadyMs = performance.now() - tSpawn;
    const rssReady = sample();
    out.rssReadyMiB = rssReady / MiB;

    // open → first overview with keys > 0 → query {} → keys page → done overview.
    let t0 = 0;
    let overviews = 0;
    let lastOverviewAt = 0;
    let maxOverviewGapMs = 0;
    let lastOverviewKeys = 0;
    let gap = null;
    let firstRows;
    let resolveDone;
    let indexDone = false;
    const done = new Promise((resolve) => (resolveDone = resolve));
    client.onOverview = (ov, at) => {
      overviews++;
      if (lastOverviewAt && at - lastOverviewAt > maxOverviewGapMs) {
        // Where the longest stretch without an overview (and so without answers) was.
        maxOverviewGapMs = at - lastOverviewAt;
        gap = { endMs: at - t0, keysBefore: lastOverviewKeys, keysAfter: ov.keys, done: ov.index.done };
      }
      lastOverviewAt = at;
      lastOverviewKeys = ov.keys;
      if (!firstRows && ov.keys > 0) {
        out.firstOverviewMs = at - t0;
        out.firstOverviewKeys = ov.keys;
        firstRows = (async () => {
          const q = await client.request({ type: 'query', filter: {} });
          out.firstQueryMs = q.at - t0;
          const section = q.body.sections.find((s) => s.count > 0)?.section ?? 0;
          const page = await client.request({ type: 'keys', queryId: q.body.queryId, section, from: 0, count: PAGE });
          out.firstRowsMs = page.at - t0;
          out.firstRowsCount = page.body.rows.length;
          out.firstRowsQueryTotal = q.body.total;
          // A worker that answers very early may have fewer than PAGE keys yet: ask again until a full page.
          let rows = page.body.rows.length;
          let at = page.at;
          while (rows < PAGE && !indexDone) {
            const q2 = await client.request({ type: 'query', filter: {} });
            const s2 = q2.body.sections.find((s) => s.count > 0)?.section ?? 0;
            const p2 = await client.request({ type: 'keys', queryId: q2.body.queryId, section: s2, from: 0, count: PAGE });
            rows = p2.body.rows.length;
            at = p2.at;
          }
          out.firstFullPageMs = at - t0;
        })();
        firstRows.catch(() => {});
      }
      if (ov.index.done) {
        indexDone = true;
        resolveDone({ ov, at });
      }
    };
    indexing = true;
    t0 = performance.now();
    const opened = client.request({ type: 'open', input: { kind: 'path', path: file }, nowMs: Date.now() });
    const o = await race(opened);
    out.openedMs = o.at - t0;
    const { ov: final, at: tDone } = await race(done);
    indexing = false;
    out.rssDoneMiB = sample() / MiB;
    out.indexMs = tDone - t0;
    out.workerElapsedMs = final.index.elapsedMs;
    out.keys = final.keys;
    out.ok = final.ok;
    out.cancelled = final.index.cancelled;
    out.problems = final.problems.length;
    out.sections = final.sections.length;
    out.keysPerSec = final.keys / (out.indexMs / 1000);
    out.overviews = overviews;
    out.maxOverviewGapMs = maxOverviewGapMs;
    out.maxOverviewGap = gap;
    out.peakRssIndexingMiB = Math.max(peakIndexing, rssReady) / MiB;
    out.indexRssGrowthMiB = out.rssDoneMiB - out.rssReadyMiB;
    if (!firstRows) throw new Error('no overview with keys > 0 before the end of indexing');
    await race(firstRows);

    // Once done: summary, glob query, value page of the biggest key, keys page from the middle.
    const sum = await race(client.request({ type: 'summary' }));
    out.summaryMs = sum.ms;
    out.summaryKeys = sum.body.summary.keys;
    const big = sum.body.summary.biggest[0];
    const glob = await race(client.request({ type: 'query', filter: { pattern: GLOB } }));
    out.globMs = glob.ms;
    out.globMatches = glob.body.total;
    if (big) {
      const v = await race(client.request({ type: 'value', keyId: big.id, from: 0, count: PAGE }));
      out.valueMs = v.ms;
      out.valueKey = { id: big.id, type: big.type, bytes: big.bytes, count: big.count, total: v.body.page.total, rows: v.body.page.rows.length };
    }
    const all = await race(client.request({ type: 'query', filter: {} }));
    out.queryAllMs = all.ms;
    const mid = Math.floor(final.keys / 2);
    const sec = final.sections.find((s) => mid >= s.firstKey && mid < s.firstKey + s.keys) ?? final.sections[0];
    const from = Math.max(0, Math.min(mid - sec.firstKey, sec.keys - PAGE));
    const page = await race(client.request({ type: 'keys', queryId: all.body.queryId, section: sec.id, from, count: PAGE }));
    out.midPageMs = page.ms;
    out.midPage = { section: sec.id, from, rows: page.body.rows.length, firstId: page.body.rows[0]?.id };
    out.rssEndMiB = sample() / MiB;
    out.peakRssMiB = peak / MiB; // before the heap snapshot below, which has buffers of its own
    // A heap snapshot of the worker makes V8 collect all its garbage first (the stream is read and
    // dropped): RSS after it is the index plus the worker's live heap, without the pass's leftovers.
    const t = performance.now();
    const snap = await race(worker.getHeapSnapshot());
    for await (const chunk of snap) void chunk;
    out.workerGcMs = performance.now() - t;
    out.rssAfterWorkerGcMiB = sample() / MiB;
    out.indexRssAfterGcMiB = out.rssAfterWorkerGcMiB - out.rssReadyMiB;
  } finally {
    clearInterval(sampler);
    out.peakRssMiB ??= peak / MiB;
    await worker.terminate().catch(() => {});
  }
  return out;
}

// ---------------------------------------------------------------------------
// Parent: data, runs, aggregation, reports
// ---------------------------------------------------------------------------

function parseArgs(argv) {
  const v = benchArgs(
    argv,
    { only: { type: 'string' }, runs: { type: 'string' }, regen: { type: 'boolean' }, timeout: { type: 'string' }, 'cpu-prof': { type: 'string' }, worker: { type: 'string' }, 'no-write': { type: 'boolean' } },
    USAGE,
    {
      runs: { ok: (n) => Number.isInteger(n) && n >= 1 && n <= 50, what: 'an integer 1..50' },
      timeout: { ok: (n) => n > 0, what: 'a positive number of seconds' },
    },
  );
  if (v.only !== undefined && !(v.only in FILES)) throw new BenchError(`--only must be one of ${Object.keys(FILES).join(', ')}, got "${v.only}"\n${USAGE}`, 2);
  return {
    only: v.only ?? null,
    runs: v.runs ?? 3,
    regen: v.regen ?? false,
    timeoutSec: v.timeout ?? 900,
    cpuProf: v['cpu-prof'] !== undefined ? path.resolve(v['cpu-prof']) : null,
    worker: v.worker !== undefined ? path.resolve(v.worker) : defaultWorker,
    write: !v['no-write'],
  };
}

/** Metadata of a data file, generating the big one when missing. */
async function dataFile(name, opts) {
  const f = FILES[name];
  const target = path.join(dataDir, f.file);
  if (name === 'big') {
    let meta = opts.regen ? null : cachedBigRdb(dataDir);
    if (meta) log(`reusing bench/data/${meta.file} (${fmtBytes(meta.bytes)}, ${fmtInt(meta.keys)} keys)`);
    else meta = await generateBigRdb(dataDir, log);
    return { path: target, meta };
  }
  if (!fs.existsSync(target)) throw new BenchError(`bench/data/${f.file} is missing: run \`npm run bench -- --only small\` (bench/generate.mjs, needs redis-server) first`);
  let meta = null;
  try {
    meta = JSON.parse(fs.readFileSync(`${target}.json`, 'utf8'));
  } catch {
    // measured anyway; the key count comes from the run
  }
  return { path: target, meta };
}

/** Reads the file once so every run starts with a warm page cache. */
function warmUp(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(16 << 20);
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

async function runChild(file, opts, i) {
  const execArgs = [];
  if (opts.cpuProf) {
    // One directory per run: Node names each thread's profile itself (CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile).
    const dir = path.join(opts.cpuProf, `${path.basename(file, '.rdb')}-run${i}`);
    fs.mkdirSync(dir, { recursive: true });
    execArgs.push('--cpu-prof', '--cpu-prof-dir', dir);
  }
  const r = await runBounded(process.execPath, [...execArgs, benchPath, '--child', file, opts.worker], { timeoutMs: opts.timeoutSec * 1000, what: `editor run on ${path.basename(file)}` });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let res;
  try {
    res = JSON.parse(line);
  } catch {
    throw new BenchError(`the run on ${path.basename(file)} printed no result (exit ${r.code}):\n${(r.stderr || r.stdout).slice(-3000)}`);
  }
  if (res.error) throw new BenchError(`the run on ${path.basename(file)} failed: ${res.error}`);
  return res;
}

const METRICS = [
  // key, label, unit formatter, lower is better
  ['workerReadyMs', 'worker start → ready', 'ms'],
  ['openedMs', 'open → opened reply', 'ms'],
  ['firstOverviewMs', 'open → first overview (keys > 0)', 'ms'],
  ['firstQueryMs', 'open → first query {} reply', 'ms'],
  ['firstRowsMs', `open → first rows (query {} + keys ${PAGE})`, 'ms'],
  ['firstRowsCount', 'rows in that first page', 'n'],
  ['firstFullPageMs', `open → first full page of ${PAGE} rows`, 'ms'],
  ['indexMs', 'open → index done', 's'],
  ['keysPerSec', 'keys/s (open → done)', 'rate'],
  ['maxOverviewGapMs', 'largest gap between overviews', 'ms'],
  ['peakRssMiB', 'peak RSS', 'MiB'],
  ['indexRssGrowthMiB', 'RSS growth ready → done', 'MiB'],
  ['indexRssAfterGcMiB', 'RSS growth ready → done, after a full GC of the worker (index)', 'MiB'],
  ['summaryMs', 'summary', 'ms'],
  ['globMs', `query {pattern: '${GLOB}'}`, 'ms'],
  ['valueMs', `value page (${PAGE}) of the biggest key`, 'ms'],
  ['queryAllMs', 'query {} (done)', 'ms'],
  ['midPageMs', `keys page (${PAGE}) at keys / 2`, 'ms'],
];
const HIGHER_IS_BETTER = new Set(['keysPerSec']);

function fmtMetric(v, unit) {
  if (v === undefined || v === null) return '—';
  if (unit === 'ms') return v >= 100 ? v.toFixed(0) : v.toFixed(1);
  if (unit === 's') return `${(v / 1000).toFixed(2)} s`;
  if (unit === 'rate') return fmtRate(v);
  if (unit === 'MiB') return v.toFixed(0);
  if (unit === 'n') return fmtInt(v);
  return String(v);
}
const unitLabel = (unit) => (unit === 'rate' || unit === 's' || unit === 'n' ? '' : ` (${unit})`);

function aggregate(runs) {
  const med = {};
  const best = {};
  for (const [k] of METRICS) {
    const vals = runs.map((r) => r[k]).filter((v) => typeof v === 'number');
    if (!vals.length) continue;
    med[k] = median(vals);
    best[k] = HIGHER_IS_BETTER.has(k) ? Math.max(...vals) : Math.min(...vals);
  }
  return { median: med, best, maxPeakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)) };
}

function entryFor(name, data, runs) {
  const agg = aggregate(runs);
  const r0 = runs[0];
  const rounded = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, k === 'keysPerSec' ? 0 : 1)]));
  const firstRowsMax = Math.max(...runs.map((r) => r.firstRowsMs));
  return {
    file: data.meta?.file ?? path.basename(data.path),
    bytes: r0.bytes,
    keys: r0.keys,
    description: data.meta?.description ?? null,
    measuredAt: new Date().toISOString(),
    runs: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, k === 'keysPerSec' ? 0 : 1) : v]))),
    median: rounded(agg.median),
    best: rounded(agg.best),
    maxPeakRssMiB: round(agg.maxPeakRssMiB),
    globMatches: r0.globMatches,
    valueKey: r0.valueKey ?? null,
    firstRowsTarget: { target: `<= ${FIRST_ROWS_TARGET_MS} ms (every run)`, worstMs: round(firstRowsMax), met: firstRowsMax <= FIRST_ROWS_TARGET_MS },
  };
}

function stdoutReport(e) {
  const lines = ['', `== ${e.file}: ${fmtBytes(e.bytes)}, ${fmtInt(e.keys)} keys, ${e.runs.length} runs (fresh process each), warm page cache ==`];
  const rows = METRICS.map(([k, label, unit]) => [`${label}${unitLabel(unit)}`, fmtMetric(e.median[k], unit), fmtMetric(e.best[k], unit), e.runs.map((r) => fmtMetric(r[k], unit)).join(' / ')]);
  lines.push(textTable(['metric', 'median', 'best', 'runs'], rows));
  lines.push(
    `glob '${GLOB}': ${fmtInt(e.globMatches)} matches; biggest key: id ${e.valueKey?.id} (${e.valueKey?.type}, ${fmtInt(e.valueKey?.bytes ?? 0)} B, ${fmtInt(e.valueKey?.total ?? 0)} elements); ` +
      `first rows ≤ ${FIRST_ROWS_TARGET_MS} ms: ${e.firstRowsTarget.met ? 'met' : 'NOT MET'} (worst run ${e.firstRowsTarget.worstMs} ms)`,
  );
  const gaps = e.runs.filter((r) => r.maxOverviewGap);
  if (gaps.length) {
    const text = gaps.map((r) => `${fmtMetric(r.maxOverviewGapMs, 'ms')} ms ending at ${fmtMetric(r.maxOverviewGap.endMs, 's')} (keys ${fmtInt(r.maxOverviewGap.keysBefore)} → ${fmtInt(r.maxOverviewGap.keysAfter)})`);
    lines.push(`largest gap between overviews, per run: ${text.join('; ')}`);
  }
  return lines.join('\n');
}

function markdown(results) {
  const m = results.machine;
  const out = [
    START,
    '<!-- Generated by `npm run bench:editor` (bench/editor.mjs); everything between the markers is rewritten on each run. -->',
    '',
    '### Custom editor: the worker session on large RDB files (`npm run bench:editor`)',
    '',
    'Measured through the real worker (`dist/editorWorker.js`) and its protocol (`SessionRequest` / `SessionMessage` of ' +
      '`src/protocol/editor.ts`), as the extension host drives it: a `MessageChannel`, `ready`, then `open` with the file\'s path. ' +
      `Each run is a fresh Node process (warm page cache). **First rows** = from sending \`open\` to the reply of a \`keys\` page of ${PAGE} rows, ` +
      'asked (after a `query` {}) as soon as the first overview with keys > 0 arrives — what the user waits for before the tree shows keys. ' +
      `Target: ≤ ${FIRST_ROWS_TARGET_MS} ms whatever the file size. **Index done** = \`open\` → the overview with \`index.done\`; keys/s over that time. ` +
      `**Peak RSS** = the whole process (main thread + worker), \`process.memoryUsage.rss()\` sampled every ${SAMPLE_MS} ms; ` +
      '**RSS growth ready → done** is what the pass left behind (index + the worker\'s garbage not yet collected); ' +
      'the same **after a full GC of the worker** (forced by taking a heap snapshot of it through `worker.getHeapSnapshot()`, once all requests are answered) is the index\'s own memory. ' +
      `Once done: \`summary\`, a glob \`query\` {pattern: '${GLOB}'} over every key (small-keys.rdb has no \`key:\` names — its keys are \`str:\`, \`h:\`, \`z:\`, … — so there it is a scan without a match), ` +
      'a `value` page of the biggest key (`summary.biggest[0]`) and a `keys` page at keys / 2 (request → reply). ' +
      '**Largest gap between overviews** = the longest time the worker went without posting an overview, i.e. without answering requests. ' +
      'Medians over the runs (the VM drifts by ~30% between runs); all runs in `bench/results/editor.json`.',
    '',
    'Run: `npm run bench:editor` (builds, writes `bench/data/big-10m.rdb` once with `bench/generate-big-rdb.mjs` — verified by `redis-inspect check` and `redis-check-rdb` — then 3 runs per file); ' +
      '`node bench/editor.mjs --only big --runs 5`; `--cpu-prof DIR` profiles the runs (the worker thread too).',
    '',
    `Last run: ${results.updatedAt}, revision ${results.revision}${results.worker && results.worker !== 'dist/editorWorker.js' ? `, worker \`${results.worker}\`` : ''}. Machine: ${m.cpuModel}, ${m.nproc} CPUs, ${m.memGiB} GiB RAM, ${m.os}, Node ${m.node}.`,
    '',
  ];
  const names = Object.keys(FILES).filter((n) => results.files[n]);
  for (const n of names) {
    const e = results.files[n];
    out.push(`- \`bench/data/${e.file}\`: ${fmtBytes(e.bytes)}, ${fmtInt(e.keys)} keys${e.description ? ` — ${e.description}` : ''}.`);
  }
  out.push('');
  const header = ['metric', ...names.flatMap((n) => [`${results.files[n].file} median`, 'best'])];
  const rows = METRICS.map(([k, label, unit]) => [`${label}${unitLabel(unit)}`, ...names.flatMap((n) => [fmtMetric(results.files[n].median[k], unit), fmtMetric(results.files[n].best[k], unit)])]);
  rows.push([`matches of '${GLOB}'`, ...names.flatMap((n) => [fmtInt(results.files[n].globMatches), ''])]);
  rows.push([
    'biggest key (value page)',
    ...names.flatMap((n) => {
      const v = results.files[n].valueKey;
      return [v ? `${v.type}, ${fmtBytes(v.bytes)}, ${fmtInt(v.total)} elements` : '—', ''];
    }),
  ]);
  rows.push(['runs', ...names.flatMap((n) => [String(results.files[n].runs.length), ''])]);
  out.push(markdownTable(header, rows, ['l', ...names.flatMap(() => ['r', 'r'])]));
  out.push('');
  for (const n of names) {
    const e = results.files[n];
    const gaps = e.runs.filter((r) => r.maxOverviewGap);
    const atEnd = gaps.filter((r) => r.maxOverviewGap.keysAfter === e.keys && !r.maxOverviewGap.done).length;
    if (gaps.length) out.push(`- ${e.file}: the largest gap ended with the overview posted once every key was read, before \`index.done\` (the pass's end-of-file work), in ${atEnd} of ${gaps.length} runs.`);
  }
  out.push('');
  out.push(
    `Target, first rows ≤ ${FIRST_ROWS_TARGET_MS} ms in every run: ` +
      names.map((n) => `${results.files[n].file} ${results.files[n].firstRowsTarget.met ? 'met' : '**NOT MET**'} (worst ${results.files[n].firstRowsTarget.worstMs} ms)`).join('; ') +
      '.',
  );
  out.push(END);
  return out.join('\n');
}

function readPrevious() {
  try {
    const j = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    return j && typeof j === 'object' && j.files ? j : null;
  } catch {
    return null;
  }
}

async function main() {
  installSignalHandlers();
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.worker)) throw new BenchError(`${path.relative(repoRoot, opts.worker)} is missing: npm run build first (npm run bench:editor does)`);
  const names = opts.only ? [opts.only] : Object.keys(FILES);
  const prev = readPrevious();
  const results = { updatedAt: new Date().toISOString(), revision: revision(repoRoot), worker: path.relative(repoRoot, opts.worker), machine: machineInfo(), target: { firstRowsMs: FIRST_ROWS_TARGET_MS }, files: { ...(prev?.files ?? {}) } };
  for (const name of names) {
    if (signalled()) break;
    const data = await dataFile(name, opts);
    log(`warming the page cache with ${path.relative(repoRoot, data.path)} ...`);
    warmUp(data.path);
    const runs = [];
    for (let i = 1; i <= opts.runs; i++) {
      if (signalled()) break;
      const r = await runChild(data.path, opts, i);
      log(`${FILES[name].file} run ${i}/${opts.runs}: first rows ${r.firstRowsMs.toFixed(0)} ms, index ${(r.indexMs / 1000).toFixed(2)} s, ${fmtRate(r.keysPerSec)} keys/s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
      if (data.meta?.keys !== undefined && r.keys !== data.meta.keys) throw new BenchError(`${FILES[name].file}: the session indexed ${r.keys} keys, the file has ${data.meta.keys}`);
      if (!r.ok || r.cancelled) throw new BenchError(`${FILES[name].file}: the session reported ok=${r.ok}, cancelled=${r.cancelled}`);
      runs.push(r);
    }
    if (!runs.length) break;
    const e = entryFor(name, data, runs);
    results.files[name] = e;
    console.log(stdoutReport(e));
  }
  if (signalled()) return 130;
  if (!opts.write) return 0;
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  replaceMarkedSection(benchmarksMd, START, END, markdown(results));
  log(`wrote ${path.relative(repoRoot, resultsFile)} and the editor section of BENCHMARKS.md`);
  const missed = Object.values(results.files).filter((e) => !e.firstRowsTarget.met);
  if (missed.length) log(`first rows target (≤ ${FIRST_ROWS_TARGET_MS} ms) NOT MET on ${missed.map((e) => e.file).join(', ')}`);
  return 0;
}

if (process.argv[2] === '--child') {
  // One measured run: prints one JSON line (the result, or { error }).
  try {
    console.log(JSON.stringify(await child(path.resolve(process.argv[3]), path.resolve(process.argv[4] ?? defaultWorker))));
  } catch (e) {
    console.log(JSON.stringify({ error: e.stack ?? String(e) }));
    process.exitCode = 1;
  }
} else {
  let exitCode = 1;
  try {
    exitCode = await main();
  } catch (e) {
    console.error(`bench:editor: ${e instanceof BenchError ? e.message : (e.stack ?? e)}`);
    exitCode = e instanceof BenchError ? (e.exitCode ?? 1) : 1;
  } finally {
    await runCleanups();
  }
  process.exitCode = exitCode;
}
