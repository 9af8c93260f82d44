/**
 * LZF as Redis uses it for compressed RDB strings: `lzfDecompress` mirrors
 * `redis:src/lzf_d.c` `lzf_decompress` built with `CHECK_INPUT = 1` (`lzfP.h`),
 * plus the exact-length rule of `redis:src/rdb.c` `rdbLoadLzfStringObject`
 * (spec §5.1). `lzfCompress` follows `redis:src/lzf_c.c` `lzf_compress` (hash of
 * the next 3 bytes → last position; literal runs of ≤ 32; back references of
 * 3..264 bytes at distance ≤ 8192) and exists so tests can build RDB fixtures.
 *
 * Why hand-written rather than an npm package (checked with `npm view`/`npm pack`):
 * - `lzf` (0.1.3) is a node-gyp native addon (binding.gyp) — unusable in the pure
 *   core (browser, worker, extension host) and unmaintained.
 * - `lzfjs` (1.0.1) is pure JS but grows a plain `Array` one element at a time,
 *   does not take the expected output length, so cannot enforce Redis's output
 *   bound or exact-length rule, and throws a bare `Error('Invalid input')` with
 *   no offset or reason.
 * We need byte-exact Redis semantics, a claimed-length sanity check before any
 * allocation, and `DecodeError`s carrying absolute file offsets.
 */

import { DecodeError } from './decodeError.js';

/** Largest output of one 3-byte back reference: ctrl 0xE0..0xFF, length byte 255 → 7 + 255 + 2. */
const MAX_REF_OUTPUT = 264;
/** Largest output of one 2-byte back reference: ctrl 0xC0..0xDF → 6 + 2. */
const MAX_SHORT_REF_OUTPUT = 8;

/**
 * The largest output any valid LZF stream of `compressedLength` bytes can produce.
 *
 * A stream must start with a literal run (a back reference at output 0 points
 * before the start); a literal of k bytes costs k + 1 input bytes, a 2-byte back
 * reference emits at most 8 bytes and a 3-byte one at most 264 (88 per input
 * byte, the best ratio). So the maximum is a 1-byte literal (2 input bytes, 1
 * output byte), then as many 3-byte references as fit; a leftover input byte
 * lengthens the literal by one, two leftover bytes make a 2-byte reference.
 */
export function lzfMaxOutput(compressedLength: number): number {
  if (compressedLength < 2) return 0;
  const rest = compressedLength - 2;
  const extra = rest % 3;
  return 1 + Math.floor(rest / 3) * MAX_REF_OUTPUT + (extra === 0 ? 0 : extra === 1 ? 1 : MAX_SHORT_REF_OUTPUT);
}

function invalid(message: string, offset: number): DecodeError {
  return new DecodeError('rdb.lzf.invalid', message, offset);
}

/**
 * Decompresses `input` (an RDB LZF payload) that must expand to exactly
 * `outLength` bytes. `base` is the absolute file offset of `input[0]`.
 * With `scratch` (when large enough) the output is written there and a view of
 * it is returned: valid until the caller reuses `scratch`.
 *
 * Errors (`DecodeError` code `rdb.lzf.invalid`), with their offset:
 * - the claimed length is not a non-negative integer or exceeds `lzfMaxOutput`:
 *   `base` (nothing is allocated);
 * - output overflow, input overrun, back reference before start: the offset of
 *   the offending token's control byte;
 * - fewer than `outLength` bytes produced: `base + input.length`.
 */
