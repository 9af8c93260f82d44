/**
 * Element-level change of one key whose value differs between two files,
 * computed from both decoded records (the diff decodes them lazily, one key at
 * a time). Lists: common prefix and suffix trimmed, then a Myers diff of what
 * is left (positions in the old and new list); past `maxListEdits` edits the
 * middle is compared index by index, with a note. Sets, sorted sets, hashes:
 * members/fields added, removed, changed. Streams: entries by ID, the stream's
 * metadata, consumer groups with their PEL and consumers. Element lists are
 * capped at `maxItems` each (counts stay exact; `truncated` says so).
 */

import { latin1 } from '../text/bytesText.js';
import type { HashValue, ListValue, RdbValue, SetValue, StreamGroup, StreamId, StreamValue, StringValue, ZsetValue } from '../rdb/value.js';
import { compareBytes } from '../bytes/compare.js';

export interface DetailOptions {
  /** Most elements listed per category (default 1000). */
  maxItems?: number;
  /** Most list edits a Myers diff looks for before comparing by index (default 2000). */
  maxListEdits?: number;
  /** Longest string value shown whole (default 1024 bytes); longer ones are cut. */
  maxStringBytes?: number;
  /** Leave consumers' seen and active times out (a side replayed from an AOF cannot know them). */
  ignoreConsumerTimes?: boolean;
}

export interface Change<T> {
  before: T;
  after: T;
}

export interface StringDetails {
  type: 'string';
  lengthBefore: number;
  lengthAfter: number;
  before: Uint8Array;
  after: Uint8Array;
  /** True when `before`/`after` were cut to `maxStringBytes`. */
  truncated: boolean;
}

export type ListEdit =
  | { op: 'added'; index: number; value: Uint8Array }
  | { op: 'removed'; index: number; value: Uint8Array }
  | { op: 'changed'; index: number; indexBefore: number; before: Uint8Array; after: Uint8Array };

export interface ListDetails {
  type: 'list';
  lengthBefore: number;
  lengthAfter: number;
  /** `diff`: a minimal edit script; `index`: position by position (too many edits for a diff). */
  method: 'diff' | 'index';
  added: number;
  removed: number;
  changed: number;
  /** In order; `index` is the position in the new list (removals: in the old list). */
  edits: ListEdit[];
  truncated: boolean;
  note?: string;
}

export interface SetDetails {
  type: 'set';
  sizeBefore: number;
  sizeAfter: number;
  added: Uint8Array[];
  removed: Uint8Array[];
  addedCount: number;
  removedCount: number;
  truncated: boolean;
}

export interface ZsetDetails {
  type: 'zset';
  sizeBefore: number;
  sizeAfter: number;
  added: { member: Uint8Array; score: number }[];
  removed: { member: Uint8Array; score: number }[];
  changed: { member: Uint8Array; before: number; after: number }[];
  addedCount: number;
  removedCount: number;
  changedCount: number;
  truncated: boolean;
}

export interface HashDetails {
  type: 'hash';
  sizeBefore: number;
  sizeAfter: number;
  added: { field: Uint8Array; value: Uint8Array; ttl?: number }[];
  removed: { field: Uint8Array; value: Uint8Array }[];
  changed: { field: Uint8Array; before: Uint8Array; after: Uint8Array }[];
  /** Field TTL (absolute ms; null: none) changed on a field present in both. */
  ttlChanged: { field: Uint8Array; before: number | null; after: number | null }[];
  addedCount: number;
  removedCount: number;
  changedCount: number;
  ttlChangedCount: number;
  truncated: boolean;
}

export interface PendingSummary {
  id: string;
  consumer: Uint8Array | null;
  deliveryCount: number;
  deliveryTimeMs: number;
}

export interface GroupSummary {
  name: Uint8Array;
  lastId: string;
  entriesRead: number | null;
  pending: number;
  consumers: Uint8Array[];
}

