// AOF data for the benchmark, written directly as RESP bytes (no server): a
// deterministic PRNG drives a realistic command mix, values come from fixed
// pools of printable and binary bytes, and everything goes through one reused
// 16 MiB buffer. Each file is verified once with the real redis-check-aof.
//
//   plain.aof        >= 500 MB plain AOF
//   plain-100mb.aof  its ~100 MB prefix, cut at a command boundary outside MULTI
//                    (the same bytes as the start of plain.aof; for the flat-memory check)
//   hybrid.aof       >= 500 MB hybrid AOF: bench/data/small-keys.rdb (written by a
//                    real redis-server SAVE) as RDB preamble + a generated RESP tail
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cached as cachedRdb, generate as generateRdb, redisVersion } from './generate.mjs';
import { BenchError, MB, fmtBytes, fmtInt, mulberry32, registerCleanup, runBounded } from './util.mjs';

/** Bump when the generated content changes: cached files with another version are regenerated. */
export const AOF_GENERATOR_VERSION = 1;

export const AOF_DATASETS = {
  plain: { file: 'plain.aof', prefixFile: 'plain-100mb.aof', seed: 0x5eed_a0f1, minBytes: 520 * MB, prefixBytes: 100 * MB },
  hybrid: { file: 'hybrid.aof', seed: 0x5eed_a0f2, minBytes: 520 * MB, preamble: 'small' },
};

// 2100-01-01T00:00:00Z: absolute expiry times far in the future.
const FAR_FUTURE_MS = 4102444800000;
// Logical clock of the generated history; one "second" every TS_EVERY commands.
const START_SECONDS = 1767225600; // 2026-01-01T00:00:00Z
const TS_EVERY = 1000;
const DBS = [0, 0, 0, 0, 0, 0, 1, 1, 2, 3]; // SELECT targets, db 0 most likely

const POOL = 4 << 20;
/** 4 MiB of printable text (JSON-ish words) and 4 MiB of incompressible binary. */
function pools(seedText) {
  const key = createHash('sha256').update(seedText).digest();
  const iv = createHash('md5').update(seedText).digest();
  const binary = createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(POOL));
  const alphabet = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-:,."{}');
  const text = Buffer.allocUnsafe(POOL);
  for (let i = 0; i < POOL; i++) text[i] = alphabet[binary[i] % alphabet.length];
  return { text, binary };
}

/** RESP writer over one reused buffer, flushed to `fd` when nearly full. */
class RespWriter {
  constructor(fd) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafe(16 << 20);
    this.pos = 0;
    this.written = 0; // bytes already flushed
  }

  get offset() {
    return this.written + this.pos;
  }

  ensure(n) {
    if (this.pos + n > this.buf.length) this.flush();
  }

  flush() {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.written += this.pos;
    this.pos = 0;
  }

  raw(s) {
    this.pos += this.buf.latin1Write(s, this.pos);
  }

  /** A command of string args (ASCII). */
  cmd(args) {
    let s = `*${args.length}\r\n`;
    for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
    this.ensure(s.length);
    this.raw(s);
  }

  /** A command whose last arg is `len` bytes of `pool` at `off` (a value). */
  cmdWithValue(args, pool, off, len) {
    let s = `*${args.length + 1}\r\n`;
    for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
    s += `$${len}\r\n`;
    this.ensure(s.length + len + 2);
    this.raw(s);
    pool.copy(this.buf, this.pos, off, off + len);
    this.pos += len;
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }
}

/**
 * Writes a realistic AOF command stream until `stopAt` bytes (checked between
 * top-level units, never inside MULTI/EXEC). `onBoundary(offset)` is called after
 * every top-level unit. Returns counts.
 */
