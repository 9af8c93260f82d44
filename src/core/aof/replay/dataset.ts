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
import type { ByteSource } from '../../bytes/byteSource.js';
import { sameBytes } from '../../bytes/compare.js';
import { keyDigest } from '../../diff/digest.js';
import type { Digest64 } from '../../diff/hash.js';
import { decodeRecordAt, parseRdb, readRecordKey } from '../../rdb/parser.js';
import { ColdIndex } from './cold.js';
import { Deque } from './deque.js';
import { bytes, text } from './numbers.js';
import { encodeSpilled, readSpilled, readSpilledKey, type SpillStore } from './spill.js';

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
  /** Estimated bytes in memory (layered keyspaces only: steers spilling). */
  weight?: number;
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

/** What made a key's value unknown. */
export interface Taint {
  problem: Problem;
}

/** A function library as FUNCTION LOAD keeps it. */
export type Library = Pick<FunctionLibrary, 'code' | 'engine' | 'name'>;

/** A file whose records a replay reads back: an RDB preamble or base, or the replay's spill file. */
export interface ColdFile {
  source: ByteSource;
  kind: 'rdb' | 'spill';
  /** RDB version and flavour (RDB files). */
  version: number;
  valkey: boolean;
}

/** How a replay keeps its keys. Without `spill`, everything is held in memory. */
export interface KeyspaceOptions {
  /**
   * Where keys go when the in-memory ones exceed `hotKeys` or about
   * `hotBytes`. With a spill store, the records of an RDB preamble or base
   * are not decoded either: they are found again by offset in their file, so
   * the files must stay readable while the replay is used.
   */
  spill?: SpillStore;
  /** Keys held in memory before spilling (default 250,000). */
  hotKeys?: number;
  /** Estimated bytes held in memory before spilling (default 256 MiB). */
  hotBytes?: number;
}

/** One key as `keys()` hands it over. */
export interface LocatedKey {
  db: number;
  key: Uint8Array;
  value: RdbValue;
  expireAtMs?: number;
  /** Where to read it again (`readAt`): -1 while it is held in memory. */
  locator: number;
}

/** A locator is file number × 2^45 + offset (offsets up to 32 TiB, 255 files). */
const FILE_UNIT = 2 ** 45;

/** Name digest of the cold index (the DB is compared apart, so SWAPDB needs no rehash). */
function nameDigest(key: Uint8Array): Digest64 {
  return keyDigest(0, key);
}

/**
 * Rough memory of a key held in memory, in O(1): bytes of strings, a per-element
 * cost of V8 objects for collections (element bytes are not summed). It only
 * steers spilling; `maintain` re-weighs the keys each command touched, so a
 * collection that commands grow is counted as it grows.
 */
function weigh(key: Uint8Array, v: MValue): number {
  const base = 96 + key.length;
  switch (v.type) {
    case 'string':
      return base + v.v.length;
    case 'list':
      return base + v.items.length * 96;
    case 'set':
      return base + v.m.size * 96;
    case 'zset':
      return base + v.m.size * 112;
    case 'hash':
      return base + v.m.size * 176;
    case 'stream':
      return base + (v.entries.length - v.first) * 192 + v.groups.size * 512;
    case 'decoded':
      return base + (v.value.type === 'string' ? v.value.value.length : v.value.count * 128);
  }
}

/** The whole replayed state. */
export class Keyspace {
  /** Per DB, the keys held in memory (all keys unless a spill store is set). */
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

  private readonly cold = new ColdIndex();
  private readonly files: ColdFile[] = [];
  private readonly spill: SpillStore | undefined;
  private spillFile = -1;
  private readonly hotKeysLimit: number;
  private readonly hotBytesLimit: number;
  private hotKeys = 0;
  private hotBytes = 0;
  /** Keys in memory that commands touched since the last `maintain` (re-weighed there). */
  private touched: KeyEntry[] = [];
  /** Keys written to the spill file (a key spilled twice counts twice). */
  spilled = 0;
  /** Keys read back into memory from a file (an RDB or the spill file) because a command touched them. */
  readBack = 0;

  constructor(options: KeyspaceOptions = {}) {
    this.spill = options.spill;
    this.hotKeysLimit = options.hotKeys ?? 250_000;
    this.hotBytesLimit = options.hotBytes ?? 256 << 20;
  }

