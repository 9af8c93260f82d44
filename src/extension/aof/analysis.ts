/**
 * One reading of an AOF text document, shared by diagnostics, hover, symbols,
 * folding and "Go to Byte Offset": the document's bytes (the file on disk when
 * the editor holds exactly that, else the text re-encoded), their line index,
 * and the commands in compact columns. Cached per document version.
 */

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parseAof, type AofCommand, type AofResult } from '../../core/aof/aofParser.js';
import { MemorySource } from '../../core/bytes/byteSource.js';
import { LineIndex } from '../../core/text/positions.js';

export const AOF_LANGUAGE = 'redis-aof';
export const MANIFEST_LANGUAGE = 'redis-aof-manifest';

/** Commands as columns (a 50 MB AOF holds millions). */
export interface CommandColumns {
  count: number;
  start: number[];
  end: number[];
  db: number[];
  /** Index of the MULTI of the transaction, or -1. */
  tx: number[];
  /** `#TS` seconds, or -1. */
  ts: number[];
  name: string[];
  afterDamage: Set<number>;
}

export interface AofAnalysis {
  uri: string;
  version: number;
  /** Where the bytes came from: 'disk' (byte-exact) or 'text' (the editor's text as UTF-8). */
  origin: 'disk' | 'text';
  bytes: Uint8Array;
  index: LineIndex;
  result: AofResult;
  commands: CommandColumns;
  /** `#` annotation lines. */
  annotations: { start: number; end: number; timestampSec?: number }[];
  /** Offsets where a record may start: 0, the RESP tail, after each command, annotation and skipped range. */
  boundaries: number[];
}

/** The document's bytes, byte-exact when they can be (the file on disk, when it is what the editor shows). */
export async function documentBytes(doc: vscode.TextDocument): Promise<{ bytes: Uint8Array; origin: 'disk' | 'text'; index: LineIndex }> {
  if (!doc.isDirty && doc.uri.scheme !== 'untitled') {
    try {
      const disk = doc.uri.scheme === 'file' ? new Uint8Array(await fs.promises.readFile(doc.uri.fsPath)) : await vscode.workspace.fs.readFile(doc.uri);
      const index = LineIndex.fromBytes(disk);
      // The editor may have changed since (or decoded the file otherwise): the line count must agree.
      if (index.lineCount === doc.lineCount) return { bytes: disk, origin: 'disk', index };
    } catch {
      // Fall back to the text.
    }
  }
  const bytes = new TextEncoder().encode(doc.getText());
  return { bytes, origin: 'text', index: LineIndex.fromBytes(bytes) };
}

/** Parses bytes into an analysis (no problems are lost: the parse keeps reading after damage). */
export function analyse(uri: string, version: number, origin: 'disk' | 'text', bytes: Uint8Array, index: LineIndex, fileName: string): AofAnalysis {
  const cols: CommandColumns = { count: 0, start: [], end: [], db: [], tx: [], ts: [], name: [], afterDamage: new Set() };
  const annotations: AofAnalysis['annotations'] = [];
  const boundaries: number[] = [0];
  const result = parseAof(
    new MemorySource(bytes),
    {
      command(c: AofCommand) {
        const i = cols.count++;
        cols.start.push(c.start);
        cols.end.push(c.end);
        cols.db.push(c.db);
        cols.tx.push(c.transaction ?? -1);
        cols.ts.push(c.timestampSec ?? -1);
        cols.name.push(c.name);
        if (c.afterDamage) cols.afterDamage.add(i);
        boundaries.push(c.end);
      },
      annotation(a) {
        annotations.push({ start: a.start, end: a.end, ...(a.timestampSec !== undefined ? { timestampSec: a.timestampSec } : {}) });
        boundaries.push(a.end);
      },
      problem(p) {
        if (p.code === 'aof.unparsed' && p.end !== undefined) boundaries.push(p.end);
      },
    },
    { fileName, rdb: { keepStrings: false, reuseBuffers: true } },
  );
  boundaries.push(result.tailStart);
  boundaries.sort((a, b) => a - b);
  return { uri, version, origin, bytes, index, result, commands: cols, annotations, boundaries };
}

const cache = new Map<string, { version: number; promise: Promise<AofAnalysis> }>();

/** The analysis of a document at its current version (computed once per version). */
export function getAnalysis(doc: vscode.TextDocument): Promise<AofAnalysis> {
  const key = doc.uri.toString();
  const hit = cache.get(key);
  if (hit && hit.version === doc.version) return hit.promise;
  const version = doc.version;
  const promise = documentBytes(doc).then(({ bytes, origin, index }) => analyse(key, version, origin, bytes, index, baseName(doc.uri)));
  cache.set(key, { version, promise });
  promise.catch(() => cache.delete(key));
  return promise;
}

export function forgetAnalysis(uri: vscode.Uri): void {
  cache.delete(uri.toString());
}

export function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** Index of the command whose record contains `offset`, or -1. */
export function commandAt(cols: CommandColumns, offset: number): number {
  let lo = 0;
  let hi = cols.count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (cols.start[mid]! <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && offset < cols.end[found]! ? found : -1;
}

/** The arguments of a well-formed record (`*n\r\n` then `$len\r\n<bytes>\r\n` each). */
export function recordArgs(bytes: Uint8Array, start: number, end: number): Uint8Array[] {
  const args: Uint8Array[] = [];
  let p = start;
  const readNumber = (): number => {
    p++; // '*' or '$'
    let v = 0;
    let neg = false;
    if (bytes[p] === 0x2d) {
      neg = true;
      p++;
    }
    while (p < end && bytes[p]! >= 0x30 && bytes[p]! <= 0x39) v = v * 10 + (bytes[p++]! - 0x30);
    while (p < end && bytes[p] !== 0x0a) p++;
    p++;
    return neg ? -v : v;
  };
  const argc = readNumber();
  for (let i = 0; i < argc && p < end; i++) {
    const len = readNumber();
    args.push(bytes.subarray(p, Math.min(end, p + len)));
    p += len + 2;
  }
  return args;
}

/** An `AofCommand` with its arguments, for `commandText`. */
export function commandWithArgs(a: AofAnalysis, i: number): AofCommand {
  const c = a.commands;
  const args = recordArgs(a.bytes, c.start[i]!, c.end[i]!);
  return { index: i, start: c.start[i]!, end: c.end[i]!, line: 0, argc: args.length, name: c.name[i]!, db: c.db[i]!, args };
}

export function toPosition(a: AofAnalysis, offset: number): vscode.Position {
  const p = a.index.positionAt(offset);
  return new vscode.Position(p.line, p.character);
}

/** The range of bytes `[start, end)`, without the line break that ends it. */
export function toRange(a: AofAnalysis, start: number, end: number): vscode.Range {
  return new vscode.Range(toPosition(a, start), toPosition(a, trimBreak(a.bytes, start, end)));
}

/** `end` moved back over trailing CR/LF bytes (never before `start`). */
export function trimBreak(bytes: Uint8Array, start: number, end: number): number {
  let e = end;
  while (e > start && (bytes[e - 1] === 0x0a || bytes[e - 1] === 0x0d)) e--;
  return e;
}

export function isAofDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === AOF_LANGUAGE;
}
