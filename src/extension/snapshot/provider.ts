/**
 * The `redis-snapshot` documents: the canonical text rendering (core/diff/render)
 * of the RDB file a URI wraps. `file:` URIs are read with positional reads (no
 * copy of the file in memory), any other scheme (git, remote…) through
 * `workspace.fs`, and the `git-head` variant with `git show HEAD:<file>`.
 * Open renderings are refreshed when an `.rdb` file with the same path changes.
 */

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileSource } from '../../cli/fileSource.js';
import { MemorySource, type ByteSource } from '../../core/bytes/byteSource.js';
import { renderSnapshot } from '../../core/diff/render.js';
import { fromSnapshotUri, SNAPSHOT_SCHEME, type SnapshotUriOptions } from './uri.js';

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

async function openSource(original: vscode.Uri, options: SnapshotUriOptions): Promise<{ source: ByteSource; close?: () => void } | string> {
  if (options.gitHead) {
    const bytes = original.scheme === 'file' ? await gitShowHead(original.fsPath) : undefined;
    return bytes ? { source: new MemorySource(bytes) } : `# ${path.basename(original.path)} has no committed version (git show HEAD failed)\n`;
  }
  try {
    if (original.scheme === 'file') {
      const file = new FileSource(original.fsPath);
      return { source: file, close: () => file.close() };
    }
    return { source: new MemorySource(await vscode.workspace.fs.readFile(original)) };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'FileNotFound' || (e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) {
      return `# ${path.basename(original.path)} does not exist in this version\n`;
    }
    return `# could not read ${original.toString(true)}: ${(e as Error).message}\n`;
  }
}

/** The rendering of the file a `redis-snapshot` URI wraps. */
export async function renderSnapshotDocument(uri: vscode.Uri): Promise<string> {
  const parsed = fromSnapshotUri(uri);
  if (!parsed) return `# not a Redis snapshot URI: ${uri.toString(true)}\n`;
  const opened = await openSource(parsed.original, parsed.options);
  if (typeof opened === 'string') return opened;
  try {
    const parts: string[] = [];
    renderSnapshot(opened.source, (t) => void parts.push(t), { aux: parsed.options.aux ?? false });
    return parts.join('');
  } catch (e) {
    return `# could not render ${parsed.original.toString(true)}: ${(e as Error).message}\n`;
  } finally {
    opened.close?.();
  }
}

export class SnapshotContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.{rdb,RDB}');
    const refresh = (file: vscode.Uri) => this.refresh(file);
    this.subscriptions.push(this.watcher, this.changed, this.watcher.onDidChange(refresh), this.watcher.onDidCreate(refresh), this.watcher.onDidDelete(refresh));
  }

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    return renderSnapshotDocument(uri);
  }

  /** Re-renders the open renderings of files with this path (any scheme: the HEAD side may change too). */
  refresh(file: vscode.Uri): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== SNAPSHOT_SCHEME) continue;
      const parsed = fromSnapshotUri(doc.uri);
      if (parsed && parsed.original.path === file.path) this.changed.fire(doc.uri);
    }
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
