// `npm run bench`: generate (or reuse) the benchmark RDB files, measure
// redis-check-rdb, `redis-inspect check` and the JS floor on each, print a table,
// write bench/results/latest.json and rewrite the results section of BENCHMARKS.md.
//
// Also the AOF files: redis-check-aof vs ours vs the floor on a >= 500 MB plain AOF
// (plus ours on its 100 MB prefix, for flat memory) and a >= 500 MB hybrid AOF.
//
//   node bench/run.mjs [--regen] [--only small|large|plain|hybrid] [--runs N] [--cli PATH] [--timeout SEC]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS, cached, generate, redisVersion } from './generate.mjs';
import { AOF_DATASETS, cachedAof, generateAof } from './generate-aof.mjs';
import { checkGnuTime, ourAofCheck, ourKeyCount, ours, summarise, tools, warmUp } from './measure.mjs';
import { TARGETS, evaluate, readResults, stdoutReport, updateBenchmarksMd } from './report.mjs';
import { BenchError, benchArgs, fmtBytes, fmtInt, installSignalHandlers, machineInfo, median, revision, runCleanups, signalled } from './util.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const dataDir = path.join(benchDir, 'data');
const resultsFile = path.join(benchDir, 'results', 'latest.json');
const benchmarksMd = path.join(repoRoot, 'BENCHMARKS.md');

const ALL = [...Object.keys(DATASETS), ...Object.keys(AOF_DATASETS)];
const isAof = (name) => name in AOF_DATASETS;

const USAGE = `usage: node bench/run.mjs [--regen] [--only small|large|plain|hybrid] [--runs N] [--cli PATH] [--timeout SEC]
  --regen         regenerate the bench/data/ files measured (*.rdb, *.aof) even if cached
  --only NAME     measure only small (small-keys.rdb), large (large-values.rdb),
                  plain (plain.aof, and ours on plain-100mb.aof) or hybrid (hybrid.aof)
  --runs N        timed runs per tool and file (default 3)
  --cli PATH      CLI entry point to measure (default dist/cli.js)
  --timeout SEC   timeout for each measured command (default 600)`;

function parseArgs(argv) {
  const v = benchArgs(argv, { regen: { type: 'boolean' }, only: { type: 'string' }, runs: { type: 'string' }, cli: { type: 'string' }, timeout: { type: 'string' } }, USAGE, {
    runs: { ok: (n) => Number.isInteger(n) && n >= 1 && n <= 100, what: 'an integer 1..100' },
    timeout: { ok: (n) => n > 0, what: 'a positive number of seconds' },
  });
  if (v.only !== undefined && !ALL.includes(v.only)) throw new BenchError(`--only must be one of ${ALL.map((n) => `"${n}"`).join(', ')}, got "${v.only}"\n${USAGE}`, 2);
  return { regen: v.regen ?? false, only: v.only ?? null, runs: v.runs ?? 3, cli: v.cli !== undefined ? path.resolve(v.cli) : path.join(repoRoot, 'dist', 'cli.js'), timeoutSec: v.timeout ?? 600 };
}

const log = (msg) => console.error(`bench: ${msg}`);

const cliShown = (cli) => (path.relative(repoRoot, cli).startsWith('..') ? cli : path.relative(repoRoot, cli));

/** Timed runs of `toolList` on `file`, round-robin; returns { id: [run] }. */
async function runTools(toolList, file, runs, label) {
  const out = Object.fromEntries(toolList.map((t) => [t.id, []]));
  for (let r = 0; r < runs; r++) {
    for (const tool of toolList) {
      const res = await tool.run(file);
      out[tool.id].push(res);
      log(`${label} run ${r + 1}/${runs} ${tool.label}: ${res.wallSeconds.toFixed(3)} s, ${(res.rssKiB / 1024).toFixed(1)} MiB`);
    }
  }
  return out;
}

