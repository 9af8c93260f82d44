// A complete, deterministic, comparable description of a live server's dataset.
//
// Binary safety: every key, member, field and value is rendered with `escapeBytes()` (printable
// ASCII kept; `\\`, `\"`, `\n`, `\r`, `\t`, `\xHH` escaped) — an injective, readable encoding; each
// key also carries its hex. Scores are the server's own strings (ZRANGE WITHSCORES).
//
// Compared (`diffSnapshots`): per DB every key's type, PEXPIRETIME and value (streams: XINFO
// STREAM FULL COUNT 0 — entries, length, last-generated-id, max-deleted-entry-id, entries-added,
// recorded-first-entry-id, groups with last-delivered-id, entries-read, lag, PEL with delivery
// time/count, consumers with seen-time and their PEL) and FUNCTION LIST WITHCODE.
// Not compared (kept in `encodings`): OBJECT ENCODING and the stream radix-tree-keys/-nodes,
// which legitimately change when a dataset is rebuilt from commands.
import { RespError, asArray, type RespArg, type RespClient, type RespValue } from './resp.js';
import type { RedisServer } from './redisServer.js';
import { escapeBytes } from './datasets.js';

export type Plain = string | number | null | Plain[] | { [k: string]: Plain };

export interface StreamSnapshot {
  length: number;
  lastGeneratedId: string;
  maxDeletedEntryId: string;
  entriesAdded: number;
  recordedFirstEntryId: string;
  entries: { id: string; fields: [string, string][] }[];
  groups: {
    name: string;
    lastDeliveredId: string;
    entriesRead: number | null;
    lag: number | null;
    pelCount: number;
    pel: { id: string; consumer: string; deliveryTime: number; deliveryCount: number }[];
    consumers: {
      name: string;
      seenTime: number;
      /** 7.2+ only; absent on 7.0. */
      activeTime?: number;
      pelCount: number;
      pel: { id: string; deliveryTime: number; deliveryCount: number }[];
    }[];
  }[];
  /** Any XINFO field this code does not know (future versions), kept verbatim. */
  other?: { [k: string]: Plain };
}

export type KeyValue =
  | { type: 'string'; value: string }
  | { type: 'list'; value: string[] }
  | { type: 'set'; value: string[] }
  | { type: 'zset'; value: [string, string][] }
  | { type: 'hash'; value: [string, string][] }
  | { type: 'stream'; value: StreamSnapshot }
  | { type: string; value: null }; // e.g. module types: only the type name is compared

export interface KeySnapshot {
  /** Escaped key (also the map key). */
  key: string;
  keyHex: string;
  type: string;
  /** PEXPIRETIME: absolute ms, or -1 when the key has no TTL. */
  pexpiretime: number;
  data: KeyValue;
}

export interface FunctionLibrarySnapshot {
  name: string;
  engine: string;
  functions: { name: string; description: string | null; flags: string[] }[];
  code: string;
}

export interface KeyspaceSnapshot {
  /** DB index -> escaped key -> key snapshot. Only non-empty DBs appear. */
  dbs: { [db: number]: { [key: string]: KeySnapshot } };
  functions: FunctionLibrarySnapshot[];
  /** Not compared: "db:key" -> OBJECT ENCODING (+ stream rax sizes). */
  encodings: { [dbKey: string]: string };
}

function str(v: RespValue): string {
  if (Buffer.isBuffer(v)) return escapeBytes(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === null) return '(nil)';
  throw new Error(`snapshot: unexpected reply ${v instanceof RespError ? v.message : 'array'}`);
}

function num(v: RespValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v) || typeof v === 'string') {
    const n = Number(v.toString());
    if (!Number.isNaN(n)) return n;
  }
  throw new Error(`snapshot: expected a number, got ${str(v)}`);
}

function numOrNull(v: RespValue): number | null {
  return v === null ? null : num(v);
}

/** Flat [name, value, name, value, ...] reply -> Map (names as UTF-8). */
function pairs(v: RespValue): Map<string, RespValue> {
  const arr = asArray(v);
  const m = new Map<string, RespValue>();
  for (let i = 0; i + 1 < arr.length; i += 2) m.set(str(arr[i] ?? null), arr[i + 1] ?? null);
  return m;
}

