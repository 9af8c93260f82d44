/**
 * Byte offsets ↔ editor positions for a document given as bytes, counted as
 * VS Code counts them: lines end at `\r\n`, `\n` or a lone `\r` (its text
 * buffer treats all three as one line break each, and may rewrite them to the
 * file's dominant EOL, which changes no position); characters are UTF-16 code
 * units of the UTF-8-decoded text, where every maximal ill-formed subsequence
 * decodes to one U+FFFD — the WHATWG decoder's replacement, which is what
 * VS Code's `TextDecoder` does. A UTF-8 BOM is not part of the text.
 *
 * The line-start index is built once (one pass); a position is then a binary
 * search plus decoding the bytes of that line up to the offset.
 */

import type { ByteSource } from '../bytes/byteSource.js';

/** A zero-based line and UTF-16 character, as `vscode.Position`. */
export interface TextPosition {
  line: number;
  character: number;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Walks `bytes` as the WHATWG UTF-8 decoder reads them: one call per decoded
 * code point (`units` 1 or 2) or per maximal ill-formed subsequence (one
 * U+FFFD, `units` 1); a byte that ends an ill-formed subsequence is read again
 * as the start of the next. `visit` returning true stops the walk.
 */
function walkUtf8(bytes: Uint8Array, visit: (start: number, end: number, units: number) => boolean | void): void {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (visit(i, i + 1, 1)) return;
      i++;
      continue;
    }
    let needed: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) needed = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      needed = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      needed = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else {
      if (visit(i, i + 1, 1)) return;
      i++;
      continue;
    }
    let j = i + 1;
    let seen = 0;
    while (seen < needed && j < n) {
      const c = bytes[j]!;
      if (c < lower || c > upper) break;
      lower = 0x80;
      upper = 0xbf;
      seen++;
      j++;
    }
    if (visit(i, j, seen === needed && needed === 3 ? 2 : 1)) return;
    i = j;
  }
}

/** UTF-16 code units of `bytes` decoded as UTF-8 with replacement (the length of TextDecoder's string). */
export function utf16Length(bytes: Uint8Array): number {
  let units = 0;
  let ascii = 0;
  while (ascii < bytes.length && bytes[ascii]! < 0x80) ascii++;
  if (ascii === bytes.length) return ascii;
  walkUtf8(bytes.subarray(ascii), (_s, _e, u) => void (units += u));
  return ascii + units;
}

/**
 * UTF-16 character of byte `k` of a line's text (`bytes`, the whole line):
 * the code units of the characters that end at or before `k`, so an offset
 * inside a character maps to its start.
 */
export function characterIn(bytes: Uint8Array, k: number): number {
  let ascii = 0;
  while (ascii < k && bytes[ascii]! < 0x80) ascii++;
  if (ascii === k) return k;
  let units = ascii;
  walkUtf8(bytes.subarray(ascii), (_s, e, u) => {
    if (e + ascii > k) return true;
    units += u;
    return e + ascii >= k;
  });
  return units;
}

/** Byte of a line's text (`bytes`) where UTF-16 character `ch` is: the start of the character it falls in, or the end. */
export function byteOfCharacter(bytes: Uint8Array, ch: number): number {
  let units = 0;
  let found = bytes.length;
  walkUtf8(bytes, (s, _e, u) => {
    if (units + u > ch) {
      found = s;
      return true;
    }
    units += u;
    return false;
  });
  return found;
}

/** Growable list of line-start offsets. */
class Offsets {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

const CHUNK = 1 << 20;

/**
 * Line starts of a document's bytes and the mapping both ways. Works on any
 * `ByteSource` (a file read positionally, or bytes in memory); only the
 * line-start offsets are kept.
 */
export class LineIndex {
  /** Byte offset where each line's text starts. */
  private readonly starts: Float64Array;
  /** Number of lines (at least 1, as in VS Code: an empty document has one line). */
  readonly lineCount: number;
  readonly size: number;
  /** Length of a leading UTF-8 BOM (3) or 0: it is not part of the text. */
  readonly bom: number;

  private constructor(
    private readonly source: ByteSource,
    starts: Offsets,
    bom: number,
  ) {
    this.starts = starts.data.subarray(0, starts.length);
    this.lineCount = starts.length;
    this.size = source.size;
    this.bom = bom;
  }

  /** Indexes bytes in memory. */
  static fromBytes(bytes: Uint8Array): LineIndex {
    return LineIndex.build({ size: bytes.length, read: (o, n) => bytes.subarray(o, Math.min(bytes.length, o + n)) });
  }

