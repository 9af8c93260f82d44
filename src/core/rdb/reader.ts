/**
 * RDB lengths, strings and doubles (redis `src/rdb.c` `rdbLoadLenByRef`,
 * `rdbGenericLoadStringObject`, `rdbLoadLzfStringObject`,
 * `rdbLoadDoubleValue`, `rdbLoadBinaryDoubleValue`; RDB 1–13), read through the
 * one byte cursor. See shared/spec/rdb-format.md §4–5.
 */

import type { Cursor } from '../bytes/cursor.js';
import { DecodeError } from '../bytes/decodeError.js';
import { lzfDecompress, lzfMaxOutput } from '../bytes/lzf.js';
import type { Problem } from '../model/problem.js';
import { hashBytes } from './duplicateKeys.js';
import { integerBytes } from './packedEntry.js';

/** RDB_6BITLEN, RDB_14BITLEN, RDB_32BITLEN (0x80), RDB_64BITLEN (0x81), RDB_ENCVAL. */
const LEN_32BIT = 0x80;
const LEN_64BIT = 0x81;
/** RDB_ENC_INT8/16/32 and RDB_ENC_LZF. */
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

const intText = integerBytes;

/** Largest LZF output decompressed into the reader's reused buffer; bigger ones get their own array. */
const SCRATCH_MAX = 1 << 20;

/** How a string was stored. */
export type StringEncoding = 'raw' | 'int' | 'lzf';

/** Reads RDB primitives and reports soft problems (warnings) as it goes. */
export class RdbReader {
  /** Encoding of the last string read by `string()`. */
  lastStringEncoding: StringEncoding = 'raw';
  /** Length of the last string skipped by `skipString` (decompressed length for LZF). */
  lastStringLength = 0;
  /** Absolute offset of the last LZF payload read (for element offsets). */
  lastStringStart = 0;
  /** Output buffer of transient LZF strings (see `string`), grown on demand up to SCRATCH_MAX. */
  private scratch = new Uint8Array(0);

  constructor(
    readonly c: Cursor,
    readonly version: number,
    readonly valkey: boolean,
    private readonly warn: (p: Problem) => void,
  ) {}

  /**
   * A plain length. An ENCVAL byte (`11xxxxxx`) here is read as its low 6
   * bits, as Redis does (`rdbLoadLen(rdb, NULL)`), with a warning.
   */
  len(what: string): number {
    const c = this.c;
    const start = c.offset;
    const b = c.u8(what);
    const kind = b >> 6;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | c.u8(what);
    if (kind === 3) {
      this.warn({
        code: 'rdb.encval-as-length',
        severity: 'warning',
        offset: start,
        end: start + 1,
        message: `encoded-string marker 0x${b.toString(16).toUpperCase()} where ${what} was expected; Redis reads it as ${b & 0x3f}`,
      });
      return b & 0x3f;
    }
    return this.longLen(b, start, what);
  }

