/**
 * Keyspace commands as redis-server executes them while loading an AOF (redis
 * `src/db.c` `delGenericCommand`, `renameGenericCommand`, `copyCommand`,
 * `moveCommand`, `swapdbCommand`, `flushdbCommand`, `flushallCommand`;
 * `src/expire.c` `expireGenericCommand`, `persistCommand`; `src/cluster.c`
 * `restoreCommand`; Redis 2.6–8.x). Past expiry times never delete a key
 * while loading (`checkAlreadyExpired` is false when `server.loading`); Redis
 * 7.0+ writes relative expires as PEXPIREAT, older files may hold EXPIRE,
 * which is resolved against the replay's clock as the server does.
 */

import { crc64 } from '../../bytes/crc64.js';
import { Cursor } from '../../bytes/cursor.js';
import { MemorySource } from '../../bytes/byteSource.js';
import { DecodeError } from '../../bytes/decodeError.js';
import { dataTypeOf } from '../../rdb/constants.js';
import { decodeValueOfType } from '../../rdb/parser.js';
import { RdbReader } from '../../rdb/reader.js';
import type { RdbValue } from '../../rdb/value.js';
import type { CommandSpec, Ctx } from './context.js';
import { SYNTAX } from './context.js';
import type { MGroup, MValue } from './dataset.js';
import { Deque } from './deque.js';
import { intArg, is, ReplyError, text } from './numbers.js';

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);
/** The newest RDB version of a DUMP payload the decoder reads. */
const NEWEST_PAYLOAD_RDB = 13;

/** A deep copy (COPY): the copy and the original change independently afterwards. */
export function cloneValue(v: MValue): MValue {
  switch (v.type) {
    case 'decoded':
    case 'string':
      return v; // never changed in place
    case 'list':
      return { type: 'list', items: new Deque(v.items.toArray()) };
    case 'set':
      return { type: 'set', m: new Set(v.m) };
    case 'zset':
      return { type: 'zset', m: new Map(v.m) };
    case 'hash':
      return { type: 'hash', m: new Map([...v.m].map(([k, f]) => [k, { ...f }])) };
    case 'stream': {
      const groups = new Map<string, MGroup>();
      for (const [k, g] of v.groups) {
        groups.set(k, {
          name: g.name,
          lastId: g.lastId,
          entriesRead: g.entriesRead,
          pel: new Map([...g.pel].map(([id, n]) => [id, { ...n }])),
          consumers: new Map([...g.consumers].map(([n, cs]) => [n, { ...cs, pel: new Set(cs.pel) }])),
        });
      }
      return { type: 'stream', entries: v.entries.slice(v.first), first: 0, lastId: v.lastId, maxDeletedId: v.maxDeletedId, entriesAdded: v.entriesAdded, groups };
    }
  }
}

/** `selectDb`'s check on a DB index argument. */
export function dbArg(b: Uint8Array | undefined): number {
  const v = b === undefined ? undefined : intArg(b, 'invalid DB index');
  if (v === undefined || v < 0n || v > 2147483647n) throw new ReplyError('DB index is out of range');
  return Number(v);
}

function expireGeneric(c: Ctx, a: Uint8Array[], unit: 's' | 'ms', relative: boolean): void {
  let when = intArg(a[2]);
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (const o of a.slice(3)) {
    if (is(o, 'NX')) nx = true;
    else if (is(o, 'XX')) xx = true;
    else if (is(o, 'GT')) gt = true;
    else if (is(o, 'LT')) lt = true;
    else throw new ReplyError(`Unsupported option ${text(o)}`);
  }
  if (nx && (xx || gt || lt)) throw new ReplyError('NX and XX, GT or LT options at the same time are not compatible');
  if (gt && lt) throw new ReplyError('GT and LT options at the same time are not compatible');
  const invalid = (): never => {
    throw new ReplyError(`invalid expire time in '${text(a[0]!).toLowerCase()}' command`);
  };
  if (unit === 's') {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) invalid();
    when *= 1000n;
  }
  if (relative) {
    if (when > LLONG_MAX - BigInt(c.nowMs)) invalid();
    when += BigInt(c.nowMs);
  }
  const entry = c.ks.get(c.db, a[1]!);
  if (!entry) return;
  if (relative) c.note('replay.clock', `relative expire time resolved against the replay's clock (${new Date(c.nowMs).toISOString()}), as redis-server does when it loads the file`);
  const current = entry.expireAtMs === undefined ? undefined : BigInt(entry.expireAtMs);
  if (nx && current !== undefined) return;
  if (xx && current === undefined) return;
  if (gt && when <= (current ?? LLONG_MAX)) return;
  if (lt && when >= (current ?? LLONG_MAX)) return;
  entry.expireAtMs = Number(when);
}