function plain(v: RespValue): Plain {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'number' || v === null) return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof RespError) return `(error) ${v.message}`;
  return str(v);
}

function take(m: Map<string, RespValue>, name: string): RespValue {
  const v = m.get(name);
  m.delete(name);
  return v ?? null;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBuffers(a: RespValue, b: RespValue): number {
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) ? Buffer.compare(a, b) : compareStrings(str(a), str(b));
}

export function streamFromXinfo(reply: RespValue): { stream: StreamSnapshot; raxKeys: number; raxNodes: number } {
  const m = pairs(reply);
  const raxKeys = num(take(m, 'radix-tree-keys'));
  const raxNodes = num(take(m, 'radix-tree-nodes'));
  const stream: StreamSnapshot = {
    length: num(take(m, 'length')),
    lastGeneratedId: str(take(m, 'last-generated-id')),
    maxDeletedEntryId: str(take(m, 'max-deleted-entry-id')),
    entriesAdded: num(take(m, 'entries-added')),
    recordedFirstEntryId: str(take(m, 'recorded-first-entry-id')),
    entries: asArray(take(m, 'entries')).map((e) => {
      const [id, fv] = asArray(e);
      const flat = asArray(fv ?? null);
      const fields: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) fields.push([str(flat[i] ?? null), str(flat[i + 1] ?? null)]);
      return { id: str(id ?? null), fields };
    }),
    groups: asArray(take(m, 'groups')).map((g) => {
      const gm = pairs(g);
      const group: StreamSnapshot['groups'][number] = {
        name: str(take(gm, 'name')),
        lastDeliveredId: str(take(gm, 'last-delivered-id')),
        entriesRead: numOrNull(take(gm, 'entries-read')),
        lag: numOrNull(take(gm, 'lag')),
        pelCount: num(take(gm, 'pel-count')),
        pel: asArray(take(gm, 'pending')).map((p) => {
          const [id, consumer, t, n] = asArray(p);
          return { id: str(id ?? null), consumer: str(consumer ?? null), deliveryTime: num(t ?? null), deliveryCount: num(n ?? null) };
        }),
        consumers: asArray(take(gm, 'consumers')).map((cr) => {
          const cm = pairs(cr);
          const consumer: StreamSnapshot['groups'][number]['consumers'][number] = {
            name: str(take(cm, 'name')),
            seenTime: num(take(cm, 'seen-time')),
            pelCount: num(take(cm, 'pel-count')),
            pel: asArray(take(cm, 'pending')).map((p) => {
              const [id, t, n] = asArray(p);
              return { id: str(id ?? null), deliveryTime: num(t ?? null), deliveryCount: num(n ?? null) };
            }),
          };
          if (cm.has('active-time')) consumer.activeTime = num(take(cm, 'active-time'));
          if (cm.size > 0) throw new Error(`snapshot: unknown XINFO consumer fields ${[...cm.keys()].join(', ')}`);
          return consumer;
        }),
      };
      if (gm.size > 0) throw new Error(`snapshot: unknown XINFO group fields ${[...gm.keys()].join(', ')}`);
      return group;
    }),
  };
  if (m.size > 0) {
    stream.other = {};
    for (const [k, v] of m) stream.other[k] = plain(v);
  }
  return { stream, raxKeys, raxNodes };
}

async function exec(c: RespClient, cmds: RespArg[][]): Promise<RespValue[]> {
  const replies = await c.commands(cmds);
  replies.forEach((r, i) => {
    if (r instanceof RespError) throw new Error(`snapshot: ${String(cmds[i]?.[0])} failed: ${r.message}`);
  });
  return replies;
}