/** redis-check-aof, ours and the floor on an AOF; for plain.aof also ours on its 100 MB prefix. */
async function measureAof(meta, cfg, { runs, machine, rev }) {
  const file = path.join(dataDir, meta.file);
  log(`${meta.file}: warm-up read`);
  warmUp(file);
  const json = await ourAofCheck(cfg, file, meta);
  const toolList = tools(cfg, 'aof');
  const measured = await runTools(toolList, file, runs, meta.file);
  const toolsSummary = Object.fromEntries(toolList.map((t) => [t.id, summarise(measured[t.id], meta.bytes)]));
  toolsSummary.ours.commands = json.commands;
  toolsSummary.ours.keys = json.keys ?? 0;
  toolsSummary.ours.commandsPerSecBest = Math.round(json.commands / toolsSummary.ours.bestSeconds);
  toolsSummary.ours.commandsPerSecMedian = Math.round(json.commands / toolsSummary.ours.medianSeconds);
  toolsSummary.ours.command = `node ${cliShown(cfg.cliPath)} check FILE`;
  let prefix = null;
  if (meta.prefix) {
    // Flat memory: ours on the 100 MB prefix (same content, 1/5 of the size).
    const pFile = path.join(dataDir, meta.prefix.file);
    warmUp(pFile);
    const pJson = await ourAofCheck(cfg, pFile, meta.prefix);
    const pRuns = await runTools([ours(cfg)], pFile, runs, meta.prefix.file);
    prefix = {
      file: meta.prefix.file,
      bytes: meta.prefix.bytes,
      commands: pJson.commands,
      generationSeconds: meta.prefix.generationSeconds,
      description: meta.prefix.description,
      ours: summarise(pRuns.ours, meta.prefix.bytes),
    };
  }
  const entry = {
    kind: 'aof',
    file: meta.file,
    bytes: meta.bytes,
    format: meta.format,
    commands: meta.commands,
    annotations: meta.annotations,
    keys: meta.keys,
    expires: meta.expires,
    preambleBytes: meta.preambleBytes,
    description: meta.description,
    generatedAt: meta.generatedAt,
    generationSeconds: meta.generationSeconds,
    verifySeconds: meta.verifySeconds,
    measuredAt: new Date().toISOString(),
    runs,
    cache: 'warm',
    machine,
    revision: rev,
    tools: toolsSummary,
    prefix,
  };
  Object.assign(entry, evaluate(entry));
  return entry;
}

