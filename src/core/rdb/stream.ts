/**
 * Stream values: STREAM_LISTPACKS (15), _2 (19, Redis 7.0), _3 (21, 7.2) and
 * _4 (26, 8.6 IDMP) — redis `src/rdb.c` stream branch of `rdbLoadObject` and
 * `src/t_stream.c` `streamValidateListpackIntegrity`. Spec §10.
 */

import { DecodeError } from '../bytes/decodeError.js';
import { blobError, decodeBlob, readBlob, type Blob } from './blob.js';
import { T_STREAM_LISTPACKS, T_STREAM_LISTPACKS_3, T_STREAM_LISTPACKS_4, checkerTypeName } from './constants.js';
import { bytesKey } from './duplicates.js';
import { decodeListpack } from './listpack.js';
import { entryBytes, type PackedEntry } from './packedEntry.js';
import type { RdbReader } from './reader.js';
import type {
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamId,
  StreamIdmp,
  StreamPendingEntry,
  StreamValue,
} from './value.js';
import { formatStreamId } from './value.js';
import type { ValueContext } from './valueContext.js';

/** STREAM_ITEM_FLAG_DELETED (1), STREAM_ITEM_FLAG_SAMEFIELDS (2). */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const U64 = (1n << 64n) - 1n;
const LABEL = 'Stream listpack integrity check failed';

function readId(r: RdbReader, what: string): StreamId {
  return { ms: r.len64(`${what} milliseconds`), seq: r.len64(`${what} sequence`) };
}

/** A 16-byte big-endian ID (node keys and PEL entries). */
function rawId(bytes: Uint8Array, at: number): StreamId {
  let ms = 0n;
  let seq = 0n;
  for (let i = 0; i < 8; i++) {
    ms = (ms << 8n) | BigInt(bytes[at + i]!);
    seq = (seq << 8n) | BigInt(bytes[at + 8 + i]!);
  }
  return { ms, seq };
}

function idKey(id: StreamId): string {
  return formatStreamId(id);
}

function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

function int(e: PackedEntry | undefined, blob: Blob, what: string): bigint {
  if (e === undefined) throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: missing ${what}`);
  if (typeof e === 'number') return BigInt(e);
  if (typeof e === 'bigint') return e;
  throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: ${what} is not an integer`);
}

/** Decodes one node listpack into entries (live entries pushed, deleted ones counted). */
function decodeNode(master: StreamId, blob: Blob, entries: StreamEntry[], ranges?: number[]): number {
  const starts: number[] | undefined = ranges ? [] : undefined;
  const lp = decodeBlob(blob, LABEL, decodeListpack, starts);
  const endOfEntries = blob.base + blob.bytes.length - 1;
  const rangeOf = (first: number, next: number) => {
    if (blob.compressed) ranges!.push(blob.start, blob.end);
    else ranges!.push(starts![first]!, next < starts!.length ? starts![next]! : endOfEntries);
  };
  if (lp.length === 0) throw blobError(blob, 'rdb.stream.integrity', 'Empty listpack inside stream');
  let i = 0;
  const count = Number(int(lp[i++], blob, 'master entry count'));
  const deleted = Number(int(lp[i++], blob, 'master deleted count'));
  const masterFieldCount = Number(int(lp[i++], blob, 'master field count'));
  if (masterFieldCount < 0 || i + masterFieldCount > lp.length) {
    throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: master field count ${masterFieldCount} overruns the listpack`);
  }
  const masterFields: Uint8Array[] = [];
  for (let f = 0; f < masterFieldCount; f++) masterFields.push(entryBytes(lp[i++]!));
  if (int(lp[i++], blob, 'master terminator') !== 0n) {
    throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: master entry terminator is not 0`);
  }
  let live = 0;
  let dead = 0;
  const total = count + deleted;
  for (let n = 0; n < total; n++) {
    const first = i;
    const flags = Number(int(lp[i++], blob, `flags of entry ${n}`));
    const msDelta = int(lp[i++], blob, `ms delta of entry ${n}`);
    const seqDelta = int(lp[i++], blob, `seq delta of entry ${n}`);
    const id: StreamId = { ms: (master.ms + msDelta) & U64, seq: (master.seq + seqDelta) & U64 };
    const fields: Uint8Array[] = [];
    let expectedLpCount: number;
    if (flags & FLAG_SAMEFIELDS) {
      if (i + masterFieldCount > lp.length) throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: entry ${n} overruns the listpack`);
      for (let f = 0; f < masterFieldCount; f++) {
        fields.push(masterFields[f]!, entryBytes(lp[i++]!));
      }
      expectedLpCount = masterFieldCount + 3;
    } else {
      const numFields = Number(int(lp[i++], blob, `field count of entry ${n}`));
      if (numFields < 0 || i + numFields * 2 > lp.length) {
        throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: entry ${n} overruns the listpack`);
      }
      for (let f = 0; f < numFields * 2; f++) fields.push(entryBytes(lp[i++]!));
      expectedLpCount = numFields * 2 + 4;
    }
    const lpCount = Number(int(lp[i++], blob, `lp-count of entry ${n}`));
    if (lpCount !== expectedLpCount) {
      throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: entry ${n} lp-count ${lpCount}, expected ${expectedLpCount}`);
    }
    if (flags & FLAG_DELETED) {
      dead++;
    } else {
      live++;
      entries.push({ id, fields });
      if (ranges) rangeOf(first, i);
    }
  }
  if (i !== lp.length) throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: ${lp.length - i} elements after the last entry`);
  if (live !== count || dead !== deleted) {
    throw blobError(blob, 'rdb.stream.integrity', `${LABEL}: master counts ${count}+${deleted} do not match ${live} live and ${dead} deleted entries`);
  }
  return dead;
}

