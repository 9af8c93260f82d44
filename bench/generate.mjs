// Data generation for the benchmark: a throw-away redis-server on a unix socket,
// data pushed as raw RESP over that socket, SAVE, copy dump.rdb into bench/data/.
import { spawn, execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BenchError, registerCleanup, sleep, withTimeout, fmtBytes, fmtInt, mulberry32 } from './util.mjs';

/** Bump when the generated content changes: cached files with another version are regenerated. */
export const GENERATOR_VERSION = 1;

// A far-future absolute expiry (2100-01-01T00:00:00Z) so TTL'd keys never expire
// between SAVE and the benchmark, and the file is reproducible.
const FAR_FUTURE_MS = 4102444800000;

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------
/** Incompressible, deterministic bytes: AES-256-CTR keystream under a fixed key. */
function keystream(seedText) {
  const key = createHash('sha256').update(seedText).digest();
  const iv = createHash('md5').update(seedText).digest();
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  let zeros = Buffer.alloc(1 << 20);
  return (n) => {
    if (zeros.length < n) zeros = Buffer.alloc(n);
    return cipher.update(zeros.subarray(0, n));
  };
}

// ---------------------------------------------------------------------------
// Minimal RESP connection. Every reply the generator provokes is one line
// (+OK, :N, -ERR), so replies are counted by newlines: pipelining millions of
// commands costs nothing but a newline scan. `call` captures the line text.
// ---------------------------------------------------------------------------
class RespPipe {
  constructor(socket) {
    this.socket = socket;
    this.sent = 0;
    this.replies = 0;
    this.errors = [];
    this.errorCount = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.atLineStart = true;
    this.curError = null;
    this.capture = null; // array of line fragments while a `call` waits
    this.waiters = [];
    this.closedError = null;
    socket.on('data', (chunk) => this.onData(chunk));
    const onGone = (err) => {
      this.closedError ??= new BenchError(`redis connection ${err ? `failed: ${err.message}` : 'closed unexpectedly'}`);
      this.wake();
    };
    socket.on('error', onGone);
    socket.on('close', () => onGone(null));
  }

