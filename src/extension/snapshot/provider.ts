/**
 * The `redis-snapshot` documents: the canonical text rendering (core/diff/render)
 * of the file a URI wraps — an RDB, an AOF (plain or hybrid, replayed into the
 * dataset redis-server would load) or a multi-part manifest (its BASE and INCR
 * files are read from the manifest's folder, in the same scheme and version).
 * The rendering runs in the worker thread (`render` request). `file:` URIs are
 * opened there by path and read positionally (no copy of the file in memory);
 * any other scheme (git, remote…) is read here through `workspace.fs`, and the
 * `git-head` variant with `git show HEAD:<file>`, and its bytes handed over. Open renderings are refreshed when a file
 * with the same path changes (for a manifest: any file in its folder).
 */

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileSource } from '../../cli/fileSource.js';
import { loadOrder, parseManifest } from '../../core/aof/manifest.js';
import { MemorySource, type ByteSource } from '../../core/bytes/byteSource.js';
import { persistenceKind } from '../../core/diff/render.js';
import type { RenderFile } from '../../protocol/worker.js';
import { requestInWorker } from '../workerRequest.js';
import { fromSnapshotUri, isManifestPath, SNAPSHOT_SCHEME, type SnapshotUriOptions } from './uri.js';

/** The committed version of a local file, via the git CLI (undefined when it has none). */
export function gitShowHead(fsPath: string): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', path.dirname(fsPath), 'show', `HEAD:./${path.basename(fsPath)}`],
      { encoding: 'buffer', maxBuffer: Number.MAX_SAFE_INTEGER, windowsHide: true },
      (err, stdout) => resolve(err ? undefined : new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length)),
    );
  });
}

/** A file next to `uri` (a manifest's BASE/INCR), in the same scheme — and for the git extension's URIs, the same ref. */
function sibling(uri: vscode.Uri, name: string): vscode.Uri {
  const p = path.posix.join(path.posix.dirname(uri.path), name);
  if (uri.scheme === 'git') {
    try {
      const q = JSON.parse(uri.query) as { path?: string };
      if (typeof q.path === 'string') q.path = path.join(path.dirname(q.path), name);
      return uri.with({ path: p, query: JSON.stringify(q) });
    } catch {
      // Not the git extension's query: the path alone.
    }
  }
  return uri.with({ path: p });
}

/** Reads a file of any scheme; undefined when it does not exist. */
async function readAny(uri: vscode.Uri, options: SnapshotUriOptions): Promise<{ source: ByteSource; close?: () => void } | undefined> {
  if (options.gitHead) {
    const bytes = uri.scheme === 'file' ? await gitShowHead(uri.fsPath) : undefined;
    return bytes ? { source: new MemorySource(bytes) } : undefined;
  }
  try {
    if (uri.scheme === 'file') {
      const file = new FileSource(uri.fsPath);
      return { source: file, close: () => file.close() };
    }
    return { source: new MemorySource(await vscode.workspace.fs.readFile(uri)) };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'FileNotFound' || (e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) return undefined;
    throw e;
  }
}

/** What the worker is sent for a file read by `readAny`: a local path it opens itself, or the bytes (other schemes, a git revision). */
function toRenderFile(name: string, source: ByteSource): RenderFile {
  return source instanceof FileSource ? { name, path: source.path } : { name, bytes: source.read(0, source.size) };
}

/** A manifest's BASE and INCR files, in load order, read beside it (any scheme; a file that cannot be read says why). */
async function manifestFiles(manifestUri: vscode.Uri, manifest: ByteSource, options: SnapshotUriOptions): Promise<RenderFile[]> {
  const parsed = parseManifest(manifest.read(0, manifest.size));
  if (!parsed.ok) return [];
  const files: RenderFile[] = [];
  for (const entry of loadOrder(parsed)) {
    try {
      const opened = await readAny(sibling(manifestUri, entry.name), options);
      files.push(opened ? toRenderFile(entry.name, opened.source) : { name: entry.name, error: 'No such file or directory' });
      opened?.close?.();
    } catch (e) {
      files.push({ name: entry.name, error: (e as Error).message });
    }
  }
  return files;
}

/**
 * The rendering of the file a `redis-snapshot` URI wraps, computed in the
 * worker thread (a replay or a multi-GB RDB must not hold up the extension host).
 */
export async function renderSnapshotDocument(uri: vscode.Uri, workerFile: string): Promise<string> {
  const parsed = fromSnapshotUri(uri);
  if (!parsed) return `# not a Redis snapshot URI: ${uri.toString(true)}\n`;
  const { original, options } = parsed;
  const base = path.posix.basename(original.path);
  let opened: Awaited<ReturnType<typeof readAny>>;
  try {
    opened = await readAny(original, options);
  } catch (e) {
    return `# could not read ${original.toString(true)}: ${(e as Error).message}\n`;
  }
  if (!opened) return options.gitHead ? `# ${base} has no committed version (git show HEAD failed)\n` : `# ${base} does not exist in this version\n`;
  try {
    const manifest = isManifestPath(original.path) || persistenceKind(opened.source, base) === 'manifest';
    const files = manifest ? await manifestFiles(original, opened.source, options) : [];
    const m = await requestInWorker(workerFile, { type: 'render', id: 1, files: [toRenderFile(base, opened.source), ...files], manifest, aux: options.aux ?? false });
    if (m.type !== 'rendered') throw new Error(`unexpected worker reply ${m.type}`);
    return m.text;
  } catch (e) {
    return `# could not render ${original.toString(true)}: ${(e as Error).message}\n`;
  } finally {
    opened.close?.();
  }
}

export class SnapshotContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly workerFile: string) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.{rdb,RDB,aof,AOF,manifest}');
    const refresh = (file: vscode.Uri) => this.refresh(file);
    this.subscriptions.push(this.watcher, this.changed, this.watcher.onDidChange(refresh), this.watcher.onDidCreate(refresh), this.watcher.onDidDelete(refresh));
  }

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    return renderSnapshotDocument(uri, this.workerFile);
  }

  /** Re-renders the open renderings of files with this path (any scheme: the HEAD side may change too), and of manifests in its folder. */
  refresh(file: vscode.Uri): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== SNAPSHOT_SCHEME) continue;
      const parsed = fromSnapshotUri(doc.uri);
      if (!parsed) continue;
      const o = parsed.original.path;
      if (o === file.path || (isManifestPath(o) && path.posix.dirname(o) === path.posix.dirname(file.path))) this.changed.fire(doc.uri);
    }
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