export interface GroupChange {
  name: Uint8Array;
  lastId?: Change<string>;
  entriesRead?: Change<number | null>;
  pendingAdded: PendingSummary[];
  pendingRemoved: PendingSummary[];
  pendingChanged: {
    id: string;
    consumer?: Change<Uint8Array | null>;
    deliveryCount?: Change<number>;
    deliveryTimeMs?: Change<number>;
  }[];
  consumersAdded: { name: Uint8Array; pending: number }[];
  consumersRemoved: { name: Uint8Array; pending: number }[];
  consumersChanged: {
    name: Uint8Array;
    /** Pending IDs this consumer gained and lost. */
    pending?: { added: string[]; removed: string[] };
    seenTimeMs?: Change<number>;
    activeTimeMs?: Change<number>;
  }[];
}

export interface StreamDetails {
  type: 'stream';
  lengthBefore: number;
  lengthAfter: number;
  entriesAdded: { id: string; fields: Uint8Array[] }[];
  entriesRemoved: { id: string; fields: Uint8Array[] }[];
  entriesChanged: { id: string; before: Uint8Array[]; after: Uint8Array[] }[];
  addedCount: number;
  removedCount: number;
  changedCount: number;
  /** last-id, max-deleted-id, entries-added, length, first-id, as strings. */
  meta: { field: string; before: string | null; after: string | null }[];
  groupsAdded: GroupSummary[];
  groupsRemoved: GroupSummary[];
  groupsChanged: GroupChange[];
  truncated: boolean;
}

export interface ModuleDetails {
  type: 'module';
  moduleBefore: string;
  moduleAfter: string;
  note: string;
}

export type KeyDetails = StringDetails | ListDetails | SetDetails | ZsetDetails | HashDetails | StreamDetails | ModuleDetails;

/** Element-level change between two values of the same type; undefined when the types differ. */
export function valueChanges(a: RdbValue, b: RdbValue, options: DetailOptions = {}): KeyDetails | undefined {
  const o: Required<DetailOptions> = {
    maxItems: options.maxItems ?? 1000,
    maxListEdits: options.maxListEdits ?? 2000,
    maxStringBytes: options.maxStringBytes ?? 1024,
    ignoreConsumerTimes: options.ignoreConsumerTimes ?? false,
  };
  if (a.type !== b.type) return undefined;
  switch (a.type) {
    case 'string':
      return stringChanges(a, b as StringValue, o);
    case 'list':
      return listChanges(a, b as ListValue, o);
    case 'set':
      return setChanges(a, b as SetValue, o);
    case 'zset':
      return zsetChanges(a, b as ZsetValue, o);
    case 'hash':
      return hashChanges(a, b as HashValue, o);
    case 'stream':
      return streamChanges(a, b as StreamValue, o);
    case 'module': {
      const mb = b as typeof a;
      return { type: 'module', moduleBefore: a.moduleName, moduleAfter: mb.moduleName, note: 'module values are opaque: they differ, element changes are not known' };
    }
  }
}

function stringChanges(a: StringValue, b: StringValue, o: Required<DetailOptions>): StringDetails {
  const cut = a.value.length > o.maxStringBytes || b.value.length > o.maxStringBytes;
  return {
    type: 'string',
    lengthBefore: a.value.length,
    lengthAfter: b.value.length,
    before: a.value.subarray(0, o.maxStringBytes),
    after: b.value.subarray(0, o.maxStringBytes),
    truncated: cut,
  };
}

function equalBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

type Op = 0 | 1 | 2; // keep, delete (from a), insert (from b)

/** Myers' O(ND) shortest edit script; undefined when it needs more than `maxD` edits. */
export function myers(a: Int32Array, b: Int32Array, maxD: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const off = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  outer: for (let d = 0; d <= maxD; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(off - d, off + d + 1));
        found = d;
        break outer;
      }
    }
    trace.push(v.slice(off - d, off + d + 1));
  }
  if (found < 0) return undefined;
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!;
    const get = (k: number): number => prev[k + d - 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && get(k - 1) < get(k + 1)) ? k + 1 : k - 1;
    const prevX = get(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push(0);
      x--;
      y--;
    }
    if (x === prevX) {
      ops.push(2);
      y--;
    } else {
      ops.push(1);
      x--;
    }
  }
  while (x > 0 && y > 0) {
    ops.push(0);
    x--;
    y--;
  }
  return ops.reverse();
}

