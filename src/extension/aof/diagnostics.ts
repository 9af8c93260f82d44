/**
 * Live diagnostics for `redis-aof` and `redis-aof-manifest` documents: on
 * open, on save and (debounced) on change, the document's bytes are read as
 * the CLI reads them and every problem lands on its byte range, with the
 * CLI's codes and messages. A damaged AOF also gets an Information
 * diagnostic with redis-check-aof's verdict ("valid up to …"), and the status
 * bar shows the verdict of the active AOF editor. AOF files above 50 MB are
 * checked in the worker thread, off the extension host.
 */

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AofResult } from '../../core/aof/aofParser.js';
import { loadOrder, parseManifest, type ManifestEntry } from '../../core/aof/manifest.js';
import { formatOffset, type Problem } from '../../core/model/problem.js';
import { problemContext } from '../../core/report.js';
import { SparsePositions } from '../../core/text/positions.js';
import { FileSource } from '../../cli/fileSource.js';
import { requestInWorker, workerPath } from '../workerRequest.js';
import { AOF_LANGUAGE, baseName, documentBytes, forgetAnalysis, getAnalysis, MANIFEST_LANGUAGE, toRange, trimBreak, type AofAnalysis } from './analysis.js';

export const DIAGNOSTIC_SOURCE = 'redis-aof';
const DEBOUNCE_MS = 300;

/** Files above this size are checked in the worker (env override for tests). */
function workerThreshold(): number {
  const env = process.env.REDIS_INSPECTOR_AOF_WORKER_BYTES;
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : 50 * 1024 * 1024;
}

function severityOf(p: Problem): vscode.DiagnosticSeverity {
  return p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/** `0x1F (31): message (context)`, as the Check command words it. */
export function diagnosticMessage(p: Problem): string {
  const ctx = problemContext(p);
  return `${formatOffset(p.offset)}: ${p.message}${ctx ? ` (${ctx})` : ''}`;
}

function makeDiagnostic(range: vscode.Range, p: Problem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, diagnosticMessage(p), severityOf(p));
  d.code = p.code;
  d.source = DIAGNOSTIC_SOURCE;
  return d;
}

/** The verdict in a few words: "valid" or "valid up to offset 0x1F (31)". */
export function verdictText(r: AofResult): string {
  if (r.ok) return 'valid';
  if (r.preambleDamaged) return 'damaged in its RDB preamble';
  return `valid up to offset ${formatOffset(r.validUpTo)}`;
}

/** Locates the bytes a problem is about. */
interface Locator {
  size: number;
  /** Start of the record containing `offset` (the last record boundary at or before it). */
  recordStart?(offset: number): number;
  /** Where reading resumed after `offset` (the next command), or the end. */
  nextStart?(offset: number): number;
}

/** Byte range of a problem: its own, or for a failed record from the record's start to where reading resumed. */
export function problemSpan(p: Problem, r: AofResult, loc: Locator): [number, number] {
  const size = loc.size;
  if (p.end !== undefined) return [p.offset, Math.max(p.offset, p.end)];
  if (p.severity === 'error' && p.phase === 'read-resp' && p.code.startsWith('aof.') && p.code !== 'aof.unparsed') {
    const first = r.problems.find((q) => q.severity === 'error') === p;
    let start: number;
    if (p.code === 'aof.unclosed-multi') start = r.validUpTo;
    else if (loc.recordStart) start = loc.recordStart(p.offset);
    else start = first ? Math.min(r.validUpTo, p.offset) : p.offset;
    const end = p.offset >= size ? size : loc.nextStart ? loc.nextStart(p.offset) : Math.min(size, p.offset + 1);
    return [start, Math.max(start, end)];
  }
  return [Math.min(p.offset, size), Math.min(size, p.offset + 1)];
}

function analysisLocator(a: AofAnalysis): Locator {
  const b = a.boundaries;
  const starts = a.commands.start;
  return {
    size: a.bytes.length,
    recordStart(offset) {
      let lo = 0;
      let hi = b.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (b[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return Math.min(b[lo]!, offset);
    },
    nextStart(offset) {
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! > offset) hi = mid;
        else lo = mid + 1;
      }
      return lo < starts.length ? starts[lo]! : a.bytes.length;
    },
  };
}

/** The diagnostics of an analysed AOF. */
export function aofDiagnostics(a: AofAnalysis): vscode.Diagnostic[] {
  const r = a.result;
  const loc = analysisLocator(a);
  const out = r.problems.map((p) => {
    const [s, e] = problemSpan(p, r, loc);
    return makeDiagnostic(toRange(a, s, Math.max(s, e)), p);
  });
  const verdict = verdictDiagnostic(r, (s, e) => toRange(a, s, e));
  if (verdict) out.push(verdict);
  return out;
}