function writeCommands(w, { seed, stopAt, pool, onBoundary }) {
  const rng = mulberry32(seed);
  const int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
  const c = { commands: 0, annotations: 0, multi: 0, selects: 0, byCmd: {} };
  const count = (name) => {
    c.commands++;
    c.byCmd[name] = (c.byCmd[name] ?? 0) + 1;
  };
  let db = -1;
  let ops = 0;
  const textVal = (lo, hi) => {
    const len = int(lo, hi);
    return [pool.text, int(0, POOL - len), len];
  };

  const one = () => {
    const r = rng();
    if (r < 0.28) {
      // SET small string
      const [p, o, l] = textVal(8, 64);
      w.cmdWithValue(['SET', `user:${int(0, 999_999)}:name`], p, o, l);
      count('SET');
    } else if (r < 0.38) {
      // SET medium value (cached JSON/HTML fragments, 10% binary blobs)
      const len = int(256, 4096);
      const bin = rng() < 0.1;
      const p = bin ? pool.binary : pool.text;
      w.cmdWithValue(['SET', `${bin ? 'blob' : 'cache'}:${int(0, 199_999)}`], p, int(0, POOL - len), len);
      count('SET');
    } else if (r < 0.41) {
      // SET with expiry, as Redis 7 rewrites SET ... EX into the AOF
      const [p, o, l] = textVal(16, 128);
      w.cmd(['SET', `session:${int(0, 499_999)}`, p.toString('latin1', o, o + l), 'PXAT', String(FAR_FUTURE_MS + int(0, 86_400_000))]);
      count('SET');
    } else if (r < 0.55) {
      const n = int(1, 6);
      const args = ['HSET', `profile:${int(0, 299_999)}`];
      for (let i = 0; i < n; i++) {
        const [p, o, l] = textVal(4, 48);
        args.push(`f${int(0, 15)}`, p.toString('latin1', o, o + l));
      }
      w.cmd(args);
      count('HSET');
    } else if (r < 0.65) {
      const n = int(1, 5);
      const args = ['RPUSH', `queue:${int(0, 9_999)}`];
      for (let i = 0; i < n; i++) {
        const [p, o, l] = textVal(8, 96);
        args.push(p.toString('latin1', o, o + l));
      }
      w.cmd(args);
      count('RPUSH');
    } else if (r < 0.73) {
      const n = int(1, 4);
      const args = ['ZADD', `leaderboard:${int(0, 999)}`];
      for (let i = 0; i < n; i++) args.push(i % 2 ? String(int(0, 1_000_000)) : (rng() * 1e4).toFixed(2), `player:${int(0, 999_999)}`);
      w.cmd(args);
      count('ZADD');
    } else if (r < 0.80) {
      const n = int(1, 5);
      const args = ['SADD', `tags:${int(0, 99_999)}`];
      for (let i = 0; i < n; i++) args.push(rng() < 0.5 ? String(int(0, 100_000)) : `tag-${int(0, 5000).toString(36)}`);
      w.cmd(args);
      count('SADD');
    } else if (r < 0.88) {
      if (rng() < 0.75) {
        w.cmd(['INCR', `counter:${int(0, 49_999)}`]);
        count('INCR');
      } else {
        w.cmd(['INCRBY', `counter:${int(0, 49_999)}`, String(int(-1000, 100_000))]);
        count('INCRBY');
      }
    } else if (r < 0.91) {
      w.cmd(['EXPIRE', `user:${int(0, 999_999)}:name`, String(int(60, 604_800))]);
      count('EXPIRE');
    } else if (r < 0.96) {
      w.cmd(['PEXPIREAT', `cache:${int(0, 199_999)}`, String(FAR_FUTURE_MS + int(0, 1e9))]);
      count('PEXPIREAT');
    } else if (r < 0.975) {
      w.cmd(['DEL', `cache:${int(0, 199_999)}`]);
      count('DEL');
    } else if (r < 0.985) {
      w.cmd(['LPOP', `queue:${int(0, 9_999)}`]);
      count('LPOP');
    } else {
      w.cmd(['HDEL', `profile:${int(0, 299_999)}`, `f${int(0, 15)}`]);
      count('HDEL');
    }
  };

  while (w.offset < stopAt) {
    if (ops % TS_EVERY === 0) {
      const s = `#TS:${START_SECONDS + ops / TS_EVERY}\r\n`;
      w.ensure(s.length);
      w.raw(s);
      c.annotations++;
    }
    if (db === -1 || rng() < 0.01) {
      const next = DBS[int(0, DBS.length - 1)];
      if (next !== db) {
        db = next;
        w.cmd(['SELECT', String(db)]);
        count('SELECT');
        c.selects++;
      }
    }
    if (rng() < 0.03) {
      // MULTI/EXEC block of 2–6 commands
      w.cmd(['MULTI']);
      count('MULTI');
      const n = int(2, 6);
      for (let i = 0; i < n; i++) one();
      w.cmd(['EXEC']);
      count('EXEC');
      c.multi++;
      ops += n;
    } else {
      one();
      ops++;
    }
    onBoundary?.(w.offset, c.commands, c.annotations);
  }
  w.flush();
  return c;
}