/** RENAME/RENAMENX: the value and its TTL move; so does its taint. */
function rename(c: Ctx, a: Uint8Array[], nx: boolean): void {
  const [, src, dst] = a as [Uint8Array, Uint8Array, Uint8Array];
  const entry = c.ks.get(c.db, src);
  const srcTaint = c.ks.taints.get(c.db)?.get(text(src))?.problem;
  const dstTaint = c.ks.taints.get(c.db)?.get(text(dst))?.problem;
  if (!entry) {
    // The source may exist after all when its value is unknown: then it moved (and is gone either way).
    if (srcTaint && text(src) !== text(dst)) {
      c.ks.taintKey(c.db, dst, srcTaint);
      c.ks.clearTaint(c.db, src);
    }
    throw new ReplyError('no such key');
  }
  if (text(src) === text(dst)) return;
  if (nx && c.ks.get(c.db, dst)) return;
  c.ks.delete(c.db, src);
  const moved = c.ks.put(c.db, dst, entry.value);
  if (entry.expireAtMs !== undefined) moved.expireAtMs = entry.expireAtMs;
  c.ks.clearTaint(c.db, src);
  c.ks.clearTaint(c.db, dst);
  if (srcTaint) c.ks.taintKey(c.db, dst, srcTaint);
  // RENAMENX onto a key that may or may not exist: either outcome is possible.
  else if (nx && dstTaint) {
    c.ks.taintKey(c.db, src, dstTaint);
    c.ks.taintKey(c.db, dst, dstTaint);
  }
}

function copy(c: Ctx, a: Uint8Array[]): void {
  const [, src, dst] = a as [Uint8Array, Uint8Array, Uint8Array];
  let target = c.db;
  let replace = false;
  for (let j = 3; j < a.length; j++) {
    if (is(a[j], 'REPLACE')) replace = true;
    else if (is(a[j], 'DB') && j + 1 < a.length) target = dbArg(a[++j]);
    else throw new ReplyError(SYNTAX);
  }
  if (target === c.db && text(src) === text(dst)) throw new ReplyError('source and destination objects are the same');
  const srcTaint = c.ks.taintOf(c.db, src);
  const dstTaint = c.ks.taintOf(target, dst);
  const entry = c.ks.get(c.db, src);
  const apply = (): void => {
    if (!entry) return;
    if (c.ks.get(target, dst) && !replace) return;
    const copied = c.ks.put(target, dst, cloneValue(entry.value));
    if (entry.expireAtMs !== undefined) copied.expireAtMs = entry.expireAtMs;
  };
  apply();
  if (srcTaint) c.ks.taintKey(target, dst, srcTaint);
  else if (dstTaint && !replace) c.ks.taintKey(target, dst, dstTaint);
  else if (replace) c.ks.clearTaint(target, dst);
}

function move(c: Ctx, a: Uint8Array[]): void {
  const key = a[1]!;
  const target = dbArg(a[2]);
  if (target === c.db) throw new ReplyError('source and destination objects are the same');
  const srcTaint = c.ks.taintOf(c.db, key);
  const dstTaint = c.ks.taintOf(target, key);
  const entry = c.ks.get(c.db, key);
  if (entry && !c.ks.get(target, key)) {
    c.ks.delete(c.db, key);
    const moved = c.ks.put(target, key, entry.value);
    if (entry.expireAtMs !== undefined) moved.expireAtMs = entry.expireAtMs;
  }
  if (srcTaint || dstTaint) {
    c.ks.taintKey(c.db, key, (srcTaint ?? dstTaint)!);
    c.ks.taintKey(target, key, (srcTaint ?? dstTaint)!);
  }
}

function swapdb(c: Ctx, a: Uint8Array[]): void {
  c.ks.swapDbs(dbArg(a[1]), dbArg(a[2]));
}

function flushArgs(a: Uint8Array[]): void {
  if (a.length > 2 || (a.length === 2 && !is(a[1], 'ASYNC') && !is(a[1], 'SYNC'))) throw new ReplyError(SYNTAX);
}