async function snapshotKey(c: RespClient, db: number, key: Buffer, encodings: KeyspaceSnapshot['encodings']): Promise<KeySnapshot> {
  const [typeR, pexp, enc] = await exec(c, [
    ['TYPE', key],
    ['PEXPIRETIME', key],
    ['OBJECT', 'ENCODING', key],
  ]);
  const type = str(typeR ?? null);
  const name = escapeBytes(key);
  let encoding = str(enc ?? null);
  let data: KeyValue;
  switch (type) {
    case 'string': {
      const [v] = await exec(c, [['GET', key]]);
      data = { type, value: str(v ?? null) };
      break;
    }
    case 'list': {
      const [v] = await exec(c, [['LRANGE', key, 0, -1]]);
      data = { type, value: asArray(v ?? null).map(str) };
      break;
    }
    case 'set': {
      const [v] = await exec(c, [['SMEMBERS', key]]);
      data = { type, value: [...asArray(v ?? null)].sort(compareBuffers).map(str) };
      break;
    }
    case 'zset': {
      const [v] = await exec(c, [['ZRANGE', key, 0, -1, 'WITHSCORES']]);
      const flat = asArray(v ?? null);
      const value: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) value.push([str(flat[i] ?? null), str(flat[i + 1] ?? null)]);
      data = { type, value };
      break;
    }
    case 'hash': {
      const [v] = await exec(c, [['HGETALL', key]]);
      const flat = asArray(v ?? null);
      const raw: [RespValue, RespValue][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) raw.push([flat[i] ?? null, flat[i + 1] ?? null]);
      raw.sort((a, b) => compareBuffers(a[0], b[0]));
      data = { type, value: raw.map(([f, val]) => [str(f), str(val)]) };
      break;
    }
    case 'stream': {
      const [v] = await exec(c, [['XINFO', 'STREAM', key, 'FULL', 'COUNT', 0]]);
      const { stream, raxKeys, raxNodes } = streamFromXinfo(v ?? null);
      encoding += ` (radix-tree-keys ${raxKeys}, radix-tree-nodes ${raxNodes})`;
      data = { type, value: stream };
      break;
    }
    default:
      data = { type, value: null };
  }
  encodings[`${db}:${name}`] = encoding;
  return { key: name, keyHex: key.toString('hex'), type, pexpiretime: num(pexp ?? null), data };
}

function functionsFromList(reply: RespValue): FunctionLibrarySnapshot[] {
  return asArray(reply)
    .map((lib) => {
      const m = pairs(lib);
      return {
        name: str(m.get('library_name') ?? null),
        engine: str(m.get('engine') ?? null),
        functions: asArray(m.get('functions') ?? null)
          .map((f) => {
            const fm = pairs(f);
            const d = fm.get('description') ?? null;
            return {
              name: str(fm.get('name') ?? null),
              description: d === null ? null : str(d),
              flags: asArray(fm.get('flags') ?? null).map(str).sort(),
            };
          })
          .sort((a, b) => compareStrings(a.name, b.name)),
        code: str(m.get('library_code') ?? null),
      };
    })
    .sort((a, b) => compareStrings(a.name, b.name));
}

/** Snapshot every DB (0 .. `databases`-1) and the function libraries, on a private connection. */
export async function snapshotKeyspace(r: RedisServer): Promise<KeyspaceSnapshot> {
  const c = await r.connect();
  try {
    const [dbCfg] = await exec(c, [['CONFIG', 'GET', 'databases']]);
    const databases = num(asArray(dbCfg ?? null)[1] ?? null);
    const snap: KeyspaceSnapshot = { dbs: {}, functions: [], encodings: {} };
    for (let db = 0; db < databases; db++) {
      const [, size] = await exec(c, [['SELECT', db], ['DBSIZE']]);
      if (num(size ?? null) === 0) continue;
      const keys: Buffer[] = [];
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [reply] = await exec(c, [['SCAN', cursor, 'COUNT', 1000]]);
        const [next, batch] = asArray(reply ?? null);
        cursor = str(next ?? null);
        for (const k of asArray(batch ?? null)) {
          if (!Buffer.isBuffer(k)) throw new Error('snapshot: SCAN returned a non-bulk key');
          const hex = k.toString('hex');
          if (!seen.has(hex)) {
            seen.add(hex);
            keys.push(k);
          }
        }
      } while (cursor !== '0');
      keys.sort(Buffer.compare);
      const entries: { [key: string]: KeySnapshot } = {};
      for (const k of keys) {
        const ks = await snapshotKey(c, db, k, snap.encodings);
        entries[ks.key] = ks;
      }
      snap.dbs[db] = entries;
    }
    const [fl] = await exec(c, [['FUNCTION', 'LIST', 'WITHCODE']]);
    snap.functions = functionsFromList(fl ?? null);
    return snap;
  } finally {
    c.close();
  }
}