/** Verify with the real redis-check-aof: exit 0, "is valid", ok_up_to == size. Returns the parsed line. */
export function parseCheckAof(res, file) {
  const text = res.stdout + res.stderr;
  const m = /AOF analyzed: filename=.*?, size=(\d+), ok_up_to=(\d+), ok_up_to_line=(\d+), diff=(\d+)/.exec(text);
  const size = fs.statSync(file).size;
  const ok = res.code === 0 && /is valid/.test(text) && m !== null && Number(m[1]) === size && Number(m[2]) === size;
  return { ok, size: m ? Number(m[1]) : null, okUpTo: m ? Number(m[2]) : null, okUpToLine: m ? Number(m[3]) : null, text };
}

async function verify(file, log) {
  const t0 = process.hrtime.bigint();
  const res = await runBounded('redis-check-aof', [file], { timeoutMs: 20 * 60_000, what: `redis-check-aof ${path.basename(file)}` });
  const v = parseCheckAof(res, file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!v.ok) throw new BenchError(`redis-check-aof rejected the generated ${path.basename(file)} (exit ${res.code}):\n${v.text.slice(-2000)}`);
  log(`redis-check-aof: ${path.basename(file)} is valid (ok_up_to=${v.okUpTo}, ${fmtInt(v.okUpToLine)} lines) in ${seconds.toFixed(1)} s`);
  return Math.round(seconds * 10) / 10;
}