function listChanges(a: ListValue, b: ListValue, o: Required<DetailOptions>): ListDetails {
  const A = a.items;
  const B = b.items;
  let pre = 0;
  while (pre < A.length && pre < B.length && equalBytes(A[pre]!, B[pre]!)) pre++;
  let suf = 0;
  while (suf < A.length - pre && suf < B.length - pre && equalBytes(A[A.length - 1 - suf]!, B[B.length - 1 - suf]!)) suf++;
  const midA = A.slice(pre, A.length - suf);
  const midB = B.slice(pre, B.length - suf);
  // Items interned to numbers: the diff compares ints.
  const ids = new Map<string, number>();
  const intern = (items: Uint8Array[]): Int32Array => {
    const out = new Int32Array(items.length);
    items.forEach((it, i) => {
      const s = latin1(it);
      let n = ids.get(s);
      if (n === undefined) ids.set(s, (n = ids.size));
      out[i] = n;
    });
    return out;
  };
  const ops = myers(intern(midA), intern(midB), o.maxListEdits);
  const d: ListDetails = { type: 'list', lengthBefore: A.length, lengthAfter: B.length, method: ops ? 'diff' : 'index', added: 0, removed: 0, changed: 0, edits: [], truncated: false };
  const push = (e: ListEdit): void => {
    if (d.edits.length < o.maxItems) d.edits.push(e);
    else d.truncated = true;
  };
  if (!ops) {
    d.note = `more than ${o.maxListEdits} edits: compared position by position after the common prefix (${pre}) and suffix (${suf})`;
    const common = Math.min(midA.length, midB.length);
    for (let i = 0; i < common; i++) {
      if (!equalBytes(midA[i]!, midB[i]!)) {
        d.changed++;
        push({ op: 'changed', index: pre + i, indexBefore: pre + i, before: midA[i]!, after: midB[i]! });
      }
    }
    for (let i = common; i < midA.length; i++) {
      d.removed++;
      push({ op: 'removed', index: pre + i, value: midA[i]! });
    }
    for (let i = common; i < midB.length; i++) {
      d.added++;
      push({ op: 'added', index: pre + i, value: midB[i]! });
    }
    return d;
  }
  let x = 0;
  let y = 0;
  let i = 0;
  while (i < ops.length) {
    if (ops[i] === 0) {
      x++;
      y++;
      i++;
      continue;
    }
    // A run of deletions and insertions between two kept items: pair them up as changes.
    const dels: number[] = [];
    const ins: number[] = [];
    while (i < ops.length && ops[i] !== 0) {
      if (ops[i] === 1) dels.push(x++);
      else ins.push(y++);
      i++;
    }
    const pairs = Math.min(dels.length, ins.length);
    for (let p = 0; p < pairs; p++) {
      d.changed++;
      push({ op: 'changed', index: pre + ins[p]!, indexBefore: pre + dels[p]!, before: midA[dels[p]!]!, after: midB[ins[p]!]! });
    }
    for (let p = pairs; p < dels.length; p++) {
      d.removed++;
      push({ op: 'removed', index: pre + dels[p]!, value: midA[dels[p]!]! });
    }
    for (let p = pairs; p < ins.length; p++) {
      d.added++;
      push({ op: 'added', index: pre + ins[p]!, value: midB[ins[p]!]! });
    }
  }
  return d;
}

function byKey(items: Uint8Array[]): Map<string, number> {
  const m = new Map<string, number>();
  items.forEach((it, i) => m.set(latin1(it), i));
  return m;
}

/** Sorts by the bytes of `key(item)`, then caps to `max`. */
function sortCap<T>(items: T[], key: (t: T) => Uint8Array, max: number): T[] {
  items.sort((p, q) => compareBytes(key(p), key(q)));
  return items.length > max ? items.slice(0, max) : items;
}

