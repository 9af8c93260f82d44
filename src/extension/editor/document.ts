/**
 * One opened file of the custom editor and its worker session
 * (src/worker/editorWorker.ts): starts the worker, forwards requests and
 * replies, keeps the latest overview, and publishes the file's problems to the
 * Problems panel when indexing ends.
 *
 * Reads: a `file:` URI is read positionally by the worker itself (no copy in
 * the extension host, no size wall); any other scheme (git, remote, virtual)
 * goes through `workspace.fs.readFile`, which has no positional read — those
 * bytes are handed to the worker once.
 */

import * as path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { parseManifest } from '../../core/aof/manifest.js';
import { detectFormat } from '../../core/format.js';
import { formatOffset } from '../../core/model/problem.js';
import type { Overview, ProblemView, SessionInput, SessionMessage, SessionReply, SessionRequest } from '../../protocol/editor.js';

type Pending = { resolve: (r: SessionReply) => void; reject: (e: Error) => void };

/** Requests without the `id` the document assigns. */
type Ask = SessionRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class InspectDocument implements vscode.CustomDocument {
  private worker: Worker | undefined;
  private port: import('node:worker_threads').MessagePort | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  overview: Overview | undefined;
  private readonly overviewEmitter = new vscode.EventEmitter<Overview>();
  /** Fires on every overview the worker sends (first rows, progress, end). */
  readonly onDidChangeOverview = this.overviewEmitter.event;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private opened: Promise<void> | undefined;

  constructor(
    readonly uri: vscode.Uri,
    private readonly workerFile: string,
    private readonly diagnostics: vscode.DiagnosticCollection,
  ) {}

  /** Starts (or restarts) the worker and the indexing pass. */
  open(): Promise<void> {
    this.stop();
    this.overview = undefined;
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(this.workerFile, { workerData: { port: port2 }, transferList: [port2] });
    this.worker = worker;
    this.port = port1;
    port1.on('message', (m: SessionMessage) => this.receive(m));
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.failAll(new Error(`the editor's worker stopped (exit code ${code})`));
    });
    this.opened = (async () => {
      const input = await this.input();
      await this.ask({ type: 'open', input, nowMs: Date.now() });
    })();
    return this.opened;
  }

  private async input(): Promise<SessionInput> {
    if (this.uri.scheme === 'file') return { kind: 'path', path: this.uri.fsPath };
    const bytes = await vscode.workspace.fs.readFile(this.uri);
    const name = path.posix.basename(this.uri.path);
    if (detectFormat(bytes.subarray(0, 64)) === 'manifest' || name.endsWith('.manifest')) {
      // A manifest from another file system: read the files it lists beside it.
      const files: Record<string, Uint8Array> = {};
      const manifest = parseManifest(bytes);
      for (const e of manifest.entries) {
        if (e.type === 'h') continue;
        try {
          files[e.name] = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.uri, '..', e.name));
        } catch {
          // Reported by the session as a file that cannot be opened.
        }
      }
      return { kind: 'bytes', name, bytes, files };
    }
    return { kind: 'bytes', name, bytes };
  }

  private receive(m: SessionMessage): void {
    if (m.type === 'overview') {
      this.overview = m.overview;
      this.overviewEmitter.fire(m.overview);
      if (m.overview.index.done) this.publishProblems(m.overview);
      return;
    }
    if (m.type === 'reply') {
      const p = this.pending.get(m.replyTo);
      this.pending.delete(m.replyTo);
      p?.resolve(m.body);
      return;
    }
    if (m.type === 'error') {
      if (m.replyTo === undefined) return;
      const p = this.pending.get(m.replyTo);
      this.pending.delete(m.replyTo);
      p?.reject(new Error(m.message));
    }
  }

  /** Sends a request to the worker; resolves with its reply. */
  ask(req: Ask): Promise<SessionReply> {
    return new Promise((resolve, reject) => {
      if (!this.port) return reject(new Error('the document is closed'));
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ ...req, id } as SessionRequest);
    });
  }

  /** Stops the indexing pass (what was indexed stays browsable). */
  cancel(): void {
    this.port?.postMessage({ type: 'cancel' } satisfies SessionRequest);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private stop(): void {
    const w = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    this.failAll(new Error('reloaded'));
    if (w) void w.terminate();
  }

  /** The file's problems in the Problems panel (a set: on the file each is in). */
  private publishProblems(o: Overview): void {
    const byUri = new Map<string, vscode.Diagnostic[]>();
    const dir = vscode.Uri.joinPath(this.uri, '..');
    const textAof = o.kind === 'aof';
    for (const p of o.problems) {
      const uri = o.kind === 'manifest' && p.file && p.file !== o.name ? vscode.Uri.joinPath(dir, p.file) : this.uri;
      const list = byUri.get(uri.toString()) ?? [];
      list.push(toDiagnostic(p, textAof || (o.kind === 'manifest' && p.part !== undefined && !o.parts[p.part]?.rdb)));
      byUri.set(uri.toString(), list);
    }
    this.diagnostics.delete(this.uri);
    for (const part of o.parts) if (o.kind === 'manifest') this.diagnostics.delete(vscode.Uri.joinPath(dir, part.file));
    for (const [uri, list] of byUri) this.diagnostics.set(vscode.Uri.parse(uri), list);
  }

  dispose(): void {
    this.stop();
    this.disposeEmitter.fire();
    this.overviewEmitter.dispose();
    this.disposeEmitter.dispose();
  }
}

function latin1Of(b64: string): string {
  return Buffer.from(b64, 'base64').toString('latin1');
}

/** A problem in the Problems panel: offset (hex and decimal) first, then key and phase. */
export function toDiagnostic(p: ProblemView, textLines: boolean): vscode.Diagnostic {
  const severity = p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const ctx = [p.key ? `key ${JSON.stringify(latin1Of(p.key.b64))}` : '', p.db !== undefined ? `db ${p.db}` : '', p.phase ? `while ${p.phase}` : '', p.command ? `command ${p.command}` : '']
    .filter(Boolean)
    .join(', ');
  const line = textLines && p.line ? p.line - 1 : 0;
  const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 0), `${formatOffset(p.offset)}: ${p.message}${ctx ? ` (${ctx})` : ''}`, severity);
  d.code = p.code;
  d.source = 'Redis Inspector';
  return d;
}
