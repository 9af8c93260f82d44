/**
 * Zipmap decoding with the integrity checks of redis src/zipmap.c
 * (`zipmapValidateIntegrity`, always deep), for the RDB type 9 hashes written
 * by Redis 2.2 through 2.4 and still loaded by 8.x (spec §9.4).
 */

import { DecodeError } from '../bytes/decodeError.js';
import type { PackedEntry } from './packedEntry.js';

/** ZIPMAP_BIGLEN = 254: a length byte of 254 is followed by a u32 LE; as zmlen it means "unknown". */
const ZIPMAP_BIGLEN = 254;
/** ZIPMAP_END = 255: the terminator, found where a field length would start. */
const ZIPMAP_END = 255;

const CODE = 'rdb.zipmap.integrity';

/**
 * Decodes a zipmap after validating it the way `zipmapValidateIntegrity` does:
 * terminator present, every length, field, value and free region inside the
 * blob, at least one pair, and `zmlen` equal to the pair count unless it is 254
 * (so 255 is rejected, as Redis does).
 *
 * Returns fields and values alternately, as views into `blob` (no copy); the
 * free bytes after a value are skipped. Like Redis, a 255 in a value-length
 * position is read as a 5-byte length (only a field position can hold the
 * terminator), and bytes after an early terminator are ignored, since Redis
 * stops reading there too. `base` is the absolute offset of `blob[0]`; error offsets are
 * `base` + index. Duplicate fields are the caller's check (`findDuplicate`).
 *
 * @throws DecodeError `rdb.zipmap.integrity` on the first violation.
 */
export function decodeZipmap(blob: Uint8Array, base: number): PackedEntry[] {
  const size = blob.length;
  if (size < 2) {
    throw fail(`zipmap is ${size} byte${size === 1 ? '' : 's'}, shorter than the 2-byte minimum (zmlen and terminator)`, base, base + size);
  }
  const last = size - 1;
  if (blob[last] !== ZIPMAP_END) {
    throw fail(`last byte is ${hex(blob[last]!)}, not the 0xFF terminator`, base + last, base + size);
  }

  const out: PackedEntry[] = [];
  let p = 1;
  // Every step below keeps p <= last, so blob[p] is always readable.
  for (let pair = 0; blob[p] !== ZIPMAP_END; pair++) {
    const fieldAt = p;
    let s = blob[p]! < ZIPMAP_BIGLEN ? 1 : 5;
    if (p + s > last) throw overrun(pair, 'field length', base, fieldAt, last);
    let l = s === 1 ? blob[p]! : readU32LE(blob, p + 1);
    const fieldStart = p + s;
    p = fieldStart + l;
    if (p > last) throw overrun(pair, `field of ${l} bytes`, base, fieldAt, last);
    const field = blob.subarray(fieldStart, p);

    const valueAt = p;
    s = blob[p]! < ZIPMAP_BIGLEN ? 1 : 5;
    if (p + s > last) throw overrun(pair, 'value length and free byte', base, valueAt, last);
    l = s === 1 ? blob[p]! : readU32LE(blob, p + 1);
    const free = blob[p + s]!;
    const valueStart = p + s + 1;
    p = valueStart + l + free;
    if (p > last) throw overrun(pair, `value of ${l} bytes plus ${free} free bytes`, base, valueAt, last);

    out.push(field, blob.subarray(valueStart, valueStart + l));
  }

  // Like Redis, stop at the first terminator in a field position: bytes between
  // it and the last byte are never read, so they are not an error.
  const count = out.length >> 1;
  if (count === 0) throw fail('zipmap holds no pairs', base, base + size);
  const zmlen = blob[0]!;
  if (zmlen !== ZIPMAP_BIGLEN && zmlen !== count) {
    throw fail(`zmlen is ${zmlen} but the zipmap holds ${count} pair${count === 1 ? '' : 's'} (only 254 means unknown)`, base, base + 1);
  }
  return out;
}

/** An overrun reported at the length that claims too much (`at`, relative to the blob). */
function overrun(pair: number, what: string, base: number, at: number, last: number): DecodeError {
  return fail(`pair ${pair}: ${what} at +${at} runs past the terminator at +${last}`, base + at, base + last);
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