  static async connect(socketPath, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = net.createConnection(socketPath);
        await withTimeout(once(socket, 'connect'), 2000, 'connect to redis unix socket');
        return new RespPipe(socket);
      } catch (err) {
        if (Date.now() > deadline) throw new BenchError(`cannot connect to redis-server at ${socketPath}: ${err.message}`);
        await sleep(100);
      }
    }
  }

  onData(chunk) {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.atLineStart) {
        this.curError = chunk[pos] === 45 ? '' : null; // '-' starts an error reply
        this.atLineStart = false;
      }
      const nl = chunk.indexOf(10, pos);
      const end = nl === -1 ? chunk.length : nl;
      if (this.curError !== null && this.curError.length < 300) this.curError += chunk.toString('latin1', pos, Math.min(end, pos + 300));
      if (this.capture) this.capture.push(chunk.toString('latin1', pos, end));
      if (nl === -1) break;
      if (this.curError !== null) {
        this.errorCount++;
        if (this.errors.length < 5) this.errors.push(this.curError.replace(/\r$/, ''));
        this.curError = null;
      }
      this.replies++;
      this.atLineStart = true;
      pos = nl + 1;
    }
    this.wake();
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Queue a command; args are strings (ASCII) or Buffers. */
  cmd(...args) {
    let head = `*${args.length}\r\n`;
    for (const a of args) {
      if (typeof a === 'string') {
        head += `$${a.length}\r\n${a}\r\n`;
      } else {
        head += `$${a.length}\r\n`;
        this.pending.push(head, a);
        this.pendingBytes += head.length + a.length;
        head = '\r\n';
      }
    }
    this.pending.push(head);
    this.pendingBytes += head.length;
    this.sent++;
  }

  /** Write queued commands if enough accumulated (or `force`), honouring backpressure. */
  async flush(force = false) {
    if (this.closedError) throw this.closedError;
    if (!force && this.pendingBytes < (1 << 20)) return;
    if (this.pending.length === 0) return;
    const data = Buffer.concat(this.pending.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.socket.write(data)) {
      await new Promise((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
    if (this.closedError) throw this.closedError;
  }

  /** Flush and wait until every queued command has been answered; fail on any error reply. */
  async sync(timeoutMs, what) {
    await this.flush(true);
    const wait = async () => {
      while (this.replies < this.sent) {
        if (this.closedError) throw this.closedError;
        await new Promise((resolve) => this.waiters.push(resolve));
      }
    };
    await withTimeout(wait(), timeoutMs, what);
    if (this.errorCount > 0) {
      throw new BenchError(`redis answered ${this.errorCount} command(s) with an error during ${what}; first: ${this.errors.join(' | ')}`);
    }
  }

  /** Send one command and return its (single-line) reply text; error replies throw. */
  async call(timeoutMs, ...args) {
    await this.sync(timeoutMs, 'pipeline drain');
    this.capture = [];
    const errorsBefore = this.errorCount;
    const errorsListBefore = this.errors.length;
    try {
      this.cmd(...args);
      await this.flush(true);
      const wait = async () => {
        while (this.replies < this.sent) {
          if (this.closedError) throw this.closedError;
          await new Promise((resolve) => this.waiters.push(resolve));
        }
      };
      await withTimeout(wait(), timeoutMs, `redis ${args.slice(0, 2).join(' ')}`);
      const line = this.capture.join('').replace(/\r$/, '');
      if (line.startsWith('-')) {
        this.errorCount = errorsBefore;
        this.errors.length = Math.min(this.errors.length, errorsListBefore);
        throw new BenchError(`redis ${args.slice(0, 2).join(' ')} failed: ${line.slice(1)}`);
      }
      return line;
    } finally {
      this.capture = null;
    }
  }

  close() {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------
// Throw-away server
// ---------------------------------------------------------------------------
async function startServer(log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-bench-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const unregisterDir = registerCleanup({ name: `temp dir ${dir}`, sync: removeDir });
  const socketPath = path.join(dir, 'redis.sock');
  const logFile = path.join(dir, 'redis.log');
  const args = [
    '--port', '0',
    '--unixsocket', socketPath,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--dbfilename', 'dump.rdb',
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--enable-debug-command', 'yes',
    '--logfile', logFile,
    '--maxmemory', '0',
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  let exited = false;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
    child.on('error', (err) => {
      exited = true;
      resolve({ error: err });
    });
  });
  const logTail = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const killSync = () => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  let conn = null;
  let stopping = null;
  const stop = () => (stopping ??= stopNow());
  const stopNow = async () => {
    conn?.close();
    if (!exited && child.pid !== undefined) {
      log(`stopping redis-server (pid ${child.pid})`);
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const res = await Promise.race([exitPromise, sleep(10_000).then(() => null)]);
      if (res === null) {
        log(`redis-server pid ${child.pid} ignored SIGTERM for 10 s, sending SIGKILL`);
        killSync();
        await Promise.race([exitPromise, sleep(5_000)]);
      }
    }
  };
  const unregisterServer = registerCleanup({ name: 'redis-server', async: stop, sync: killSync });

  log(`started redis-server pid ${child.pid} (socket ${socketPath})`);
  try {
    const started = await Promise.race([
      RespPipe.connect(socketPath, 15_000),
      exitPromise.then((res) => {
        throw new BenchError(`redis-server exited during startup (${res.error?.message ?? `code ${res.code}, signal ${res.signal}`}):\n${logTail()}`);
      }),
    ]);
    conn = started;
    const pong = await conn.call(5_000, 'PING');
    if (pong !== '+PONG') throw new BenchError(`unexpected PING reply: ${pong}`);
  } catch (err) {
    await stop();
    unregisterServer();
    removeDir();
    unregisterDir();
    throw err;
  }
  return {
    dir,
    conn,
    pid: child.pid,
    logTail,
    async shutdown() {
      await stop();
      unregisterServer();
      removeDir();
      unregisterDir();
    },
  };
}

// ---------------------------------------------------------------------------
// Datasets
// ---------------------------------------------------------------------------

async function fillSmallKeys(conn, log) {
  const rng = mulberry32(20240601);
  const int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
  const counts = { strings: 1_500_000, intStrings: 50_000, hashes: 150_000, intSets: 100_000, strSets: 50_000, zsets: 150_000, lists: 100_000 };
  let expires = 0;
  const expire = async (key, i) => {
    if (i % 10 === 0) {
      conn.cmd('PEXPIREAT', key, String(FAR_FUTURE_MS + i));
      expires++;
    }
    await conn.flush();
  };
  const big = 10 * 60_000;

  log(`DEBUG POPULATE ${counts.strings} str 16`);
  await conn.call(big, 'DEBUG', 'POPULATE', String(counts.strings), 'str', '16');
  for (let i = 0; i < counts.strings; i++) await expire(`str:${i}`, i);

  for (let i = 0; i < counts.intStrings; i++) {
    const v = int(-2_000_000_000, 2_000_000_000);
    conn.cmd('SET', `n:${i}`, String(i % 7 === 0 ? v % 128 : v));
    await expire(`n:${i}`, i);
  }
  for (let i = 0; i < counts.hashes; i++) {
    const args = ['HSET', `h:${i}`];
    const n = int(2, 8);
    for (let j = 0; j < n; j++) args.push(`field${j}`, j % 3 === 0 ? String(int(0, 1e6)) : `value-${int(0, 1e9).toString(36)}`);
    conn.cmd(...args);
    await expire(`h:${i}`, i);
  }
  for (let i = 0; i < counts.intSets; i++) {
    const args = ['SADD', `si:${i}`];
    const n = int(2, 10);
    for (let j = 0; j < n; j++) args.push(String(int(-1e6, 1e9)));
    conn.cmd(...args);
    await expire(`si:${i}`, i);
  }
  for (let i = 0; i < counts.strSets; i++) {
    const args = ['SADD', `ss:${i}`];
    const n = int(2, 6);
    for (let j = 0; j < n; j++) args.push(`member-${j}-${int(0, 1e9).toString(36)}`);
    conn.cmd(...args);
    await expire(`ss:${i}`, i);
  }
  for (let i = 0; i < counts.zsets; i++) {
    const args = ['ZADD', `z:${i}`];
    const n = int(2, 8);
    for (let j = 0; j < n; j++) args.push(j % 2 ? String(int(-1000, 100000)) : (rng() * 1000).toFixed(3), `m${j}-${int(0, 1e6)}`);
    conn.cmd(...args);
    await expire(`z:${i}`, i);
  }
  for (let i = 0; i < counts.lists; i++) {
    const args = ['RPUSH', `l:${i}`];
    const n = int(2, 10);
    for (let j = 0; j < n; j++) args.push(j % 2 ? String(int(0, 1e9)) : `item-${int(0, 1e9).toString(36)}`);
    conn.cmd(...args);
    await expire(`l:${i}`, i);
  }
  await conn.sync(big, 'loading small keys');
  const keys = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    keys,
    expires,
    rdbcompression: 'yes',
    description:
      `${fmtInt(counts.strings)} DEBUG POPULATE strings (16 B values), ${fmtInt(counts.intStrings)} integer strings, ` +
      `${fmtInt(counts.hashes)} hashes (2–8 fields, listpack), ${fmtInt(counts.intSets)} integer sets (intset), ` +
      `${fmtInt(counts.strSets)} string sets (hashtable), ${fmtInt(counts.zsets)} zsets (listpack), ` +
      `${fmtInt(counts.lists)} lists (quicklist/listpack); every 10th key has a TTL; rdbcompression yes`,
  };
}

async function fillLargeValues(conn, log) {
  const rng = mulberry32(424242);
  const int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
  const bytes = keystream('redis-persistence-inspector bench large-values v1');
  const KiB = 1024;
  const MiBv = 1024 * 1024;
  const big = 10 * 60_000;
  let expires = 0;
  let keys = 0;
  let payload = 0;
  const value = (n) => {
    payload += n;
    return bytes(n);
  };

  // Large strings: 1–4 MiB each.
  const nStrings = 220;
  log(`${nStrings} strings of 1–4 MiB`);
  for (let i = 0; i < nStrings; i++) {
    conn.cmd('SET', `big:${i}`, value(int(MiBv, 4 * MiBv)));
    keys++;
    if (i % 10 === 0) {
      conn.cmd('PEXPIREAT', `big:${i}`, String(FAR_FUTURE_MS + i));
      expires++;
    }
    await conn.flush();
  }
  // Medium strings: 4–64 KiB.
  const nMid = 1000;
  for (let i = 0; i < nMid; i++) {
    conn.cmd('SET', `mid:${i}`, value(int(4 * KiB, 64 * KiB)));
    keys++;
    if (i % 10 === 0) {
      conn.cmd('PEXPIREAT', `mid:${i}`, String(FAR_FUTURE_MS + i));
      expires++;
    }
    await conn.flush();
  }
  // Lists of large elements. The first two are pushed with a lowered packed
  // threshold so elements >= 32 KiB are stored as PLAIN quicklist nodes.
  log('4 lists × 400 elements of 16–64 KiB (2 with PLAIN nodes), 4 hashes, 2 sets, 2 zsets of large elements');
  let plainNodes = false;
  for (let l = 0; l < 4; l++) {
    if (l === 0) {
      try {
        await conn.call(30_000, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '32768');
        plainNodes = true;
      } catch (err) {
        log(`note: DEBUG QUICKLIST-PACKED-THRESHOLD unavailable (${err.message}); no PLAIN list nodes`);
      }
    }
    if (l === 2 && plainNodes) await conn.call(30_000, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1073741824');
    for (let b = 0; b < 400; b += 40) {
      const args = ['RPUSH', `biglist:${l}`];
      for (let j = 0; j < 40; j++) args.push(value(int(16 * KiB, 64 * KiB)));
      conn.cmd(...args);
      await conn.flush();
    }
    keys++;
  }
  for (let h = 0; h < 4; h++) {
    for (let b = 0; b < 400; b += 40) {
      const args = ['HSET', `bighash:${h}`];
      for (let j = b; j < b + 40; j++) args.push(`field:${j}`, value(int(4 * KiB, 32 * KiB)));
      conn.cmd(...args);
      await conn.flush();
    }
    keys++;
  }
  for (let s = 0; s < 2; s++) {
    for (let b = 0; b < 400; b += 40) {
      const args = ['SADD', `bigset:${s}`];
      for (let j = 0; j < 40; j++) args.push(value(int(KiB, 8 * KiB)));
      conn.cmd(...args);
      await conn.flush();
    }
    keys++;
  }
  for (let z = 0; z < 2; z++) {
    for (let b = 0; b < 400; b += 40) {
      const args = ['ZADD', `bigzset:${z}`];
      for (let j = 0; j < 40; j++) args.push((rng() * 1e6).toFixed(4), value(int(KiB, 8 * KiB)));
      conn.cmd(...args);
      await conn.flush();
    }
    keys++;
  }
  await conn.sync(big, 'loading large values');
  return {
    keys,
    expires,
    rdbcompression: 'no',
    description:
      `${nStrings} strings of 1–4 MiB and ${nMid} strings of 4–64 KiB (pseudo-random, incompressible), ` +
      `4 lists × 400 elements of 16–64 KiB${plainNodes ? ' (2 of them with PLAIN quicklist nodes)' : ''}, ` +
      `4 hashes × 400 fields of 4–32 KiB (hashtable), 2 sets and 2 zsets × 400 members of 1–8 KiB; ` +
      `every 10th string has a TTL; ${fmtBytes(payload)} of payload; rdbcompression no`,
  };
}

export const DATASETS = {
  small: { file: 'small-keys.rdb', fill: fillSmallKeys, compression: 'yes' },
  large: { file: 'large-values.rdb', fill: fillLargeValues, compression: 'no' },
};

export function redisVersion() {
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return /v=(\S+)/.exec(out)?.[1] ?? out.trim();
  } catch (err) {
    throw new BenchError(`redis-server not runnable: ${err.message}`, 2);
  }
}

/**
 * Generate bench/data/<file> and its .json metadata. Writes to a temp name and
 * renames last, so an interrupted run never leaves a file that looks cached.
 */
export async function generate(name, dataDir, log) {
  const ds = DATASETS[name];
  const target = path.join(dataDir, ds.file);
  const metaFile = `${target}.json`;
  fs.mkdirSync(dataDir, { recursive: true });
  const t0 = process.hrtime.bigint();
  const server = await startServer(log);
  try {
    const { conn } = server;
    await conn.call(10_000, 'CONFIG', 'SET', 'rdbcompression', ds.compression);
    await conn.call(10_000, 'CONFIG', 'SET', 'proto-max-bulk-len', '64mb');
    const info = await ds.fill(conn, log);
    const dbsize = Number((await conn.call(30_000, 'DBSIZE')).slice(1));
    if (dbsize !== info.keys) throw new BenchError(`DBSIZE is ${dbsize}, expected ${info.keys} keys`);
    const tLoaded = process.hrtime.bigint();
    log(`loaded ${fmtInt(dbsize)} keys in ${(Number(tLoaded - t0) / 1e9).toFixed(1)} s; SAVE...`);
    await conn.call(10 * 60_000, 'SAVE');
    const dump = path.join(server.dir, 'dump.rdb');
    const tmp = `${target}.tmp-${process.pid}`;
    const removeTmp = registerCleanup({ name: 'partial copy', sync: () => fs.rmSync(tmp, { force: true }) });
    fs.copyFileSync(dump, tmp);
    const bytes = fs.statSync(tmp).size;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const meta = {
      generatorVersion: GENERATOR_VERSION,
      file: ds.file,
      bytes,
      keys: info.keys,
      expires: info.expires,
      rdbcompression: info.rdbcompression,
      description: info.description,
      redisVersion: redisVersion(),
      generatedAt: new Date().toISOString(),
      generationSeconds: Math.round(seconds * 10) / 10,
    };
    fs.writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    fs.renameSync(tmp, target);
    removeTmp();
    log(`wrote ${target} (${fmtBytes(bytes)}, ${fmtInt(info.keys)} keys) in ${seconds.toFixed(1)} s`);
    return meta;
  } catch (err) {
    if (err instanceof BenchError) err.message += `\nredis log tail:\n${server.logTail()}`;
    throw err;
  } finally {
    await server.shutdown();
  }
}

/** Return cached metadata, or null if the file (or its metadata) must be (re)generated. */
export function cached(name, dataDir) {
  const target = path.join(dataDir, DATASETS[name].file);
  try {
    const meta = JSON.parse(fs.readFileSync(`${target}.json`, 'utf8'));
    const size = fs.statSync(target).size;
    if (meta.generatorVersion !== GENERATOR_VERSION || meta.bytes !== size) return null;
    return meta;
  } catch {
    return null;
  }
}
