/**
 * "Compare Key by Key…": the key-level diff of two local persistence files
 * (RDB, AOF, manifest or appendonlydir, in any combination) in a view of its
 * own (src/webview/diff/main.ts): changed keys with their before and after
 * side by side, filterable, with counts per type. The diff runs in the worker
 * thread (src/worker/worker.ts, the CLI's `diff --json`), never in the
 * extension host.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DiffHostMessage, DiffJson, DiffRenderedState, DiffTestAction, DiffViewMessage } from '../../protocol/diffView.js';
import type { WorkerRequest } from '../../protocol/worker.js';
import { requestInWorker, workerPath } from '../workerRequest.js';
import { AOF_VIEW_TYPE, VIEW_TYPE, type EditorTestApi } from '../editor/provider.js';
import { webviewHtml } from '../webviewHtml.js';

const VIEW = 'redisInspector.diffView';

/** Test hooks: the open diff panels by "A\0B", and an action run in one. */
export interface DiffViewTestApi {
  act(a: vscode.Uri, b: vscode.Uri, action: DiffTestAction, timeoutMs?: number): Promise<DiffRenderedState>;
}


/** A Redis glob that matches exactly `key` (its special characters escaped). */
function exactGlob(key: string): string {
  return key.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

class DiffPanel {
  /** Cancels the diff in progress (terminating its worker). */
  private running: vscode.CancellationTokenSource | undefined;
  private readonly waiters: ((s: DiffRenderedState) => void)[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly a: vscode.Uri,
    readonly b: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    private readonly editor: EditorTestApi,
  ) {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')] };
    webview.html = this.html(webview);
    webview.onDidReceiveMessage((m: DiffViewMessage) => void this.onMessage(m));
    panel.onDidDispose(() => {
      this.running?.cancel();
      this.running?.dispose();
    });
  }

  private post(m: DiffHostMessage): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: DiffViewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'refresh':
        this.run();
        return;
      case 'reveal': {
        const uri = m.side === 'a' ? this.a : this.b;
        await vscode.commands.executeCommand('vscode.openWith', uri, uri.path.endsWith('.aof') ? AOF_VIEW_TYPE : VIEW_TYPE, vscode.ViewColumn.Beside);
        // The same path the user takes: type the key's exact pattern into the inspector's filter.
        if (m.key) await this.editor.act(uri, { kind: 'filter', filter: { pattern: exactGlob(m.key) } }).catch(() => undefined);
        return;
      }
      case 'rendered':
        for (const w of this.waiters.splice(0)) w(m.state);
        return;
    }
  }

  /** Test hook: runs `action` in the webview and resolves with what it drew. */
  act(action: DiffTestAction, timeoutMs: number): Promise<DiffRenderedState> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the diff view did not answer ${JSON.stringify(action)}`)), timeoutMs);
      this.waiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.post({ type: 'test', action });
    });
  }

  /** Computes the diff in a fresh worker and sends it to the view. */
  private run(): void {
    this.running?.cancel();
    this.running?.dispose();
    const running = (this.running = new vscode.CancellationTokenSource());
    this.post({ type: 'progress', message: `Comparing ${path.basename(this.a.fsPath)} with ${path.basename(this.b.fsPath)}…` });
    const request: WorkerRequest = { type: 'diff', id: 1, a: this.a.fsPath, b: this.b.fsPath, maxChanges: MAX_CHANGES };
    requestInWorker(workerPath(this.context), request, { token: running.token }).then(
      (m) => {
        if (this.running !== running) return;
        if (m.type !== 'diffed') this.post({ type: 'failed', failure: { message: `unexpected worker reply ${m.type}` } });
        else if ('failure' in m) this.post({ type: 'failed', failure: { message: m.failure } });
        else this.post({ type: 'diff', diff: JSON.parse(m.json) as DiffJson, shown: m.shown, total: m.total });
      },
      (e: Error) => {
        if (this.running === running && !(e instanceof vscode.CancellationError)) this.post({ type: 'failed', failure: { message: e.message } });
      },
    );
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.context.extensionUri, { title: 'Key-level diff', stylesheet: 'diff.css', script: 'diffView.js' });
  }
}

/** Changes sent to the view with their details (the summary counts every change). */
const MAX_CHANGES = 20_000;

const panels = new Map<string, DiffPanel>();

/** `redisInspector.compareKeyLevel`: (A, B), (clicked, [both selected]) from the explorer, or A and a file picked. */
async function compare(context: vscode.ExtensionContext, editor: EditorTestApi, arg?: unknown, second?: unknown): Promise<vscode.WebviewPanel | undefined> {
  const uris = Array.isArray(second) ? second.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  let a = arg instanceof vscode.Uri ? arg : undefined;
  let b = second instanceof vscode.Uri ? second : undefined;
  if (uris.length === 2) [a, b] = uris as [vscode.Uri, vscode.Uri];
  if (!a) {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) a = input.uri;
  }
  if (!a) {
    void vscode.window.showWarningMessage('Redis Inspector: select or open an RDB or AOF file to compare.');
    return undefined;
  }
  if (!b) {
    const picked = await vscode.window.showOpenDialog({
      title: `Compare ${path.basename(a.fsPath)} with…`,
      canSelectMany: false,
      defaultUri: vscode.Uri.joinPath(a, '..'),
      filters: { 'Redis persistence files': ['rdb', 'aof', 'manifest'], 'All files': ['*'] },
    });
    b = picked?.[0];
    if (!b) return undefined;
  }
  if (a.scheme !== 'file' || b.scheme !== 'file') {
    void vscode.window.showWarningMessage('Redis Inspector: the key-level diff compares local files; use Compare Snapshot With… for other sources.');
    return undefined;
  }
  const key = `${a.toString()}\u0000${b.toString()}`;
  const existing = panels.get(key);
  if (existing) {
    existing.panel.reveal();
    return existing.panel;
  }
  const panel = vscode.window.createWebviewPanel(VIEW, `${path.basename(a.fsPath)} ↔ ${path.basename(b.fsPath)} (keys)`, vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: true });
  const p = new DiffPanel(context, a, b, panel, editor);
  panels.set(key, p);
  panel.onDidDispose(() => panels.delete(key));
  return panel;
}

/** Registers "Compare Key by Key…" and returns the test hooks. */
export function registerDiffView(context: vscode.ExtensionContext, editor: EditorTestApi): DiffViewTestApi {
  context.subscriptions.push(vscode.commands.registerCommand('redisInspector.compareKeyLevel', (arg?: unknown, second?: unknown) => compare(context, editor, arg, second)));
  return {
    act(a, b, action, timeoutMs = 30_000) {
      const p = panels.get(`${a.toString()}\u0000${b.toString()}`);
      if (!p) return Promise.reject(new Error('no diff view of these files is open'));
      return p.act(action, timeoutMs);
    },
  };
}
