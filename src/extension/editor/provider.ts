/**
 * The custom editor (`redisInspector.editor`): RDB files and multi-part AOF
 * manifests open in it by default, every AOF can be reopened in it. The
 * webview (src/webview/main.ts) shows a virtual tree and asks for pages; this
 * provider relays its requests to the document's worker session, and does
 * what needs VS Code: the clipboard, the Hex Editor, the Problems panel, the
 * AOF repairs (src/extension/aof/repairCommands.ts) and their undo.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatOffset } from '../../core/model/problem.js';
import type { HostMessage, Overview, RepairView, TestAction, WebviewRequest, RenderedState } from '../../protocol/editor.js';
import { lastRepair, onDidRepair, planRepairChoices, type RepairArgs } from '../aof/repairCommands.js';
import { InspectDocument } from './document.js';
import { activeTokenColors, onDidChangeTokenColors } from './tokenColors.js';
import { webviewHtml } from '../webviewHtml.js';

/** Default editor of `*.rdb` and `*.manifest`. */
export const VIEW_TYPE = 'redisInspector.editor';
/** The same editor, offered for `*.aof` ("Reopen Editor With…"): the text editor stays their default. */
export const AOF_VIEW_TYPE = 'redisInspector.aofEditor';
const HEX_EDITOR = 'ms-vscode.hexeditor';

/** What the tests can reach (returned by the extension's `activate`). */
export interface EditorTestApi {
  /** Panels by document URI string. */
  panels: Map<string, vscode.WebviewPanel>;
  /** Asks the webview of `uri` to act as the user would and resolves with what it rendered. */
  act(uri: vscode.Uri, action: TestAction, timeoutMs?: number): Promise<RenderedState>;
  /** The latest overview of `uri`. */
  overview(uri: vscode.Uri): Overview | undefined;
  /** Answers the repair dialogs with yes (tests). */
  autoConfirm: boolean;
  /** What the last clipboard action wrote. */
  lastCopy?: string;
}

