/**
 * Listpack decoding with the deep integrity checks of redis src/listpack.c
 * (`lpValidateIntegrity`, `lpValidateNext`), covering every listpack Redis
 * writes to RDB: streams since 5.0, hashes/zsets/quicklist nodes since 7.0,
 * sets and HASH_LISTPACK_EX since 7.2/7.4, up to 8.x (spec §9.2).
 */

import { DecodeError } from '../bytes/decodeError.js';
import type { PackedEntry } from './packedEntry.js';

/** LP_HDR_SIZE = 6: total_bytes u32 LE + num_elements u16 LE. */
const LP_HDR_SIZE = 6;
/** LP_HDR_NUMELE_UNKNOWN = UINT16_MAX: the count must be found by walking. */
const LP_HDR_NUMELE_UNKNOWN = 65535;
/** LP_EOF = 0xFF, the terminator. */
const LP_EOF = 0xff;
/** LP_ENCODING_32BIT_STR = 0xF0. */
const LP_ENCODING_32BIT_STR = 0xf0;
/** LP_ENCODING_16BIT_INT = 0xF1. */
const LP_ENCODING_16BIT_INT = 0xf1;
/** LP_ENCODING_24BIT_INT = 0xF2. */
const LP_ENCODING_24BIT_INT = 0xf2;
/** LP_ENCODING_32BIT_INT = 0xF3. */
const LP_ENCODING_32BIT_INT = 0xf3;
/** LP_ENCODING_64BIT_INT = 0xF4. */
const LP_ENCODING_64BIT_INT = 0xf4;

const CODE = 'rdb.listpack.integrity';

/**
 * Decodes a listpack after validating it the way `lpValidateIntegrity(deep=1)`
 * does, plus one stricter rule: each backlen must use exactly the number of
 * bytes `lpEncodeBacklen` would write for its value.
 *
 * Strings come back as views into `blob` (no copy), integers as numbers, or as
 * bigints when an int64 lies outside the safe-integer range. `base` is the
 * absolute offset of `blob[0]`; every error offset and every value pushed to
 * `starts` (one per entry, the entry's first byte) is `base` + index.
 *
 * @throws DecodeError `rdb.listpack.integrity` on the first violation.
 */
export function decodeListpack(blob: Uint8Array, base: number, starts?: number[]): PackedEntry[] {
  const out: PackedEntry[] = [];
  walkListpack(blob, base, out, starts);
  return out;
}

/**
 * Validates a listpack exactly as `decodeListpack` does (same errors) and
 * returns its entry count without decoding any entry. Fast path for a walk-only
 * check of a list, which needs the count alone: no array and no view per entry.
 */
export function countListpack(blob: Uint8Array, base: number): number {
  return walkListpack(blob, base, undefined, undefined);
}

