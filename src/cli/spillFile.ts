/**
 * The CLI's spill store for AOF replays (`src/core/aof/replay/spill.ts`): an
 * append-only temp file under the OS temp dir (`TMPDIR`), created when the
 * first 4 MiB of appends are written out (a replay that spills less never
 * touches the disk) and unlinked at once, so it goes with its descriptor:
 * on `close()`, at exit, or when the process is killed. (Where an open file
 * cannot be unlinked — Windows — its folder is removed on `close()` or at
 * exit.) Reads come from
 * the buffer or from the file through a window: 4 KiB where a key is looked
 * up, 1 MiB once reads go forward (a diff reads the file front to back).
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ByteSource } from '../core/bytes/byteSource.js';
import type { SpillStore } from '../core/aof/replay/spill.js';

const WRITE_BUFFER = 4 << 20;
const READ_WINDOW = 1 << 20;
const SMALL_READ = 4096;

const live = new Set<SpillFile>();
let exitHook = false;

export class SpillFile implements SpillStore {
  private dir: string | undefined;
  private fd = -1;
  /** Bytes in the file. */
  private flushed = 0;
  /** The write buffer, allocated on the first append. */
  private pending = new Uint8Array(0);
  private pendingUsed = 0;
  private window = new Uint8Array(0);
  private windowAt = 0;
  readonly source: ByteSource;

  /** `bufferBytes`: appends held before writing (default 4 MiB; nothing touches the disk below it). */
  constructor(
    private readonly parent = os.tmpdir(),
    private readonly bufferBytes = WRITE_BUFFER,
  ) {
    const size = (): number => this.flushed + this.pendingUsed;
    const read = (offset: number, length: number): Uint8Array => this.read(offset, length);
    this.source = {
      get size(): number {
        return size();
      },
      read,
    };
  }

  /** True once something was written to the disk. */
  get onDisk(): boolean {
    return this.fd >= 0;
  }

  append(bytes: Uint8Array): number {
    if (this.pending.length === 0) this.pending = new Uint8Array(this.bufferBytes);
    const at = this.flushed + this.pendingUsed;
    if (this.pendingUsed + bytes.length > this.pending.length) this.flush();
    if (bytes.length > this.pending.length) {
      this.writeAll(bytes);
      return at;
    }
    this.pending.set(bytes, this.pendingUsed);
    this.pendingUsed += bytes.length;
    return at;
  }

  private open(): void {
    if (this.fd >= 0) return;
    const dir = fs.mkdtempSync(path.join(this.parent, 'redis-inspect-spill-'));
    const file = path.join(dir, 'keys.spill');
    this.fd = fs.openSync(file, 'w+', 0o600);
    try {
      // Unlinked while open: the file lives as long as the descriptor, so even a killed process leaves nothing behind.
      fs.unlinkSync(file);
      fs.rmdirSync(dir);
    } catch {
      // Windows refuses to unlink an open file: remove it on close (or at exit).
      this.dir = dir;
      live.add(this);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const s of live) s.close();
        });
      }
    }
  }

  private writeAll(bytes: Uint8Array): void {
    this.open();
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.flushed + done);
    this.flushed += bytes.length;
  }

  private flush(): void {
    if (this.pendingUsed === 0) return;
    const n = this.pendingUsed;
    this.pendingUsed = 0;
    this.writeAll(this.pending.subarray(0, n));
  }

  private read(offset: number, length: number): Uint8Array {
    const end = Math.min(offset + length, this.flushed + this.pendingUsed);
    if (end <= offset) return new Uint8Array(0);
    if (offset >= this.flushed) return this.pending.slice(offset - this.flushed, end - this.flushed);
    const out = new Uint8Array(end - offset);
    const fromFile = Math.min(end, this.flushed) - offset;
    if (offset >= this.windowAt && offset + fromFile <= this.windowAt + this.window.length) {
      out.set(this.window.subarray(offset - this.windowAt, offset - this.windowAt + fromFile));
    } else if (fromFile >= READ_WINDOW) {
      this.readFile(out, 0, fromFile, offset);
    } else {
      // Reading on from inside or the end of the window is a forward scan: read ahead a lot; a key looked up is read with a little.
      const sequential = offset >= this.windowAt && offset <= this.windowAt + this.window.length;
      const n = Math.min(Math.max(sequential ? READ_WINDOW : SMALL_READ, fromFile), this.flushed - offset);
      const w = new Uint8Array(n);
      this.readFile(w, 0, n, offset);
      this.window = w;
      this.windowAt = offset;
      out.set(w.subarray(0, fromFile));
    }
    if (end > this.flushed) out.set(this.pending.subarray(0, end - this.flushed), fromFile);
    return out;
  }

  private readFile(into: Uint8Array, at: number, n: number, position: number): void {
    let have = 0;
    while (have < n) {
      const got = fs.readSync(this.fd, into, at + have, n - have, position + have);
      if (got === 0) throw new Error(`the spill file ${this.dir} is shorter than what was written to it`);
      have += got;
    }
  }

  /** Closes and removes the file and its folder. */
  close(): void {
    live.delete(this);
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    if (this.dir) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      this.dir = undefined;
    }
  }
}