export class InspectEditorProvider implements vscode.CustomReadonlyEditorProvider<InspectDocument> {
  private readonly docs = new Map<string, InspectDocument>();
  readonly test: EditorTestApi;
  private readonly waiters = new Map<string, ((s: RenderedState) => void)[]>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly diagnostics: vscode.DiagnosticCollection,
  ) {
    const panels = new Map<string, vscode.WebviewPanel>();
    const docs = this.docs;
    const waiters = this.waiters;
    this.test = {
      panels,
      autoConfirm: false,
      overview: (uri) => docs.get(uri.toString())?.overview,
      act: (uri, action, timeoutMs = 30_000) => {
        const panel = panels.get(uri.toString());
        if (!panel) return Promise.reject(new Error(`no editor open for ${uri.toString()}`));
        return new Promise((resolve, reject) => {
          const list = waiters.get(uri.toString()) ?? [];
          const timer = setTimeout(() => reject(new Error(`the webview did not render after ${JSON.stringify(action)}`)), timeoutMs);
          list.push((s) => {
            clearTimeout(timer);
            resolve(s);
          });
          waiters.set(uri.toString(), list);
          void panel.webview.postMessage({ type: 'test', action } satisfies HostMessage);
        });
      },
    };
  }

  openCustomDocument(uri: vscode.Uri): InspectDocument {
    const doc = new InspectDocument(uri, path.join(this.context.extensionPath, 'dist', 'editorWorker.js'), this.diagnostics);
    this.docs.set(uri.toString(), doc);
    doc.onDidDispose(() => this.docs.delete(uri.toString()));
    void doc.open().catch((e: Error) => void vscode.window.showErrorMessage(`Redis Inspector: cannot open ${path.posix.basename(uri.path)}: ${e.message}`));
    return doc;
  }

  async resolveCustomEditor(doc: InspectDocument, panel: vscode.WebviewPanel): Promise<void> {
    resolutions.push({ uri: doc.uri, viewColumn: panel.viewColumn, at: Date.now() });
    if (resolutions.length > 16) resolutions.shift();
    const webview = panel.webview;
    const roots = [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')];
    webview.options = { enableScripts: true, localResourceRoots: roots };
    // The panel may be closed while its HTML is built (a diff of two inspectors is replaced by the readable diff at once).
    let disposed = false;
    const closed = panel.onDidDispose(() => (disposed = true));
    const html = await this.html(webview);
    closed.dispose();
    if (disposed) return;
    webview.html = html;
    const key = doc.uri.toString();
    this.test.panels.set(key, panel);
    const post = (m: HostMessage) => void webview.postMessage(m);
    const subs: vscode.Disposable[] = [];
    let lastDone = false;
    let repairedAt = 0;
    if (doc.uri.scheme === 'file') {
      // Redis appends to a live AOF; a rewrite or a new save replaces files: say so (the index is of what was read).
      const dir = vscode.Uri.file(path.dirname(doc.uri.fsPath));
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, doc.overview?.kind === 'manifest' || doc.uri.fsPath.endsWith('.manifest') ? '*' : path.basename(doc.uri.fsPath)));
      const changed = () => {
        // A repair or undo from here writes too, and re-reads the file itself when done.
        setTimeout(() => {
          if (Date.now() - repairedAt < 5000 || !doc.overview?.index.done) return;
          post({ type: 'error', message: `${path.basename(doc.uri.fsPath)} changed on disk since it was read: Reload to see its current content.` });
        }, 1500);
      };
      subs.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
    }
    subs.push(
      doc.onDidChangeOverview((o) => {
        post({ type: 'overview', overview: o });
        if (o.index.done && !lastDone) void this.sendRepairs(doc, o, post);
        lastDone = o.index.done;
      }),
      onDidRepair((e) => {
        if (doc.uri.scheme === 'file' && (samePlace(e.file, doc.uri.fsPath) || path.dirname(e.file) === path.dirname(doc.uri.fsPath))) {
          lastDone = false;
          repairedAt = Date.now();
          void doc.open();
        }
      }),
      onDidChangeTokenColors(
        () =>
          void this.html(webview).then((h) => {
            if (!disposed) webview.html = h;
          }),
      ),
      webview.onDidReceiveMessage((m: WebviewRequest) => {
        if (m.type === 'ready') lastDone = !!doc.overview?.index.done;
        void this.onMessage(doc, panel, m, post);
      }),
    );
    panel.onDidDispose(() => {
      disposed = true;
      for (const s of subs) s.dispose();
      if (this.test.panels.get(key) === panel) this.test.panels.delete(key);
    });
  }

  private readonly repairArgs = new Map<string, RepairArgs[]>();

  /** The repairs an AOF's damage (or trailing FLUSH) allows, and the undo of the last repair, for the banner. */
  private async sendRepairs(doc: InspectDocument, o: Overview, post: (m: HostMessage) => void): Promise<void> {
    const key = doc.uri.toString();
    if (o.kind === 'rdb' || doc.uri.scheme !== 'file') return;
    const undo = lastRepair();
    const undoView = undo && (samePlace(undo.file, doc.uri.fsPath) || (o.kind === 'manifest' && path.dirname(path.resolve(undo.file)) === path.dirname(path.resolve(doc.uri.fsPath)))) ? { label: undo.label, backup: undo.backup } : undefined;
    if (o.ok && !o.problems.some((p) => p.code.includes('flush'))) return post({ type: 'repairs', repairs: [], ...(undoView ? { undo: undoView } : {}) });
    try {
      const { list } = await planRepairChoices(doc.uri);
      const repairs: RepairView[] = list.map((c, index) => ({
        index,
        kind: c.kind,
        label: c.label,
        file: c.plan.file,
        removals: c.plan.removals.map((r) => ({ start: r.start, end: r.end })),
        bytesRemoved: c.plan.size - c.plan.newSize,
        ...(c.removed ? { commandsRemoved: c.removed.commands, removesDamage: c.removed.damaged } : {}),
        dropFiles: c.plan.dropFiles,
        summary: c.plan.summary,
      }));
      this.repairArgs.set(key, list.map((c) => ({ uri: doc.uri, kind: c.kind, dropLaterFiles: c.dropLaterFiles, withFollowing: c.withFollowing })));
      post({ type: 'repairs', repairs, ...(undoView ? { undo: undoView } : {}) });
    } catch (e) {
      post({ type: 'error', message: `Could not plan the repairs: ${e instanceof Error ? e.message : String(e)}` });
    }
  }


  private async onMessage(doc: InspectDocument, panel: vscode.WebviewPanel, m: WebviewRequest, post: (m: HostMessage) => void): Promise<void> {
    const fail = (seq: number | undefined, e: unknown) => post({ type: 'error', ...(seq !== undefined ? { seq } : {}), message: e instanceof Error ? e.message : String(e) });
    switch (m.type) {
      case 'ready': {
        const hexEditor = !!vscode.extensions.getExtension(HEX_EDITOR);
        if (doc.overview) {
          post({ type: 'init', overview: doc.overview, hexEditor });
          if (doc.overview.index.done) void this.sendRepairs(doc, doc.overview, post);
        } else {
          const sub = doc.onDidChangeOverview((o) => {
            sub.dispose();
            post({ type: 'init', overview: o, hexEditor });
          });
        }
        return;
      }
      case 'query':
        try {
          const r = await doc.ask({ type: 'query', filter: m.filter });
          if (r.type === 'queryResult') post({ type: 'queryResult', seq: m.seq, queryId: r.queryId, total: r.total, sections: r.sections, complete: r.complete });
        } catch (e) {
          fail(m.seq, e);
        }
        return;
      case 'keys':
        try {
          const r = await doc.ask({ type: 'keys', queryId: m.queryId, section: m.section, from: m.from, count: m.count });
          if (r.type === 'keys') post({ type: 'keys', seq: m.seq, queryId: m.queryId, section: m.section, from: m.from, rows: r.rows });
        } catch (e) {
          fail(m.seq, e);
        }
        return;
      case 'value':
        try {
          const r = await doc.ask({ type: 'value', keyId: m.keyId, from: m.from, count: m.count });
          if (r.type === 'value') post({ type: 'value', seq: m.seq, page: r.page });
        } catch (e) {
          fail(m.seq, e);
        }
        return;
      case 'commands':
        try {
          const r = await doc.ask({ type: 'commands', part: m.part, from: m.from, count: m.count });
          if (r.type === 'commands') post({ type: 'commands', seq: m.seq, part: m.part, from: m.from, rows: r.rows });
        } catch (e) {
          fail(m.seq, e);
        }
        return;
      case 'summary':
        try {
          const r = await doc.ask({ type: 'summary' });
          if (r.type === 'summary') post({ type: 'summary', seq: m.seq, summary: r.summary });
        } catch (e) {
          fail(m.seq, e);
        }
        return;
      case 'cancelIndex':
        doc.cancel();
        return;
      case 'reload':
        void doc.open();
        return;
      case 'copy':
        try {
          let text: string;
          if (m.what === 'offset') text = `${m.offset ?? 0}`;
          else if (m.what === 'text') text = m.text ?? '';
          else {
            const r = await doc.ask({ type: 'valueBytes', keyId: m.keyId ?? -1, what: m.what });
            if (r.type !== 'bytes') return;
            text = r.text ?? '';
          }
          await vscode.env.clipboard.writeText(text);
          this.test.lastCopy = text;
          vscode.window.setStatusBarMessage(`Copied ${m.what === 'resp' ? 'the RESP commands' : m.what === 'offset' ? `offset ${formatOffset(m.offset ?? 0)}` : `the ${m.what}`} (${text.length} characters)`, 3000);
        } catch (e) {
          fail(undefined, e);
        }
        return;
      case 'revealOffset':
        await this.revealInHexEditor(doc, m.offset, m.part);
        return;
      case 'repair': {
        const args = this.repairArgs.get(doc.uri.toString())?.[m.index];
        if (!args) return fail(undefined, new Error('that repair is no longer offered: reload'));
        await vscode.commands.executeCommand('redisInspector.repairAof', { ...args, ...(this.test.autoConfirm ? { yes: true } : {}) });
        return;
      }
      case 'undoRepair': {
        const last = lastRepair();
        if (!last) return fail(undefined, new Error('no repair to undo in this session'));
        await vscode.commands.executeCommand('redisInspector.undoRepair', { backup: last.backup, ...(this.test.autoConfirm ? { yes: true } : {}) });
        return;
      }
      case 'openProblems':
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        return;
      case 'rendered': {
        const key = doc.uri.toString();
        const list = this.waiters.get(key) ?? [];
        this.waiters.delete(key);
        for (const w of list) w(m.state);
        return;
      }
    }
    void panel;
  }

  /** Opens the file (or the set's file of `part`) in the Hex Editor at `offset`. */
  private async revealInHexEditor(doc: InspectDocument, offset: number, part: number | undefined): Promise<void> {
    const o = doc.overview;
    let uri = doc.uri;
    if (o?.kind === 'manifest' && part !== undefined && o.parts[part]) uri = vscode.Uri.joinPath(doc.uri, '..', o.parts[part].file);
    if (!vscode.extensions.getExtension(HEX_EDITOR)) {
      void vscode.window.showInformationMessage('Install the Hex Editor extension (ms-vscode.hexeditor) to see the bytes at an offset.');
      return;
    }
    await vscode.env.clipboard.writeText(String(offset));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'hexEditor.hexedit', { preview: false, viewColumn: vscode.ViewColumn.Beside });
    // The Hex Editor's "Go to Offset" asks for the offset: it is on the clipboard.
    const commands = await vscode.commands.getCommands(true);
    if (commands.includes('hexEditor.goToOffset')) await vscode.commands.executeCommand('hexEditor.goToOffset');
    vscode.window.setStatusBarMessage(`Offset ${formatOffset(offset)} is on the clipboard: paste it into Go to Offset (Ctrl+G)`, 8000);
  }

  private async html(webview: vscode.Webview): Promise<string> {
    const colors = await activeTokenColors().catch(() => '');
    return webviewHtml(webview, this.context.extensionUri, { title: 'Redis Persistence Inspector', stylesheet: 'editor.css', script: 'webview.js', rootStyle: colors });
  }
}

