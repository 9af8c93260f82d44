// Measurement: every child runs under GNU time (`/usr/bin/time -f '%e %M'`) for
// peak RSS; wall time is taken around the spawn with hrtime (finer than %e).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCheckAof } from './generate-aof.mjs';
import { BenchError, MB, MiB, median, registerCleanup, runBounded } from './util.mjs';

export const GNU_TIME = '/usr/bin/time';

/** A path as it reads best in messages: relative to the working directory when below it. */
function shown(p) {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

export function checkGnuTime() {
  if (!fs.existsSync(GNU_TIME)) throw new BenchError(`${GNU_TIME} not found: install the Debian package "time"`, 2);
}

/** Read the whole file once so every measurement runs against a warm page cache. */
export function warmUp(file) {
  const buf = Buffer.allocUnsafe(8 * MiB);
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0) {
      // discard
    }
  } finally {
    fs.closeSync(fd);
  }
}

let timeDir = null;
function timeFile() {
  if (!timeDir) {
    timeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-bench-time-'));
    const dir = timeDir;
    registerCleanup({ name: 'time dir', sync: () => fs.rmSync(dir, { recursive: true, force: true }) });
  }
  return path.join(timeDir, 'time.out');
}

/** Run `cmd args` under GNU time. Returns { wallSeconds, rssKiB, code, stdout, stderr }. */
export async function timed(cmd, args, { timeoutMs, what }) {
  const out = timeFile();
  fs.rmSync(out, { force: true });
  const res = await runBounded(GNU_TIME, ['-f', '%e %M', '-o', out, cmd, ...args], { timeoutMs, what });
  let text = '';
  try {
    text = fs.readFileSync(out, 'utf8');
  } catch {
    // reported below
  }
  const last = text.trim().split('\n').pop() ?? '';
  const m = /^([\d.]+) (\d+)$/.exec(last);
  if (!m) {
    throw new BenchError(`${what}: could not read GNU time output (${JSON.stringify(text.slice(-300))}); exit ${res.code}\n${res.stderr.slice(-2000)}`);
  }
  return { wallSeconds: res.wallSeconds, timeSeconds: Number(m[1]), rssKiB: Number(m[2]), code: res.code, signal: res.signal, stdout: res.stdout, stderr: res.stderr, timeNote: text.trim().split('\n').slice(0, -1).join(' ') };
}

function failure(what, res, expect) {
  const status = res.signal ? `signal ${res.signal}` : `exit status ${res.code}`;
  return new BenchError(
    `${what}: ${expect} — got ${status}. ${res.timeNote ?? ''}\n` +
      `--- stdout (tail) ---\n${res.stdout.slice(-3000)}\n--- stderr (tail) ---\n${res.stderr.slice(-3000)}`,
  );
}

/**
 * The three measured tools for a file of `kind` ('rdb' or 'aof'): the Redis checker
 * (redis-check-rdb / redis-check-aof), ours and the JS floor. `run(file)` performs
 * one timed run and validates it.
 */
export function tools({ cliPath, floorPath, timeoutMs }, kind = 'rdb') {
  const checker =
    kind === 'aof'
      ? {
          id: 'redis-check-aof',
          label: 'redis-check-aof',
          async run(file) {
            const what = `redis-check-aof ${path.basename(file)}`;
            const res = await timed('redis-check-aof', [file], { timeoutMs, what });
            // It prints one "AOF analyzed: ... ok_up_to=..." line per file (plus the
            // RDB checker's lines for a preamble) and "AOF ... is valid".
            const v = parseCheckAof(res, file);
            if (!v.ok) throw failure(what, res, 'expected "AOF analyzed: ... ok_up_to=<size>", "is valid" and exit 0');
            return { ...res, keys: null, okUpTo: v.okUpTo };
          },
        }
      : {
          id: 'redis-check-rdb',
          label: 'redis-check-rdb',
          async run(file) {
            const what = `redis-check-rdb ${path.basename(file)}`;
            const res = await timed('redis-check-rdb', [file], { timeoutMs, what });
            if (res.code !== 0 || !/RDB looks OK/.test(res.stdout + res.stderr)) throw failure(what, res, 'expected "RDB looks OK" and exit 0');
            const keys = /(\d+) keys read/.exec(res.stdout + res.stderr);
            return { ...res, keys: keys ? Number(keys[1]) : null };
          },
        };
  const valid = kind === 'aof' ? 'the file is a valid AOF (redis-check-aof accepts it), so exit status 0 was required' : 'the file is a valid RDB written by redis-server, so exit status 0 was required';
  return [
    checker,
    ours({ cliPath, timeoutMs }, valid),
    {
      id: 'floor',
      label: 'JS floor (readSync+sum)',
      async run(file) {
        const what = `node bench/floor.mjs ${path.basename(file)}`;
        const res = await timed(process.execPath, [floorPath, file], { timeoutMs, what });
        if (res.code !== 0) throw failure(what, res, 'expected exit 0');
        const size = fs.statSync(file).size;
        let parsed;
        try {
          parsed = JSON.parse(res.stdout);
        } catch {
          throw failure(what, res, 'expected JSON output');
        }
        if (parsed.bytes !== size) throw new BenchError(`${what}: read ${parsed.bytes} bytes, file has ${size}`);
        return res;
      },
    },
  ];
}