export function lzfDecompress(input: Uint8Array, outLength: number, base: number, scratch?: Uint8Array): Uint8Array {
  const inLength = input.length;
  if (!Number.isSafeInteger(outLength) || outLength < 0) {
    throw invalid(`invalid uncompressed length ${outLength}`, base);
  }
  const max = lzfMaxOutput(inLength);
  if (outLength > max) {
    throw invalid(
      `uncompressed length ${outLength} is impossible for ${inLength} compressed byte${inLength === 1 ? '' : 's'} (at most ${max})`,
      base,
    );
  }

  // A walk-only check decompresses a blob, validates it and forgets it: it may pass a
  // reused `scratch` buffer (at least `outLength` bytes) instead of a new array per
  // string, which was a large share of a check's allocations on small-key files.
  const out = scratch && scratch.length >= outLength ? scratch : new Uint8Array(outLength);
  let ip = 0;
  let op = 0;
  while (ip < inLength) {
    const tokenStart = ip;
    const ctrl = input[ip++];
    if (ctrl < 32) {
      // Literal run of ctrl + 1 bytes.
      const n = ctrl + 1;
      if (op + n > outLength) {
        throw invalid(
          `output overflow: literal run of ${n} byte${n === 1 ? '' : 's'} at output position ${op} exceeds the uncompressed length ${outLength}`,
          base + tokenStart,
        );
      }
      if (ip + n > inLength) {
        throw invalid(
          `input overrun: literal run of ${n} byte${n === 1 ? '' : 's'} needs ${ip + n - inLength} more input byte${ip + n - inLength === 1 ? '' : 's'}`,
          base + tokenStart,
        );
      }
      for (let k = 0; k < n; k++) out[op + k] = input[ip + k];
      ip += n;
      op += n;
    } else {
      // Back reference: length ctrl >> 5 (7 = extended), distance 1..8192.
      let n = ctrl >> 5;
      let distance = ((ctrl & 0x1f) << 8) + 1;
      if (ip >= inLength) {
        throw invalid(
          `input overrun: back reference is missing its ${n === 7 ? 'length' : 'offset'} byte`,
          base + tokenStart,
        );
      }
      if (n === 7) {
        n += input[ip++];
        if (ip >= inLength) {
          throw invalid('input overrun: back reference is missing its offset byte', base + tokenStart);
        }
      }
      distance += input[ip++];
      const len = n + 2;
      const ref = op - distance;
      if (op + len > outLength) {
        throw invalid(
          `output overflow: back reference of ${len} bytes at output position ${op} exceeds the uncompressed length ${outLength}`,
          base + tokenStart,
        );
      }
      if (ref < 0) {
        throw invalid(
          `back reference before start: distance ${distance} at output position ${op}`,
          base + tokenStart,
        );
      }
      if (distance >= len) {
        // Source and destination do not overlap: a bulk copy is exact.
        out.copyWithin(op, ref, ref + len);
      } else {
        // Overlapping (run-length) copy: byte by byte, reading what was just written.
        for (let k = 0; k < len; k++) out[op + k] = out[ref + k];
      }
      op += len;
    }
  }
  if (op !== outLength) {
    throw invalid(`decompressed ${op} byte${op === 1 ? '' : 's'}, expected ${outLength}`, base + inLength);
  }
  return out === scratch ? out.subarray(0, outLength) : out;
}

const HLOG = 14;
const HSIZE = 1 << HLOG;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = MAX_REF_OUTPUT;

/**
 * LZF-compresses `input` the way `lzf_compress` does (greedy, hash-table based).
 * Returns `undefined` when the result would not be strictly smaller than the
 * input (including empty input), like `lzf_compress` with an output buffer of
 * `input.length - 1` bytes.
 */
export function lzfCompress(input: Uint8Array): Uint8Array | undefined {
  const n = input.length;
  if (n === 0) return undefined;
  // Worst case: all literals, one control byte per 32, plus one reserved control byte.
  const out = new Uint8Array(n + (n >>> 5) + 2);
  /** Position + 1 of the last occurrence of each 3-byte hash; 0 = none. */
  const htab = new Int32Array(HSIZE);
  const hash = (p: number): number =>
    Math.imul((input[p] << 16) | (input[p + 1] << 8) | input[p + 2], 0x9e3779b1) >>> (32 - HLOG);

  let ip = 0;
  let op = 1; // reserve the control byte of the first literal run
  let lit = 0;
  while (ip < n - 2) {
    const h = hash(ip);
    const ref = htab[h] - 1;
    htab[h] = ip + 1;
    const off = ip - ref - 1;
    if (
      ref >= 0 &&
      off < MAX_OFF &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      const maxLen = Math.min(n - ip, MAX_REF);
      let len = 3;
      while (len < maxLen && input[ref + len] === input[ip + len]) len++;
      // Close the literal run, or drop its reserved control byte if it is empty.
      if (lit > 0) out[op - lit - 1] = lit - 1;
      else op--;
      const l = len - 2;
      if (l < 7) {
        out[op++] = (off >>> 8) + (l << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // reserve the next run's control byte
      ip += len;
      // Index the last two positions of the match (lzf_c.c VERY_FAST does the same).
      for (let q = ip - 2; q < ip && q < n - 2; q++) htab[hash(q)] = q + 1;
    } else {
      out[op++] = input[ip++];
      if (++lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  while (ip < n) {
    out[op++] = input[ip++];
    if (++lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (lit > 0) out[op - lit - 1] = lit - 1;
  else op--;
  return op < n ? out.slice(0, op) : undefined;
}