function verdictDiagnostic(r: AofResult, range: (start: number, end: number) => vscode.Range): vscode.Diagnostic | undefined {
  if (r.ok || r.preambleDamaged) return undefined;
  const d = new vscode.Diagnostic(
    range(r.validUpTo, r.size),
    `redis-check-aof: ${verdictText(r)}; \`redis-inspect fix\` truncates the ${r.size - r.validUpTo} bytes after it, as redis-check-aof --fix does`,
    vscode.DiagnosticSeverity.Information,
  );
  d.code = 'aof.valid-up-to';
  d.source = DIAGNOSTIC_SOURCE;
  return d;
}


const tick = () => new Promise<void>((r) => setImmediate(r));

/** Diagnostics of a large AOF on disk: checked in the worker, positions found in one stepped pass. */
async function workerDiagnostics(context: vscode.ExtensionContext, file: string): Promise<{ result: AofResult; diagnostics: vscode.Diagnostic[] }> {
  const m = await requestInWorker(workerPath(context), { type: 'check', id: 1, path: file });
  if (m.type !== 'result') throw new Error(`unexpected worker reply ${m.type}`);
  const report = m.report;
  if (report.kind !== 'aof') throw new Error(`${file} was not read as a single AOF`);
  const r = report.result;
  const loc: Locator = { size: r.size };
  const spans = r.problems.map((p) => problemSpan(p, r, loc));
  const src = new FileSource(file);
  try {
    const wanted = spans.flat();
    if (!r.ok && !r.preambleDamaged) wanted.push(r.validUpTo, r.size);
    // Range ends without their trailing line break, as in memory.
    const ends = new Map<number, number>();
    for (const [s, e] of [...spans, [r.validUpTo, r.size] as [number, number]]) {
      const from = Math.max(s, e - 2);
      const tail = src.read(from, e - from);
      const trimmed = from + trimBreak(tail, 0, tail.length);
      ends.set(e, trimmed);
      wanted.push(trimmed);
    }
    const positions = new SparsePositions(src, wanted);
    while (!positions.step()) await tick();
    const pos = (o: number) => {
      const p = positions.positionAt(o);
      return new vscode.Position(p.line, p.character);
    };
    const range = (s: number, e: number) => new vscode.Range(pos(s), pos(Math.max(s, ends.get(e) ?? e)));
    const diagnostics = r.problems.map((p, i) => makeDiagnostic(range(spans[i]![0], spans[i]![1]), p));
    const verdict = verdictDiagnostic(r, range);
    if (verdict) diagnostics.push(verdict);
    return { result: r, diagnostics };
  } finally {
    src.close();
  }
}

/** Byte range of the file name token on a manifest line (the value after `file`), or the whole line. */
export function fileNameSpan(bytes: Uint8Array, e: ManifestEntry): [number, number] {
  const tokens: [number, number][] = [];
  let p = e.start;
  while (p < e.end) {
    while (p < e.end && (bytes[p] === 0x20 || bytes[p] === 0x09 || bytes[p] === 0x0d)) p++;
    if (p >= e.end) break;
    const start = p;
    const q = bytes[p];
    if (q === 0x22 || q === 0x27) {
      p++;
      while (p < e.end && bytes[p] !== q) p += bytes[p] === 0x5c ? 2 : 1;
      p = Math.min(e.end, p + 1);
    } else {
      while (p < e.end && bytes[p] !== 0x20 && bytes[p] !== 0x09 && bytes[p] !== 0x0d) p++;
    }
    tokens.push([start, p]);
  }
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    const [s, t] = tokens[i]!;
    if (String.fromCharCode(...bytes.subarray(s, t)).toLowerCase() === 'file') return tokens[i + 1]!;
  }
  return [e.start, e.end];
}

