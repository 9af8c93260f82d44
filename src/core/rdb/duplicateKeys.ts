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
  let h = 0x811c9dc5 ^ key.length;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
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
    let d = this.dbs.get(db);
    if (!d) this.dbs.set(db, (d = new DbKeys(1024)));
    d.push(keyHash(key), recordOffset);
  }

  /**
   * Finds every record whose key repeats an earlier record's key in the same
   * DB. `readKeyAt(offset)` reads back the key of the record at `offset`.
   */
  finish(readKeyAt: (recordOffset: number) => Uint8Array): DuplicateKey[] {
    const out: DuplicateKey[] = [];
    for (const [db, d] of this.dbs) {
      const { keys, idx } = sortByHash(d.hashes, d.count);
      for (let i = 0; i < d.count; ) {
        const h = keys[i]!;
        let j = i + 1;
        while (j < d.count && keys[j] === h) j++;
        if (j - i > 1) this.resolve(db, d, idx.subarray(i, j), readKeyAt, out);
        i = j;
      }
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
 * Indices 0..n-1 ordered by `hashes`: LSD radix sort in three 11-bit passes
 * that move (hash, index) pairs together, so every pass reads sequentially.
 */
function sortByHash(hashes: Uint32Array, n: number): { keys: Uint32Array<ArrayBufferLike>; idx: Uint32Array } {
  // The hashes are not needed in insertion order afterwards: sort them in place.
  let keys: Uint32Array<ArrayBufferLike> = hashes.subarray(0, n);
  let tmpKeys: Uint32Array<ArrayBufferLike> = new Uint32Array(n);
  let idx = new Uint32Array(n);
  let tmpIdx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const counts = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const to = counts[(k >>> shift) & 2047]!++;
      tmpKeys[to] = k;
      tmpIdx[to] = idx[i]!;
    }
    [keys, tmpKeys] = [tmpKeys, keys];
    [idx, tmpIdx] = [tmpIdx, idx];
  }
  return { keys, idx };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
