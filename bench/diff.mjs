// `npm run bench:diff`: `redis-inspect diff` on large inputs — wall time and peak
// RSS (GNU time) of dist/cli.js, one fresh process per run, output to /dev/null.
// The point is memory: an AOF side is replayed in bounded memory (its RDB
// preamble stays in the file; keys past --max-keys-in-memory spill to a temp
// file), so peak RSS must not grow with the dataset.
//
//   node bench/diff.mjs [--only NAME[,NAME]] [--runs N] [--timeout SEC] [--no-write]
//
// Pairs (A B):
//   rdb-small      small-keys.rdb     small-keys.rdb   2.1M keys, RDB against RDB (the reference)
//   hybrid-small   hybrid.aof         small-keys.rdb   93.7 MB preamble + 1.4M commands (bench/generate-aof.mjs)
//   plain          plain.aof          plain.aof        1.7M commands, no preamble, replayed on both sides
//   rdb-big        big-10m.rdb        big-10m.rdb      10M keys, 2.2 GB, RDB against RDB
//   hybrid-big     big-hybrid.aof     big-10m.rdb      big-10m.rdb as preamble + 1M commands: half of them
//                                                      change keys of the preamble (read back), half write
//                                                      500,000 new keys (past the in-memory budget: spilled)
//
// Writes bench/results/diff.json and rewrites BENCHMARKS.md between
// <!-- diff:start --> and <!-- diff:end -->.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedAof, generateAof } from './generate-aof.mjs';
import { BIG_RDB, cachedBigRdb, generateBigRdb } from './generate-big-rdb.mjs';
import { cached as cachedRdb, generate as generateRdb } from './generate.mjs';
import { checkGnuTime, timed, warmUp } from './measure.mjs';
import { BenchError, benchArgs, fmtBytes, fmtInt, installSignalHandlers, machineInfo, markdownTable, median, mulberry32, registerCleanup, replaceMarkedSection, revision, runCleanups, textTable } from './util.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const dataDir = path.join(benchDir, 'data');
const cliPath = path.join(repoRoot, 'dist', 'cli.js');
const resultsFile = path.join(benchDir, 'results', 'diff.json');
const benchmarksMd = path.join(repoRoot, 'BENCHMARKS.md');
const START = '<!-- diff:start -->';
const END = '<!-- diff:end -->';

/** Bump when big-hybrid.aof's tail changes. */
const BIG_HYBRID_VERSION = 1;
const BIG_HYBRID = { file: 'big-hybrid.aof', commands: 1_000_000, seed: 0x5eed_d1ff };

const PAIRS = {
  'rdb-small': { a: 'small-keys.rdb', b: 'small-keys.rdb', what: '2.1M keys, RDB against RDB' },
  'hybrid-small': { a: 'hybrid.aof', b: 'small-keys.rdb', what: '93.7 MB preamble + 1.4M commands against the preamble alone' },
  plain: { a: 'plain.aof', b: 'plain.aof', what: 'plain AOF of 1.7M commands against itself (two replays)' },
  'rdb-big': { a: BIG_RDB.file, b: BIG_RDB.file, what: '10M keys / 2.2 GB, RDB against RDB' },
  'hybrid-big': { a: BIG_HYBRID.file, b: BIG_RDB.file, what: '10M-key preamble + 1M commands (500k preamble keys changed, 500k new keys) against the preamble alone' },
};

const USAGE = `usage: node bench/diff.mjs [--only NAME[,NAME]] [--runs N] [--timeout SEC] [--no-write]
  --only NAMES   some of: ${Object.keys(PAIRS).join(', ')} (default all; others keep their last results)
  --runs N       runs per pair, each in a fresh process (default 1: the big pairs take minutes)
  --timeout SEC  per run (default 1800)
  --no-write     print only`;

function parseArgs(argv) {
  const v = benchArgs(argv, { only: { type: 'string' }, runs: { type: 'string' }, timeout: { type: 'string' }, 'no-write': { type: 'boolean' } }, USAGE, {
    runs: { ok: (n) => Number.isInteger(n) && n >= 1, what: 'a positive integer' },
    timeout: { ok: (n) => n > 0, what: 'a positive number of seconds' },
  });
  const only = v.only !== undefined ? v.only.split(',') : Object.keys(PAIRS);
  for (const n of only) if (!PAIRS[n]) throw new BenchError(`unknown pair '${n}'\n${USAGE}`, 2);
  return { only, runs: v.runs ?? 1, timeoutMs: (v.timeout ?? 1800) * 1000, write: !v['no-write'] };
}

