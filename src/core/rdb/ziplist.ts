/**
 * Ziplist decoding with the deep integrity checks of redis src/ziplist.c
 * (`ziplistValidateIntegrity`, `zipEntrySafe`), for the ziplists of RDB types
 * 10, 12, 13 and quicklist-v1 nodes written by Redis 2.6 through 6.2 (and the
 * string/int16/32/64-only ziplists of 2.4) (spec §9.1).
 */

import { DecodeError } from '../bytes/decodeError.js';
import type { PackedEntry } from './packedEntry.js';

/** ZIPLIST_HEADER_SIZE = 10: zlbytes u32 + zltail u32 + zllen u16. */
const ZIPLIST_HEADER_SIZE = 10;
/** ZIP_END = 0xFF, the zlend terminator. */
const ZIP_END = 0xff;
/** ZIP_BIG_PREVLEN = 254: a prevlen starting with it is 5 bytes long. */
const ZIP_BIG_PREVLEN = 254;
/** zllen value meaning "count by walking" (UINT16_MAX). */
const ZIPLIST_LENGTH_UNKNOWN = 65535;
/** ZIP_STR_MASK = 0xC0: encodings below it are strings. */
const ZIP_STR_MASK = 0xc0;
/** ZIP_STR_14B = 0x40 (01pppppp). */
const ZIP_STR_14B = 0x40;
/** ZIP_STR_32B = 0x80 (10______). */
const ZIP_STR_32B = 0x80;
/** ZIP_INT_16B = 0xC0. */
const ZIP_INT_16B = 0xc0;
/** ZIP_INT_32B = 0xD0. */
const ZIP_INT_32B = 0xd0;
/** ZIP_INT_64B = 0xE0. */
const ZIP_INT_64B = 0xe0;
/** ZIP_INT_24B = 0xF0. */
const ZIP_INT_24B = 0xf0;
/** ZIP_INT_8B = 0xFE. */
const ZIP_INT_8B = 0xfe;
/** ZIP_INT_IMM_MIN = 0xF1 (immediate 0). */
const ZIP_INT_IMM_MIN = 0xf1;
/** ZIP_INT_IMM_MAX = 0xFD (immediate 12). */
const ZIP_INT_IMM_MAX = 0xfd;

const CODE = 'rdb.ziplist.integrity';

/**
 * Decodes a ziplist after validating it the way `ziplistValidateIntegrity(deep=1)`
 * does, plus one stricter rule: an empty ziplist must have zltail = 10.
 *
 * Like Redis, a 5-byte prevlen holding a value below 254 is accepted (Redis
 * keeps large prevlen fields when an entry shrinks), and any `10xxxxxx`
 * encoding byte is a 32-bit string length whatever its low bits.
 *
 * Strings come back as views into `blob` (no copy), integers as numbers, or as
 * bigints when an int64 lies outside the safe-integer range. `base` is the
 * absolute offset of `blob[0]`; every error offset and every value pushed to
 * `starts` (one per entry, the first byte of its prevlen) is `base` + index.
 *
 * @throws DecodeError `rdb.ziplist.integrity` on the first violation.
 */
