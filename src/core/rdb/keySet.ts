/**
 * Exact duplicate-key detection in bounded memory, for the check redis-server
 * makes and redis-check-rdb does not ("Duplicated key found in RDB file",
 * redis `src/rdb.c` `rdbLoadRioWithLoadingCtx`; spec §15 item 9).
 *
 * Holding every key of a 10M-key file as a string would cost gigabytes, so the
 * set keeps only a 32-bit hash per slot and each key's file offset by
 * insertion index (about 16–24 bytes per key). When hashes match, the
 * earlier key is read back from the file and compared byte for byte, so the
 * answer is exact.
 */

/** A set of keys identified by content, remembering where each was first seen. */
export class KeySet {
  private slots: Uint32Array; // index + 1 of the key in `offsets`, 0 = empty
  private prints: Uint32Array;
  private offsets: Float64Array;
  private count = 0;
  private mask: number;

  constructor(
    /** Reads back the key stored at an offset recorded by `add`. */
    private readonly readKeyAt: (offset: number) => Uint8Array,
    initialCapacity = 1 << 12,
  ) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Uint32Array(cap);
    this.prints = new Uint32Array(cap);
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
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    const print = h >>> 0;
    let slot = print & this.mask;
    for (;;) {
      const s = this.slots[slot]!;
      if (s === 0) break;
      if (this.prints[slot] === print) {
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
    this.slots[slot] = this.count;
    this.prints[slot] = print;
    if (this.count * 4 > this.slots.length * 3) this.rehash();
    return -1;
  }

  /** Doubles the table; the stored hash gives each key its new home slot. */
  private rehash(): void {
    const oldSlots = this.slots;
    const oldPrints = this.prints;
    const cap = oldSlots.length * 2;
    this.slots = new Uint32Array(cap);
    this.prints = new Uint32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      const s = oldSlots[i]!;
      if (s === 0) continue;
      const print = oldPrints[i]!;
      let slot = print & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = s;
      this.prints[slot] = print;
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