function mix(byCmd) {
  return Object.entries(byCmd)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmtInt(v)}`)
    .join(', ');
}

function writeMeta(target, meta) {
  fs.writeFileSync(`${target}.json`, `${JSON.stringify(meta, null, 2)}\n`);
}

/** Generate one AOF dataset (and for `plain` its 100 MB prefix). Returns its metadata. */
export async function generateAof(name, dataDir, log) {
  const ds = AOF_DATASETS[name];
  fs.mkdirSync(dataDir, { recursive: true });
  const target = path.join(dataDir, ds.file);
  const tmp = `${target}.tmp-${process.pid}`;
  const removeTmp = registerCleanup({ name: `partial ${ds.file}`, sync: () => fs.rmSync(tmp, { force: true }) });
  const t0 = process.hrtime.bigint();
  const pool = pools(`redis-persistence-inspector bench aof v${AOF_GENERATOR_VERSION}`);
  let counts;
  let preambleBytes = 0;
  let preambleMeta = null;
  let prefix = null;
  if (ds.preamble) {
    preambleMeta = cachedRdb(ds.preamble, dataDir) ?? (await generateRdb(ds.preamble, dataDir, log));
    log(`${ds.file}: RDB preamble = bench/data/${preambleMeta.file} (${fmtBytes(preambleMeta.bytes)}, written by redis-server ${preambleMeta.redisVersion} SAVE)`);
    fs.copyFileSync(path.join(dataDir, preambleMeta.file), tmp);
    preambleBytes = fs.statSync(tmp).size;
  }
  const fd = fs.openSync(tmp, ds.preamble ? 'a' : 'w');
  try {
    const w = new RespWriter(fd);
    w.written = preambleBytes;
    log(`${ds.file}: writing RESP until >= ${fmtBytes(ds.minBytes)}...`);
    let nextLog = 100 * MB;
    counts = writeCommands(w, {
      seed: ds.seed,
      stopAt: ds.minBytes,
      pool,
      onBoundary: (off, commands, annotations) => {
        if (ds.prefixBytes && !prefix && off >= ds.prefixBytes) prefix = { bytes: off, commands, annotations };
        if (off >= nextLog) {
          log(`${ds.file}: ${fmtBytes(off)}`);
          nextLog += 100 * MB;
        }
      },
    });
  } finally {
    fs.closeSync(fd);
  }
  const bytes = fs.statSync(tmp).size;
  const writeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log(`${ds.file}: wrote ${fmtBytes(bytes)}, ${fmtInt(counts.commands)} commands in ${writeSeconds.toFixed(1)} s; verifying with redis-check-aof...`);
  const verifySeconds = await verify(tmp, log);
  const now = new Date().toISOString();
  const common = {
    generatorVersion: AOF_GENERATOR_VERSION,
    kind: 'aof',
    redisVersion: redisVersion(),
    generatedAt: now,
  };
  const tailDesc =
    `${fmtInt(counts.commands)} commands (${mix(counts.byCmd)}), ${fmtInt(counts.multi)} MULTI/EXEC blocks, ` +
    `SELECT over dbs 0–3, ${fmtInt(counts.annotations)} #TS: annotations; SET values 8–64 B, 16–128 B (PXAT) and 256 B–4 KiB (10% binary)`;
  const meta = {
    ...common,
    file: ds.file,
    bytes,
    format: ds.preamble ? 'aof-hybrid' : 'aof',
    commands: counts.commands,
    annotations: counts.annotations,
    keys: preambleMeta ? preambleMeta.keys : 0,
    expires: preambleMeta ? preambleMeta.expires : 0,
    preambleBytes,
    preambleFile: preambleMeta?.file ?? null,
    preambleGeneratedAt: preambleMeta?.generatedAt ?? null,
    description: preambleMeta
      ? `RDB preamble: bench/data/${preambleMeta.file} (${fmtBytes(preambleBytes)}, ${fmtInt(preambleMeta.keys)} keys, redis-server SAVE) + RESP tail of ${fmtBytes(bytes - preambleBytes)}: ${tailDesc}`
      : `plain RESP, generated in Node: ${tailDesc}`,
    generationSeconds: Math.round(writeSeconds * 10) / 10,
    verifySeconds,
  };
  if (prefix) {
    // The prefix: first `prefix.bytes` bytes, which end after a top-level unit.
    const pTarget = path.join(dataDir, ds.prefixFile);
    const pTmp = `${pTarget}.tmp-${process.pid}`;
    const removePTmp = registerCleanup({ name: `partial ${ds.prefixFile}`, sync: () => fs.rmSync(pTmp, { force: true }) });
    const t1 = process.hrtime.bigint();
    const src = fs.openSync(tmp, 'r');
    const dst = fs.openSync(pTmp, 'w');
    const buf = Buffer.allocUnsafe(16 << 20);
    let done = 0;
    while (done < prefix.bytes) {
      const n = fs.readSync(src, buf, 0, Math.min(buf.length, prefix.bytes - done), done);
      if (n === 0) throw new BenchError(`short read copying the prefix of ${ds.file}`);
      let off = 0;
      while (off < n) off += fs.writeSync(dst, buf, off, n - off);
      done += n;
    }
    fs.closeSync(src);
    fs.closeSync(dst);
    const pSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    const pVerify = await verify(pTmp, log);
    const pMeta = {
      ...common,
      file: ds.prefixFile,
      bytes: prefix.bytes,
      format: 'aof',
      commands: prefix.commands,
      annotations: prefix.annotations,
      keys: 0,
      expires: 0,
      preambleBytes: 0,
      preambleFile: null,
      description: `the first ${fmtBytes(prefix.bytes)} of ${ds.file}, cut after a complete command outside MULTI: ${fmtInt(prefix.commands)} commands`,
      generationSeconds: Math.round(pSeconds * 10) / 10,
      verifySeconds: pVerify,
    };
    writeMeta(pTarget, pMeta);
    fs.renameSync(pTmp, pTarget);
    removePTmp();
    meta.prefix = pMeta;
  }
  writeMeta(target, meta);
  fs.renameSync(tmp, target);
  removeTmp();
  log(`wrote ${target} (${fmtBytes(bytes)}) in ${writeSeconds.toFixed(1)} s + ${verifySeconds.toFixed(1)} s redis-check-aof`);
  return meta;
}

function readMeta(file) {
  try {
    const meta = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
    if (meta.generatorVersion !== AOF_GENERATOR_VERSION || meta.bytes !== fs.statSync(file).size) return null;
    return meta;
  } catch {
    return null;
  }
}

/** Cached metadata, or null if the file (or, for plain, its prefix; for hybrid, its preamble source) must be regenerated. */
export function cachedAof(name, dataDir) {
  const ds = AOF_DATASETS[name];
  const meta = readMeta(path.join(dataDir, ds.file));
  if (!meta) return null;
  if (ds.preamble && cachedRdb(ds.preamble, dataDir)?.generatedAt !== meta.preambleGeneratedAt) return null;
  if (ds.prefixFile) {
    const p = readMeta(path.join(dataDir, ds.prefixFile));
    if (!p) return null;
    meta.prefix = p;
  }
  return meta;
}
