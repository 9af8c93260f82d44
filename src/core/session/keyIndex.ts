/**
 * The editor's index: what one streaming pass keeps so that any key or command
 * can be listed, filtered and decoded later — offsets, not values. Growable
 * typed arrays (off the JavaScript heap, no object per key): for 10M keys about
 * 18 bytes a key plus the key names, which are kept in one arena up to a
 * budget and read back from the file past it.
 */

import { growColumn } from '../bytes/columns.js';

/** A growable typed array of numbers. */
class Column<T extends Float64Array | Uint32Array | Int32Array | Uint8Array> {
  data: T;
  constructor(make: (n: number) => T, initial = 1024) {
    this.data = make(initial);
  }
  ensure(n: number): void {
    this.data = growColumn(this.data, n);
  }
}

/** Key flags. */
export const KF_EXPIRE = 1;
export const KF_IDLE = 2;
export const KF_FREQ = 4;
export const KF_DAMAGED = 8;

/** Keys in indexing order (ids are positions). */
export class KeyColumns {
  length = 0;
  private readonly starts = new Column((n) => new Float64Array(n));
  private readonly lens = new Column((n) => new Uint32Array(n));
  private readonly counts = new Column((n) => new Uint32Array(n));
  private readonly types = new Column((n) => new Uint8Array(n));
  private readonly flags = new Column((n) => new Uint8Array(n));
  /** Sparse per-key numbers (most keys have none): key id → value, ids ascending. */
  private readonly expireIds = new Column((n) => new Uint32Array(n), 64);
  private readonly expireAt = new Column((n) => new Float64Array(n), 64);
  private expireCount = 0;
  private readonly lruIds = new Column((n) => new Uint32Array(n), 64);
  private readonly lruVal = new Column((n) => new Float64Array(n), 64);
  private lruCount = 0;
  /** Key names: the first `arenaKeys` keys have their bytes in the arena. */
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private readonly arenaEnds = new Column((n) => new Uint32Array(n));
  arenaKeys = 0;
  private arenaFull = false;

  constructor(private readonly arenaBudget = 256 * 1024 * 1024) {}

  add(start: number, end: number, rdbType: number, count: number, key: Uint8Array, expireAtMs?: number, idle?: number, freq?: number): number {
    const i = this.length++;
    this.starts.ensure(this.length);
    this.lens.ensure(this.length);
    this.counts.ensure(this.length);
    this.types.ensure(this.length);
    this.flags.ensure(this.length);
    this.starts.data[i] = start;
    this.lens.data[i] = Math.min(end - start, 0xffffffff);
    this.counts.data[i] = Math.min(count, 0xffffffff);
    this.types.data[i] = rdbType;
    let f = 0;
    if (expireAtMs !== undefined) {
      f |= KF_EXPIRE;
      const j = this.expireCount++;
      this.expireIds.ensure(this.expireCount);
      this.expireAt.ensure(this.expireCount);
      this.expireIds.data[j] = i;
      this.expireAt.data[j] = expireAtMs;
    }
    if (idle !== undefined || freq !== undefined) {
      f |= idle !== undefined ? KF_IDLE : KF_FREQ;
      const j = this.lruCount++;
      this.lruIds.ensure(this.lruCount);
      this.lruVal.ensure(this.lruCount);
      this.lruIds.data[j] = i;
      this.lruVal.data[j] = idle ?? freq!;
    }
    this.flags.data[i] = f;
    if (!this.arenaFull) {
      if (this.arenaUsed + key.length > this.arenaBudget) {
        this.arenaFull = true;
      } else {
        if (this.arenaUsed + key.length > this.arena.length) {
          let size = this.arena.length;
          while (size < this.arenaUsed + key.length) size *= 2;
          const next = new Uint8Array(Math.min(size, Math.max(this.arenaBudget, this.arenaUsed + key.length)));
          next.set(this.arena.subarray(0, this.arenaUsed));
          this.arena = next;
        }
        this.arena.set(key, this.arenaUsed);
        this.arenaUsed += key.length;
        this.arenaEnds.ensure(i + 1);
        this.arenaEnds.data[i] = this.arenaUsed;
        this.arenaKeys = i + 1;
      }
    }
    return i;
  }

