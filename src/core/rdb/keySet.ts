/**
 * Exact duplicate-key detection in bounded memory, for the check redis-server
 * makes and redis-check-rdb does not ("Duplicated key found in RDB file",
 * redis `src/rdb.c` `rdbLoadRioWithLoadingCtx`; spec §15 item 9).
 *
 * Holding every key of a 10M-key file as a string would cost gigabytes, so the
 * set keeps a 32-bit hash and an insertion index per slot (interleaved, so a
 * probe touches one cache line) and each key's file offset by index: about
 * 16–24 bytes per key. When hashes match, the earlier key is read back from
 * the file and compared byte for byte, so the answer is exact.
 */

/** A set of keys identified by content, remembering where each was first seen. */
export class KeySet {
  /** Pairs (hash, index + 1); index + 1 = 0 marks an empty slot. */
  private table: Uint32Array;
  private offsets: Float64Array;
  private count = 0;
  private mask: number;

  constructor(
    /** Reads back the key stored at an offset recorded by `add`. */
    private readonly readKeyAt: (offset: number) => Uint8Array,
    initialCapacity = 1 << 12,
  ) {
    let cap = 16;
    while (cap < initialCapacity * 1.5) cap *= 2;
    this.table = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.offsets = new Float64Array(Math.max(16, initialCapacity));
  }

  /** Number of distinct keys added. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a key found at `offset`. Returns -1 when it is new, otherwise the
   * offset recorded for the earlier identical key.
   */
  add(key: Uint8Array, offset: number): number {
    let h = 0x811c9dc5 ^ key.length;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
    // murmur3's finalizer: FNV alone leaves the low bits (the slot) clustered for keys like "key:123".
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const hash = h >>> 0;
    const table = this.table;
    let slot = hash & this.mask;
    for (;;) {
      const s = table[slot * 2 + 1]!;
      if (s === 0) break;
      if (table[slot * 2] === hash) {
        const earlier = this.offsets[s - 1]!;
        if (sameBytes(this.readKeyAt(earlier), key)) return earlier;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.count === this.offsets.length) {
      const grown = new Float64Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.count] = offset;
    this.count++;
    table[slot * 2] = hash;
    table[slot * 2 + 1] = this.count;
    if (this.count * 4 > (this.mask + 1) * 3) this.rehash();
    return -1;
  }

  /** Doubles the table; the stored hash gives each key its new home slot. */
  private rehash(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    const table = new Uint32Array(cap * 2);
    const mask = cap - 1;
    for (let i = 0; i < old.length; i += 2) {
      const s = old[i + 1]!;
      if (s === 0) continue;
      const hash = old[i]!;
      let slot = hash & mask;
      while (table[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
      table[slot * 2] = hash;
      table[slot * 2 + 1] = s;
    }
    this.table = table;
    this.mask = mask;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