function encode(args) {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  return parts.join('');
}

/** big-10m.rdb followed by a RESP tail (a hybrid AOF, as redis-server writes one with aof-use-rdb-preamble). */
async function bigHybrid(log) {
  const big = cachedBigRdb(dataDir) ?? (await generateBigRdb(dataDir, log));
  const target = path.join(dataDir, BIG_HYBRID.file);
  try {
    const meta = JSON.parse(fs.readFileSync(`${target}.json`, 'utf8'));
    if (meta.version === BIG_HYBRID_VERSION && meta.preambleGeneratedAt === big.generatedAt && meta.bytes === fs.statSync(target).size) return meta;
  } catch {
    // (re)write below
  }
  log(`writing ${BIG_HYBRID.file} (big-10m.rdb + ${fmtInt(BIG_HYBRID.commands)} commands)…`);
  const tmp = `${target}.tmp-${process.pid}`;
  const removeTmp = registerCleanup({ name: `partial ${BIG_HYBRID.file}`, sync: () => fs.rmSync(tmp, { force: true }) });
  fs.copyFileSync(path.join(dataDir, BIG_RDB.file), tmp);
  const rnd = mulberry32(BIG_HYBRID.seed);
  const counts = {};
  const fd = fs.openSync(tmp, 'a');
  let chunk = [];
  const flush = () => {
    fs.writeSync(fd, chunk.join(''));
    chunk = [];
  };
  const value = (n) => `v${n}-${'x'.repeat(40 + Math.floor(rnd() * 80))}`;
  for (let i = 0; i < BIG_HYBRID.commands; i++) {
    // Names of the preamble: generate-big-rdb's `key:<n>` (40% of n), `user:<n>:session` (30%), … — a hit or a miss, both are looked up.
    const n = Math.floor(rnd() * BIG_RDB.keys);
    const r = rnd();
    let cmd;
    if (i % 2 === 1) cmd = ['SET', `new:${i}`, value(i)];
    else if (r < 0.4) cmd = ['SET', `key:${n}`, value(i)];
    else if (r < 0.6) cmd = ['APPEND', `user:${n}:session`, '+appended'];
    else if (r < 0.75) cmd = ['DEL', `cache:item:${n}`];
    else if (r < 0.9) cmd = ['PEXPIREAT', `order:${n}:items`, '4102444800000'];
    else cmd = ['PERSIST', `key:${n}`];
    counts[cmd[0]] = (counts[cmd[0]] ?? 0) + 1;
    chunk.push(encode(cmd));
    if (chunk.length >= 10_000) flush();
  }
  flush();
  fs.closeSync(fd);
  fs.renameSync(tmp, target);
  removeTmp();
  const meta = {
    version: BIG_HYBRID_VERSION,
    file: BIG_HYBRID.file,
    bytes: fs.statSync(target).size,
    preamble: BIG_RDB.file,
    preambleGeneratedAt: big.generatedAt,
    commands: BIG_HYBRID.commands,
    counts,
  };
  fs.writeFileSync(`${target}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

async function ensure(file, log) {
  if (file === 'small-keys.rdb') return cachedRdb('small', dataDir) ?? generateRdb('small', dataDir, log);
  if (file === 'hybrid.aof') return cachedAof('hybrid', dataDir) ?? generateAof('hybrid', dataDir, log);
  if (file === 'plain.aof') return cachedAof('plain', dataDir) ?? generateAof('plain', dataDir, log);
  if (file === BIG_RDB.file) return cachedBigRdb(dataDir) ?? generateBigRdb(dataDir, log);
  if (file === BIG_HYBRID.file) return bigHybrid(log);
  throw new BenchError(`no generator for ${file}`);
}

function summaryLine(stdout) {
  return /^Summary: .*$/m.exec(stdout)?.[0] ?? (/The files hold the same data\./.test(stdout) ? 'same data' : '');
}

async function measure(name, opts, log) {
  const pair = PAIRS[name];
  for (const f of new Set([pair.a, pair.b])) {
    await ensure(f, log);
    warmUp(path.join(dataDir, f));
  }
  const runs = [];
  for (let i = 0; i < opts.runs; i++) {
    log(`${name}: run ${i + 1}/${opts.runs}: diff ${pair.a} ${pair.b}`);
    const res = await timed(process.execPath, [cliPath, 'diff', path.join(dataDir, pair.a), path.join(dataDir, pair.b)], { timeoutMs: opts.timeoutMs, what: `diff ${pair.a} ${pair.b}` });
    if (res.code !== 0 && res.code !== 1) throw new BenchError(`diff ${pair.a} ${pair.b}: exit ${res.code}${res.signal ? ` (${res.signal})` : ''}\n${res.stderr.slice(-2000)}`);
    runs.push({ seconds: res.wallSeconds, rssKiB: res.rssKiB, exit: res.code, summary: summaryLine(res.stdout) });
  }
  const bytes = [...new Set([pair.a, pair.b])].reduce((n, f) => n + fs.statSync(path.join(dataDir, f)).size, 0);
  return { name, a: pair.a, b: pair.b, what: pair.what, inputBytes: bytes, seconds: median(runs.map((r) => r.seconds)), peakRssMiB: Math.max(...runs.map((r) => r.rssKiB)) / 1024, runs };
}

function markdown(all) {
  const rows = Object.values(all.results).map((r) => [r.name, `\`${r.a}\` vs \`${r.b}\``, fmtBytes(r.inputBytes), `${r.seconds.toFixed(1)} s`, `${Math.round(r.peakRssMiB)} MiB`, r.runs[0].summary]);
  return [
    START,
    '## `redis-inspect diff` (`npm run bench:diff`)',
    '',
    `Revision ${all.revision}, ${all.machine.nproc} × ${all.machine.cpuModel}, ${all.machine.memGiB} GiB, Node ${all.machine.node}; ${all.when}. Wall time and peak RSS of one \`node dist/cli.js diff A B\` process (default budgets: 4M key names, 250,000 replayed keys in memory), output to /dev/null, inputs in the page cache.`,
    '',
    markdownTable(['pair', 'A vs B', 'input', 'time', 'peak RSS', 'result'], rows, ['l', 'l', 'r', 'r', 'r', 'l']),
    '',
    'Before the bounded replay (revision 9bad49b: the whole AOF dataset in memory, RDB preamble values decoded), measured once on the same machine: `hybrid-small` 105 s at 4.5 GiB peak RSS; `plain` 83 s at 4.1 GiB (and 3,991 keys reported changed: each side resolved relative TTLs against its own clock, fixed since); `hybrid-big` died after 110 s at 6.3 GiB RSS (V8 heap out of memory).',
    '',
    'What the memory is (hybrid-big): about 40 bytes per key of A for the digests (10.7M keys), about 25 bytes per key of the RDB preamble for its index (10M keys), key names past 4M read back, 250,000 replayed keys and 250,000 changed keys in memory at most; the rest is in the spill file. Time goes mostly to the spill churn when the keys commands touch outnumber the budget (`--max-keys-in-memory` trades memory for it).',
    END,
  ].join('\n');
}

