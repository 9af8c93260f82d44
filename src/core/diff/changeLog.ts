/**
 * The changed keys of a diff, sorted by DB then key bytes, in bounded memory:
 * changes are collected in memory up to `runSize`; with a spill store, each
 * full run is sorted and written out (one record per change), and reading the
 * list back merges the runs (a k-way merge over a binary heap, each run read
 * forward through its own 1 MiB buffer). Without a spill store, or when the
 * changes fit in one run, the list is a plain sorted array.
 *
 * The record: u32 total length, u32 DB, u8 change kind, u8 type before and
 * after (255: none), u8 value changed, f64 TTL before and after (NaN: none),
 * f64 record offset or locator in A and B (NaN: none), u32 key length, key.
 */

import type { ByteSource } from '../bytes/byteSource.js';
import { compareBytes } from '../bytes/compare.js';
import type { SpillStore } from '../aof/replay/spill.js';
import type { DataType } from '../rdb/constants.js';
import type { ChangeKind, KeyChange } from './rdbDiff.js';
import { TYPE_CODES } from './keyIndex.js';

/** What a diff hands over: re-iterable, in order, with its length. A sorted array is one. */
export interface ChangeList extends Iterable<KeyChange> {
  readonly length: number;
}

/** The first `n` changes of a list. */
export function firstChanges(list: ChangeList, n: number): KeyChange[] {
  const out: KeyChange[] = [];
  if (n <= 0) return out;
  for (const c of list) {
    out.push(c);
    if (out.length >= n) break;
  }
  return out;
}

const KINDS: ChangeKind[] = ['added', 'removed', 'changed'];
const NONE = 255;
const FIXED = 4 + 4 + 1 + 1 + 1 + 1 + 8 * 4 + 4;
/** Read-ahead of each run while merging. */
const RUN_BUFFER = 1 << 20;

export function compareChanges(x: KeyChange, y: KeyChange): number {
  return x.db - y.db || compareBytes(x.key, y.key);
}

function typeCode(t: DataType | null): number {
  return t === null ? NONE : TYPE_CODES.indexOf(t);
}

function encode(c: KeyChange, into: Uint8Array, view: DataView, at: number): number {
  const n = FIXED + c.key.length;
  view.setUint32(at, n, true);
  view.setUint32(at + 4, c.db, true);
  into[at + 8] = KINDS.indexOf(c.change);
  into[at + 9] = typeCode(c.typeBefore);
  into[at + 10] = typeCode(c.typeAfter);
  into[at + 11] = c.valueChanged ? 1 : 0;
  view.setFloat64(at + 12, c.ttlBefore ?? NaN, true);
  view.setFloat64(at + 20, c.ttlAfter ?? NaN, true);
  view.setFloat64(at + 28, c.aStart ?? NaN, true);
  view.setFloat64(at + 36, c.bStart ?? NaN, true);
  view.setUint32(at + 44, c.key.length, true);
  into.set(c.key, at + 48);
  return n;
}

function decode(buf: Uint8Array, view: DataView, at: number): KeyChange {
  const nul = (x: number): number | null => (Number.isNaN(x) ? null : x);
  const keyLen = view.getUint32(at + 44, true);
  const c: KeyChange = {
    db: view.getUint32(at + 4, true),
    key: buf.slice(at + 48, at + 48 + keyLen),
    change: KINDS[buf[at + 8]!]!,
    typeBefore: buf[at + 9] === NONE ? null : TYPE_CODES[buf[at + 9]!]!,
    typeAfter: buf[at + 10] === NONE ? null : TYPE_CODES[buf[at + 10]!]!,
    ttlBefore: nul(view.getFloat64(at + 12, true)),
    ttlAfter: nul(view.getFloat64(at + 20, true)),
    valueChanged: buf[at + 11] === 1,
  };
  const a = view.getFloat64(at + 28, true);
  const b = view.getFloat64(at + 36, true);
  if (!Number.isNaN(a)) c.aStart = a;
  if (!Number.isNaN(b)) c.bStart = b;
  return c;
}