/** `node CLI check FILE`, timed; must exit 0. */
export function ours({ cliPath, timeoutMs }, valid = 'exit status 0 was required') {
  return {
    id: 'ours',
    label: 'redis-inspect check',
    async run(file) {
      const what = `node ${shown(cliPath)} check ${path.basename(file)}`;
      const res = await timed(process.execPath, [cliPath, 'check', file], { timeoutMs, what });
      if (res.code !== 0) throw failure(what, res, valid);
      return res;
    },
  };
}

/**
 * Unmeasured `check FILE --json` on an AOF: must exit 0 with ok: true, validUpTo
 * equal to the file size, and the generated command (and preamble key) counts.
 */
export async function ourAofCheck({ cliPath, timeoutMs }, file, meta) {
  const what = `node ${shown(cliPath)} check ${path.basename(file)} --json`;
  const res = await timed(process.execPath, [cliPath, 'check', file, '--json'], { timeoutMs, what });
  if (res.code !== 0) throw failure(what, res, 'the file is a valid AOF (redis-check-aof accepts it), so exit status 0 was required');
  let json;
  try {
    json = JSON.parse(res.stdout);
  } catch (err) {
    throw failure(what, res, `stdout must be JSON (${err.message})`);
  }
  const size = fs.statSync(file).size;
  const wrong = [];
  if (json?.ok !== true) wrong.push(`ok is ${JSON.stringify(json?.ok)}, expected true`);
  if (json?.validUpTo !== size) wrong.push(`validUpTo is ${json?.validUpTo}, expected the file size ${size}`);
  if (json?.commands !== meta.commands) wrong.push(`commands is ${json?.commands}, the generator wrote ${meta.commands}`);
  if ((json?.keys ?? 0) !== meta.keys) wrong.push(`keys is ${json?.keys}, the RDB preamble holds ${meta.keys}`);
  if (wrong.length) throw failure(what, res, wrong.join('; '));
  return json;
}

/** Unmeasured `check FILE --json` run for the key count. */
export async function ourKeyCount({ cliPath, timeoutMs }, file) {
  const what = `node ${shown(cliPath)} check ${path.basename(file)} --json`;
  const res = await timed(process.execPath, [cliPath, 'check', file, '--json'], { timeoutMs, what });
  if (res.code !== 0) throw failure(what, res, 'the file is a valid RDB written by redis-server, so exit status 0 was required');
  let json;
  try {
    json = JSON.parse(res.stdout);
  } catch (err) {
    throw failure(what, res, `stdout must be JSON (${err.message})`);
  }
  if (typeof json?.keys === 'number') return json.keys;
  throw failure(what, res, 'the JSON output must have a numeric top-level field "keys"');
}

/** Summarise runs of one tool on one file. */
export function summarise(runs, bytes) {
  const walls = runs.map((r) => r.wallSeconds);
  const best = Math.min(...walls);
  const med = median(walls);
  const rss = runs.map((r) => r.rssKiB);
  return {
    wallSeconds: walls.map((w) => Math.round(w * 10000) / 10000),
    bestSeconds: Math.round(best * 10000) / 10000,
    medianSeconds: Math.round(med * 10000) / 10000,
    bestMBps: Math.round((bytes / MB / best) * 10) / 10,
    medianMBps: Math.round((bytes / MB / med) * 10) / 10,
    peakRssKiB: rss,
    maxPeakRssMiB: Math.round((Math.max(...rss) / 1024) * 10) / 10,
  };
}