export function decodeZiplist(blob: Uint8Array, base: number, starts?: number[]): PackedEntry[] {
  const size = blob.length;
  if (size < ZIPLIST_HEADER_SIZE + 1) {
    throw fail(`ziplist is ${size} byte${size === 1 ? '' : 's'}, shorter than the 11-byte minimum (header and zlend)`, base, base + size);
  }
  const zlbytes = readU32LE(blob, 0);
  if (zlbytes !== size) {
    throw fail(`zlbytes is ${zlbytes} but the ziplist is ${size} bytes`, base, base + 4);
  }
  const last = size - 1;
  if (blob[last] !== ZIP_END) {
    throw fail(`last byte is ${hex(blob[last]!)}, not the 0xFF zlend`, base + last, base + size);
  }
  const zltail = readU32LE(blob, 4);
  if (zltail > last) {
    throw fail(`zltail is ${zltail}, past zlend at ${last}`, base + 4, base + 8);
  }
  const zllen = blob[8]! | (blob[9]! << 8);

  const out: PackedEntry[] = [];
  let p = ZIPLIST_HEADER_SIZE;
  let prevRawSize = 0;
  let lastStart = -1;
  // Every step below keeps p <= last, so blob[p] is always readable.
  for (let index = 0; ; index++) {
    const first = blob[p]!;
    if (first === ZIP_END) break;

    let prevlen: number;
    let q: number; // the encoding byte
    if (first < ZIP_BIG_PREVLEN) {
      prevlen = first;
      q = p + 1;
    } else {
      if (p + 5 > last) throw headerOverrun(index, '5-byte prevlen', 5, last - p, base + p);
      prevlen = readU32LE(blob, p + 1);
      q = p + 5;
    }

    // q <= last here; reading the encoding byte is safe (it may be zlend itself,
    // which is no valid encoding).
    const enc = blob[q]!;
    let dataStart: number;
    let len: number;
    if (enc < ZIP_STR_14B) {
      dataStart = q + 1;
      len = enc & 0x3f;
    } else if (enc < ZIP_STR_32B) {
      if (q + 2 > last) throw headerOverrun(index, '14-bit string', 2, last - q, base + q);
      dataStart = q + 2;
      len = ((enc & 0x3f) << 8) | blob[q + 1]!;
    } else if (enc < ZIP_STR_MASK) {
      if (q + 5 > last) throw headerOverrun(index, '32-bit string', 5, last - q, base + q);
      dataStart = q + 5;
      len = blob[q + 1]! * 0x1000000 + ((blob[q + 2]! << 16) | (blob[q + 3]! << 8) | blob[q + 4]!);
    } else {
      dataStart = q + 1;
      if (enc === ZIP_INT_16B) len = 2;
      else if (enc === ZIP_INT_32B) len = 4;
      else if (enc === ZIP_INT_64B) len = 8;
      else if (enc === ZIP_INT_24B) len = 3;
      else if (enc === ZIP_INT_8B) len = 1;
      else if (enc >= ZIP_INT_IMM_MIN && enc <= ZIP_INT_IMM_MAX) len = 0;
      else throw fail(`entry ${index}: invalid encoding byte ${hex(enc)}`, base + q, base + q + 1);
    }

    const end = dataStart + len;
    if (end > last) {
      // Reported at the encoding, whose length claims more than there is.
      throw fail(
        `entry ${index}: needs ${end - p} bytes, only ${last - p} left before zlend`,
        base + q,
        base + last,
      );
    }
    if (prevlen !== prevRawSize) {
      throw fail(
        `entry ${index}: prevlen is ${prevlen} but the previous entry is ${prevRawSize} bytes`,
        base + p,
        base + q,
      );
    }

    let value: PackedEntry;
    if (enc < ZIP_STR_MASK) {
      value = blob.subarray(dataStart, end);
    } else if (enc === ZIP_INT_16B) {
      value = ((blob[dataStart]! | (blob[dataStart + 1]! << 8)) << 16) >> 16;
    } else if (enc === ZIP_INT_32B) {
      value = blob[dataStart]! | (blob[dataStart + 1]! << 8) | (blob[dataStart + 2]! << 16) | (blob[dataStart + 3]! << 24);
    } else if (enc === ZIP_INT_64B) {
      value = readI64LE(blob, dataStart);
    } else if (enc === ZIP_INT_24B) {
      value = ((blob[dataStart]! | (blob[dataStart + 1]! << 8) | (blob[dataStart + 2]! << 16)) << 8) >> 8;
    } else if (enc === ZIP_INT_8B) {
      value = (blob[dataStart]! << 24) >> 24;
    } else {
      value = (enc & 0x0f) - 1;
    }
    if (starts !== undefined) starts.push(base + p);
    out.push(value);
    prevRawSize = end - p;
    lastStart = p;
    p = end;
  }

  if (p !== last) {
    throw fail(`entry ${out.length}: zlend 0xFF at +${p}, before the last byte (+${last})`, base + p, base + p + 1);
  }
  const expectedTail = lastStart < 0 ? ZIPLIST_HEADER_SIZE : lastStart;
  if (zltail !== expectedTail) {
    throw fail(
      lastStart < 0
        ? `zltail is ${zltail} but the ziplist is empty (expected ${ZIPLIST_HEADER_SIZE})`
        : `zltail is ${zltail} but the last entry starts at ${lastStart}`,
      base + 4,
      base + 8,
    );
  }
  if (zllen !== ZIPLIST_LENGTH_UNKNOWN && zllen !== out.length) {
    throw fail(`zllen is ${zllen} but the ziplist holds ${out.length} entr${out.length === 1 ? 'y' : 'ies'}`, base + 8, base + 10);
  }
  return out;
}

function headerOverrun(index: number, what: string, needed: number, left: number, offset: number): DecodeError {
  return fail(`entry ${index}: ${what} header needs ${needed} bytes, only ${left} left before zlend`, offset, offset + left);
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
