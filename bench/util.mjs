// Shared helpers for the benchmark harness: cleanup on every exit path, timeouts,
// bounded child processes, formatting.
import { execFileSync, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import os from 'node:os';
import fs from 'node:fs';

/** Error whose message is shown to the user as-is (no stack trace). */
export class BenchError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'BenchError';
    this.exitCode = exitCode;
  }
}

// ---------------------------------------------------------------------------
// Cleanup registry. Every resource that must not outlive the harness (the
// throw-away redis-server, a measured child, a temp dir) registers here.
//  - `async` runs on normal shutdown and on SIGINT/SIGTERM;
//  - `sync` runs from process.on('exit') as a last resort (e.g. after an
//    uncaught exception), so it must be synchronous (kill by PID, rmSync).
// ---------------------------------------------------------------------------
const cleanups = new Set();

export function registerCleanup(entry) {
  cleanups.add(entry);
  return () => cleanups.delete(entry);
}

export async function runCleanups() {
  const entries = [...cleanups].reverse();
  cleanups.clear();
  for (const entry of entries) {
    try {
      if (entry.async) await withTimeout(entry.async(), 15_000, `cleanup "${entry.name}"`);
      else if (entry.sync) entry.sync();
    } catch (err) {
      console.error(`bench: cleanup "${entry.name}" failed: ${err.message}`);
      try {
        entry.sync?.();
      } catch {
        // already reported
      }
    }
  }
}

let signalExit = null;
/** After SIGINT/SIGTERM: a promise of the exit code, resolved once cleanups ran; otherwise null. */
export const signalled = () => signalExit;

export function installSignalHandlers() {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(sig, () => {
      if (signalExit) return; // a second ctrl-C: the exit handler still kills what is left
      console.error(`\nbench: ${sig} received, stopping redis-server and children...`);
      signalExit = runCleanups().then(() => code);
      signalExit.then((c) => process.exit(c));
    });
  }
  process.on('exit', () => {
    for (const entry of [...cleanups].reverse()) {
      try {
        entry.sync?.();
      } catch {
        // nothing more we can do while exiting
      }
    }
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new BenchError(`timed out after ${(ms / 1000).toFixed(0)} s: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keep only the last `limit` bytes of a growing output stream. */
function tailCollector(limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  return {
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
      while (size > limit && chunks.length > 1) size -= chunks.shift().length;
    },
    text() {
      const buf = Buffer.concat(chunks);
      return buf.subarray(Math.max(0, buf.length - limit)).toString('utf8');
    },
  };
}

/**
 * Run a command to completion with a hard timeout. The child gets its own
 * process group so a timeout / ctrl-C kills it and anything it started.
 * Resolves { code, signal, stdout, stderr, wallSeconds }; never rejects on a
 * non-zero exit (callers decide), rejects on spawn failure or timeout.
 */
export function runBounded(cmd, args, { timeoutMs, what = cmd, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let child;
    try {
      child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      reject(new BenchError(`cannot start ${what}: ${err.message}`));
      return;
    }
    const out = tailCollector();
    const errOut = tailCollector();
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => errOut.push(c));
    const killGroup = (signal) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // group already gone
      }
    };
    const unregister = registerCleanup({ name: `child ${what}`, sync: () => killGroup('SIGKILL') });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      unregister();
      reject(new BenchError(`cannot start ${what}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      unregister();
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (timedOut) {
        reject(new BenchError(`timed out after ${(timeoutMs / 1000).toFixed(0)} s: ${what}\n${errOut.text().slice(-2000)}`));
        return;
      }
      resolve({ code, signal, stdout: out.text(), stderr: errOut.text(), wallSeconds });
    });
  });
}

// ---------------------------------------------------------------------------
// Formatting / statistics
// ---------------------------------------------------------------------------
/**
 * A bench's command line through node:util's parseArgs (`--flag value` and
 * `--flag=value`): unknown flags and missing values are usage errors (exit 2)
 * with `usage`; `--help`/`-h` prints `usage` and exits. `numbers` names the
 * string options that are numbers, each checked with its `ok` test.
 */
export function benchArgs(argv, options, usage, numbers = {}) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new BenchError(`${e.message}\n${usage}`, 2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  for (const [name, { ok, what }] of Object.entries(numbers)) {
    if (values[name] === undefined) continue;
    const n = Number(values[name]);
    if (!ok(n)) throw new BenchError(`--${name} must be ${what}\n${usage}`, 2);
    values[name] = n;
  }
  return values;
}

/** The benches' deterministic PRNG (mulberry32): the same seed gives the same data files. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MB = 1e6;
export const MiB = 1024 * 1024;

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function fmtBytes(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export function fmtInt(n) {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtRate(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

/** Render rows (arrays of strings) as an aligned plain-text table. */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header, rows, align) {
  const sep = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(sep), ...rows.map(line)].join('\n');
}

/** Commit the measured code was built from; "+dirty" if `src/` has uncommitted changes. */
export function revision(repoRoot) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', timeout: 10_000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot, encoding: 'utf8', timeout: 10_000 }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** The machine a benchmark ran on (CPU model from lscpu when it can say). */
export function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', [], { encoding: 'utf8', timeout: 10_000 }))?.[1].trim() ?? cpuModel;
  } catch {
    // keep os.cpus()'s model
  }
  return { nproc: os.availableParallelism(), cpuModel, memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()} ${os.arch()}`, node: process.version };
}

/** Replaces the text between the `start`/`end` markers of `file` with `section` (which includes them), or appends it. */
export function replaceMarkedSection(file, start, end, section) {
  const text = fs.readFileSync(file, 'utf8');
  const s = text.indexOf(start);
  const e = text.indexOf(end);
  const next = s >= 0 && e > s ? `${text.slice(0, s)}${section}${text.slice(e + end.length)}` : `${text.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
}