async function main() {
  installSignalHandlers();
  const opts = parseArgs(process.argv.slice(2));
  checkGnuTime();
  if (!fs.existsSync(cliPath)) throw new BenchError('dist/cli.js is missing: npm run build first', 2);
  const log = (s) => console.error(s);
  let previous = {};
  try {
    previous = JSON.parse(fs.readFileSync(resultsFile, 'utf8')).results ?? {};
  } catch {
    // first run
  }
  const results = { ...previous };
  for (const name of opts.only) results[name] = await measure(name, opts, log);
  const ordered = Object.fromEntries(Object.keys(PAIRS).filter((n) => results[n]).map((n) => [n, results[n]]));
  const all = { revision: revision(repoRoot), machine: machineInfo(), when: new Date().toISOString().slice(0, 10), results: ordered };
  console.log(textTable(['pair', 'input', 'time', 'peak RSS', 'result'], Object.values(ordered).map((r) => [r.name, fmtBytes(r.inputBytes), `${r.seconds.toFixed(1)} s`, `${Math.round(r.peakRssMiB)} MiB`, r.runs[0].summary])));
  if (opts.write) {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
    replaceMarkedSection(benchmarksMd, START, END, markdown(all));
  }
}

main()
  .catch((e) => {
    console.error(e instanceof BenchError ? `bench: ${e.message}` : e);
    process.exitCode = e instanceof BenchError ? (e.exitCode ?? 1) : 1;
  })
  .finally(() => runCleanups());
