/**
 * The keys of a replay that are not in memory ("cold"): records of an RDB
 * preamble or base, found again by their offset in that file, and keys the
 * replay spilled to its spill file (`spill.ts`). Per key a DB, a 64-bit digest
 * of the name, the file and the offset, in typed arrays (about 30 bytes a key
 * with the hash table), so a replay of a 10M-key base holds no key objects.
 *
 * A key touched by a command is taken out (`kill`) and lives in memory from
 * then on; killed entries stay in the arrays until `tidy` compacts them. SWAPDB and
 * FLUSHDB relabel or kill entries in one pass over the arrays (rare commands).
 * Lookups hash the name only (not the DB), so relabelling a DB needs no rehash.
 */

import { growColumn } from '../../bytes/columns.js';

const DEAD = 0xff;


export class ColdIndex {
  /** Entries ever added and not yet compacted away (live or killed). */
  count = 0;
  /** Live entries. */
  live = 0;
  db = new Int32Array(0);
  private hi = new Int32Array(0);
  private lo = new Int32Array(0);
  /** Offset of the record in its file. */
  loc = new Float64Array(0);
  /** File number (`DEAD`: killed). */
  file = new Uint8Array(0);
  /** Slot → entry + 1 (0: empty). */
  private slots = new Int32Array(1 << 10);
  private mask = (1 << 10) - 1;

  add(db: number, hi: number, lo: number, loc: number, file: number): number {
    const i = this.count++;
    const n = this.count;
    this.db = growColumn(this.db, n, 1024);
    this.hi = growColumn(this.hi, n, 1024);
    this.lo = growColumn(this.lo, n, 1024);
    this.loc = growColumn(this.loc, n, 1024);
    this.file = growColumn(this.file, n, 1024);
    this.db[i] = db;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.loc[i] = loc;
    this.file[i] = file;
    this.live++;
    if (n * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.insert(i);
    return i;
  }

  private insert(i: number): void {
    let s = this.hi[i]! & this.mask;
    while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    this.slots[s] = i + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < this.count; i++) if (this.file[i] !== DEAD) this.insert(i);
  }

  /** The live entry of (db, name digest) whose name `same` confirms, or -1. */
  find(db: number, hi: number, lo: number, same: (i: number) => boolean): number {
    let s = hi & this.mask;
    for (;;) {
      const e = this.slots[s]!;
      if (e === 0) return -1;
      const i = e - 1;
      if (this.hi[i] === hi && this.lo[i] === lo && this.db[i] === db && this.file[i] !== DEAD && same(i)) return i;
      s = (s + 1) & this.mask;
    }
  }

  isLive(i: number): boolean {
    return this.file[i] !== DEAD;
  }

  kill(i: number): void {
    if (this.file[i] === DEAD) return;
    this.file[i] = DEAD;
    this.live--;
  }

  /** Compacts when killed entries outnumber live ones (they cost probes); entry numbers change. */
  tidy(): void {
    if (this.count > 4096 && this.live * 2 < this.count) this.compact();
  }

  /** SWAPDB x y. */
  swap(x: number, y: number): void {
    for (let i = 0; i < this.count; i++) {
      if (this.db[i] === x) this.db[i] = y;
      else if (this.db[i] === y) this.db[i] = x;
    }
  }

  /** FLUSHDB (a DB) or FLUSHALL (undefined). */
  flush(db?: number): void {
    for (let i = 0; i < this.count; i++) if (this.file[i] !== DEAD && (db === undefined || this.db[i] === db)) this.kill(i);
    this.tidy();
  }

  /** Drops killed entries, keeping the live ones in the order they were added. */
  compact(): void {
    let j = 0;
    for (let i = 0; i < this.count; i++) {
      if (this.file[i] === DEAD) continue;
      this.db[j] = this.db[i]!;
      this.hi[j] = this.hi[i]!;
      this.lo[j] = this.lo[i]!;
      this.loc[j] = this.loc[i]!;
      this.file[j] = this.file[i]!;
      j++;
    }
    this.count = j;
    this.live = j;
    let size = 1 << 10;
    while (size < j * 2) size *= 2;
    this.rehash(size);
  }
}