/** The editors resolved lately (a diff of two files opens one per side). */
const resolutions: { uri: vscode.Uri; viewColumn: vscode.ViewColumn | undefined; at: number }[] = [];

/**
 * The documents the inspector opened since `since` (ms), oldest first. A
 * diff of two `.rdb` files opens in two inspectors side by side, and its tab's
 * input is opaque to extensions (no URIs): this is how the readable-diff
 * replacement (src/extension/snapshot/diff.ts) learns which files it shows.
 */
export function recentlyResolved(since: number): { uri: vscode.Uri; viewColumn: vscode.ViewColumn | undefined }[] {
  return resolutions.filter((r) => r.at >= since).map(({ uri, viewColumn }) => ({ uri, viewColumn }));
}

function samePlace(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}


/**
 * Registers the editor, and reopens in it any file that starts with an RDB
 * preamble when it opens in the text editor (it would show as garbage).
 */
export function registerInspectEditor(context: vscode.ExtensionContext, diagnostics: vscode.DiagnosticCollection): InspectEditorProvider {
  const provider = new InspectEditorProvider(context, diagnostics);
  context.subscriptions.push(
    ...[VIEW_TYPE, AOF_VIEW_TYPE].map((t) => vscode.window.registerCustomEditorProvider(t, provider, { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true })),
    vscode.commands.registerCommand('redisInspector.openInInspector', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (target) await vscode.commands.executeCommand('vscode.openWith', target, target.path.endsWith('.aof') ? AOF_VIEW_TYPE : VIEW_TYPE);
    }),
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of [...e.opened, ...e.changed]) void reopenIfBinary(tab);
    }),
  );
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) void reopenIfBinary(tab);
  return provider;
}

