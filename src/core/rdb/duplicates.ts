/**
 * Duplicate detection inside one compact value, mirroring the uniqueness checks
 * of redis src/rdb.c (`lpValidateIntegrityAndDups`, `ziplistPairsEntryConvertAndValidate`,
 * the zipmap and intset conversions) for Redis 2.2 through 8.x: set members,
 * hash fields and zset members must be unique, comparing integers as their
 * decimal text as Redis does (spec §15 item 6, §8.5).
 */

import type { PackedEntry } from './packedEntry.js';

/** Below this many candidates a pairwise scan beats building a Set of keys. */
const PAIRWISE_LIMIT = 16;
/** Code units passed to one `String.fromCharCode` call, well under engine argument limits. */
const CHUNK = 8192;

/**
 * Among `entries[first]`, `entries[first + stride]`, … returns the index (into
 * `entries`) of the first one equal to an earlier one, or -1 when all are
 * distinct. Equality is byte-wise, an integer being equal to its decimal text
 * (the integer 5 equals the string "5", not "05").
 */
export function findDuplicate(entries: PackedEntry[], first: number, stride: number): number {
  if (!(stride >= 1)) throw new RangeError(`findDuplicate: stride must be at least 1, got ${stride}`);
  const n = entries.length;
  if (first >= n) return -1;
  const count = Math.ceil((n - first) / stride);
  if (count < PAIRWISE_LIMIT) {
    for (let i = first + stride; i < n; i += stride) {
      const a = entries[i]!;
      for (let j = first; j < i; j += stride) {
        if (entriesEqual(a, entries[j]!)) return i;
      }
    }
    return -1;
  }
  const seen = new Set<string>();
  for (let i = first; i < n; i += stride) {
    const e = entries[i]!;
    const key = e instanceof Uint8Array ? bytesKey(e) : e.toString();
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return -1;
}

/**
 * The bytes as a latin1 string (one code unit per byte), binary-safe and
 * injective, for use as a Map or Set key. Built in chunks so large values do
 * not overflow the argument limit of `String.fromCharCode`.
 */
export function bytesKey(b: Uint8Array): string {
  const n = b.length;
  if (n <= CHUNK) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = '';
  for (let i = 0; i < n; i += CHUNK) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(i + CHUNK, n)) as unknown as number[]);
  }
  return s;
}

function entriesEqual(a: PackedEntry, b: PackedEntry): boolean {
  if (a instanceof Uint8Array) {
    if (b instanceof Uint8Array) return bytesEqual(a, b);
    return bytesEqualInteger(a, b);
  }
  if (b instanceof Uint8Array) return bytesEqualInteger(b, a);
  // Decoders return bigints only outside the safe range, but compare exactly anyway.
  if (typeof a === typeof b) return a === b;
  return BigInt(a) === BigInt(b);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `a` is the decimal text of `n`; cheap rejects first, so most pairs allocate nothing. */
function bytesEqualInteger(a: Uint8Array, n: number | bigint): boolean {
  const length = a.length;
  if (length === 0 || length > 20) return false;
  const c = a[0]!;
  if (c !== 0x2d && (c < 0x30 || c > 0x39)) return false;
  const text = n.toString();
  if (length !== text.length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== text.charCodeAt(i)) return false;
  return true;
}