  private longLen(b: number, start: number, what: string): number {
    const c = this.c;
    if (b === LEN_32BIT) return c.u32be(what);
    if (b === LEN_64BIT) {
      const v = c.u64be(what);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new DecodeError('rdb.bad-length', `${what} ${v} is larger than any file`, start, c.offset);
      }
      return Number(v);
    }
    // Before RDB 8 any 10xxxxxx byte meant a 32-bit length (writers used 0x80 only).
    if (this.version < 8) return c.u32be(what);
    throw new DecodeError(
      'rdb.bad-length-encoding',
      `unknown length encoding 0x${b.toString(16).toUpperCase()} reading ${what}`,
      start,
      start + 1,
    );
  }

  /** A length that may be a 64-bit value (module UINT/SINT, stream ID parts); returned as a bigint. */
  len64(what: string): bigint {
    const c = this.c;
    const b = c.peek();
    if (b === LEN_64BIT) {
      c.u8(what);
      return c.u64be(what);
    }
    return BigInt(this.len(what));
  }

  /** A length used as a count of things that each take at least `minBytes`: checked against what remains. */
  count(what: string, minBytes = 1): number {
    const start = this.c.offset;
    const n = this.len(what);
    if (n * minBytes > this.c.remaining) {
      throw new DecodeError(
        'rdb.bad-length',
        `${what} ${n} cannot fit in the ${this.c.remaining} bytes left`,
        start,
        this.c.offset,
      );
    }
    return n;
  }

  /**
   * An RDB string: raw, INT8/16/32 as decimal text, or LZF-decompressed.
   * `transient`: the caller decodes it at once and keeps nothing of it, so a
   * raw string may be a view of the read window (valid until the next read),
   * and an LZF string is decompressed into a reused buffer (valid until the
   * next transient string).
   */
  string(what: string, transient = false): Uint8Array {
    const c = this.c;
    const start = c.offset;
    const b = c.u8(what);
    const kind = b >> 6;
    if (kind === 0) {
      this.lastStringEncoding = 'raw';
      return transient ? c.view(b & 0x3f, what) : c.bytes(b & 0x3f, what);
    }
    if (kind === 1) {
      this.lastStringEncoding = 'raw';
      const n = ((b & 0x3f) << 8) | c.u8(what);
      return transient ? c.view(n, what) : c.bytes(n, what);
    }
    if (kind === 2) {
      this.lastStringEncoding = 'raw';
      const n = this.longLen(b, start, `length of ${what}`);
      return transient ? c.view(n, what) : c.bytes(n, what);
    }
    return this.encoded(b & 0x3f, start, what, transient);
  }

  /**
   * The duplicate-key log's hash of an RDB string (`hashBytes`), for a key
   * nothing else keeps. Fast path: a raw string already in the read window is
   * hashed where it lies, with no copy and no view object (a check reads
   * millions of keys); anything else goes through `string(what, true)`, so
   * lengths and errors are exactly those of `string`.
   */
  stringHash(what: string): number {
    const c = this.c;
    const start = c.offset;
    const b = c.u8(what);
    const kind = b >> 6;
    if (kind === 3) return hashBytes(this.encoded(b & 0x3f, start, what, true));
    let n: number;
    if (kind === 0) n = b & 0x3f;
    else if (kind === 1) n = ((b & 0x3f) << 8) | c.u8(what);
    else n = this.longLen(b, start, `length of ${what}`);
    this.lastStringEncoding = 'raw';
    const buf = c.buffer;
    const at = c.index;
    if (at + n <= buf.length) {
      c.advance(n);
      return hashBytes(buf, at, at + n);
    }
    return hashBytes(c.view(n, what));
  }

  /** Skips an RDB string without materialising raw payloads (still validates LZF). */
  skipString(what: string): StringEncoding {
    const c = this.c;
    const start = c.offset;
    const b = c.u8(what);
    const kind = b >> 6;
    if (kind === 3) {
      this.lastStringLength = this.encoded(b & 0x3f, start, what, true).length;
      return this.lastStringEncoding;
    }
    let n: number;
    if (kind === 0) n = b & 0x3f;
    else if (kind === 1) n = ((b & 0x3f) << 8) | c.u8(what);
    else n = this.longLen(b, start, `length of ${what}`);
    c.skip(n, what);
    this.lastStringLength = n;
    this.lastStringEncoding = 'raw';
    return 'raw';
  }

  private encoded(enc: number, start: number, what: string, transient: boolean): Uint8Array {
    const c = this.c;
    switch (enc) {
      case ENC_INT8: {
        this.lastStringEncoding = 'int';
        const v = c.u8(what);
        return intText(v > 127 ? v - 256 : v);
      }
      case ENC_INT16: {
        this.lastStringEncoding = 'int';
        const v = c.u16le(what);
        return intText(v > 32767 ? v - 65536 : v);
      }
      case ENC_INT32:
        this.lastStringEncoding = 'int';
        return intText(c.i32le(what));
      case ENC_LZF: {
        this.lastStringEncoding = 'lzf';
        const clen = this.len(`compressed length of ${what}`);
        const ulen = this.len(`uncompressed length of ${what}`);
        const dataStart = c.offset;
        if (clen === 0) {
          throw new DecodeError('rdb.lzf.invalid', `LZF string of ${what} has a compressed length of 0`, start, dataStart);
        }
        // Transient: the compressed bytes are read once, so a view of the window
        // will do, and the output may go to the reused buffer (see `string`).
        const input = transient ? c.view(clen, `LZF data of ${what}`) : c.bytes(clen, `LZF data of ${what}`);
        this.lastStringStart = dataStart;
        let scratch: Uint8Array | undefined;
        if (transient && ulen <= SCRATCH_MAX && ulen <= lzfMaxOutput(clen)) {
          if (this.scratch.length < ulen) this.scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(ulen, 2 * this.scratch.length, 4096)));
          scratch = this.scratch;
        }
        try {
          return lzfDecompress(input, ulen, dataStart, scratch);
        } catch (e) {
          if (e instanceof DecodeError) {
            throw new DecodeError(e.code, `Invalid LZF compressed string in ${what}: ${e.message}`, e.offset, e.end, c.offset);
          }
          throw e;
        }
      }
      default:
        throw new DecodeError(
          'rdb.bad-string-encoding',
          `unknown string encoding ${enc} (byte 0x${(0xc0 | enc).toString(16).toUpperCase()}) reading ${what}`,
          start,
          start + 1,
        );
    }
  }

  /** RDB < 8 zset score: a length byte then ASCII (`rdbLoadDoubleValue`); 253 NaN, 254 +inf, 255 -inf. */
  oldDouble(what: string): number {
    const c = this.c;
    const start = c.offset;
    const n = c.u8(what);
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const text = c.bytes(n, what);
    const s = String.fromCharCode(...text);
    const v = parseCDouble(s);
    if (v === undefined) {
      throw new DecodeError('rdb.bad-double', `${what} "${s}" is not a number`, start, c.offset);
    }
    return v;
  }
}

/** Parses a double as C `strtod` (used by `%lg` readers): decimal, inf/nan words; undefined when not a number. */
export function parseCDouble(s: string): number | undefined {
  // Fast path: Redis writes scores with "%.17g" (digits, '-', '.', 'e'), which
  // Number() reads exactly as strtod does; anything else takes the careful path.
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (((first >= 0x30 && first <= 0x39) || first === 0x2d || first === 0x2e) && last >= 0x30 && last <= 0x39) {
    const n = Number(s);
    if (!Number.isNaN(n)) return n;
  }
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan' || t === '+nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/**
 * C `strtod` semantics on a whole string: the value of the longest prefix that
 * is a number (0 when there is none) and whether the whole string was used —
 * how Redis reads a score stored as text in a ziplist/listpack (`zzlStrtod`).
 */
export function strtodPrefix(s: string): { value: number; whole: boolean } {
  const exact = parseCDouble(s);
  if (exact !== undefined) return { value: exact, whole: true };
  const m = /^\s*([+-]?(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))/i.exec(s);
  if (!m) return { value: 0, whole: false };
  return { value: parseCDouble(m[1]!) ?? 0, whole: false };
}
