/**
 * CRC-64 "Jones" exactly as Redis computes the RDB checksum: mirrors
 * `redis:src/crc64.c` (`crc64`, and its self-test vector) together with
 * `redis:src/rdb.c` / `rio.c` (`rioGenericUpdateChecksum`, which starts from 0).
 * Reflected polynomial 0x95AC9329AC4BC9B5 (normal 0xAD93D23594C935A9), reflected
 * in/out, init 0, xorout 0; check value of "123456789" = 0xE9C6D914C4B8D9CA
 * (reveng: CRC-64/REDIS). See spec §13.
 *
 * Why hand-written rather than an npm package (checked with `npm view`/`npm pack`):
 * - `crc64-ecma182` is a native (nan/node-gyp) addon, and `crc64-ecma182.js` /
 *   `tos-crc64-js` are the same ECMA-182/XZ polynomial compiled to asm.js/wasm
 *   with string-encoded state — the wrong CRC for Redis.
 * - `@aws-sdk/crc64-nvme` is the NVMe polynomial — also the wrong CRC.
 * - `js-crc` (0.3.1) does ship a correct CRC-64/REDIS model in pure JS, but it is a
 *   generic byte-at-a-time engine over plain-array word pairs: ~70 MiB/s measured
 *   here, about 20× slower than this file, and it has no `Digest`-shaped
 *   `update(bytes, start, end)`.
 * - There is no `crc64`, `crc64-jones` or `redis-crc64` package on the registry.
 * The core must be dependency-free and pure (no Node built-ins), and this is the
 * hot loop of every full-file check, so we need a fast, streaming implementation.
 *
 * Performance: no BigInt in the inner loop. The 64-bit CRC is kept as two uint32
 * halves (`hi`, `lo`) and advanced 8 bytes per step with slicing-by-8 tables
 * (8 × 256 entries per half, in two Uint32Arrays = 16 KiB). On little-endian hosts
 * long inputs are read as aligned 32-bit words through a Uint32Array view; short
 * inputs and big-endian hosts assemble the words from bytes. Measured on Node 20
 * over 256 MiB: ~1.0–1.5 GB/s, as fast as or faster than a plain loop summing each
 * byte (~1.0–1.3 GB/s). Slicing-by-16 was measured too and was no faster in V8 (the
 * table loads dominate); assembling words from bytes costs ~25%.
 */

import type { Digest } from './cursor.js';

/** High and low 32 bits of the reflected polynomial 0x95AC9329AC4BC9B5. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** Slicing tables: table t, entry i at index `t * 256 + i`; low and high halves apart. */
const TABLE_LO = new Uint32Array(8 * 256);
const TABLE_HI = new Uint32Array(8 * 256);

(function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      if (lo & 1) {
        lo = ((lo >>> 1) | (hi << 31)) ^ POLY_LO;
        hi = (hi >>> 1) ^ POLY_HI;
      } else {
        lo = (lo >>> 1) | (hi << 31);
        hi = hi >>> 1;
      }
    }
    TABLE_LO[i] = lo;
    TABLE_HI[i] = hi;
  }
  // table[t][i] = CRC of byte i followed by t zero bytes: (prev >> 8) ^ table[0][prev & 0xff].
  for (let t = 1; t < 8; t++) {
    for (let i = 0; i < 256; i++) {
      const plo = TABLE_LO[(t - 1) * 256 + i];
      const phi = TABLE_HI[(t - 1) * 256 + i];
      const j = plo & 0xff;
      TABLE_LO[t * 256 + i] = ((plo >>> 8) | (phi << 24)) ^ TABLE_LO[j];
      TABLE_HI[t * 256 + i] = (phi >>> 8) ^ TABLE_HI[j];
    }
  }
})();

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Below this many bytes, creating a Uint32Array view costs more than it saves. */
const WORD_PATH_MIN = 256;

/** A streaming CRC-64/Jones (Redis) digest. */
export class Crc64 implements Digest {
  private hi = 0;
  private lo = 0;

  /** Feeds `bytes[start, end)`. */
  update(bytes: Uint8Array, start: number, end: number): void {
    const L = TABLE_LO;
    const H = TABLE_HI;
    let lo = this.lo;
    let hi = this.hi;
    let p = start;

    if (LITTLE_ENDIAN && end - p >= WORD_PATH_MIN) {
      // Align to 4 bytes within the underlying buffer, then 8 bytes per step as two words.
      while (((bytes.byteOffset + p) & 3) !== 0) {
        const j = (lo ^ bytes[p++]) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ L[j];
        hi = (hi >>> 8) ^ H[j];
      }
      const words = ((end - p) >>> 3) << 1;
      const w = new Uint32Array(bytes.buffer, bytes.byteOffset + p, words);
      for (let q = 0; q < words; q += 2) {
        const a = lo ^ w[q];
        const c = hi ^ w[q + 1];
        const i7 = 1792 + (a & 0xff);
        const i6 = 1536 + ((a >>> 8) & 0xff);
        const i5 = 1280 + ((a >>> 16) & 0xff);
        const i4 = 1024 + (a >>> 24);
        const i3 = 768 + (c & 0xff);
        const i2 = 512 + ((c >>> 8) & 0xff);
        const i1 = 256 + ((c >>> 16) & 0xff);
        const i0 = c >>> 24;
        lo = L[i7] ^ L[i6] ^ L[i5] ^ L[i4] ^ L[i3] ^ L[i2] ^ L[i1] ^ L[i0];
        hi = H[i7] ^ H[i6] ^ H[i5] ^ H[i4] ^ H[i3] ^ H[i2] ^ H[i1] ^ H[i0];
      }
      p += words << 2;
    } else {
      const stop = end - 8;
      while (p <= stop) {
        const a = lo ^ (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24));
        const c = hi ^ (bytes[p + 4] | (bytes[p + 5] << 8) | (bytes[p + 6] << 16) | (bytes[p + 7] << 24));
        const i7 = 1792 + (a & 0xff);
        const i6 = 1536 + ((a >>> 8) & 0xff);
        const i5 = 1280 + ((a >>> 16) & 0xff);
        const i4 = 1024 + (a >>> 24);
        const i3 = 768 + (c & 0xff);
        const i2 = 512 + ((c >>> 8) & 0xff);
        const i1 = 256 + ((c >>> 16) & 0xff);
        const i0 = c >>> 24;
        lo = L[i7] ^ L[i6] ^ L[i5] ^ L[i4] ^ L[i3] ^ L[i2] ^ L[i1] ^ L[i0];
        hi = H[i7] ^ H[i6] ^ H[i5] ^ H[i4] ^ H[i3] ^ H[i2] ^ H[i1] ^ H[i0];
        p += 8;
      }
    }

    while (p < end) {
      const j = (lo ^ bytes[p++]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ L[j];
      hi = (hi >>> 8) ^ H[j];
    }
    this.lo = lo;
    this.hi = hi;
  }

  /** The CRC of all bytes fed so far, as an unsigned 64-bit value. */
  value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }
}

/** CRC-64/Jones (Redis) of a whole buffer. */
export function crc64(bytes: Uint8Array): bigint {
  const d = new Crc64();
  d.update(bytes, 0, bytes.length);
  return d.value();
}