/** Reads one spilled run forward. */
class RunReader {
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  /** Absolute offset of `buf[0]`. */
  private bufStart: number;
  private at = 0;
  head: KeyChange | undefined;

  constructor(
    private readonly source: ByteSource,
    start: number,
    private readonly end: number,
  ) {
    this.bufStart = start;
    this.next();
  }

  /** Makes `n` bytes from `at` available; false at the end of the run. */
  private ensure(n: number): boolean {
    if (this.at + n <= this.buf.length) return true;
    const abs = this.bufStart + this.at;
    if (abs >= this.end) return false;
    this.buf = this.source.read(abs, Math.min(this.end - abs, Math.max(RUN_BUFFER, n)));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.bufStart = abs;
    this.at = 0;
    if (this.buf.length < n) throw new Error('a spilled run of changes is cut short');
    return true;
  }

  next(): void {
    if (!this.ensure(4)) {
      this.head = undefined;
      return;
    }
    const n = this.view.getUint32(this.at, true);
    this.ensure(n);
    this.head = decode(this.buf, this.view, this.at);
    this.at += n;
  }
}

/** Changes merged from sorted runs on a spill store (and the last run, in memory). */
class MergedChanges implements ChangeList {
  constructor(
    private readonly source: ByteSource,
    private readonly runs: [number, number][],
    private readonly tail: KeyChange[],
    readonly length: number,
  ) {}

  *[Symbol.iterator](): Iterator<KeyChange> {
    const readers = this.runs.map(([s, e]) => new RunReader(this.source, s, e));
    let ti = 0;
    // A binary heap of run indexes (the in-memory tail is run -1), ordered by their heads.
    const headOf = (r: number): KeyChange | undefined => (r < 0 ? this.tail[ti] : readers[r]!.head);
    const heap: number[] = [];
    const less = (i: number, j: number): boolean => compareChanges(headOf(heap[i]!)!, headOf(heap[j]!)!) < 0;
    const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
    const down = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
      }
    };
    const up = (i: number): void => {
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!less(i, p)) return;
        swap(i, p);
        i = p;
      }
    };
    for (let r = -1; r < readers.length; r++) {
      if (headOf(r) === undefined) continue;
      heap.push(r);
      up(heap.length - 1);
    }
    while (heap.length) {
      const r = heap[0]!;
      yield headOf(r)!;
      if (r < 0) ti++;
      else readers[r]!.next();
      if (headOf(r) === undefined) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length) down(0);
    }
  }
}

/** Collects changes in any order; `finish` gives them sorted. */
export class ChangeLog {
  private run: KeyChange[] = [];
  private readonly runs: [number, number][] = [];
  private count = 0;
  private readonly runSize: number;
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);

  constructor(
    private readonly spill?: SpillStore,
    runSize = 250_000,
  ) {
    this.runSize = Math.max(1, runSize);
  }

  push(c: KeyChange): void {
    this.run.push(c);
    this.count++;
    if (this.spill && this.run.length >= this.runSize) this.flush();
  }

  /** Runs written to the spill store so far. */
  get spilledRuns(): number {
    return this.runs.length;
  }

  private flush(): void {
    this.run.sort(compareChanges);
    let start = -1;
    let end = 0;
    let used = 0;
    const out = (): void => {
      const at = this.spill!.append(this.buf.subarray(0, used));
      if (start < 0) start = at;
      end = at + used;
      used = 0;
    };
    for (const c of this.run) {
      const n = FIXED + c.key.length;
      if (used + n > this.buf.length) {
        if (used > 0) out();
        if (n > this.buf.length) {
          this.buf = new Uint8Array(n);
          this.view = new DataView(this.buf.buffer);
        }
      }
      used += encode(c, this.buf, this.view, used);
    }
    if (used > 0) out();
    if (start >= 0) this.runs.push([start, end]);
    this.run = [];
  }

  /** The changes, sorted by DB then key bytes. */
  finish(): ChangeList {
    this.run.sort(compareChanges);
    if (this.runs.length === 0) return this.run;
    return new MergedChanges(this.spill!.source, this.runs, this.run, this.count);
  }
}