  /** True when keys can live outside memory (a spill store is set). */
  get layered(): boolean {
    return this.spill !== undefined;
  }

  /** Registers a file whose records `addCold` refers to; returns its number. */
  addFile(file: ColdFile): number {
    if (this.files.length >= 255) throw new Error('a replay reads back from at most 255 files');
    this.files.push(file);
    return this.files.length - 1;
  }

  /** A key of an RDB preamble or base, left in its file at record offset `start` (layered keyspaces only; the keyspace must not hold it yet). */
  addCold(db: number, key: Uint8Array, start: number, file: number): void {
    const d = nameDigest(key);
    this.cold.add(db, d.hi, d.lo, start, file);
  }

  db(n: number): Db {
    let d = this.dbs.get(n);
    if (!d) this.dbs.set(n, (d = new Map()));
    return d;
  }

  get(db: number, key: Uint8Array): KeyEntry | undefined {
    const d = this.dbs.get(db);
    const k = text(key);
    const e = d?.get(k);
    if (e) {
      if (this.spill) {
        // Least recently used first: spilling takes the oldest.
        d!.delete(k);
        d!.set(k, e);
        this.touched.push(e);
      }
      return e;
    }
    return this.cold.live ? this.promote(db, key, k) : undefined;
  }

  /** Sets a key's value outright; the TTL is removed unless `keepTtl`. */
  put(db: number, key: Uint8Array, value: MValue, keepTtl = false): KeyEntry {
    // A key in a file that is overwritten is dropped there unread (its TTL is read only to be kept).
    const old = keepTtl ? this.get(db, key) : this.hot(db, key) ?? void this.dropCold(db, key);
    const d = this.db(db);
    const entry: KeyEntry = { key: old?.key ?? key.slice(), value };
    if (keepTtl && old?.expireAtMs !== undefined) entry.expireAtMs = old.expireAtMs;
    if (this.spill) {
      entry.weight = weigh(entry.key, value);
      if (old) this.unhot(old);
      this.hotKeys++;
      this.hotBytes += entry.weight;
      this.touched.push(entry);
    }
    const k = text(key);
    // Re-inserted, so it counts as the most recently used.
    if (old && this.spill) d.delete(k);
    d.set(k, entry);
    return entry;
  }

  delete(db: number, key: Uint8Array): boolean {
    const d = this.dbs.get(db);
    const k = text(key);
    const e = d?.get(k);
    if (!e) return this.dropCold(db, key);
    if (this.spill) this.unhot(e);
    return d!.delete(k);
  }

  /** The entry held in memory, without looking in files. */
  private hot(db: number, key: Uint8Array): KeyEntry | undefined {
    return this.dbs.get(db)?.get(text(key));
  }

  /** The live file entry of (db, key), its name confirmed by reading it; -1 when none. */
  private findCold(db: number, key: Uint8Array): number {
    if (!this.cold.live) return -1;
    const d = nameDigest(key);
    return this.cold.find(db, d.hi, d.lo, (j) => sameBytes(this.coldKey(this.cold.file[j]!, this.cold.loc[j]!), key));
  }

  /** Drops (db, key) from the files without reading its value; whether it was there. */
  private dropCold(db: number, key: Uint8Array): boolean {
    const i = this.findCold(db, key);
    if (i < 0) return false;
    this.cold.kill(i);
    this.cold.tidy();
    return true;
  }

  private unhot(e: KeyEntry): void {
    this.hotKeys--;
    this.hotBytes -= e.weight ?? 0;
    // No longer held: `maintain` must not re-weigh it.
    e.weight = -1;
  }

  /** SWAPDB x y. */
  swapDbs(x: number, y: number): void {
    const swap = <T>(m: Map<number, T>): void => {
      const vx = m.get(x);
      const vy = m.get(y);
      m.delete(x);
      m.delete(y);
      if (vy !== undefined) m.set(x, vy);
      if (vx !== undefined) m.set(y, vx);
    };
    swap(this.dbs);
    swap(this.taints);
    swap(this.dbTaints);
    this.cold.swap(x, y);
  }