/** The validating walk of both: entries are decoded only when `out` is given. */
function walkListpack(blob: Uint8Array, base: number, out: PackedEntry[] | undefined, starts: number[] | undefined): number {
  const size = blob.length;
  if (size < LP_HDR_SIZE + 1) {
    throw fail(`listpack is ${size} byte${size === 1 ? '' : 's'}, shorter than the 7-byte minimum (header and terminator)`, base, base + size);
  }
  const totalBytes = readU32LE(blob, 0);
  if (totalBytes !== size) {
    throw fail(`total_bytes is ${totalBytes} but the listpack is ${size} bytes`, base, base + 4);
  }
  const last = size - 1;
  if (blob[last] !== LP_EOF) {
    throw fail(`last byte is ${hex(blob[last]!)}, not the 0xFF terminator`, base + last, base + size);
  }
  const numElements = blob[4]! | (blob[5]! << 8);

  let p = LP_HDR_SIZE;
  let index = 0;
  // Every step below keeps p <= last, so blob[p] is always readable.
  for (; ; index++) {
    const b = blob[p]!;
    if (b === LP_EOF) break;

    // Size of encoding+data (the value backlen must hold), checking that the
    // length bytes themselves lie before the terminator (lpCurrentEncodedSizeBytes).
    let encodedSize: number;
    if (b < 0x80) {
      encodedSize = 1;
    } else if (b < 0xc0) {
      encodedSize = 1 + (b & 0x3f);
    } else if (b < 0xe0) {
      encodedSize = 2;
    } else if (b < 0xf0) {
      if (p + 2 > last) throw headerOverrun(index, '12-bit string', 2, last - p, base + p);
      encodedSize = 2 + (((b & 0x0f) << 8) | blob[p + 1]!);
    } else if (b === LP_ENCODING_32BIT_STR) {
      if (p + 5 > last) throw headerOverrun(index, '32-bit string', 5, last - p, base + p);
      encodedSize = 5 + readU32LE(blob, p + 1);
    } else if (b === LP_ENCODING_16BIT_INT) {
      encodedSize = 3;
    } else if (b === LP_ENCODING_24BIT_INT) {
      encodedSize = 4;
    } else if (b === LP_ENCODING_32BIT_INT) {
      encodedSize = 5;
    } else if (b === LP_ENCODING_64BIT_INT) {
      encodedSize = 9;
    } else {
      throw fail(`entry ${index}: invalid encoding byte ${hex(b)}`, base + p, base + p + 1);
    }

    const backlenSize = lpEncodeBacklenBytes(encodedSize);
    const end = p + encodedSize + backlenSize;
    if (end > last) {
      throw fail(
        `entry ${index}: needs ${encodedSize} bytes plus a ${backlenSize}-byte backlen, only ${last - p} bytes left before the terminator`,
        base + p,
        base + last,
      );
    }

    // Decode the backlen backwards from the entry's last byte, as lpDecodeBacklen
    // does (at most 5 bytes), counting the bytes it spans.
    let backlen = 0;
    let backlenBytes = 0;
    let scale = 1;
    for (let q = end - 1; ; q--) {
      const c = blob[q]!;
      backlen += (c & 0x7f) * scale;
      backlenBytes++;
      if ((c & 0x80) === 0) break;
      if (backlenBytes === 5) {
        backlen = -1;
        break;
      }
      scale *= 128;
    }
    if (backlen !== encodedSize || backlenBytes !== backlenSize) {
      const found = backlen < 0 ? 'is not terminated within 5 bytes' : `decodes to ${backlen} over ${backlenBytes} byte${backlenBytes === 1 ? '' : 's'}`;
      throw fail(
        `entry ${index}: backlen ${found}, expected ${encodedSize} over ${backlenSize} byte${backlenSize === 1 ? '' : 's'}`,
        base + p + encodedSize,
        base + end,
      );
    }

    if (starts !== undefined) starts.push(base + p);
    if (out === undefined) {
      p = end;
      continue;
    }
    let value: PackedEntry;
    if (b < 0x80) {
      value = b;
    } else if (b < 0xc0) {
      value = blob.subarray(p + 1, p + encodedSize);
    } else if (b < 0xe0) {
      const u = ((b & 0x1f) << 8) | blob[p + 1]!;
      value = u < 4096 ? u : u - 8192;
    } else if (b < 0xf0) {
      value = blob.subarray(p + 2, p + encodedSize);
    } else if (b === LP_ENCODING_32BIT_STR) {
      value = blob.subarray(p + 5, p + encodedSize);
    } else if (b === LP_ENCODING_16BIT_INT) {
      value = ((blob[p + 1]! | (blob[p + 2]! << 8)) << 16) >> 16;
    } else if (b === LP_ENCODING_24BIT_INT) {
      value = ((blob[p + 1]! | (blob[p + 2]! << 8) | (blob[p + 3]! << 16)) << 8) >> 8;
    } else if (b === LP_ENCODING_32BIT_INT) {
      value = blob[p + 1]! | (blob[p + 2]! << 8) | (blob[p + 3]! << 16) | (blob[p + 4]! << 24);
    } else {
      value = readI64LE(blob, p + 1);
    }
    out.push(value);
    p = end;
  }

  if (p !== last) {
    throw fail(`entry ${index}: terminator 0xFF at +${p}, before the last byte (+${last})`, base + p, base + p + 1);
  }
  if (numElements !== LP_HDR_NUMELE_UNKNOWN && numElements !== index) {
    throw fail(`num_elements is ${numElements} but the listpack holds ${index} entr${index === 1 ? 'y' : 'ies'}`, base + 4, base + 6);
  }
  return index;
}

/** Bytes `lpEncodeBacklen` uses for a backlen holding `l` (note 16383 already takes 3). */
function lpEncodeBacklenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

function headerOverrun(index: number, what: string, needed: number, left: number, offset: number): DecodeError {
  return fail(`entry ${index}: ${what} header needs ${needed} bytes, only ${left} left before the terminator`, offset, offset + left);
}

function fail(detail: string, offset: number, end?: number): DecodeError {
  return new DecodeError(CODE, detail, offset, end);
}

function hex(b: number): string {
  return '0x' + b.toString(16).toUpperCase().padStart(2, '0');
}

function readU32LE(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 0x1000000;
}

/** A signed LE int64 as a number when safe, else as a bigint. */
function readI64LE(b: Uint8Array, i: number): number | bigint {
  const lo = readU32LE(b, i);
  const hi = b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24);
  const n = hi * 4294967296 + lo;
  return Number.isSafeInteger(n) ? n : (BigInt(hi) << 32n) + BigInt(lo);
}
