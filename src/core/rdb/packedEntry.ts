/**
 * The element type shared by Redis's compact encodings (listpack, ziplist,
 * intset, zipmap): strings stay bytes, integers stay numbers, so a decoder never
 * formats an integer it may only need to count or compare.
 */

import { latin1Bytes } from '../text/bytesText.js';

/** A decoded compact-encoding element: bytes for strings, a number for integers in the safe range, a bigint beyond it. */
export type PackedEntry = Uint8Array | number | bigint;

/** Decimal text of small integers, shared: most packed integers are small. */
const SMALL_MIN = -128;
const SMALL_MAX = 1023;
const smallInts: Uint8Array[] = [];
for (let i = SMALL_MIN; i <= SMALL_MAX; i++) smallInts.push(latin1Bytes(String(i)));


/**
 * Decimal ASCII of an integer. Small values share one cached array each:
 * treat the result as read-only.
 */
export function integerBytes(v: number | bigint): Uint8Array {
  if (typeof v === 'number' && v >= SMALL_MIN && v <= SMALL_MAX) return smallInts[v - SMALL_MIN]!;
  return latin1Bytes(v.toString());
}

/** The element as Redis would return it: integers as their decimal ASCII text (read-only). */
export function entryBytes(entry: PackedEntry): Uint8Array {
  if (entry instanceof Uint8Array) return entry;
  return integerBytes(entry);
}

/** The element as an integer, or undefined when it is a string that is not a canonical integer. */
export function entryInteger(entry: PackedEntry): bigint | undefined {
  if (typeof entry === 'number') return BigInt(entry);
  if (typeof entry === 'bigint') return entry;
  return parseCanonicalInteger(entry);
}

/**
 * Parses bytes the way Redis's `string2ll` does: optional '-', no leading
 * zeros, no '+', no spaces, within signed 64 bits.
 */
export function parseCanonicalInteger(bytes: Uint8Array): bigint | undefined {
  const n = bytes.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  const negative = bytes[0] === 0x2d;
  if (negative) {
    i = 1;
    if (n === 1) return undefined;
  }
  if (bytes[i] === 0x30) return n === i + 1 && !negative ? 0n : undefined;
  let value = 0n;
  for (; i < n; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return undefined;
    value = value * 10n + BigInt(c - 0x30);
  }
  if (negative) value = -value;
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) return undefined;
  return value;
}