function setChanges(a: SetValue, b: SetValue, o: Required<DetailOptions>): SetDetails {
  const inA = byKey(a.members);
  const inB = byKey(b.members);
  const added = b.members.filter((m) => !inA.has(latin1(m)));
  const removed = a.members.filter((m) => !inB.has(latin1(m)));
  return {
    type: 'set',
    sizeBefore: a.members.length,
    sizeAfter: b.members.length,
    addedCount: added.length,
    removedCount: removed.length,
    added: sortCap(added, (m) => m, o.maxItems),
    removed: sortCap(removed, (m) => m, o.maxItems),
    truncated: added.length > o.maxItems || removed.length > o.maxItems,
  };
}

function zsetChanges(a: ZsetValue, b: ZsetValue, o: Required<DetailOptions>): ZsetDetails {
  const inA = byKey(a.members);
  const inB = byKey(b.members);
  const added: ZsetDetails['added'] = [];
  const removed: ZsetDetails['removed'] = [];
  const changed: ZsetDetails['changed'] = [];
  b.members.forEach((m, i) => {
    const j = inA.get(latin1(m));
    if (j === undefined) added.push({ member: m, score: b.scores[i]! });
    else if (!Object.is(a.scores[j]!, b.scores[i]!)) changed.push({ member: m, before: a.scores[j]!, after: b.scores[i]! });
  });
  a.members.forEach((m, i) => {
    if (!inB.has(latin1(m))) removed.push({ member: m, score: a.scores[i]! });
  });
  const max = o.maxItems;
  return {
    type: 'zset',
    sizeBefore: a.members.length,
    sizeAfter: b.members.length,
    addedCount: added.length,
    removedCount: removed.length,
    changedCount: changed.length,
    added: sortCap(added, (e) => e.member, max),
    removed: sortCap(removed, (e) => e.member, max),
    changed: sortCap(changed, (e) => e.member, max),
    truncated: added.length > max || removed.length > max || changed.length > max,
  };
}

function hashChanges(a: HashValue, b: HashValue, o: Required<DetailOptions>): HashDetails {
  const inA = byKey(a.fields);
  const inB = byKey(b.fields);
  const added: HashDetails['added'] = [];
  const removed: HashDetails['removed'] = [];
  const changed: HashDetails['changed'] = [];
  const ttlChanged: HashDetails['ttlChanged'] = [];
  b.fields.forEach((f, i) => {
    const j = inA.get(latin1(f));
    const ttlB = b.fieldExpiresMs?.[i];
    if (j === undefined) {
      added.push({ field: f, value: b.values[i]!, ...(ttlB !== undefined ? { ttl: ttlB } : {}) });
      return;
    }
    if (!equalBytes(a.values[j]!, b.values[i]!)) changed.push({ field: f, before: a.values[j]!, after: b.values[i]! });
    const ttlA = a.fieldExpiresMs?.[j];
    if (ttlA !== ttlB) ttlChanged.push({ field: f, before: ttlA ?? null, after: ttlB ?? null });
  });
  a.fields.forEach((f, i) => {
    if (!inB.has(latin1(f))) removed.push({ field: f, value: a.values[i]! });
  });
  const max = o.maxItems;
  return {
    type: 'hash',
    sizeBefore: a.fields.length,
    sizeAfter: b.fields.length,
    addedCount: added.length,
    removedCount: removed.length,
    changedCount: changed.length,
    ttlChangedCount: ttlChanged.length,
    added: sortCap(added, (e) => e.field, max),
    removed: sortCap(removed, (e) => e.field, max),
    changed: sortCap(changed, (e) => e.field, max),
    ttlChanged: sortCap(ttlChanged, (e) => e.field, max),
    truncated: added.length > max || removed.length > max || changed.length > max || ttlChanged.length > max,
  };
}

function sid(id: StreamId | undefined): string | null {
  return id ? `${id.ms}-${id.seq}` : null;
}

function fieldsEqual(x: Uint8Array[], y: Uint8Array[]): boolean {
  return x.length === y.length && x.every((f, i) => equalBytes(f, y[i]!));
}