  /** Indexes a source in one pass (1 MiB reads). */
  static build(source: ByteSource): LineIndex {
    const head = source.read(0, 3);
    const bom = head.length === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    const starts = new Offsets();
    starts.push(bom);
    let prevCr = false;
    for (let at = bom; at < source.size; ) {
      const chunk = source.read(at, CHUNK);
      if (chunk.length === 0) break;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b > CR) {
          prevCr = false;
          continue;
        }
        if (b === LF) {
          // `\r\n`: the break recorded at the `\r` moves past the `\n`.
          if (prevCr) starts.data[starts.length - 1] = at + i + 1;
          else starts.push(at + i + 1);
          prevCr = false;
        } else if (b === CR) {
          starts.push(at + i + 1);
          prevCr = true;
        } else prevCr = false;
      }
      at += chunk.length;
    }
    return new LineIndex(source, starts, bom);
  }

  /** Byte offset where line `line`'s text starts. */
  lineStart(line: number): number {
    return this.starts[line]!;
  }

  /** Byte offset where line `line`'s text ends (its line break, or the end). */
  lineEnd(line: number): number {
    if (line + 1 >= this.lineCount) return this.size;
    const next = this.starts[line + 1]!;
    const b = this.source.read(next - 2, 2);
    return b.length === 2 && b[0] === CR && b[1] === LF ? next - 2 : next - 1;
  }

  /** The line that byte `offset` is on (a line break belongs to the line it ends). */
  lineAt(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = this.lineCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** UTF-16 length of line `line`'s text. */
  lineLength(line: number): number {
    const start = this.lineStart(line);
    return utf16Length(this.source.read(start, this.lineEnd(line) - start));
  }

  /**
   * The position of byte `offset` (clamped to [0, size]). An offset inside a
   * multi-byte character maps to that character; one on a line break to the
   * end of its line.
   */
  positionAt(offset: number): TextPosition {
    const o = Math.max(0, Math.min(offset, this.size));
    const line = this.lineAt(o);
    const start = this.lineStart(line);
    const end = this.lineEnd(line);
    if (o <= start) return { line, character: 0 };
    const bytes = this.source.read(start, end - start);
    return { line, character: characterIn(bytes, Math.min(o, end) - start) };
  }

  /** The byte offset of a position (line and character clamped as VS Code clamps them). */
  offsetAt(pos: TextPosition): number {
    if (pos.line < 0) return this.lineStart(0);
    if (pos.line >= this.lineCount) return this.size;
    const start = this.lineStart(pos.line);
    if (pos.character <= 0) return start;
    const bytes = this.source.read(start, this.lineEnd(pos.line) - start);
    return start + byteOfCharacter(bytes, pos.character);
  }
}

/**
 * Positions of a few offsets in a source too large to index whole (only the
 * line starts of the asked offsets are kept): one pass in steps, so a caller
 * on a UI thread can yield between steps.
 */
export class SparsePositions {
  private readonly queries: number[];
  private next = 0;
  private at: number;
  private line = 0;
  private lineStart: number;
  /** A `\r` was the last byte: its line break counts once the next byte is known not to be `\n`. */
  private pendingCr = false;
  private readonly found = new Map<number, { line: number; lineStart: number }>();

  constructor(
    private readonly source: ByteSource,
    offsets: number[],
  ) {
    this.queries = [...new Set(offsets.map((o) => Math.max(0, Math.min(o, source.size))))].sort((a, b) => a - b);
    const head = source.read(0, 3);
    this.at = head.length === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    this.lineStart = this.at;
    // Offsets inside the BOM are at the start.
    while (!this.done && this.queries[this.next]! < this.at) this.found.set(this.queries[this.next++]!, { line: 0, lineStart: this.at });
  }

  get done(): boolean {
    return this.next >= this.queries.length;
  }

  /** Resolves the queries at `abs`, whose byte is `b` (-1 at the end). */
  private settle(abs: number, b: number): void {
    if (this.pendingCr && b !== LF) {
      this.line++;
      this.lineStart = abs;
      this.pendingCr = false;
    }
    while (!this.done && this.queries[this.next]! === abs) {
      this.found.set(abs, { line: this.line, lineStart: this.lineStart });
      this.next++;
    }
  }

  /** Scans up to `bytes` more; returns true when every offset has its line. */
  step(bytes = 16 * CHUNK): boolean {
    const stop = this.at + bytes;
    while (!this.done && this.at < stop) {
      const chunk = this.source.read(this.at, CHUNK);
      if (chunk.length === 0) break;
      const base = this.at;
      for (let i = 0; i < chunk.length && !this.done; i++) {
        const abs = base + i;
        const b = chunk[i]!;
        if (this.queries[this.next] === abs || this.pendingCr) this.settle(abs, b);
        if (b === LF) {
          this.line++;
          this.lineStart = abs + 1;
          this.pendingCr = false;
        } else if (b === CR) {
          this.pendingCr = true;
        }
      }
      this.at += chunk.length;
    }
    if (!this.done && this.at >= this.source.size) {
      this.settle(this.source.size, -1);
      // Anything left is past the end (clamped above, so nothing).
    }
    return this.done;
  }

  /** The position of one of the offsets (after `step()` returned true). */
  positionAt(offset: number): TextPosition {
    const o = Math.max(0, Math.min(offset, this.source.size));
    const f = this.found.get(o);
    if (!f) throw new Error(`offset ${offset} was not asked for or not scanned yet`);
    if (o <= f.lineStart) return { line: f.line, character: 0 };
    // The line up to the offset, plus the rest of a character the offset may be in.
    const bytes = this.source.read(f.lineStart, o - f.lineStart + 3);
    let end = o - f.lineStart;
    while (end < bytes.length && bytes[end] !== CR && bytes[end] !== LF) end++;
    let k = o - f.lineStart;
    // An offset on the `\n` of a `\r\n` is at the end of its line.
    if (k > 0 && bytes[k - 1] === CR) k--;
    return { line: f.line, character: characterIn(bytes.subarray(0, end), Math.min(k, end)) };
  }
}