async function main() {
  installSignalHandlers();
  const opts = parseArgs(process.argv.slice(2));
  const names = opts.only ? [opts.only] : ALL;

  // Fail fast on missing prerequisites.
  checkGnuTime();
  redisVersion();
  for (const checker of ['redis-check-rdb', 'redis-check-aof']) {
    try {
      // redis-check-aof has no --version: its usage text exits 1, but it must start.
      execFileSync(checker, checker === 'redis-check-rdb' ? ['--version'] : [], { timeout: 10_000, stdio: 'ignore' });
    } catch (err) {
      if (err.status === undefined || err.status === null || err.code === 'ENOENT') throw new BenchError(`${checker} not runnable: ${err.message}`, 2);
    }
  }
  if (!fs.existsSync(opts.cli)) {
    throw new BenchError(`CLI not found at ${opts.cli}: run \`npm run build\` first (\`npm run bench\` does), or pass --cli PATH`, 2);
  }

  // 1. Data.
  const metas = {};
  for (const name of names) {
    if (isAof(name)) continue;
    const hit = opts.regen ? null : cached(name, dataDir);
    if (hit) {
      log(`using cached bench/data/${hit.file} (${fmtBytes(hit.bytes)}, ${fmtInt(hit.keys)} keys, generated ${hit.generatedAt})`);
      metas[name] = hit;
    } else {
      log(`generating bench/data/${DATASETS[name].file}${opts.regen ? ' (--regen)' : ''}...`);
      metas[name] = await generate(name, dataDir, log);
    }
  }
  // AOF files after the RDB ones: hybrid.aof's preamble is small-keys.rdb.
  for (const name of names) {
    if (!isAof(name)) continue;
    const hit = opts.regen ? null : cachedAof(name, dataDir);
    if (hit) {
      log(`using cached bench/data/${hit.file} (${fmtBytes(hit.bytes)}, ${fmtInt(hit.commands)} commands, generated ${hit.generatedAt})`);
      metas[name] = hit;
    } else {
      log(`generating bench/data/${AOF_DATASETS[name].file}${opts.regen ? ' (--regen)' : ''}...`);
      metas[name] = await generateAof(name, dataDir, log);
    }
  }

  // 2. Measurements.
  const machine = { ...machineInfo(), redis: redisVersion() };
  const rev = revision(repoRoot);
  const cfg = { cliPath: opts.cli, floorPath: path.join(benchDir, 'floor.mjs'), timeoutMs: opts.timeoutSec * 1000 };
  const entries = {};
  for (const name of names) {
    const meta = metas[name];
    if (isAof(name)) {
      entries[name] = await measureAof(meta, cfg, { runs: opts.runs, machine, rev });
      console.log(stdoutReport(name, entries[name]));
      continue;
    }
    const toolList = tools(cfg, 'rdb');
    const file = path.join(dataDir, meta.file);
    log(`${meta.file}: warm-up read`);
    warmUp(file);
    const keys = await ourKeyCount(cfg, file);
    if (keys !== meta.keys) {
      throw new BenchError(`redis-inspect check --json reported ${fmtInt(keys)} keys for ${meta.file}, but the file holds ${fmtInt(meta.keys)} keys (DBSIZE before SAVE)`);
    }
    const runs = Object.fromEntries(toolList.map((t) => [t.id, []]));
    for (let r = 0; r < opts.runs; r++) {
      // Round-robin over the tools so drift on the machine affects all alike.
      for (const tool of toolList) {
        const res = await tool.run(file);
        if (tool.id === 'redis-check-rdb' && res.keys !== null && res.keys !== meta.keys) {
          throw new BenchError(`redis-check-rdb read ${res.keys} keys from ${meta.file}, expected ${meta.keys}: the data file looks stale, rerun with --regen`);
        }
        runs[tool.id].push(res);
        log(`${meta.file} run ${r + 1}/${opts.runs} ${tool.label}: ${res.wallSeconds.toFixed(3)} s, ${(res.rssKiB / 1024).toFixed(1)} MiB`);
      }
    }
    const toolsSummary = Object.fromEntries(toolList.map((t) => [t.id, summarise(runs[t.id], meta.bytes)]));
    toolsSummary.ours.keys = keys;
    toolsSummary.ours.keysPerSecBest = Math.round(keys / toolsSummary.ours.bestSeconds);
    toolsSummary.ours.keysPerSecMedian = Math.round(keys / median(runs.ours.map((x) => x.wallSeconds)));
    toolsSummary.ours.command = `node ${cliShown(opts.cli)} check FILE`;
    const entry = {
      kind: 'rdb',
      file: meta.file,
      bytes: meta.bytes,
      keys: meta.keys,
      expires: meta.expires,
      rdbcompression: meta.rdbcompression,
      description: meta.description,
      generatedAt: meta.generatedAt,
      generationSeconds: meta.generationSeconds,
      measuredAt: new Date().toISOString(),
      runs: opts.runs,
      cache: 'warm',
      machine,
      revision: rev,
      tools: toolsSummary,
    };
    Object.assign(entry, evaluate(entry));
    entries[name] = entry;
    console.log(stdoutReport(name, entry));
  }

  // 3. Results: merge with previous results so `--only` keeps the other file's numbers.
  const previous = readResults(resultsFile);
  const results = {
    schema: 2,
    updatedAt: new Date().toISOString(),
    targets: TARGETS,
    files: { ...(previous?.files ?? {}), ...entries },
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  updateBenchmarksMd(benchmarksMd, results);
  log(`wrote ${path.relative(repoRoot, resultsFile)} and ${path.relative(repoRoot, benchmarksMd)}`);
  const missed = Object.values(entries).flatMap((e) => Object.entries(e.targets).filter(([, t]) => !t.met).map(([k, t]) => `${e.file}: ${k} ${t.value} (target ${t.target})`));
  if (missed.length) log(`targets not met:\n  ${missed.join('\n  ')}`);
  else log('all targets met');
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  if (signalled()) {
    exitCode = await signalled(); // interrupted: the failure is a consequence, not news
  } else {
    exitCode = err instanceof BenchError ? err.exitCode : 1;
    console.error(`\nbench: FAILED: ${err instanceof BenchError ? err.message : err.stack}`);
  }
} finally {
  await runCleanups();
}
process.exit(exitCode);