/** Decodes a DUMP payload (`verifyDumpPayload` + `rdbLoadObject`): type byte, value, RDB version (2 bytes LE), CRC-64 (8 bytes LE). */
export function decodeDumpPayload(payload: Uint8Array): RdbValue {
  if (payload.length < 10) throw new ReplyError('DUMP payload version or checksum are wrong');
  const footer = payload.length - 10;
  const version = payload[footer]! | (payload[footer + 1]! << 8);
  let stored = 0n;
  for (let i = 7; i >= 0; i--) stored = (stored << 8n) | BigInt(payload[footer + 2 + i]!);
  if (version > NEWEST_PAYLOAD_RDB || crc64(payload.subarray(0, footer + 2)) !== stored) throw new ReplyError('DUMP payload version or checksum are wrong');
  const type = payload[0]!;
  const dataType = dataTypeOf(type, false);
  if (!dataType) throw new ReplyError('Bad data format');
  try {
    const cursor = new Cursor(new MemorySource(payload), 1, footer);
    const r = new RdbReader(cursor, version, false, () => undefined);
    return decodeValueOfType({ r, keepStrings: true, report: () => undefined }, type, dataType, 1);
  } catch (e) {
    if (e instanceof DecodeError) throw new ReplyError('Bad data format');
    throw e;
  }
}

function restore(c: Ctx, a: Uint8Array[]): void {
  const key = a[1]!;
  let replace = false;
  let absTtl = false;
  for (let j = 4; j < a.length; j++) {
    if (is(a[j], 'REPLACE')) replace = true;
    else if (is(a[j], 'ABSTTL')) absTtl = true;
    else if ((is(a[j], 'IDLETIME') || is(a[j], 'FREQ')) && j + 1 < a.length) {
      const v = intArg(a[++j]);
      if (v < 0n) throw new ReplyError('Invalid IDLETIME value, must be >= 0');
    } else throw new ReplyError(SYNTAX);
  }
  let ttl = intArg(a[2]);
  if (ttl < 0n) throw new ReplyError('Invalid TTL value, must be >= 0');
  if (!replace && c.ks.get(c.db, key)) throw new ReplyError('-BUSYKEY Target key name already exists.');
  const value = decodeDumpPayload(a[3]!);
  const entry = c.ks.put(c.db, key, { type: 'decoded', value });
  if (ttl > 0n) {
    if (!absTtl) {
      ttl += BigInt(c.nowMs);
      c.note('replay.clock', `RESTORE's relative TTL resolved against the replay's clock (${new Date(c.nowMs).toISOString()})`);
    }
    entry.expireAtMs = Number(ttl);
  }
}

const all = (a: Uint8Array[]): Uint8Array[] => a.slice(1);
const none = (): Uint8Array[] => [];

/** The keyspace commands, by lower-case name. */
export const KEYSPACE_COMMANDS: Record<string, CommandSpec> = {
  del: { arity: -2, keys: all, definitive: () => true, run: (c, a) => void a.slice(1).forEach((k) => c.ks.delete(c.db, k)) },
  unlink: { arity: -2, keys: all, definitive: () => true, run: (c, a) => void a.slice(1).forEach((k) => c.ks.delete(c.db, k)) },
  expire: { arity: -3, run: (c, a) => expireGeneric(c, a, 's', true) },
  pexpire: { arity: -3, run: (c, a) => expireGeneric(c, a, 'ms', true) },
  expireat: { arity: -3, run: (c, a) => expireGeneric(c, a, 's', false) },
  pexpireat: { arity: -3, run: (c, a) => expireGeneric(c, a, 'ms', false) },
  persist: {
    arity: 2,
    run: (c, a) => {
      const e = c.ks.get(c.db, a[1]!);
      if (e) delete e.expireAtMs;
    },
  },
  // These move taints themselves.
  rename: { arity: 3, keys: none, run: (c, a) => rename(c, a, false) },
  renamenx: { arity: 3, keys: none, run: (c, a) => rename(c, a, true) },
  copy: { arity: -3, keys: none, run: copy },
  move: { arity: 3, keys: none, run: move },
  swapdb: { arity: 3, keys: none, run: swapdb },
  flushdb: {
    arity: -1,
    keys: none,
    run: (c, a) => {
      flushArgs(a);
      c.ks.flush(c.db);
    },
  },
  flushall: {
    arity: -1,
    keys: none,
    run: (c, a) => {
      flushArgs(a);
      c.ks.flush();
    },
  },
  restore: { arity: -4, run: restore, definitive: (a) => a.slice(4).some((o) => is(o, 'REPLACE')) },
  'restore-asking': { arity: -4, run: restore, definitive: (a) => a.slice(4).some((o) => is(o, 'REPLACE')) },
};