/** Decodes a stream value of RDB type 15, 19, 21 or 26. */
export function decodeStream(ctx: ValueContext, type: number, start: number): StreamValue {
  const r = ctx.r;
  const c = r.c;
  const entries: StreamEntry[] = [];
  const groups: StreamGroup[] = [];
  const value: StreamValue = {
    type: 'stream',
    rdbType: type,
    encoding: checkerTypeName(type),
    start,
    end: start,
    entries,
    deletedEntries: 0,
    listpacks: 0,
    length: 0,
    lastId: { ms: 0n, seq: 0n },
    groups,
    count: 0,
  };
  if (ctx.elementRanges) value.elementRanges = [];
  const nodeCount = r.count('stream listpack count', 2);
  value.listpacks = nodeCount;
  const nodeKeys = new Set<string>();
  let previousMaster: StreamId | undefined;
  for (let n = 0; n < nodeCount; n++) {
    const keyStart = c.offset;
    const key = r.string('stream node key');
    if (key.length !== 16) {
      throw new DecodeError('rdb.stream.integrity', `Stream node key entry is not the size of a stream ID (${key.length} bytes)`, keyStart, c.offset);
    }
    const master = rawId(key, 0);
    const mk = idKey(master);
    if (nodeKeys.has(mk)) throw new DecodeError('rdb.stream.integrity', `Listpack re-added with existing key ${mk}`, keyStart, c.offset);
    nodeKeys.add(mk);
    if (previousMaster && compareIds(master, previousMaster) <= 0) {
      ctx.report({ code: 'rdb.stream.node-order', severity: 'warning', offset: keyStart, end: c.offset, message: `stream node ${mk} is not after the previous node` });
    }
    previousMaster = master;
    const blob = readBlob(r, 'stream node listpack');
    value.deletedEntries += decodeNode(master, blob, entries, value.elementRanges);
  }
  value.length = r.len('stream length');
  value.lastId = readId(r, 'stream last ID');
  if (type !== T_STREAM_LISTPACKS) {
    value.firstId = readId(r, 'stream first ID');
    value.maxDeletedId = readId(r, 'stream max deleted ID');
    value.entriesAdded = Number(r.len64('stream entries added'));
  }
  if (value.length > 0 && nodeCount === 0) {
    throw new DecodeError('rdb.stream.integrity', `Stream length inconsistent with rax entries (length ${value.length}, no listpacks)`, start, c.offset);
  }
  if (value.length !== entries.length) {
    ctx.report({
      code: 'rdb.stream.length-mismatch',
      severity: 'warning',
      offset: start,
      end: c.offset,
      message: `stream length ${value.length} but ${entries.length} live entries in its listpacks`,
    });
  }
  const groupCount = r.count('consumer group count', 3);
  const groupNames = new Set<string>();
  for (let g = 0; g < groupCount; g++) {
    const groupStart = c.offset;
    const name = r.string('consumer group name');
    const gk = bytesKey(name);
    if (groupNames.has(gk)) throw new DecodeError('rdb.stream.integrity', `Duplicated consumer group name ${gk}`, groupStart, c.offset);
    groupNames.add(gk);
    const group: StreamGroup = { name, lastId: readId(r, 'group last delivered ID'), pending: [], consumers: [] };
    if (type !== T_STREAM_LISTPACKS) {
      // SCG_INVALID_ENTRIES_READ (-1) is saved as an unsigned 64-bit length.
      const entriesRead = r.len64('group entries read');
      group.entriesRead = entriesRead === U64 ? -1 : Number(entriesRead);
    }
    const pelCount = r.count('group PEL size', 17);
    const pel = new Map<string, StreamPendingEntry>();
    for (let p = 0; p < pelCount; p++) {
      const at = c.offset;
      const id = rawId(c.bytes(16, 'PEL entry ID'), 0);
      const deliveryTimeMs = Number(c.i64le('PEL delivery time'));
      const deliveryCount = r.len('PEL delivery count');
      const k = idKey(id);
      if (pel.has(k)) throw new DecodeError('rdb.stream.integrity', `Duplicated global PEL entry ${k} loading stream consumer group`, at, c.offset);
      const pe: StreamPendingEntry = { id, deliveryTimeMs, deliveryCount };
      pel.set(k, pe);
      group.pending.push(pe);
    }
    const consumerCount = r.count('consumer count', 10);
    const consumerNames = new Set<string>();
    for (let k = 0; k < consumerCount; k++) {
      const consumerStart = c.offset;
      const cname = r.string('consumer name');
      const ck = bytesKey(cname);
      if (consumerNames.has(ck)) throw new DecodeError('rdb.stream.integrity', 'Duplicate stream consumer detected.', consumerStart, c.offset);
      consumerNames.add(ck);
      const seenTimeMs = Number(c.i64le('consumer seen time'));
      const activeTimeMs = type >= T_STREAM_LISTPACKS_3 ? Number(c.i64le('consumer active time')) : seenTimeMs;
      const consumer: StreamConsumer = { name: cname, seenTimeMs, activeTimeMs, pending: [] };
      const cpel = r.count('consumer PEL size', 16);
      for (let p = 0; p < cpel; p++) {
        const at = c.offset;
        const id = rawId(c.bytes(16, 'consumer PEL entry ID'), 0);
        const pe = pel.get(idKey(id));
        if (!pe) throw new DecodeError('rdb.stream.integrity', `Consumer entry ${idKey(id)} not found in group global PEL`, at, c.offset);
        if (pe.consumer === cname) {
          throw new DecodeError('rdb.stream.integrity', `Duplicated consumer PEL entry ${idKey(id)} loading a stream consumer`, at, c.offset);
        }
        if (pe.consumer) {
          ctx.report({ code: 'rdb.stream.pel-shared', severity: 'warning', offset: at, end: c.offset, message: `PEL entry ${idKey(id)} is claimed by two consumers` });
        }
        pe.consumer = cname;
        consumer.pending.push(id);
      }
      group.consumers.push(consumer);
    }
    for (const pe of group.pending) {
      if (!pe.consumer) {
        throw new DecodeError('rdb.stream.integrity', `Stream CG PEL entry ${idKey(pe.id)} without consumer`, groupStart, c.offset);
      }
    }
    groups.push(group);
  }
  if (type === T_STREAM_LISTPACKS_4) value.idmp = decodeIdmp(r);
  value.count = entries.length;
  value.end = c.offset;
  return value;
}

function decodeIdmp(r: RdbReader): StreamIdmp {
  const idmp: StreamIdmp = {
    durationSeconds: r.len('IDMP duration'),
    maxEntries: r.len('IDMP max entries'),
    producers: [],
    iidsAdded: 0,
    iidsDuplicates: 0,
  };
  const producers = r.count('IDMP producer count', 2);
  for (let p = 0; p < producers; p++) {
    const id = r.string('IDMP producer ID');
    const n = r.count('IDMP entry count', 3);
    const entries: { iid: Uint8Array; id: StreamId }[] = [];
    for (let e = 0; e < n; e++) entries.push({ iid: r.string('IDMP IID'), id: readId(r, 'IDMP entry ID') });
    idmp.producers.push({ id, entries });
  }
  idmp.iidsAdded = r.len('IDMP IIDs added');
  idmp.iidsDuplicates = r.len('IDMP IID duplicates');
  return idmp;
}
