/**
 * Positional, synchronous byte access — the one seam between the pure core and
 * wherever the bytes live (a file through `fs.readSync`, a `Uint8Array` from
 * `workspace.fs`, a `Blob` through `FileReaderSync` in a web worker).
 *
 * Reads are synchronous on purpose: every host we run in offers a synchronous
 * positional read off the UI thread, and a synchronous decoder is several times
 * faster than one that awaits a promise per record.
 */

/** A random-access byte source of known size. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Returns up to `length` bytes starting at `offset`. Returns fewer only when
   * the source ends first. The returned array is the caller's to keep.
   */
  read(offset: number, length: number): Uint8Array;
  /**
   * Optional: reads up to `length` bytes at `offset` into `target` at
   * `targetOffset`, returning how many were read (fewer only at the end).
   * Lets a reader reuse one buffer instead of allocating per read.
   */
  readInto?(offset: number, target: Uint8Array, targetOffset: number, length: number): number;
}

/** A `ByteSource` over bytes already in memory. */
export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.max(start, Math.min(offset + length, this.size));
    return this.bytes.subarray(start, end);
  }
}
