/**
 * The keyspace an AOF replay builds, as redis-server holds it after loading
 * (redis `src/db.c`, `src/server.h` `redisDb`): per database, key → value and
 * absolute expiry. Values read from an RDB preamble or base stay in their
 * decoded form (`RdbValue`) until a command changes them; then they become a
 * mutable model (lists as arrays, sets and hashes as maps, sorted sets as
 * member → score, streams with their groups and PELs). `toRdbValue` turns
 * either back into the shapes the RDB decoder produces, so digests, details
 * and renderings treat both sides of a diff alike. Encodings do not exist
 * here: replayed values say `encoding: 'aof-replay'` and carry the RDB type
 * Redis 7.x writes for the type's general encoding.
 *
 * Keys whose value the replay could not know (a command it cannot model
 * touched them) are "tainted": the taint names the problem, travels with the
 * key (RENAME, MOVE, COPY, SWAPDB, commands that read it to write others) and
 * is cleared when the key is deleted or overwritten outright.
 */

import type { Problem } from '../../model/problem.js';
import type { DataType } from '../../rdb/constants.js';
import type { FunctionLibrary } from '../../rdb/function.js';
import type {
  HashValue,
  ListValue,
  ModuleValue,
  RdbValue,
  SetValue,
  StreamConsumer,
  StreamGroup,
  StreamId,
  StreamPendingEntry,
  StreamValue,
  StringValue,
  ZsetValue,
} from '../../rdb/value.js';
import { Deque } from './deque.js';
import { bytes, text } from './numbers.js';

/** RDB types written for replayed values (redis `src/rdb.h`). */
const RDB_TYPE = { string: 0, list: 18, set: 2, zset: 5, hash: 4, hashMetadata: 24, stream: 21 } as const;
const ENCODING = 'aof-replay';

export interface MString {
  type: 'string';
  v: Uint8Array;
}
export interface MList {
  type: 'list';
  items: Deque;
}
/** Members by their latin1 text. */
export interface MSet {
  type: 'set';
  m: Set<string>;
}
/** Member (latin1 text) → score. */
export interface MZset {
  type: 'zset';
  m: Map<string, number>;
}
export interface MField {
  v: Uint8Array;
  /** Absolute field expiry in ms. */
  ttl?: number;
}
/** Field (latin1 text) → value and TTL. */
export interface MHash {
  type: 'hash';
  m: Map<string, MField>;
}
export interface MNack {
  id: StreamId;
  deliveryTimeMs: number;
  deliveryCount: number;
  /** Owning consumer (its latin1 name); undefined only while XCLAIM FORCE creates it. */
  consumer?: string;
}
export interface MConsumer {
  name: Uint8Array;
  seenTimeMs: number;
  activeTimeMs: number;
  /** IDs (`idKey`) of its pending entries. */
  pel: Set<string>;
}
export interface MGroup {
  name: Uint8Array;
  lastId: StreamId;
  entriesRead: number;
  pel: Map<string, MNack>;
  consumers: Map<string, MConsumer>;
}
export interface MStream {
  type: 'stream';
  /** Entries in ID order; those before `first` were trimmed or deleted (dropped lazily: trimming a capped stream stays O(1)). */
  entries: { id: StreamId; fields: Uint8Array[] }[];
  /** Index of the first live entry in `entries`. */
  first: number;
  lastId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: number;
  groups: Map<string, MGroup>;
}
/** A value decoded from an RDB (preamble, base or RESTORE payload), not changed since. */
export interface MDecoded {
  type: 'decoded';
  value: RdbValue;
}

export type MValue = MString | MList | MSet | MZset | MHash | MStream | MDecoded;

export interface KeyEntry {
  key: Uint8Array;
  value: MValue;
  expireAtMs?: number;
}

export type Db = Map<string, KeyEntry>;

/** A stream's live entries, in ID order. */
export function liveEntries(s: MStream): MStream['entries'] {
  return s.first ? s.entries.slice(s.first) : s.entries;
}