  /** FLUSHDB of one DB, or FLUSHALL (undefined). */
  flush(db?: number): void {
    if (db === undefined) {
      this.dbs.clear();
      this.taints.clear();
      this.dbTaints.clear();
      this.globalTaint = undefined;
      this.hotKeys = 0;
      this.hotBytes = 0;
      this.touched.length = 0;
    } else {
      const d = this.dbs.get(db);
      if (d && this.spill) for (const e of d.values()) this.unhot(e);
      this.dbs.delete(db);
      this.taints.delete(db);
      this.dbTaints.delete(db);
    }
    this.cold.flush(db);
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
    let n = this.cold.live;
    for (const d of this.dbs.values()) n += d.size;
    return n;
  }

  /** Keys held in memory now. */
  get inMemory(): number {
    let n = 0;
    for (const d of this.dbs.values()) n += d.size;
    return n;
  }

  /**
   * Spills the least recently used keys when those in memory exceed their
   * budget (down to half of it). Call between commands only: a command may
   * hold entries it got from `get`.
   */
  maintain(): void {
    if (!this.spill) return;
    for (const e of this.touched) {
      if (e.weight === undefined || e.weight < 0) continue;
      const w = weigh(e.key, e.value);
      this.hotBytes += w - e.weight;
      e.weight = w;
    }
    this.touched.length = 0;
    if (this.hotKeys <= this.hotKeysLimit && this.hotBytes <= this.hotBytesLimit) return;
    const keep = Math.floor(this.hotKeysLimit / 2);
    const keepBytes = this.hotBytesLimit / 2;
    const total = this.hotKeys;
    for (const [db, d] of this.dbs) {
      // Each DB gives up its share, oldest first.
      let drop = total > 0 ? Math.ceil(d.size - (d.size * keep) / total) : d.size;
      for (const [k, e] of d) {
        // Over the byte budget alone, the newest key of each DB stays: one huge key a command keeps growing is not re-read for every command.
        if (drop <= 0 && (this.hotBytes <= keepBytes || d.size <= 1)) break;
        this.spillEntry(db, e);
        d.delete(k);
        drop--;
      }
      if (d.size === 0) this.dbs.delete(db);
    }
  }

  /** Spills every key held in memory, so each has a locator (a replay's end, before a diff reads it). */
  spillAll(): void {
    if (!this.spill) return;
    for (const [db, d] of this.dbs) for (const e of d.values()) this.spillEntry(db, e);
    this.dbs.clear();
    this.hotKeys = 0;
    this.hotBytes = 0;
    this.touched.length = 0;
  }

  private spillEntry(db: number, e: KeyEntry): void {
    if (this.spillFile < 0) this.spillFile = this.addFile({ source: this.spill!.source, kind: 'spill', version: 0, valkey: false });
    const record = encodeSpilled(e.key, e.expireAtMs, toRdbValue(e.value));
    const at = this.spill!.append(record);
    const d = nameDigest(e.key);
    this.cold.add(db, d.hi, d.lo, at, this.spillFile);
    this.unhot(e);
    this.spilled++;
  }

  /** Takes a cold key into memory (the replay is about to read or change it). */
  private promote(db: number, key: Uint8Array, k: string): KeyEntry | undefined {
    // The record is decoded once: its key confirms the digest's match, its value is what the command needs.
    let found: ReturnType<Keyspace['readCold']> | undefined;
    const d = nameDigest(key);
    const i = this.cold.find(db, d.hi, d.lo, (j) => {
      found = this.readCold(this.cold.file[j]!, this.cold.loc[j]!, db);
      return sameBytes(found.key, key);
    });
    if (i < 0 || !found) return undefined;
    this.cold.kill(i);
    this.cold.tidy();
    this.readBack++;
    const entry: KeyEntry = { key: found.key, value: { type: 'decoded', value: found.value } };
    if (found.expireAtMs !== undefined) entry.expireAtMs = found.expireAtMs;
    entry.weight = weigh(entry.key, entry.value);
    this.hotKeys++;
    this.hotBytes += entry.weight;
    this.touched.push(entry);
    this.db(db).set(k, entry);
    return entry;
  }