export interface DiffOptions {
  /** Ignore consumer seen-time/active-time (they are reset when consumers are re-created by replay). */
  ignoreConsumerTimes?: boolean;
  /** Ignore PEL delivery times. */
  ignoreDeliveryTimes?: boolean;
  /** Stop after this many differences (default 100). */
  limit?: number;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function deepDiff(a: unknown, b: unknown, path: string, out: string[], limit: number, ignore: (path: string) => boolean): void {
  if (out.length >= limit || ignore(path)) return;
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    if (a.length !== b.length) out.push(`${path}: length ${a.length} != ${b.length}`);
    for (let i = 0; i < n && out.length < limit; i++) {
      if (i >= a.length) out.push(`${path}[${i}]: missing in A, B has ${show(b[i])}`);
      else if (i >= b.length) out.push(`${path}[${i}]: A has ${show(a[i])}, missing in B`);
      else deepDiff(a[i], b[i], `${path}[${i}]`, out, limit, ignore);
    }
    return;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
    for (const k of keys) {
      if (out.length >= limit) return;
      const p = `${path}.${k}`;
      if (ignore(p)) continue;
      if (!(k in ao)) out.push(`${p}: missing in A, B has ${show(bo[k])}`);
      else if (!(k in bo)) out.push(`${p}: A has ${show(ao[k])}, missing in B`);
      else deepDiff(ao[k], bo[k], p, out, limit, ignore);
    }
    return;
  }
  out.push(`${path}: ${show(a)} != ${show(b)}`);
}

/** Human-readable differences between two snapshots (A = first, B = second); [] when equal. */
export function diffSnapshots(a: KeyspaceSnapshot, b: KeyspaceSnapshot, opts: DiffOptions = {}): string[] {
  const limit = opts.limit ?? 100;
  const out: string[] = [];
  const ignore = (p: string): boolean =>
    (opts.ignoreConsumerTimes === true && /\.consumers\[\d+\]\.(seenTime|activeTime)$/.test(p)) ||
    (opts.ignoreDeliveryTimes === true && /\.pel\[\d+\]\.deliveryTime$/.test(p));
  const dbs = [...new Set([...Object.keys(a.dbs), ...Object.keys(b.dbs)].map(Number))].sort((x, y) => x - y);
  for (const db of dbs) {
    const ka = a.dbs[db] ?? {};
    const kb = b.dbs[db] ?? {};
    const names = [...new Set([...Object.keys(ka), ...Object.keys(kb)])].sort();
    for (const name of names) {
      if (out.length >= limit) break;
      const x = ka[name];
      const y = kb[name];
      const where = `db${db} "${name}"`;
      if (!x) out.push(`${where}: only in B (${y?.type ?? '?'})`);
      else if (!y) out.push(`${where}: only in A (${x.type})`);
      else if (x.type !== y.type) out.push(`${where}: type ${x.type} != ${y.type}`);
      else {
        if (x.pexpiretime !== y.pexpiretime) out.push(`${where}: pexpiretime ${x.pexpiretime} != ${y.pexpiretime}`);
        deepDiff(x.data.value, y.data.value, where, out, limit, ignore);
      }
    }
  }
  if (out.length < limit) deepDiff(a.functions, b.functions, 'functions', out, limit, () => false);
  if (out.length >= limit) out.push(`(stopped after ${limit} differences)`);
  return out;
}

/** Total number of keys in a snapshot. */
export function snapshotKeyCount(s: KeyspaceSnapshot): number {
  return Object.values(s.dbs).reduce((n, keys) => n + Object.keys(keys).length, 0);
}