function groupSummary(g: StreamGroup): GroupSummary {
  return { name: g.name, lastId: sid(g.lastId)!, entriesRead: g.entriesRead ?? null, pending: g.pending.length, consumers: g.consumers.map((c) => c.name) };
}

function pendingSummary(p: StreamGroup['pending'][number]): PendingSummary {
  return { id: sid(p.id)!, consumer: p.consumer ?? null, deliveryCount: p.deliveryCount, deliveryTimeMs: p.deliveryTimeMs };
}

function sameOptionalBytes(x: Uint8Array | null, y: Uint8Array | null): boolean {
  return x === null || y === null ? x === y : equalBytes(x, y);
}

function groupChanges(a: StreamGroup, b: StreamGroup, o: Required<DetailOptions>): GroupChange | undefined {
  const c: GroupChange = { name: b.name, pendingAdded: [], pendingRemoved: [], pendingChanged: [], consumersAdded: [], consumersRemoved: [], consumersChanged: [] };
  let any = false;
  if (sid(a.lastId) !== sid(b.lastId)) {
    c.lastId = { before: sid(a.lastId)!, after: sid(b.lastId)! };
    any = true;
  }
  if ((a.entriesRead ?? null) !== (b.entriesRead ?? null)) {
    c.entriesRead = { before: a.entriesRead ?? null, after: b.entriesRead ?? null };
    any = true;
  }
  const pa = new Map(a.pending.map((p) => [sid(p.id)!, p]));
  const pb = new Map(b.pending.map((p) => [sid(p.id)!, p]));
  for (const [id, p] of pb) {
    const q = pa.get(id);
    if (!q) {
      c.pendingAdded.push(pendingSummary(p));
      continue;
    }
    const ch: GroupChange['pendingChanged'][number] = { id };
    let diff = false;
    if (!sameOptionalBytes(q.consumer ?? null, p.consumer ?? null)) {
      ch.consumer = { before: q.consumer ?? null, after: p.consumer ?? null };
      diff = true;
    }
    if (q.deliveryCount !== p.deliveryCount) {
      ch.deliveryCount = { before: q.deliveryCount, after: p.deliveryCount };
      diff = true;
    }
    if (q.deliveryTimeMs !== p.deliveryTimeMs) {
      ch.deliveryTimeMs = { before: q.deliveryTimeMs, after: p.deliveryTimeMs };
      diff = true;
    }
    if (diff) c.pendingChanged.push(ch);
  }
  for (const [id, q] of pa) if (!pb.has(id)) c.pendingRemoved.push(pendingSummary(q));
  const ca = new Map(a.consumers.map((x) => [latin1(x.name), x]));
  const cb = new Map(b.consumers.map((x) => [latin1(x.name), x]));
  for (const [name, x] of cb) {
    const y = ca.get(name);
    if (!y) {
      c.consumersAdded.push({ name: x.name, pending: x.pending.length });
      continue;
    }
    const ch: GroupChange['consumersChanged'][number] = { name: x.name };
    let diff = false;
    const ownedA = new Set(y.pending.map((p) => sid(p)!));
    const ownedB = new Set(x.pending.map((p) => sid(p)!));
    const gained = [...ownedB].filter((id) => !ownedA.has(id)).sort(compareIds);
    const lost = [...ownedA].filter((id) => !ownedB.has(id)).sort(compareIds);
    if (gained.length + lost.length > 0) {
      ch.pending = { added: gained, removed: lost };
      diff = true;
    }
    if (!o.ignoreConsumerTimes && y.seenTimeMs !== x.seenTimeMs) {
      ch.seenTimeMs = { before: y.seenTimeMs, after: x.seenTimeMs };
      diff = true;
    }
    // Before RDB type 21 the active time is the seen time: report it only when it is its own value.
    const ownActive = y.activeTimeMs !== y.seenTimeMs || x.activeTimeMs !== x.seenTimeMs;
    if (!o.ignoreConsumerTimes && ownActive && y.activeTimeMs !== x.activeTimeMs) {
      ch.activeTimeMs = { before: y.activeTimeMs, after: x.activeTimeMs };
      diff = true;
    }
    if (diff) c.consumersChanged.push(ch);
  }
  for (const [name, y] of ca) if (!cb.has(name)) c.consumersRemoved.push({ name: y.name, pending: y.pending.length });
  const byId = (p: { id: string }, q: { id: string }): number => compareIds(p.id, q.id);
  c.pendingAdded.sort(byId);
  c.pendingRemoved.sort(byId);
  c.pendingChanged.sort(byId);
  const byName = (p: { name: Uint8Array }, q: { name: Uint8Array }): number => compareBytes(p.name, q.name);
  c.consumersAdded.sort(byName);
  c.consumersRemoved.sort(byName);
  c.consumersChanged.sort(byName);
  any ||= c.pendingAdded.length + c.pendingRemoved.length + c.pendingChanged.length + c.consumersAdded.length + c.consumersRemoved.length + c.consumersChanged.length > 0;
  return any ? c : undefined;
}

