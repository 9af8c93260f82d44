/**
 * Stream commands as redis-server executes them while loading an AOF (redis
 * `src/t_stream.c` `xaddCommand`, `streamParseAddOrTrimArgsOrReply`,
 * `streamTrim`, `xdelCommand`, `xtrimCommand`, `xsetidCommand`,
 * `xgroupCommand`, `xackCommand`, `xclaimCommand`, `xautoclaimCommand`;
 * Redis 5.0–8.x, consumer handling of 7.2+: XCLAIM creates its consumer even
 * when nothing is claimed, 7.0 only when something is). Redis writes XADD
 * with the ID it generated, exact trims (`=`) for approximate ones, and
 * XREADGROUP as XCLAIM … FORCE JUSTID LASTID plus XGROUP SETID /
 * CREATECONSUMER. XCLAIM cannot recreate a pending entry whose stream entry
 * was deleted (it drops it instead), which is why a RESP AOF rewrite loses
 * such entries. Approximate trims (`~`) depend on the node layout and are
 * not replayed.
 */

import type { StreamId } from '../../rdb/value.js';
import type { CommandSpec, Ctx } from './context.js';
import { lookup, SYNTAX } from './context.js';
import type { MConsumer, MGroup, MNack, MStream } from './dataset.js';
import { compareIds, idKey } from './dataset.js';
import { intArg, is, numArg, ReplyError, text } from './numbers.js';

const U64_MAX = (1n << 64n) - 1n;
const MAX_ID: StreamId = { ms: U64_MAX, seq: U64_MAX };
const ZERO: StreamId = { ms: 0n, seq: 0n };
/** SCG_INVALID_ENTRIES_READ */
const INVALID_ENTRIES_READ = -1;
const INVALID_ID = 'Invalid stream ID specified as stream command argument';

function ull(s: string): bigint | undefined {
  if (!/^\s*\+?\d+$/.test(s)) return undefined;
  const v = BigInt(s.trim().replace(/^\+/, ''));
  return v > U64_MAX ? undefined : v;
}

/**
 * `streamGenericParseIDOrReply`: `ms-seq`, `ms` (seq = `missingSeq`), `-`/`+`
 * unless strict, and with `allowAutoSeq` the XADD form `ms-*` (seqGiven false).
 */
