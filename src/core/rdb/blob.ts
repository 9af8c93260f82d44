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

/** Reads one RDB string holding a compact encoding. */
export function readBlob(r: RdbReader, what: string): Blob {
  const start = r.c.offset;
  const bytes = r.string(what);
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
export function decodeBlob<T>(blob: Blob, label: string, decode: (bytes: Uint8Array, base: number) => T): T {
  try {
    return decode(blob.bytes, blob.compressed ? 0 : blob.base);
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