function compareIds(x: string, y: string): number {
  const [xm, xs] = x.split('-').map(BigInt) as [bigint, bigint];
  const [ym, ys] = y.split('-').map(BigInt) as [bigint, bigint];
  return xm !== ym ? (xm < ym ? -1 : 1) : xs === ys ? 0 : xs < ys ? -1 : 1;
}

function streamChanges(a: StreamValue, b: StreamValue, o: Required<DetailOptions>): StreamDetails {
  const max = o.maxItems;
  const ea = new Map(a.entries.map((e) => [sid(e.id)!, e]));
  const eb = new Map(b.entries.map((e) => [sid(e.id)!, e]));
  const d: StreamDetails = {
    type: 'stream',
    lengthBefore: a.length,
    lengthAfter: b.length,
    entriesAdded: [],
    entriesRemoved: [],
    entriesChanged: [],
    addedCount: 0,
    removedCount: 0,
    changedCount: 0,
    meta: [],
    groupsAdded: [],
    groupsRemoved: [],
    groupsChanged: [],
    truncated: false,
  };
  // Entries are in ID order in both: the lists come out sorted.
  for (const e of b.entries) {
    const id = sid(e.id)!;
    const f = ea.get(id);
    if (!f) {
      if (d.addedCount++ < max) d.entriesAdded.push({ id, fields: e.fields });
    } else if (!fieldsEqual(f.fields, e.fields)) {
      if (d.changedCount++ < max) d.entriesChanged.push({ id, before: f.fields, after: e.fields });
    }
  }
  for (const e of a.entries) {
    const id = sid(e.id)!;
    if (!eb.has(id) && d.removedCount++ < max) d.entriesRemoved.push({ id, fields: e.fields });
  }
  d.truncated = d.addedCount > max || d.removedCount > max || d.changedCount > max;
  const meta: [string, string | null, string | null][] = [
    ['length', String(a.length), String(b.length)],
    ['last-id', sid(a.lastId), sid(b.lastId)],
    ['first-id', sid(a.firstId), sid(b.firstId)],
    ['max-deleted-id', sid(a.maxDeletedId), sid(b.maxDeletedId)],
    ['entries-added', a.entriesAdded !== undefined ? String(a.entriesAdded) : null, b.entriesAdded !== undefined ? String(b.entriesAdded) : null],
  ];
  for (const [field, before, after] of meta) if (before !== after) d.meta.push({ field, before, after });
  const ga = new Map(a.groups.map((g) => [latin1(g.name), g]));
  const gb = new Map(b.groups.map((g) => [latin1(g.name), g]));
  for (const [name, g] of gb) {
    const h = ga.get(name);
    if (!h) d.groupsAdded.push(groupSummary(g));
    else {
      const c = groupChanges(h, g, o);
      if (c) d.groupsChanged.push(c);
    }
  }
  for (const [name, h] of ga) if (!gb.has(name)) d.groupsRemoved.push(groupSummary(h));
  const byName = (p: { name: Uint8Array }, q: { name: Uint8Array }): number => compareBytes(p.name, q.name);
  d.groupsAdded.sort(byName);
  d.groupsRemoved.sort(byName);
  d.groupsChanged.sort(byName);
  return d;
}
