/**
 * The one byte reader: a forward cursor over a `ByteSource` that keeps a
 * window of the file in memory, checks bounds before every read, and reports
 * bytes needed, bytes left and the absolute offset when data runs out
 * (in the spirit of Kaitai's `ensureBytesLeft`, plus offsets).
 *
 * Streaming: the window is refilled in chunks, so a multi-GB file is read in one
 * pass with memory bounded by the chunk size plus the largest single field that
 * must be materialised (a key, a listpack, an LZF blob). Bytes can optionally be
 * fed to a running digest (the RDB CRC-64) exactly once, in order, as the cursor
 * moves past them.
 */

import type { ByteSource } from './byteSource.js';
import { DecodeError, truncated } from './decodeError.js';

/** Receives every byte the cursor moves past, in order, until `finishDigest`. */
export interface Digest {
  update(bytes: Uint8Array, start: number, end: number): void;
}

/** Default refill size: large enough to amortise a read call, small enough to bound memory. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

const EMPTY = new Uint8Array(0);

/** A bounds-checked forward reader with absolute offsets. */
export class Cursor {
  private buf: Uint8Array = EMPTY;
  /** Absolute offset of `buf[0]`. */
  private bufStart: number;
  /** Index into `buf` of the next unread byte. */
  private pos = 0;
  /** Absolute offset up to which bytes were fed to the digest. */
  private digestPos: number;
  private digest: Digest | null = null;
  /** Exclusive absolute end of readable data. */
  readonly end: number;

  /** The one window buffer in reuse mode. */
  private ring: Uint8Array | undefined;

  /**
   * `reuseWindow`: keep one window buffer for the whole pass instead of a new
   * one per refill (flat memory, no garbage). `bytes()` then returns copies,
   * since the window is overwritten by the next refill.
   */
  constructor(
    private readonly source: ByteSource,
    start = 0,
    end = source.size,
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
    private readonly reuseWindow = false,
  ) {
    this.bufStart = start;
    this.digestPos = start;
    this.end = Math.min(end, source.size);
  }

  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.bufStart + this.pos;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Starts feeding bytes from the current offset to `digest`. */
  startDigest(digest: Digest): void {
    this.digest = digest;
    this.digestPos = this.offset;
  }

  /** Feeds all bytes before the current offset to the digest and stops feeding. */
  finishDigest(): void {
    if (this.digest) this.feedDigest(this.offset);
    this.digest = null;
  }

  /** Moves to an absolute offset, dropping the window if needed (no digest past a seek). */
  seek(offset: number): void {
    if (offset >= this.bufStart && offset <= this.bufStart + this.buf.length) {
      if (this.digest && offset < this.digestPos) this.digest = null;
      this.pos = offset - this.bufStart;
      return;
    }
    if (this.digest) {
      if (offset < this.digestPos) this.digest = null;
      else this.feedDigest(this.bufStart + this.buf.length);
    }
    this.buf = EMPTY;
    this.bufStart = offset;
    this.pos = 0;
    if (this.digest) this.digestPos = offset;
  }

  /** Throws a truncation error unless `n` more bytes exist before `end`. */
  require(n: number, what: string): void {
    const left = this.end - this.offset;
    if (n > left) throw truncated(this.offset, n, left, what);
  }

