/**
 * A fast 64-bit (two independent 32-bit lanes) non-cryptographic hash for
 * comparing values between two files: a digest per key instead of the key's
 * value, so a diff of two multi-GB files keeps a few dozen bytes per key.
 * Lane A is FNV-1a, lane B a multiply-xorshift; both are finished with
 * murmur3's fmix32 (each mixed with the other lane).
 */

/** Two 32-bit halves of a 64-bit digest. */
export interface Digest64 {
  hi: number;
  lo: number;
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** An incremental hasher. Every variable-length input is length-prefixed, so concatenations cannot collide trivially. */
export class Hasher {
  private a = 0x811c9dc5 | 0;
  private b = 0x9747b28c | 0;

  reset(): this {
    this.a = 0x811c9dc5 | 0;
    this.b = 0x9747b28c | 0;
    return this;
  }

  byte(x: number): this {
    this.a = Math.imul(this.a ^ x, 0x01000193);
    let b = Math.imul(this.b ^ x, 0x5bd1e995);
    b ^= b >>> 15;
    this.b = b;
    return this;
  }

  /** A 32-bit integer (any sign). */
  u32(x: number): this {
    return this.byte(x & 0xff).byte((x >>> 8) & 0xff).byte((x >>> 16) & 0xff).byte((x >>> 24) & 0xff);
  }

  /** A double, bit-exact (so -0 and 0 differ, as Redis keeps them). */
  num(x: number): this {
    F64[0] = x;
    for (let i = 0; i < 8; i++) this.byte(F64_BYTES[i]!);
    return this;
  }

  bytes(u: Uint8Array): this {
    this.u32(u.length);
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < u.length; i++) {
      const x = u[i]!;
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul(b ^ x, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  str(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.byte(c & 0xff);
      if (c > 0xff) this.byte(c >>> 8);
    }
    return this;
  }

  big(x: bigint): this {
    return this.str(x.toString(16));
  }

  /** Feeds another digest (ordered composition). */
  digest64(d: Digest64): this {
    return this.u32(d.hi).u32(d.lo);
  }

  digest(): Digest64 {
    const hi = fmix32(this.a ^ Math.imul(this.b, 0x9e3779b1));
    const lo = fmix32(this.b + Math.imul(this.a, 0x27d4eb2f));
    return { hi, lo };
  }
}

/** An order-independent combination of element digests (for sets, hashes, sorted sets, groups). */
export class Multiset {
  private sumHi = 0;
  private sumLo = 0;
  private xorHi = 0;
  count = 0;

  add(d: Digest64): void {
    this.sumHi = (this.sumHi + d.hi) | 0;
    this.sumLo = (this.sumLo + d.lo) | 0;
    this.xorHi ^= fmix32(d.lo ^ 0x5a5a5a5a);
    this.count++;
  }

  into(h: Hasher): Hasher {
    return h.u32(this.count).u32(this.sumHi).u32(this.sumLo).u32(this.xorHi);
  }
}
