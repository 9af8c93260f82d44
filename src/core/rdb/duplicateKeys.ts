/**
 * Exact duplicate-key detection in bounded memory, for the check redis-server
 * makes at load time and redis-check-rdb does not ("Duplicated key found in
 * RDB file", redis `src/rdb.c` `rdbLoadRioWithLoadingCtx`; spec §15 item 9).
 *
 * Keeping every key would cost gigabytes on a 10M-key file, and inserting into
 * a hash table costs a cache miss per key, which dominated a check of small
 * keys. Instead each key leaves a 32-bit hash and its record's offset in two
 * append-only arrays (12 bytes per key, written sequentially); at the end the
 * hashes are radix-sorted and only keys whose hashes collide are read back from
 * the file and compared byte for byte, so the answer is exact.
 */

import { sameBytes } from '../bytes/compare.js';

/** One duplicate: the record that repeats a key, and the record that had it first. */
export interface DuplicateKey {
  db: number;
  /** Offset of the repeating record. */
  offset: number;
  /** Offset of the first record with the same key. */
  firstOffset: number;
  key: Uint8Array;
}

class DbKeys {
  hashes: Uint32Array;
  offsets: Float64Array;
  count = 0;
  constructor(capacity: number) {
    this.hashes = new Uint32Array(capacity);
    this.offsets = new Float64Array(capacity);
  }
  push(hash: number, offset: number): void {
    if (this.count === this.hashes.length) {
      const cap = this.hashes.length * 2;
      const h = new Uint32Array(cap);
      h.set(this.hashes);
      const o = new Float64Array(cap);
      o.set(this.offsets);
      this.hashes = h;
      this.offsets = o;
    }
    this.hashes[this.count] = hash;
    this.offsets[this.count] = offset;
    this.count++;
  }
}

/** 32-bit FNV-1a with murmur3's finalizer (FNV alone clusters keys like "key:123"). */
export function keyHash(key: Uint8Array): number {
  return hashBytes(key, 0, key.length);
}

/** `keyHash` of `bytes[start, end)`, so a key can be hashed where it lies in a read window. */
export function hashBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Collects (key hash, record offset) per DB and finds exact duplicates at the end. */
export class DuplicateKeyFinder {
  private readonly dbs = new Map<number, DbKeys>();

  /** Reserves room for a DB's keys (RESIZEDB hint), bounded by the caller. */
  reserve(db: number, keys: number): void {
    if (!this.dbs.has(db)) this.dbs.set(db, new DbKeys(Math.max(16, keys)));
  }

  add(db: number, key: Uint8Array, recordOffset: number): void {
    this.addHash(db, keyHash(key), recordOffset);
  }

  /** Like `add`, with the key's `keyHash` computed by the caller (as it read the key). */
  addHash(db: number, hash: number, recordOffset: number): void {
    let d = this.last;
    if (d === undefined || this.lastDb !== db) {
      d = this.dbs.get(db);
      if (!d) this.dbs.set(db, (d = new DbKeys(1024)));
      this.last = d;
      this.lastDb = db;
    }
    d.push(hash, recordOffset);
  }

  /** The DB of the last `addHash` (keys come in runs of one DB). */
  private last: DbKeys | undefined;
  private lastDb = -1;

  /**
   * Finds every record whose key repeats an earlier record's key in the same
   * DB. `readKeyAt(offset)` reads back the key of the record at `offset`.
   */
  /** `tick` is called between the steps (a caller answering requests meanwhile: the editor's worker). */
  finish(readKeyAt: (recordOffset: number) => Uint8Array, tick: () => void = () => {}): DuplicateKey[] {
    const out: DuplicateKey[] = [];
    for (const [db, d] of this.dbs) {
      tick();
      const runs = repeatedHashRuns(d.hashes, d.count);
      tick();
      runs.forEach((run, i) => {
        this.resolve(db, d, run, readKeyAt, out);
        if ((i & 1023) === 1023) tick();
      });
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  private resolve(db: number, d: DbKeys, run: Uint32Array, readKeyAt: (o: number) => Uint8Array, out: DuplicateKey[]): void {
    // Same hash: group by actual bytes, in file order.
    const offsets = Array.from(run, (i) => d.offsets[i]!).sort((a, b) => a - b);
    const firsts: { key: Uint8Array; offset: number }[] = [];
    for (const offset of offsets) {
      const key = readKeyAt(offset);
      const first = firsts.find((f) => sameBytes(f.key, key));
      if (first) out.push({ db, offset, firstOffset: first.offset, key });
      else firsts.push({ key, offset });
    }
  }
}

/**
 * For each hash value that occurs more than once among `hashes[0, n)`, the
 * indices holding it. Only the hashes are sorted (two 16-bit LSD radix passes,
 * sequential reads, no index array moved along); the few repeated values are
 * then looked up in one more sequential pass, behind a 64 Kbit filter.
 */
function repeatedHashRuns(hashes: Uint32Array, n: number): Uint32Array[] {
  const sorted = radixSort(hashes.slice(0, n));
  const repeated = new Map<number, number[]>();
  const filter = new Int32Array(2048);
  for (let i = 1; i < n; i++) {
    const h = sorted[i]!;
    if (h === sorted[i - 1] && !repeated.has(h)) {
      repeated.set(h, []);
      filter[(h & 0xffff) >>> 5]! |= 1 << (h & 31);
    }
  }
  if (repeated.size === 0) return [];
  for (let i = 0; i < n; i++) {
    const h = hashes[i]!;
    if ((filter[(h & 0xffff) >>> 5]! & (1 << (h & 31))) !== 0) repeated.get(h)?.push(i);
  }
  return [...repeated.values()].map((run) => Uint32Array.from(run));
}

/** Sorts 32-bit values in place (returns the array holding the result): LSD radix, two 16-bit passes. */
function radixSort(keys: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const n = keys.length;
  let from = keys;
  let to = new Uint32Array(n);
  const counts = new Uint32Array(1 << 16);
  for (let shift = 0; shift < 32; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(from[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let b = 0; b < 1 << 16; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = from[i]!;
      to[counts[(k >>> shift) & 0xffff]!++] = k;
    }
    [from, to] = [to, from];
  }
  return from;
}