  start(i: number): number {
    return this.starts.data[i]!;
  }
  end(i: number): number {
    return this.starts.data[i]! + this.lens.data[i]!;
  }
  size(i: number): number {
    return this.lens.data[i]!;
  }
  count(i: number): number {
    return this.counts.data[i]!;
  }
  rdbType(i: number): number {
    return this.types.data[i]!;
  }
  flagsOf(i: number): number {
    return this.flags.data[i]!;
  }
  markDamaged(i: number): void {
    this.flags.data[i]! |= KF_DAMAGED;
  }

  /** The key's bytes when they are in the arena (a view: copy to keep). */
  arenaKey(i: number): Uint8Array | undefined {
    if (i >= this.arenaKeys) return undefined;
    const from = i === 0 ? 0 : this.arenaEnds.data[i - 1]!;
    return this.arena.subarray(from, this.arenaEnds.data[i]!);
  }

  /** Whether key `i` starts with `prefix`, compared in the arena (undefined: the key is not there). */
  arenaHasPrefix(i: number, prefix: Uint8Array): boolean | undefined {
    if (i >= this.arenaKeys) return undefined;
    const from = i === 0 ? 0 : this.arenaEnds.data[i - 1]!;
    if (this.arenaEnds.data[i]! - from < prefix.length) return false;
    const a = this.arena;
    for (let j = 0; j < prefix.length; j++) if (a[from + j] !== prefix[j]) return false;
    return true;
  }

  private sparse(ids: Uint32Array, vals: Float64Array, n: number, i: number): number | undefined {
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid]!;
      if (v === i) return vals[mid]!;
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  expireAtMs(i: number): number | undefined {
    if (!(this.flags.data[i]! & KF_EXPIRE)) return undefined;
    return this.sparse(this.expireIds.data, this.expireAt.data, this.expireCount, i);
  }
  lru(i: number): number | undefined {
    if (!(this.flags.data[i]! & (KF_IDLE | KF_FREQ))) return undefined;
    return this.sparse(this.lruIds.data, this.lruVal.data, this.lruCount, i);
  }

  /** The id of the key of ids `[from, to)` whose record contains `offset` (ids in offset order), or -1. */
  containing(from: number, to: number, offset: number): number {
    let lo = from;
    let hi = to - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts.data[mid]! <= offset) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best >= 0 && offset < this.end(best)) return best;
    return -1;
  }

  /** Bytes held, for the memory figure of the benchmark. */
  bytes(): number {
    return this.starts.data.byteLength + this.lens.data.byteLength + this.counts.data.byteLength + this.types.data.byteLength + this.flags.data.byteLength +
      this.expireIds.data.byteLength + this.expireAt.data.byteLength + this.lruIds.data.byteLength + this.lruVal.data.byteLength +
      this.arena.byteLength + this.arenaEnds.data.byteLength;
  }
}

/** Commands in file order, per part. */
export class CommandColumns {
  length = 0;
  private readonly starts = new Column((n) => new Float64Array(n));
  private readonly lens = new Column((n) => new Uint32Array(n));
  private readonly dbs = new Column((n) => new Uint32Array(n));
  /** Index of the MULTI (+1; 0: none). */
  private readonly txs = new Column((n) => new Uint32Array(n));
  private readonly flags = new Column((n) => new Uint8Array(n));

  add(start: number, end: number, db: number, transaction: number | undefined, afterDamage: boolean): void {
    const i = this.length++;
    for (const c of [this.starts, this.lens, this.dbs, this.txs, this.flags] as Column<Float64Array | Uint32Array | Uint8Array>[]) c.ensure(this.length);
    this.starts.data[i] = start;
    this.lens.data[i] = Math.min(end - start, 0xffffffff);
    this.dbs.data[i] = db;
    this.txs.data[i] = transaction === undefined ? 0 : transaction + 1;
    this.flags.data[i] = afterDamage ? 1 : 0;
  }
  start(i: number): number {
    return this.starts.data[i]!;
  }
  end(i: number): number {
    return this.starts.data[i]! + this.lens.data[i]!;
  }
  db(i: number): number {
    return this.dbs.data[i]!;
  }
  transaction(i: number): number | undefined {
    const t = this.txs.data[i]!;
    return t === 0 ? undefined : t - 1;
  }
  afterDamage(i: number): boolean {
    return this.flags.data[i] === 1;
  }
  bytes(): number {
    return this.starts.data.byteLength + this.lens.data.byteLength + this.dbs.data.byteLength + this.txs.data.byteLength + this.flags.data.byteLength;
  }
}
