/**
 * Compact encodings travel inside an RDB string (redis `src/rdb.c`
 * `rdbGenericLoadStringObject` with `RDB_LOAD_PLAIN`), possibly LZF-compressed.
 * This reads such a blob and runs a structure decoder on it so that errors
 * point at file offsets when the blob is stored raw, and at the blob (with the
 * offset inside the decompressed data) when it is compressed.
 */

import { DecodeError } from '../bytes/decodeError.js';
import { formatOffset } from '../model/problem.js';
import type { RdbReader } from './reader.js';

/** A compact-encoding blob as read from the file. */
export interface Blob {
  bytes: Uint8Array;
  /** Absolute offset of the RDB string (its length prefix). */
  start: number;
  /** Absolute offset of `bytes[0]` when stored raw; -1 when LZF-compressed. */
  base: number;
  end: number;
  compressed: boolean;
}

/**
 * Reads one RDB string holding a compact encoding. `transient`: the caller
 * validates it and keeps none of its elements (a walk-only parse), so it may
 * stay a view of the read window instead of a copy.
 */
export function readBlob(r: RdbReader, what: string, transient = false): Blob {
  const start = r.c.offset;
  const bytes = r.string(what, transient);
  const end = r.c.offset;
  const compressed = r.lastStringEncoding === 'lzf';
  return { bytes, start, base: compressed ? -1 : end - bytes.length, end, compressed };
}

/**
 * Runs `decode(bytes, base)` on a blob. For a compressed blob, offsets inside
 * the decompressed bytes are not file offsets: the error is moved to the
 * blob's start and names the position inside the decompressed data.
 * `label` is Redis's own words ("Hash listpack integrity check failed").
 */
export function decodeBlob<T>(
  blob: Blob,
  label: string,
  decode: (bytes: Uint8Array, base: number, starts?: number[]) => T,
  starts?: number[],
): T {
  try {
    return decode(blob.bytes, blob.compressed ? 0 : blob.base, starts);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    if (blob.compressed) {
      throw new DecodeError(
        e.code,
        `${label}: ${e.message} (at ${formatOffset(e.offset)} of the decompressed data)`,
        blob.start,
        blob.end,
        blob.end,
      );
    }
    throw new DecodeError(e.code, `${label}: ${e.message}`, e.offset, e.end, blob.end);
  }
}

/** Raises a structural error about a whole blob (counts, duplicates) at the blob's start. */
export function blobError(blob: Blob, code: string, message: string): DecodeError {
  return new DecodeError(code, message, blob.start, blob.end, blob.end);
}

/**
 * Element ranges of a packed container: one `[start, end)` per group of
 * `stride` entries (a list item, a hash field and its value, …), from the
 * entries' start offsets. Inside an LZF-compressed blob elements have no file
 * offsets of their own: each gets the blob's range.
 */
export function packedRanges(blob: Blob, starts: number[], stride: number, out: number[]): void {
  const groups = Math.floor(starts.length / stride);
  if (blob.compressed) {
    for (let g = 0; g < groups; g++) out.push(blob.start, blob.end);
    return;
  }
  // The terminator (0xFF) is the blob's last byte: the last entry ends before it.
  const endOfEntries = blob.base + blob.bytes.length - 1;
  for (let g = 0; g < groups; g++) {
    const next = (g + 1) * stride;
    out.push(starts[g * stride]!, next < starts.length ? starts[next]! : endOfEntries);
  }
}
