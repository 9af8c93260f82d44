/**
 * Buffered synchronous output to stdout or a file. Synchronous writes keep
 * memory flat however much a dump prints (no queue of pending chunks), and
 * EAGAIN on a non-blocking pipe is retried instead of dropping data.
 */

import * as fs from 'node:fs';

const FLUSH_AT = 1 << 16;
const encoder = new TextEncoder();

export class Output {
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private parts: Uint8Array[] = [];
  private size = 0;

  /** `path` null writes to stdout. */
  constructor(path: string | null) {
    if (path) {
      this.fd = fs.openSync(path, 'w');
      this.ownsFd = true;
    } else {
      this.fd = 1;
      this.ownsFd = false;
    }
  }

  text(s: string): void {
    this.bytes(encoder.encode(s));
  }

  bytes(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    let off = 0;
    while (off < all.length) {
      try {
        off += fs.writeSync(this.fd, all, off, all.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          continue;
        }
        if (code === 'EPIPE') return; // The reader went away (e.g. `| head`): stop quietly.
        throw e;
      }
    }
  }

  close(): void {
    this.flush();
    if (this.ownsFd) fs.closeSync(this.fd);
  }
}