  /** Makes sure `n` bytes are in the window at `pos`. */
  private fill(n: number, what: string): void {
    const offset = this.bufStart + this.pos;
    const left = this.end - offset;
    if (n > left) throw truncated(offset, n, left, what);
    if (this.digest) this.feedDigest(offset);
    const keep = this.buf.length - this.pos;
    const want = Math.min(Math.max(n, this.chunkSize), left);
    if (this.reuseWindow) {
      this.fillRing(offset, keep, want, n, what);
      return;
    }
    if (keep === 0) {
      // Common case at chunk boundaries: take the source's array as the window, no copy.
      const got = this.source.read(offset, want);
      if (got.length === want) {
        this.buf = got;
        this.bufStart = offset;
        this.pos = 0;
        return;
      }
      if (got.length === 0) throw truncated(offset, n, 0, what);
      this.buf = got;
      this.bufStart = offset;
      this.pos = 0;
      if (got.length >= n) return;
      return this.fill(n, what);
    }
    const next = new Uint8Array(want);
    if (keep > 0) next.set(this.buf.subarray(this.pos));
    let have = keep;
    while (have < want) {
      const got = this.source.read(offset + have, want - have);
      if (got.length === 0) throw truncated(offset, n, have, what);
      next.set(got, have);
      have += got.length;
    }
    this.buf = next;
    this.bufStart = offset;
    this.pos = 0;
  }

  private fillRing(offset: number, keep: number, want: number, n: number, what: string): void {
    let ring = this.ring;
    if (!ring || ring.length < want) {
      const bigger = new Uint8Array(Math.max(want, this.chunkSize));
      if (keep > 0) bigger.set(this.buf.subarray(this.pos));
      ring = this.ring = bigger;
    } else if (keep > 0) {
      // The window is a view of the ring: move its unread tail to the front.
      const from = this.buf.byteOffset - ring.byteOffset + this.pos;
      ring.copyWithin(0, from, from + keep);
    }
    let have = keep;
    while (have < want) {
      let got: number;
      if (this.source.readInto) {
        got = this.source.readInto(offset + have, ring, have, want - have);
      } else {
        const chunk = this.source.read(offset + have, want - have);
        ring.set(chunk, have);
        got = chunk.length;
      }
      if (got === 0) throw truncated(offset, n, have, what);
      have += got;
    }
    this.buf = ring.subarray(0, have);
    this.bufStart = offset;
    this.pos = 0;
  }

  private feedDigest(upTo: number): void {
    const digest = this.digest;
    if (!digest || upTo <= this.digestPos) return;
    const from = this.digestPos - this.bufStart;
    const to = upTo - this.bufStart;
    if (from >= 0 && to <= this.buf.length) {
      digest.update(this.buf, from, to);
      this.digestPos = upTo;
      return;
    }
    // Bytes outside the window (only after a direct read); read them again.
    let at = this.digestPos;
    while (at < upTo) {
      const got = this.source.read(at, Math.min(this.chunkSize, upTo - at));
      if (got.length === 0) break;
      digest.update(got, 0, got.length);
      at += got.length;
    }
    this.digestPos = upTo;
  }

  /**
   * Makes up to `n` bytes available in the window (fewer only at the end of
   * data) and returns how many are. Scanners then read `buffer` from `index`
   * directly and `advance` past what they used.
   */
  ensure(n: number): number {
    const avail = this.buf.length - this.pos;
    if (avail >= n) return n;
    const left = this.end - this.offset;
    if (left <= avail) return avail;
    this.fill(Math.min(n, left), 'bytes');
    return Math.min(n, this.buf.length - this.pos);
  }

  /** The current window (read-only; valid until the next read). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Index in `buffer` of the next unread byte. */
  get index(): number {
    return this.pos;
  }

  /** Moves past `n` bytes already made available by `ensure`. */
  advance(n: number): void {
    this.pos += n;
  }

  /** Reads one unsigned byte. */
  u8(what = 'a byte'): number {
    if (this.pos >= this.buf.length) this.fill(1, what);
    return this.buf[this.pos++]!;
  }

  /** Looks at the next byte without consuming it; -1 at the end. */
  peek(): number {
    if (this.pos >= this.buf.length) {
      if (this.offset >= this.end) return -1;
      this.fill(1, 'a byte');
    }
    return this.buf[this.pos]!;
  }

