/**
 * The Node implementation of the core's `ByteSource`: positional `fs.readSync`
 * on an open file descriptor, so the core streams a multi-GB file without
 * loading it.
 */

import * as fs from 'node:fs';
import type { ByteSource } from '../core/bytes/byteSource.js';

/** A file opened for positional reads. Call `close()` when done. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    try {
      const st = fs.fstatSync(this.fd);
      if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
      this.size = st.size;
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }

  read(offset: number, length: number): Uint8Array {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.allocUnsafe(n);
    let have = 0;
    while (have < n) {
      const got = fs.readSync(this.fd, buf, have, n - have, offset + have);
      if (got === 0) break;
      have += got;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, have);
  }

  readInto(offset: number, target: Uint8Array, targetOffset: number, length: number): number {
    const n = Math.max(0, Math.min(length, this.size - offset));
    let have = 0;
    while (have < n) {
      const got = fs.readSync(this.fd, target, targetOffset + have, n - have, offset + have);
      if (got === 0) break;
      have += got;
    }
    return have;
  }

  /** Closes the file; a second call does nothing (closing a descriptor number twice could close a file opened since). */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    fs.closeSync(fd);
  }
}