  private coldKey(file: number, at: number): Uint8Array {
    const f = this.files[file]!;
    return f.kind === 'spill' ? readSpilledKey(f.source, at) : readRecordKey(f.source, at, f.version, f.valkey);
  }

  private readCold(file: number, at: number, db: number): { key: Uint8Array; value: RdbValue; expireAtMs?: number } {
    const f = this.files[file]!;
    if (f.kind === 'spill') return readSpilled(f.source, at);
    const r = decodeRecordAt(f.source, at, { version: f.version, valkey: f.valkey, db, chunkSize: 4096 });
    if (!r.record) throw new Error(`the record at offset ${at} of an RDB the replay read cannot be decoded again${r.problems[0] ? `: ${r.problems[0].message}` : ''}`);
    const rec = r.record;
    return { key: rec.key, value: rec.value, ...(rec.expireAtMs !== undefined ? { expireAtMs: rec.expireAtMs } : {}) };
  }

  /** The key at a locator (`keys()`); -1 is not a locator. */
  readAt(locator: number): { key: Uint8Array; value: RdbValue; expireAtMs?: number } {
    const file = Math.floor(locator / FILE_UNIT);
    const r = this.readCold(file, locator - file * FILE_UNIT, 0);
    return { key: r.key, value: r.value, ...(r.expireAtMs !== undefined ? { expireAtMs: r.expireAtMs } : {}) };
  }

  /** Only the key name at a locator. */
  keyAt(locator: number): Uint8Array {
    const file = Math.floor(locator / FILE_UNIT);
    return this.coldKey(file, locator - file * FILE_UNIT);
  }

  /**
   * Calls `fn` with every key: those in memory (locator -1), then those in
   * files — an RDB in one forward pass over it, the spill file in the order
   * keys were spilled. Values of keys in files are decoded one at a time.
   */
  forEachKey(fn: (k: LocatedKey) => void): void {
    for (const [db, d] of this.dbs) {
      for (const e of d.values()) fn({ db, key: e.key, value: toRdbValue(e.value), ...(e.expireAtMs !== undefined ? { expireAtMs: e.expireAtMs } : {}), locator: -1 });
    }
    const c = this.cold;
    for (let f = 0; f < this.files.length; f++) {
      const file = this.files[f]!;
      if (file.kind === 'rdb') {
        this.rdbKeys(f, fn);
        continue;
      }
      for (let i = 0; i < c.count; i++) {
        if (c.file[i] !== f) continue;
        const at = c.loc[i]!;
        const r = readSpilled(file.source, at);
        fn({ db: c.db[i]!, key: r.key, value: r.value, ...(r.expireAtMs !== undefined ? { expireAtMs: r.expireAtMs } : {}), locator: f * FILE_UNIT + at });
      }
    }
  }

  /**
   * The live keys of RDB file `f`, in one forward pass over the file
   * (records are in file order, and so are their entries): each record with
   * a live entry is handed over, in the entry's DB (SWAPDB relabels).
   */
  private rdbKeys(f: number, fn: (k: LocatedKey) => void): void {
    const file = this.files[f]!;
    const c = this.cold;
    const live: number[] = [];
    for (let i = 0; i < c.count; i++) if (c.file[i] === f) live.push(i);
    if (live.length === 0) return;
    let next = 0;
    const last = c.loc[live[live.length - 1]!]!;
    parseRdb(
      file.source,
      {
        key: (k) => {
          while (next < live.length && c.loc[live[next]!]! < k.start) next++;
          const i = live[next];
          if (i !== undefined && c.loc[i] === k.start) {
            next++;
            fn({ db: c.db[i]!, key: k.key, value: k.value, ...(k.expireAtMs !== undefined ? { expireAtMs: k.expireAtMs } : {}), locator: f * FILE_UNIT + k.start });
          }
          return k.start < last;
        },
      },
      { verifyChecksum: false, detectDuplicateKeys: false, allowTrailingData: true, reuseBuffers: true },
    );
    if (next < live.length) throw new Error(`the RDB the replay read no longer holds the record at offset ${c.loc[live[next]!]} (was the file changed?)`);
  }

  /** Whether (db, key) holds a value. */
  has(db: number, key: Uint8Array): boolean {
    return this.hot(db, key) !== undefined || this.findCold(db, key) >= 0;
  }
}