/** `ms-seq` as Redis prints a stream ID (also the map key of PEL entries). */
export function idKey(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export function compareIds(a: StreamId, b: StreamId): number {
  return a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq !== b.seq ? (a.seq < b.seq ? -1 : 1) : 0;
}

/** The data type of a stored value. */
export function typeOf(v: MValue): DataType {
  return v.type === 'decoded' ? v.value.type : v.type;
}

/** The mutable model of a decoded RDB value (module values have none: they stay decoded). */
export function fromRdbValue(v: RdbValue): MValue {
  switch (v.type) {
    case 'string':
      return { type: 'string', v: v.value };
    case 'list':
      return { type: 'list', items: new Deque(v.items.slice()) };
    case 'set':
      return { type: 'set', m: new Set(v.members.map(text)) };
    case 'zset': {
      const m = new Map<string, number>();
      v.members.forEach((member, i) => m.set(text(member), v.scores[i]!));
      return { type: 'zset', m };
    }
    case 'hash': {
      const m = new Map<string, MField>();
      v.fields.forEach((f, i) => {
        const ttl = v.fieldExpiresMs?.[i];
        m.set(text(f), ttl === undefined ? { v: v.values[i]! } : { v: v.values[i]!, ttl });
      });
      return { type: 'hash', m };
    }
    case 'stream': {
      const groups = new Map<string, MGroup>();
      for (const g of v.groups) {
        const consumers = new Map<string, MConsumer>();
        for (const c of g.consumers) {
          consumers.set(text(c.name), { name: c.name, seenTimeMs: c.seenTimeMs, activeTimeMs: c.activeTimeMs, pel: new Set(c.pending.map(idKey)) });
        }
        const pel = new Map<string, MNack>();
        for (const p of g.pending) {
          pel.set(idKey(p.id), { id: p.id, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount, ...(p.consumer ? { consumer: text(p.consumer) } : {}) });
        }
        groups.set(text(g.name), { name: g.name, lastId: g.lastId, entriesRead: g.entriesRead ?? -1, pel, consumers });
      }
      return {
        type: 'stream',
        entries: v.entries.map((e) => ({ id: e.id, fields: e.fields })),
        first: 0,
        lastId: v.lastId,
        maxDeletedId: v.maxDeletedId ?? { ms: 0n, seq: 0n },
        entriesAdded: v.entriesAdded ?? v.entries.length,
        groups,
      };
    }
    case 'module':
      return { type: 'decoded', value: v };
  }
}

function base<T extends DataType>(type: T, rdbType: number, count: number): { type: T; rdbType: number; encoding: string; start: number; end: number; count: number } {
  return { type, rdbType, encoding: ENCODING, start: 0, end: 0, count };
}

/** The RDB decoder's shape of a stored value. */
export function toRdbValue(v: MValue): RdbValue {
  switch (v.type) {
    case 'decoded':
      return v.value;
    case 'string': {
      const out: StringValue = { ...base('string', RDB_TYPE.string, 1), stringEncoding: 'raw', value: v.v, length: v.v.length };
      return out;
    }
    case 'list': {
      const out: ListValue = { ...base('list', RDB_TYPE.list, v.items.length), items: v.items.toArray() };
      return out;
    }
    case 'set': {
      const out: SetValue = { ...base('set', RDB_TYPE.set, v.m.size), members: [...v.m].map(bytes) };
      return out;
    }
    case 'zset': {
      const members: Uint8Array[] = [];
      const scores: number[] = [];
      for (const [m, s] of v.m) {
        members.push(bytes(m));
        scores.push(s);
      }
      const out: ZsetValue = { ...base('zset', RDB_TYPE.zset, members.length), members, scores };
      return out;
    }
    case 'hash': {
      const fields: Uint8Array[] = [];
      const values: Uint8Array[] = [];
      const ttls: (number | undefined)[] = [];
      let hasTtl = false;
      for (const [f, e] of v.m) {
        fields.push(bytes(f));
        values.push(e.v);
        ttls.push(e.ttl);
        if (e.ttl !== undefined) hasTtl = true;
      }
      const out: HashValue = { ...base('hash', hasTtl ? RDB_TYPE.hashMetadata : RDB_TYPE.hash, fields.length), fields, values };
      if (hasTtl) {
        out.fieldExpiresMs = ttls;
        out.hasFieldExpires = true;
        out.minExpireMs = Math.min(...ttls.filter((t): t is number => t !== undefined));
      }
      return out;
    }
    case 'stream':
      return streamValue(v);
  }
}

function streamValue(v: MStream): StreamValue {
  const groups: StreamGroup[] = [];
  for (const g of v.groups.values()) {
    const pending: StreamPendingEntry[] = [];
    for (const p of g.pel.values()) {
      const owner = p.consumer !== undefined ? g.consumers.get(p.consumer) : undefined;
      pending.push({ id: p.id, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount, ...(owner ? { consumer: owner.name } : {}) });
    }
    const consumers: StreamConsumer[] = [];
    for (const c of g.consumers.values()) {
      consumers.push({ name: c.name, seenTimeMs: c.seenTimeMs, activeTimeMs: c.activeTimeMs, pending: [...c.pel].map((k) => g.pel.get(k)!.id) });
    }
    groups.push({ name: g.name, lastId: g.lastId, entriesRead: g.entriesRead, pending, consumers });
  }
  const live = liveEntries(v);
  const first = live[0]?.id ?? { ms: 0n, seq: 0n };
  return {
    ...base('stream', RDB_TYPE.stream, live.length),
    entries: live.map((e) => ({ id: e.id, fields: e.fields })),
    deletedEntries: 0,
    listpacks: 0,
    length: live.length,
    lastId: v.lastId,
    firstId: first,
    maxDeletedId: v.maxDeletedId,
    entriesAdded: v.entriesAdded,
    groups,
  };
}

/** A module value restored from a DUMP payload (kept decoded). */
export function moduleValue(v: ModuleValue): MDecoded {
  return { type: 'decoded', value: v };
}

/** What made a key's value unknown. */
export interface Taint {
  problem: Problem;
}

/** A function library as FUNCTION LOAD keeps it. */
export type Library = Pick<FunctionLibrary, 'code' | 'engine' | 'name'>;

/** The whole replayed state. */
export class Keyspace {
  readonly dbs = new Map<number, Db>();
  readonly functions = new Map<string, Library>();
  /** Per DB: keys (latin1) whose value is unknown, and why. */
  readonly taints = new Map<number, Map<string, { key: Uint8Array; problem: Problem }>>();
  /** Per DB: every key may differ (a command with keys the replay cannot name). */
  readonly dbTaints = new Map<number, Problem>();
  /** Every DB may differ (a script, a command of unknown reach). */
  globalTaint: Problem | undefined;
  /** The function libraries may differ (FUNCTION RESTORE). */
  functionsTaint: Problem | undefined;

  db(n: number): Db {
    let d = this.dbs.get(n);
    if (!d) this.dbs.set(n, (d = new Map()));
    return d;
  }

  get(db: number, key: Uint8Array): KeyEntry | undefined {
    return this.dbs.get(db)?.get(text(key));
  }

  /** Sets a key's value outright; the TTL is removed unless `keepTtl`. */
  put(db: number, key: Uint8Array, value: MValue, keepTtl = false): KeyEntry {
    const d = this.db(db);
    const k = text(key);
    const old = d.get(k);
    const entry: KeyEntry = { key: old?.key ?? key.slice(), value };
    if (keepTtl && old?.expireAtMs !== undefined) entry.expireAtMs = old.expireAtMs;
    d.set(k, entry);
    return entry;
  }

  delete(db: number, key: Uint8Array): boolean {
    const d = this.dbs.get(db);
    return d ? d.delete(text(key)) : false;
  }

  /** The mutable model of a key's value (decoding an RDB value the first time it changes). */
  mutable(entry: KeyEntry): Exclude<MValue, MDecoded> | MDecoded {
    if (entry.value.type === 'decoded') entry.value = fromRdbValue(entry.value.value);
    return entry.value;
  }

  taintKey(db: number, key: Uint8Array, problem: Problem): void {
    let t = this.taints.get(db);
    if (!t) this.taints.set(db, (t = new Map()));
    const k = text(key);
    if (!t.has(k)) t.set(k, { key: key.slice(), problem });
  }

  clearTaint(db: number, key: Uint8Array): void {
    this.taints.get(db)?.delete(text(key));
  }

  /** Why a key's value may be unknown (its own taint, its DB's, or a global one). */
  taintOf(db: number, key: Uint8Array): Problem | undefined {
    return this.taints.get(db)?.get(text(key))?.problem ?? this.dbTaints.get(db) ?? this.globalTaint;
  }

  /** Number of keys in every DB. */
  get size(): number {
    let n = 0;
    for (const d of this.dbs.values()) n += d.size;
    return n;
  }
}
