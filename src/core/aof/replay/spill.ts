/**
 * The record format of a replay's spill file: one key (name, expiry, value in
 * the RDB decoder's shape) per record, written when the replay's in-memory
 * keys exceed their budget and read back when a command touches the key again
 * or a diff compares it. Our own format, not RDB: it is written and read by
 * this module only, inside one process, and must carry what an RDB record
 * cannot say about a replayed value (a consumer's active time beside its seen
 * time, a group's unknown entries-read, -0 scores) without re-encoding
 * listpacks. Integers are little-endian; byte strings are a u32 length then
 * the bytes.
 *
 * Record: u32 total length (this field included), u32 key length, key, f64
 * expiry (NaN: none), then the value: u8 type, u8 RDB type, encoding name,
 * f64 element count, then the type's fields (see `writeValue`).
 */

import type { ByteSource } from '../../bytes/byteSource.js';
import { growColumn } from '../../bytes/columns.js';
import type { DataType } from '../../rdb/constants.js';
import type { ModuleItem, RdbValue, StreamGroup, StreamId, StreamValue } from '../../rdb/value.js';

const TYPES: DataType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'];
const STRING_ENCODINGS = ['raw', 'int', 'lzf'] as const;
const MODULE_KINDS: ModuleItem['kind'][] = ['sint', 'uint', 'float', 'double', 'string'];

/** Where a replay spills keys: an append-only byte store it can read back (a temp file in the CLI, memory in tests). */
export interface SpillStore {
  /** Appends `bytes`; returns the offset they start at. */
  append(bytes: Uint8Array): number;
  /** Reads what was appended (the store's `size` grows with each append). */
  readonly source: ByteSource;
}

/** A growable little-endian byte writer. */
class Writer {
  buf: Uint8Array = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.buf = growColumn(this.buf, this.at + n);
    this.view = new DataView(this.buf.buffer);
  }
  u8(x: number): void {
    this.room(1);
    this.buf[this.at++] = x;
  }
  u32(x: number): void {
    this.room(4);
    this.view.setUint32(this.at, x, true);
    this.at += 4;
  }
  f64(x: number): void {
    this.room(8);
    this.view.setFloat64(this.at, x, true);
    this.at += 8;
  }
  u64(x: bigint): void {
    this.room(8);
    this.view.setBigUint64(this.at, x, true);
    this.at += 8;
  }
  i64(x: bigint): void {
    this.room(8);
    this.view.setBigInt64(this.at, x, true);
    this.at += 8;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  str(s: string): void {
    this.u32(s.length);
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.at++] = s.charCodeAt(i) & 0xff;
  }
  list(items: Uint8Array[]): void {
    this.u32(items.length);
    for (const b of items) this.bytes(b);
  }
  id(v: StreamId): void {
    this.u64(v.ms);
    this.u64(v.seq);
  }
  optId(v: StreamId | undefined): void {
    if (!v) return this.u8(0);
    this.u8(1);
    this.id(v);
  }
  optNum(v: number | undefined): void {
    this.f64(v ?? NaN);
    this.u8(v === undefined ? 0 : 1);
  }
}