  /** Unsigned 16-bit little-endian. */
  u16le(what = 'a 16-bit integer'): number {
    if (this.pos + 2 > this.buf.length) this.fill(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  /** Unsigned 32-bit little-endian. */
  u32le(what = 'a 32-bit integer'): number {
    if (this.pos + 4 > this.buf.length) this.fill(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  /** Unsigned 32-bit big-endian. */
  u32be(what = 'a 32-bit integer'): number {
    if (this.pos + 4 > this.buf.length) this.fill(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** Signed 32-bit little-endian. */
  i32le(what = 'a 32-bit integer'): number {
    if (this.pos + 4 > this.buf.length) this.fill(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  /** Unsigned 64-bit big-endian as a bigint. */
  u64be(what = 'a 64-bit integer'): bigint {
    const hi = this.u32be(what);
    const lo = this.u32be(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Unsigned 64-bit little-endian as a bigint. */
  u64le(what = 'a 64-bit integer'): bigint {
    const lo = this.u32le(what);
    const hi = this.u32le(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Signed 64-bit little-endian as a bigint. */
  i64le(what = 'a 64-bit integer'): bigint {
    return BigInt.asIntN(64, this.u64le(what));
  }

  /** IEEE-754 binary64 little-endian. */
  f64le(what = 'a double'): number {
    if (this.pos + 8 > this.buf.length) this.fill(8, what);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** IEEE-754 binary32 little-endian. */
  f32le(what = 'a float'): number {
    if (this.pos + 4 > this.buf.length) this.fill(4, what);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /**
   * Returns the next `n` bytes. The length is checked against the bytes that
   * remain before anything is allocated, so a forged length costs nothing.
   * The result may share memory with the window: treat it as read-only.
   */
  bytes(n: number, what = 'bytes'): Uint8Array {
    if (n < 0 || !Number.isSafeInteger(n)) {
      throw new DecodeError('rdb.bad-length', `invalid length ${n} reading ${what}`, this.offset);
    }
    if (this.pos + n <= this.buf.length) {
      const out = this.reuseWindow ? this.buf.slice(this.pos, this.pos + n) : this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    this.require(n, what);
    if (n <= this.chunkSize) {
      this.fill(n, what);
      const out = this.reuseWindow ? this.buf.slice(0, n) : this.buf.subarray(0, n);
      this.pos = n;
      return out;
    }
    // A field larger than a chunk: read it directly into its own buffer.
    const offset = this.offset;
    if (this.digest) this.feedDigest(offset);
    const out = new Uint8Array(n);
    const keep = this.buf.length - this.pos;
    out.set(this.buf.subarray(this.pos));
    let have = keep;
    while (have < n) {
      const got = this.source.read(offset + have, n - have);
      if (got.length === 0) throw truncated(offset, n, have, what);
      out.set(got, have);
      have += got.length;
    }
    if (this.digest) {
      this.digest.update(out, 0, n);
      this.digestPos = offset + n;
    }
    this.buf = EMPTY;
    this.bufStart = offset + n;
    this.pos = 0;
    return out;
  }

  /**
   * Like `bytes`, but never copies a field that lies in the window, even in
   * reuse mode: the result is only valid until the next read. For fields the
   * caller decodes at once and does not keep.
   */
  view(n: number, what = 'bytes'): Uint8Array {
    if (n >= 0 && this.pos + n <= this.buf.length) {
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    return this.bytes(n, what);
  }

  /** Skips `n` bytes, streaming them through the digest without keeping them. */
  skip(n: number, what = 'bytes'): void {
    if (n < 0 || !Number.isSafeInteger(n)) {
      throw new DecodeError('rdb.bad-length', `invalid length ${n} skipping ${what}`, this.offset);
    }
    if (this.pos + n <= this.buf.length) {
      this.pos += n;
      return;
    }
    this.require(n, what);
    let left = n - (this.buf.length - this.pos);
    this.pos = this.buf.length;
    while (left > 0) {
      const step = Math.min(left, this.chunkSize);
      this.fill(step, what);
      this.pos = step;
      left -= step;
    }
  }
}