const reopening = new Set<string>();

/** The first bytes of a file (6 are enough for the magic), through the file system of its scheme. */
async function head(uri: vscode.Uri): Promise<string> {
  if (uri.scheme === 'file') {
    const fd = await fs.promises.open(uri.fsPath, 'r');
    try {
      const b = Buffer.alloc(6);
      const { bytesRead } = await fd.read(b, 0, 6, 0);
      return b.subarray(0, bytesRead).toString('latin1');
    } finally {
      await fd.close();
    }
  }
  return Buffer.from((await vscode.workspace.fs.readFile(uri)).subarray(0, 6)).toString('latin1');
}

/**
 * A text tab (or VS Code's "binary file" placeholder, which is a text tab too)
 * showing an `.aof`/`.rdb` that starts with `REDIS`/`VALKEY` — an RDB, or an
 * AOF with an RDB preamble — is replaced by the custom editor: as text it is garbage.
 */
async function reopenIfBinary(tab: vscode.Tab): Promise<void> {
  if (!(tab.input instanceof vscode.TabInputText)) return;
  const uri = tab.input.uri;
  if (!/\.(aof|rdb)$/.test(uri.path)) return;
  const key = uri.toString();
  if (reopening.has(key)) return;
  let magic: string;
  try {
    magic = await head(uri);
  } catch {
    return;
  }
  if (!magic.startsWith('REDIS') && !magic.startsWith('VALKEY')) return;
  reopening.add(key);
  try {
    await vscode.commands.executeCommand('vscode.openWith', uri, uri.path.endsWith('.rdb') ? VIEW_TYPE : AOF_VIEW_TYPE, { viewColumn: tab.group.viewColumn, preview: tab.isPreview });
    const still = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key);
    if (still) await vscode.window.tabGroups.close(still);
  } finally {
    reopening.delete(key);
  }
}