/** A reader over one record; a record that does not parse is a bug (we wrote it), so errors throw. */
class Reader {
  private readonly view: DataView;
  at = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(): number {
    return this.buf[this.at++]!;
  }
  u32(): number {
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }
  u64(): bigint {
    const v = this.view.getBigUint64(this.at, true);
    this.at += 8;
    return v;
  }
  i64(): bigint {
    const v = this.view.getBigInt64(this.at, true);
    this.at += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    if (this.at + n > this.buf.length) throw new Error('spill record is shorter than its fields');
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  str(): string {
    const b = this.bytes();
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  list(): Uint8Array[] {
    const n = this.u32();
    const out = new Array<Uint8Array>(n);
    for (let i = 0; i < n; i++) out[i] = this.bytes();
    return out;
  }
  id(): StreamId {
    return { ms: this.u64(), seq: this.u64() };
  }
  optId(): StreamId | undefined {
    return this.u8() ? this.id() : undefined;
  }
  optNum(): number | undefined {
    const v = this.f64();
    return this.u8() ? v : undefined;
  }
}

function writeGroup(w: Writer, g: StreamGroup): void {
  w.bytes(g.name);
  w.id(g.lastId);
  w.optNum(g.entriesRead);
  w.u32(g.pending.length);
  for (const p of g.pending) {
    w.id(p.id);
    w.f64(p.deliveryTimeMs);
    w.f64(p.deliveryCount);
    if (p.consumer) {
      w.u8(1);
      w.bytes(p.consumer);
    } else w.u8(0);
  }
  w.u32(g.consumers.length);
  for (const c of g.consumers) {
    w.bytes(c.name);
    w.f64(c.seenTimeMs);
    w.f64(c.activeTimeMs);
    w.u32(c.pending.length);
    for (const id of c.pending) w.id(id);
  }
}

function readGroup(r: Reader): StreamGroup {
  const name = r.bytes();
  const lastId = r.id();
  const entriesRead = r.optNum();
  const pending: StreamGroup['pending'] = [];
  for (let n = r.u32(); n > 0; n--) {
    const id = r.id();
    const deliveryTimeMs = r.f64();
    const deliveryCount = r.f64();
    pending.push(r.u8() ? { id, deliveryTimeMs, deliveryCount, consumer: r.bytes() } : { id, deliveryTimeMs, deliveryCount });
  }
  const consumers: StreamGroup['consumers'] = [];
  for (let n = r.u32(); n > 0; n--) {
    const cname = r.bytes();
    const seenTimeMs = r.f64();
    const activeTimeMs = r.f64();
    const ids: StreamId[] = [];
    for (let m = r.u32(); m > 0; m--) ids.push(r.id());
    consumers.push({ name: cname, seenTimeMs, activeTimeMs, pending: ids });
  }
  return { name, lastId, ...(entriesRead !== undefined ? { entriesRead } : {}), pending, consumers };
}

function writeValue(w: Writer, v: RdbValue): void {
  w.u8(TYPES.indexOf(v.type));
  w.u8(v.rdbType);
  w.str(v.encoding);
  w.f64(v.count);
  switch (v.type) {
    case 'string':
      w.u8(STRING_ENCODINGS.indexOf(v.stringEncoding));
      w.bytes(v.value);
      w.f64(v.length);
      return;
    case 'list':
      return w.list(v.items);
    case 'set':
      return w.list(v.members);
    case 'zset':
      w.list(v.members);
      for (const s of v.scores) w.f64(s);
      return;
    case 'hash':
      w.list(v.fields);
      w.list(v.values);
      w.u8((v.hasFieldExpires ? 1 : 0) | (v.fieldExpiresMs ? 2 : 0));
      if (v.fieldExpiresMs) for (let i = 0; i < v.fields.length; i++) w.optNum(v.fieldExpiresMs[i]);
      w.optNum(v.minExpireMs);
      return;
    case 'stream':
      w.u32(v.entries.length);
      for (const e of v.entries) {
        w.id(e.id);
        w.list(e.fields);
      }
      w.f64(v.deletedEntries);
      w.f64(v.listpacks);
      w.f64(v.length);
      w.id(v.lastId);
      w.optId(v.firstId);
      w.optId(v.maxDeletedId);
      w.optNum(v.entriesAdded);
      w.u32(v.groups.length);
      for (const g of v.groups) writeGroup(w, g);
      if (!v.idmp) return w.u8(0);
      w.u8(1);
      w.f64(v.idmp.durationSeconds);
      w.f64(v.idmp.maxEntries);
      w.f64(v.idmp.iidsAdded);
      w.f64(v.idmp.iidsDuplicates);
      w.u32(v.idmp.producers.length);
      for (const p of v.idmp.producers) {
        w.bytes(p.id);
        w.u32(p.entries.length);
        for (const e of p.entries) {
          w.bytes(e.iid);
          w.id(e.id);
        }
      }
      return;
    case 'module':
      w.u64(v.moduleId);
      w.str(v.moduleName);
      w.f64(v.encodingVersion);
      w.u32(v.items.length);
      for (const item of v.items) {
        w.u8(MODULE_KINDS.indexOf(item.kind));
        if (item.kind === 'string') w.bytes(item.value);
        else if (item.kind === 'sint') w.i64(item.value);
        else if (item.kind === 'uint') w.u64(item.value);
        else w.f64(item.value);
      }
      return;
  }
}

function readValue(r: Reader): RdbValue {
  const type = TYPES[r.u8()];
  const base = { rdbType: r.u8(), encoding: r.str(), count: r.f64(), start: 0, end: 0 };
  switch (type) {
    case 'string': {
      const stringEncoding = STRING_ENCODINGS[r.u8()] ?? 'raw';
      const value = r.bytes();
      return { ...base, type, stringEncoding, value, length: r.f64() };
    }
    case 'list':
      return { ...base, type, items: r.list() };
    case 'set':
      return { ...base, type, members: r.list() };
    case 'zset': {
      const members = r.list();
      const scores = members.map(() => r.f64());
      return { ...base, type, members, scores };
    }
    case 'hash': {
      const fields = r.list();
      const values = r.list();
      const flags = r.u8();
      const fieldExpiresMs = flags & 2 ? fields.map(() => r.optNum()) : undefined;
      const minExpireMs = r.optNum();
      return {
        ...base,
        type,
        fields,
        values,
        ...(fieldExpiresMs ? { fieldExpiresMs } : {}),
        ...(flags & 1 ? { hasFieldExpires: true } : {}),
        ...(minExpireMs !== undefined ? { minExpireMs } : {}),
      };
    }
    case 'stream': {
      const entries: StreamValue['entries'] = [];
      for (let n = r.u32(); n > 0; n--) entries.push({ id: r.id(), fields: r.list() });
      const deletedEntries = r.f64();
      const listpacks = r.f64();
      const length = r.f64();
      const lastId = r.id();
      const firstId = r.optId();
      const maxDeletedId = r.optId();
      const entriesAdded = r.optNum();
      const groups: StreamGroup[] = [];
      for (let n = r.u32(); n > 0; n--) groups.push(readGroup(r));
      const out: StreamValue = {
        ...base,
        type,
        entries,
        deletedEntries,
        listpacks,
        length,
        lastId,
        ...(firstId ? { firstId } : {}),
        ...(maxDeletedId ? { maxDeletedId } : {}),
        ...(entriesAdded !== undefined ? { entriesAdded } : {}),
        groups,
      };
      if (r.u8()) {
        const durationSeconds = r.f64();
        const maxEntries = r.f64();
        const iidsAdded = r.f64();
        const iidsDuplicates = r.f64();
        const producers: NonNullable<StreamValue['idmp']>['producers'] = [];
        for (let n = r.u32(); n > 0; n--) {
          const id = r.bytes();
          const pe: { iid: Uint8Array; id: StreamId }[] = [];
          for (let m = r.u32(); m > 0; m--) pe.push({ iid: r.bytes(), id: r.id() });
          producers.push({ id, entries: pe });
        }
        out.idmp = { durationSeconds, maxEntries, producers, iidsAdded, iidsDuplicates };
      }
      return out;
    }
    case 'module': {
      const moduleId = r.u64();
      const moduleName = r.str();
      const encodingVersion = r.f64();
      const items: ModuleItem[] = [];
      for (let n = r.u32(); n > 0; n--) {
        const kind = MODULE_KINDS[r.u8()];
        if (kind === 'string') items.push({ kind, value: r.bytes() });
        else if (kind === 'sint') items.push({ kind, value: r.i64() });
        else if (kind === 'uint') items.push({ kind, value: r.u64() });
        else if (kind === 'float' || kind === 'double') items.push({ kind, value: r.f64() });
        else throw new Error('spill record has an unknown module item kind');
      }
      return { ...base, type, moduleId, moduleName, encodingVersion, items };
    }
    default:
      throw new Error('spill record has an unknown value type');
  }
}

/** One spilled key. */
export interface SpilledKey {
  key: Uint8Array;
  expireAtMs?: number;
  value: RdbValue;
}

const writer = new Writer();

/** The record of one key (the returned bytes are a view of a shared buffer: append them before the next call). */
export function encodeSpilled(key: Uint8Array, expireAtMs: number | undefined, value: RdbValue): Uint8Array {
  const w = writer;
  w.at = 0;
  w.u32(0);
  w.bytes(key);
  w.f64(expireAtMs ?? NaN);
  writeValue(w, value);
  w.view.setUint32(0, w.at, true);
  return w.buf.subarray(0, w.at);
}

function recordAt(source: ByteSource, offset: number): Uint8Array {
  const head = source.read(offset, 4);
  if (head.length < 4) throw new Error(`spill record at ${offset} is past the end of the spill file`);
  const len = head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! * 0x1000000);
  const rec = source.read(offset, len);
  if (rec.length < len) throw new Error(`spill record at ${offset} is cut short`);
  return rec;
}

/** Reads the key at `offset` of a spill file. */
export function readSpilled(source: ByteSource, offset: number): SpilledKey {
  const r = new Reader(recordAt(source, offset));
  r.at = 4;
  const key = r.bytes();
  const expire = r.f64();
  const value = readValue(r);
  return Number.isNaN(expire) ? { key, value } : { key, expireAtMs: expire, value };
}

/** Only the key name of the record at `offset`. */
export function readSpilledKey(source: ByteSource, offset: number): Uint8Array {
  const head = source.read(offset + 4, 4);
  const n = head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! * 0x1000000);
  return source.read(offset + 8, n);
}

/** A spill store in memory (tests, and hosts without a file system). */
export class MemorySpillStore implements SpillStore {
  private buf: Uint8Array = new Uint8Array(1 << 16);
  private used = 0;
  readonly source: ByteSource;

  constructor() {
    const size = (): number => this.used;
    this.source = {
      get size(): number {
        return size();
      },
      read: (offset: number, length: number): Uint8Array => this.buf.slice(offset, Math.min(offset + length, this.used)),
    };
  }

  append(bytes: Uint8Array): number {
    this.buf = growColumn(this.buf, this.used + bytes.length);
    const at = this.used;
    this.buf.set(bytes, at);
    this.used += bytes.length;
    return at;
  }
}
