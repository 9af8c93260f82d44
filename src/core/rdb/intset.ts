/**
 * Intset decoding with the deep integrity checks of redis src/intset.c
 * (`intsetValidateIntegrity`), for RDB type 11 as written by Redis 2.6 through
 * 8.x (spec §9.3).
 */

import { DecodeError } from '../bytes/decodeError.js';
import type { PackedEntry } from './packedEntry.js';

/** sizeof(intset) = 8: encoding u32 LE + length u32 LE. */
const INTSET_HEADER_SIZE = 8;
/** INTSET_ENC_INT16 = sizeof(int16_t). */
const INTSET_ENC_INT16 = 2;
/** INTSET_ENC_INT32 = sizeof(int32_t). */
const INTSET_ENC_INT32 = 4;
/** INTSET_ENC_INT64 = sizeof(int64_t). */
const INTSET_ENC_INT64 = 8;

const CODE = 'rdb.intset.integrity';

/**
 * Decodes an intset after validating it the way `intsetValidateIntegrity(deep=1)`
 * does: a known encoding, a size matching the length, at least one element,
 * and strictly ascending elements.
 *
 * Elements come back as numbers, or as bigints for int64 values outside the
 * safe-integer range. `base` is the absolute offset of `blob[0]`; error offsets
 * are `base` + index.
 *
 * @throws DecodeError `rdb.intset.integrity` on the first violation.
 */
export function decodeIntset(blob: Uint8Array, base: number): PackedEntry[] {
  const out: PackedEntry[] = [];
  walkIntset(blob, base, out);
  return out;
}

/**
 * Validates an intset exactly as `decodeIntset` does (same errors) and returns
 * its length without building the element array: a walk-only check needs the
 * count alone.
 */
export function countIntset(blob: Uint8Array, base: number): number {
  return walkIntset(blob, base, undefined);
}

/** The validating walk of both: elements are collected only when `out` is given. */
function walkIntset(blob: Uint8Array, base: number, out: PackedEntry[] | undefined): number {
  const size = blob.length;
  if (size < INTSET_HEADER_SIZE) {
    throw fail(`intset is ${size} byte${size === 1 ? '' : 's'}, shorter than its 8-byte header`, base, base + size);
  }
  const encoding = readU32LE(blob, 0);
  if (encoding !== INTSET_ENC_INT16 && encoding !== INTSET_ENC_INT32 && encoding !== INTSET_ENC_INT64) {
    throw fail(`invalid encoding ${encoding} (expected 2, 4 or 8)`, base, base + 4);
  }
  const length = readU32LE(blob, 4);
  if (INTSET_HEADER_SIZE + length * encoding !== size) {
    throw fail(
      `length ${length} × ${encoding}-byte elements needs ${INTSET_HEADER_SIZE + length * encoding} bytes but the intset is ${size} bytes`,
      base + 4,
      base + 8,
    );
  }
  if (length === 0) throw fail('intset is empty', base + 4, base + 8);

  // The size check above bounds every read below.
  let p = INTSET_HEADER_SIZE;
  if (encoding === INTSET_ENC_INT16) {
    let prev = -Infinity;
    for (let i = 0; i < length; i++, p += 2) {
      const v = ((blob[p]! | (blob[p + 1]! << 8)) << 16) >> 16;
      if (v <= prev) throw notAscending(i, v, prev, base + p, 2);
      out?.push(v);
      prev = v;
    }
  } else if (encoding === INTSET_ENC_INT32) {
    let prev = -Infinity;
    for (let i = 0; i < length; i++, p += 4) {
      const v = blob[p]! | (blob[p + 1]! << 8) | (blob[p + 2]! << 16) | (blob[p + 3]! << 24);
      if (v <= prev) throw notAscending(i, v, prev, base + p, 4);
      out?.push(v);
      prev = v;
    }
  } else {
    // Compare as (signed high word, unsigned low word) so no bigint is needed.
    let prevHi = 0;
    let prevLo = 0;
    let prev: number | bigint = 0;
    for (let i = 0; i < length; i++, p += 8) {
      const lo = readU32LE(blob, p);
      const hi = blob[p + 4]! | (blob[p + 5]! << 8) | (blob[p + 6]! << 16) | (blob[p + 7]! << 24);
      const v = int64(hi, lo);
      if (i > 0 && (hi < prevHi || (hi === prevHi && lo <= prevLo))) throw notAscending(i, v, prev, base + p, 8);
      out?.push(v);
      prevHi = hi;
      prevLo = lo;
      prev = v;
    }
  }
  return length;
}

/** A signed int64 from its (signed high, unsigned low) words: a number when safe, else a bigint. */
function int64(hi: number, lo: number): number | bigint {
  const n = hi * 4294967296 + lo;
  return Number.isSafeInteger(n) ? n : (BigInt(hi) << 32n) + BigInt(lo);
}

function notAscending(i: number, v: number | bigint, prev: number | bigint, offset: number, width: number): DecodeError {
  return fail(
    `element ${i} (${v}) is ${v === prev ? 'a duplicate of' : 'smaller than'} element ${i - 1} (${prev}): intsets are strictly ascending`,
    offset,
    offset + width,
  );
}

function fail(detail: string, offset: number, end?: number): DecodeError {
  return new DecodeError(CODE, detail, offset, end);
}

function readU32LE(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 0x1000000;
}