function parseId(b: Uint8Array | undefined, strict: boolean, missingSeq = 0n, allowAutoSeq = false): { id: StreamId; seqGiven: boolean } {
  const s = b === undefined ? '' : text(b);
  if (s.length > 127) throw new ReplyError(INVALID_ID);
  if (s === '-' || s === '+') {
    if (strict) throw new ReplyError(INVALID_ID);
    return { id: s === '-' ? ZERO : MAX_ID, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = ull(dash < 0 ? s : s.slice(0, dash));
  if (ms === undefined) throw new ReplyError(INVALID_ID);
  if (dash < 0) return { id: { ms, seq: missingSeq }, seqGiven: true };
  const tail = s.slice(dash + 1);
  if (allowAutoSeq && tail === '*') return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = ull(tail);
  if (seq === undefined) throw new ReplyError(INVALID_ID);
  return { id: { ms, seq }, seqGiven: true };
}

function streamOf(c: Ctx, key: Uint8Array): MStream | undefined {
  return lookup(c, key, 'stream')?.v;
}

/** Index of the entry with `id`, or -(insertion point) - 1. */
function find(s: MStream, id: StreamId): number {
  let lo = s.first;
  let hi = s.entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = compareIds(s.entries[mid]!.id, id);
    if (d === 0) return mid;
    if (d < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

function exists(s: MStream, id: StreamId): boolean {
  return find(s, id) >= 0;
}

interface Trim {
  strategy: 'maxlen' | 'minid';
  approx: boolean;
  maxlen: bigint;
  minid: StreamId;
}

/** `streamParseAddOrTrimArgsOrReply` from argument 2: the trim, and for XADD the ID argument's index. */
function parseAddOrTrim(a: Uint8Array[], xadd: boolean): { trim?: Trim; idAt: number; noMkStream: boolean; id?: StreamId; seqGiven: boolean } {
  let trim: Trim | undefined;
  let limitGiven = false;
  let noMkStream = false;
  let i = 2;
  for (; i < a.length; i++) {
    const more = a.length - 1 - i;
    const opt = a[i]!;
    if (xadd && opt.length === 1 && opt[0] === 0x2a) break; // '*'
    if ((is(opt, 'MAXLEN') || is(opt, 'MINID')) && more) {
      if (trim) throw new ReplyError('syntax error, MAXLEN and MINID options at the same time are not compatible');
      const strategy = is(opt, 'MAXLEN') ? 'maxlen' : 'minid';
      let approx = false;
      const next = text(a[i + 1]!);
      if (more >= 2 && (next === '~' || next === '=')) {
        approx = next === '~';
        i++;
      }
      const arg = a[i + 1];
      if (strategy === 'maxlen') {
        const n = intArg(arg);
        if (n < 0n) throw new ReplyError('The MAXLEN argument must be >= 0.');
        trim = { strategy, approx, maxlen: n, minid: ZERO };
      } else trim = { strategy, approx, maxlen: 0n, minid: parseId(arg, true).id };
      i++;
    } else if (is(opt, 'LIMIT') && more) {
      if (intArg(a[i + 1]) < 0n) throw new ReplyError('The LIMIT argument must be >= 0.');
      limitGiven = true;
      i++;
    } else if (xadd && is(opt, 'NOMKSTREAM')) noMkStream = true;
    else if (xadd) {
      const { id, seqGiven } = parseId(opt, true, 0n, true);
      return { ...(trim ? { trim } : {}), idAt: i, noMkStream, id, seqGiven };
    } else throw new ReplyError(SYNTAX);
  }
  if (limitGiven && !trim) throw new ReplyError('syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && !trim) throw new ReplyError('syntax error, XTRIM must be called with a trimming strategy');
  return { ...(trim ? { trim } : {}), idAt: i, noMkStream, seqGiven: false };
}

/** `streamTrim` with an exact threshold (the only kind Redis writes to an AOF since 7.0). */
function trimExact(s: MStream, t: Trim): void {
  if (t.strategy === 'maxlen') s.first += Math.max(0, s.entries.length - s.first - Number(t.maxlen));
  else while (s.first < s.entries.length && compareIds(s.entries[s.first]!.id, t.minid) < 0) s.first++;
  compact(s);
}

/** Drops the trimmed prefix once it is most of the array. */
function compact(s: MStream): void {
  if (s.first > 1024 && s.first * 2 > s.entries.length) {
    s.entries = s.entries.slice(s.first);
    s.first = 0;
  }
}

function applyTrim(c: Ctx, key: Uint8Array, s: MStream, t: Trim | undefined): void {
  if (!t) return;
  if (t.approx) {
    c.inexact([key], `what an approximate trim ('${t.strategy.toUpperCase()} ~') removes depends on the stream's node layout (Redis 7.0+ writes exact trims)`);
    return;
  }
  trimExact(s, t);
}

function xadd(c: Ctx, a: Uint8Array[]): void {
  const p = parseAddOrTrim(a, true);
  const fields = a.slice(p.idAt + 1);
  if (fields.length < 2 || fields.length % 2 === 1) throw new ReplyError("wrong number of arguments for 'xadd' command");
  if (p.id && p.seqGiven && p.id.ms === 0n && p.id.seq === 0n) throw new ReplyError('The ID specified in XADD must be greater than 0-0');
  const key = a[1]!;
  let s = streamOf(c, key);
  if (!s) {
    if (p.noMkStream) return;
    s = { type: 'stream', entries: [], first: 0, lastId: ZERO, maxDeletedId: ZERO, entriesAdded: 0, groups: new Map() };
    c.ks.put(c.db, key, s);
  }
  if (s.lastId.ms === U64_MAX && s.lastId.seq === U64_MAX) throw new ReplyError('The stream has exhausted the last possible ID, unable to add more items');
  let id: StreamId;
  if (!p.id) {
    // `*` (never written by Redis, which writes the generated ID): streamNextID on the replay's clock.
    const now = BigInt(c.nowMs);
    id = now > s.lastId.ms ? { ms: now, seq: 0n } : { ms: s.lastId.ms, seq: s.lastId.seq + 1n };
    c.inexact([key], "'*' would take the entry ID from the replay's clock (Redis writes the ID it generated)");
  } else if (!p.seqGiven) {
    if (s.lastId.ms === p.id.ms) {
      if (s.lastId.seq === U64_MAX) throw new ReplyError('The ID specified in XADD is equal or smaller than the target stream top item');
      id = { ms: p.id.ms, seq: s.lastId.seq + 1n };
    } else id = p.id;
  } else id = p.id;
  if (compareIds(id, s.lastId) <= 0) throw new ReplyError('The ID specified in XADD is equal or smaller than the target stream top item');
  s.entries.push({ id, fields });
  s.lastId = id;
  s.entriesAdded++;
  applyTrim(c, key, s, p.trim);
}

function xdel(c: Ctx, a: Uint8Array[]): void {
  const ids = a.slice(2).map((b) => parseId(b, true).id);
  const s = streamOf(c, a[1]!);
  if (!s) return;
  for (const id of ids) {
    const i = find(s, id);
    if (i < 0) continue;
    if (i === s.first) {
      s.first++;
      compact(s);
    } else s.entries.splice(i, 1);
    if (compareIds(id, s.maxDeletedId) > 0) s.maxDeletedId = id;
  }
}

function xtrim(c: Ctx, a: Uint8Array[]): void {
  const p = parseAddOrTrim(a, false);
  const s = streamOf(c, a[1]!);
  if (s) applyTrim(c, a[1]!, s, p.trim);
}

function xsetid(c: Ctx, a: Uint8Array[]): void {
  const id = parseId(a[2], true).id;
  let entriesAdded = -1n;
  let maxDel = ZERO;
  for (let i = 3; i < a.length; i += 2) {
    if (is(a[i], 'ENTRIESADDED') && i + 1 < a.length) {
      entriesAdded = intArg(a[i + 1]);
      if (entriesAdded < 0n) throw new ReplyError('entries_added must be positive');
    } else if (is(a[i], 'MAXDELETEDID') && i + 1 < a.length) {
      maxDel = parseId(a[i + 1], true).id;
      if (compareIds(id, maxDel) < 0) throw new ReplyError('The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
    } else throw new ReplyError(SYNTAX);
  }
  const s = streamOf(c, a[1]!);
  if (!s) throw new ReplyError('no such key');
  if (compareIds(id, s.maxDeletedId) < 0) throw new ReplyError('The ID specified in XSETID is smaller than current max_deleted_entry_id');
  const length = s.entries.length - s.first;
  if (length > 0) {
    if (compareIds(id, s.entries[s.entries.length - 1]!.id) < 0) throw new ReplyError('The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1n && BigInt(length) > entriesAdded) throw new ReplyError('The entries_added specified in XSETID is smaller than the target stream length');
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = Number(entriesAdded);
  if (maxDel.ms !== 0n || maxDel.seq !== 0n) s.maxDeletedId = maxDel;
}

function newConsumer(c: Ctx, g: MGroup, name: Uint8Array): MConsumer {
  const k = text(name);
  let consumer = g.consumers.get(k);
  if (!consumer) {
    // seen-time is the replay's clock: what redis-server sets while loading too (diffs against an AOF ignore consumer times).
    consumer = { name: name.slice(), seenTimeMs: c.nowMs, activeTimeMs: -1, pel: new Set() };
    g.consumers.set(k, consumer);
  }
  return consumer;
}

function dropNack(g: MGroup, key: string): void {
  const n = g.pel.get(key);
  if (!n) return;
  g.pel.delete(key);
  if (n.consumer !== undefined) g.consumers.get(n.consumer)?.pel.delete(key);
}

function xgroup(c: Ctx, a: Uint8Array[]): void {
  const sub = text(a[1]!).toLowerCase();
  let s: MStream | undefined;
  let group: MGroup | undefined;
  let mkstream = false;
  let entriesRead = BigInt(INVALID_ENTRIES_READ);
  if (a.length >= 4) {
    for (let i = 5; i < a.length; ) {
      if (sub === 'create' && is(a[i], 'MKSTREAM')) {
        mkstream = true;
        i++;
      } else if ((sub === 'create' || sub === 'setid') && is(a[i], 'ENTRIESREAD') && i + 1 < a.length) {
        entriesRead = intArg(a[i + 1]);
        if (entriesRead < 0n && entriesRead !== -1n) throw new ReplyError('value for ENTRIESREAD must be positive or -1');
        i += 2;
      } else throw new ReplyError(SYNTAX);
    }
    s = streamOf(c, a[2]!);
    if (!mkstream) {
      if (!s) throw new ReplyError('The XGROUP subcommand requires the key to exist.');
      group = s.groups.get(text(a[3]!));
      if (!group && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) throw new ReplyError('-NOGROUP No such consumer group');
    }
  }
  if (sub === 'create' && a.length >= 5 && a.length <= 8) {
    let id: StreamId;
    if (text(a[4]!) === '$') id = s ? s.lastId : ZERO;
    else id = parseId(a[4], true).id;
    if (!s) {
      s = { type: 'stream', entries: [], first: 0, lastId: ZERO, maxDeletedId: ZERO, entriesAdded: 0, groups: new Map() };
      c.ks.put(c.db, a[2]!, s);
    }
    const name = text(a[3]!);
    if (s.groups.has(name)) throw new ReplyError('-BUSYGROUP Consumer Group name already exists');
    s.groups.set(name, { name: a[3]!.slice(), lastId: id, entriesRead: Number(entriesRead), pel: new Map(), consumers: new Map() });
  } else if (sub === 'setid' && (a.length === 5 || a.length === 7)) {
    const id = text(a[4]!) === '$' ? s!.lastId : parseId(a[4], false).id;
    group!.lastId = id;
    group!.entriesRead = Number(entriesRead);
  } else if (sub === 'destroy' && a.length === 4) {
    if (group) s!.groups.delete(text(a[3]!));
  } else if (sub === 'createconsumer' && a.length === 5) {
    newConsumer(c, group!, a[4]!);
  } else if (sub === 'delconsumer' && a.length === 5) {
    const k = text(a[4]!);
    const consumer = group!.consumers.get(k);
    if (!consumer) return;
    for (const id of consumer.pel) group!.pel.delete(id);
    group!.consumers.delete(k);
  } else if (sub !== 'help') throw new ReplyError(SYNTAX);
}

function xack(c: Ctx, a: Uint8Array[]): void {
  const s = streamOf(c, a[1]!);
  const g = s?.groups.get(text(a[2]!));
  if (!g) return;
  const ids = a.slice(3).map((b) => parseId(b, true).id);
  for (const id of ids) dropNack(g, idKey(id));
}

function xclaim(c: Ctx, a: Uint8Array[]): void {
  const s = streamOf(c, a[1]!);
  const g = s?.groups.get(text(a[2]!));
  if (!s || !g) throw new ReplyError(`-NOGROUP No such key '${text(a[1]!)}' or consumer group '${text(a[2]!)}'`);
  let minIdle = intArg(a[4], 'Invalid min-idle-time argument for XCLAIM');
  if (minIdle < 0n) minIdle = 0n;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < a.length; j++) {
    try {
      ids.push(parseId(a[j], true).id);
    } catch {
      break;
    }
  }
  const now = c.nowMs;
  let deliveryTime: number | undefined;
  let retryCount: bigint | undefined;
  let force = false;
  let justId = false;
  let lastId = ZERO;
  for (; j < a.length; j++) {
    const more = a.length - 1 - j;
    if (is(a[j], 'FORCE')) force = true;
    else if (is(a[j], 'JUSTID')) justId = true;
    else if (is(a[j], 'IDLE') && more) deliveryTime = now - numArg(a[++j], 'Invalid IDLE option argument for XCLAIM');
    else if (is(a[j], 'TIME') && more) deliveryTime = numArg(a[++j], 'Invalid TIME option argument for XCLAIM');
    else if (is(a[j], 'RETRYCOUNT') && more) retryCount = intArg(a[++j], 'Invalid RETRYCOUNT option argument for XCLAIM');
    else if (is(a[j], 'LASTID') && more) lastId = parseId(a[++j], true).id;
    else throw new ReplyError(`Unrecognized XCLAIM option '${text(a[j]!)}'`);
  }
  if (compareIds(lastId, g.lastId) > 0) g.lastId = lastId;
  if (deliveryTime === undefined) {
    deliveryTime = now;
    if (ids.length) c.note('replay.clock', "XCLAIM without TIME or IDLE: the delivery time is the replay's clock");
  } else if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const consumer = newConsumer(c, g, a[3]!);
  consumer.seenTimeMs = now;
  for (const id of ids) {
    const k = idKey(id);
    let nack: MNack | undefined = g.pel.get(k);
    if (!exists(s, id)) {
      // The entry is gone: XCLAIM drops its pending entry (and FORCE cannot create one).
      if (nack) dropNack(g, k);
      continue;
    }
    if (force && !nack) {
      nack = { id, deliveryTimeMs: now, deliveryCount: 1 };
      g.pel.set(k, nack);
    }
    if (!nack) continue;
    if (nack.consumer !== undefined && minIdle > 0n && BigInt(now - nack.deliveryTimeMs) < minIdle) continue;
    const name = text(a[3]!);
    if (nack.consumer !== name && nack.consumer !== undefined) g.consumers.get(nack.consumer)?.pel.delete(k);
    nack.deliveryTimeMs = deliveryTime;
    if (retryCount !== undefined && retryCount >= 0n) nack.deliveryCount = Number(retryCount);
    else if (!justId) nack.deliveryCount++;
    nack.consumer = name;
    consumer.pel.add(k);
    consumer.activeTimeMs = now;
  }
}

function xautoclaim(c: Ctx, a: Uint8Array[]): void {
  let minIdle = intArg(a[4], 'Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdle < 0n) minIdle = 0n;
  const startText = text(a[5]!);
  const exclusive = startText.length > 1 && startText.startsWith('(');
  let start = parseId(exclusive ? a[5]!.subarray(1) : a[5], exclusive).id;
  if (exclusive) {
    if (start.seq === U64_MAX && start.ms === U64_MAX) throw new ReplyError('invalid start ID for the interval');
    start = start.seq === U64_MAX ? { ms: start.ms + 1n, seq: 0n } : { ms: start.ms, seq: start.seq + 1n };
  }
  let count = 100;
  let justId = false;
  for (let j = 6; j < a.length; j++) {
    if (is(a[j], 'COUNT') && j + 1 < a.length) {
      count = numArg(a[++j], 'COUNT must be > 0');
      if (count < 1) throw new ReplyError('COUNT must be > 0');
    } else if (is(a[j], 'JUSTID')) justId = true;
    else throw new ReplyError(SYNTAX);
  }
  const s = streamOf(c, a[1]!);
  const g = s?.groups.get(text(a[2]!));
  if (!s || !g) throw new ReplyError(`-NOGROUP No such key '${text(a[1]!)}' or consumer group '${text(a[2]!)}'`);
  const now = c.nowMs;
  const consumer = newConsumer(c, g, a[3]!);
  consumer.seenTimeMs = now;
  const name = text(a[3]!);
  let attempts = count * 10;
  const pel = [...g.pel.values()].filter((n) => compareIds(n.id, start) >= 0).sort((x, y) => compareIds(x.id, y.id));
  for (const nack of pel) {
    if (!(attempts-- && count)) break;
    const k = idKey(nack.id);
    if (!exists(s, nack.id)) {
      dropNack(g, k);
      count--;
      continue;
    }
    if (minIdle > 0n && BigInt(now - nack.deliveryTimeMs) < minIdle) continue;
    if (nack.consumer !== name && nack.consumer !== undefined) g.consumers.get(nack.consumer)?.pel.delete(k);
    nack.deliveryTimeMs = now;
    if (!justId) nack.deliveryCount++;
    nack.consumer = name;
    consumer.pel.add(k);
    count--;
    consumer.activeTimeMs = now;
  }
  c.note('replay.clock', "XAUTOCLAIM: delivery times are the replay's clock (Redis writes XCLAIM … TIME instead)");
}

/** The stream commands, by lower-case name. */
export const STREAM_COMMANDS: Record<string, CommandSpec> = {
  xadd: { arity: -5, run: xadd },
  xdel: { arity: -3, run: xdel },
  xtrim: { arity: -4, run: xtrim },
  xsetid: { arity: -3, run: xsetid },
  xgroup: { arity: -2, keys: (a) => (a.length >= 4 ? [a[2]!] : []), run: xgroup },
  xack: { arity: -4, run: xack },
  xclaim: { arity: -6, run: xclaim },
  xautoclaim: { arity: -6, run: xautoclaim },
};