/** The URI of a file a manifest lists (names are bytes; shown as UTF-8). */
export function listedFileUri(manifest: vscode.Uri, name: string): vscode.Uri {
  const utf8 = new TextDecoder().decode(Uint8Array.from(name, (ch) => ch.charCodeAt(0)));
  return vscode.Uri.joinPath(manifest, '..', utf8);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Manifest problems, and every BASE/INCR file it lists that does not exist. */
export async function manifestDiagnostics(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
  const { bytes, index } = await documentBytes(doc);
  const m = parseManifest(bytes);
  const pos = (o: number) => {
    const p = index.positionAt(o);
    return new vscode.Position(p.line, p.character);
  };
  const range = (s: number, e: number) => new vscode.Range(pos(s), pos(Math.max(s, trimBreak(bytes, s, e))));
  const out = m.problems.map((p) => makeDiagnostic(range(p.offset, p.end ?? Math.min(bytes.length, p.offset + 1)), p));
  for (const e of loadOrder(m)) {
    if (await exists(listedFileUri(doc.uri, e.name))) continue;
    const [s, t] = fileNameSpan(bytes, e);
    out.push(
      makeDiagnostic(range(s, t), {
        code: 'aof.cannot-open',
        severity: 'error',
        offset: e.start,
        end: e.end,
        // The words of the CLI's check of the set (core/aof/aofSet.ts).
        message: `Cannot open file ${e.name}: No such file or directory (listed at manifest line ${e.line}); redis-server refuses to start ("Unable to obtain the AOF file … length")`,
        phase: 'read-manifest',
      }),
    );
  }
  return out;
}

/** Keeps the 'redis-aof' diagnostics and the status bar item up to date. */
export class AofDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('redis-aof');
  private readonly status = vscode.window.createStatusBarItem('redisInspector.aofVerdict', vscode.StatusBarAlignment.Left, 10);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Latest run per document, so an older run finishing late does not win. */
  private readonly runs = new Map<string, number>();
  private readonly verdicts = new Map<string, AofResult>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private runCounter = 0;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.status.name = 'Redis AOF verdict';
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document, DEBOUNCE_MS);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatus()),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    this.updateStatus();
  }

  private relevant(doc: vscode.TextDocument): boolean {
    return doc.languageId === AOF_LANGUAGE || doc.languageId === MANIFEST_LANGUAGE;
  }

  schedule(doc: vscode.TextDocument, delay: number): void {
    const key = doc.uri.toString();
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    if (!this.relevant(doc)) {
      // A language change away from ours.
      if (this.collection.has(doc.uri)) this.forget(doc);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.run(doc);
      }, delay),
    );
  }

  private forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.runs.delete(key);
    this.verdicts.delete(key);
    this.collection.delete(doc.uri);
    forgetAnalysis(doc.uri);
    this.updateStatus();
  }

  private async run(doc: vscode.TextDocument): Promise<void> {
    if (doc.isClosed) return;
    const key = doc.uri.toString();
    const id = ++this.runCounter;
    this.runs.set(key, id);
    try {
      let diagnostics: vscode.Diagnostic[];
      if (doc.languageId === MANIFEST_LANGUAGE) {
        diagnostics = await manifestDiagnostics(doc);
      } else {
        const big = doc.uri.scheme === 'file' && !doc.isDirty && (await fileSize(doc.uri.fsPath)) > workerThreshold();
        if (big) {
          const { result, diagnostics: d } = await workerDiagnostics(this.context, doc.uri.fsPath);
          diagnostics = d;
          if (this.runs.get(key) === id) this.verdicts.set(key, result);
        } else {
          const a = await getAnalysis(doc);
          diagnostics = aofDiagnostics(a);
          if (this.runs.get(key) === id) this.verdicts.set(key, a.result);
        }
      }
      if (this.runs.get(key) !== id || doc.isClosed) return;
      this.collection.set(doc.uri, diagnostics);
      this.updateStatus();
    } catch (e) {
      if (this.runs.get(key) !== id) return;
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `could not read ${baseName(doc.uri)}: ${(e as Error).message}`, vscode.DiagnosticSeverity.Warning);
      d.source = DIAGNOSTIC_SOURCE;
      this.collection.set(doc.uri, [d]);
    }
  }

  private updateStatus(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const r = doc && doc.languageId === AOF_LANGUAGE ? this.verdicts.get(doc.uri.toString()) : undefined;
    if (!r) {
      this.status.hide();
      return;
    }
    this.status.text = r.ok ? '$(pass) AOF valid' : `$(warning) AOF ${verdictText(r)}`;
    this.status.tooltip = r.ok
      ? `redis-check-aof: valid (${r.commands} commands)`
      : `redis-check-aof: ${verdictText(r)}; ${r.size - r.validUpTo} bytes after it${r.checkerMessage ? `\n"${r.checkerMessage}"` : ''}`;
    this.status.command = r.ok ? undefined : { title: 'Go to the first damage', command: 'redisInspector.goToOffset', arguments: [r.validUpTo] };
    this.status.show();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
    this.status.dispose();
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch {
    return 0;
  }
}
