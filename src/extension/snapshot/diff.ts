/**
 * Readable diffs of Redis datasets: every side is the `redis-snapshot` rendering
 * of a file (provider.ts) — an RDB, an AOF or a multi-part manifest, in any
 * combination — opened in VS Code's diff editor.
 *
 * - "Compare Snapshot With…": the selected / active `.rdb`, `.aof` or `.manifest`
 *   file against a file picked in a dialog (or the two files selected in the explorer);
 * - "Select Snapshot for Compare" then "Compare Snapshot with Selected" (explorer);
 * - "Open Changes (Readable Snapshot)" on a changed file in source control: HEAD
 *   (through the git extension's `git:` URIs, or `git show` when it is off) against
 *   the working tree;
 * - a diff tab whose two sides are `.rdb` files, or `.manifest` files, (the git
 *   extension's own "Open Changes", a timeline compare…) is replaced by the
 *   readable diff of the same two URIs, in the same editor group; so is one of two
 *   `.aof` files when a side comes from git (Open Changes, the timeline) or both
 *   opened in the inspector (hybrid files) — a text diff of two AOFs in the
 *   working tree stays a text diff.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import { recentlyResolved } from '../editor/provider.js';
import { SnapshotContentProvider } from './provider.js';
import { workerPath } from '../workerRequest.js';
import { isAofPath, isManifestPath, isRdbPath, isSnapshotPath, SNAPSHOT_SCHEME, toSnapshotUri } from './uri.js';

/** What the compare commands return (for tests): the two `redis-snapshot` URIs opened. */
export interface SnapshotDiff {
  left: vscode.Uri;
  right: vscode.Uri;
  title: string;
}

/** The part of the git extension's API (extensions/git/src/api/git.d.ts) used here. */
interface GitApi {
  getRepository(uri: vscode.Uri): unknown;
  toGitUri(uri: vscode.Uri, ref: string): vscode.Uri;
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

const SELECTED_CONTEXT = 'redisInspector.snapshotSelected';

function name(uri: vscode.Uri): string {
  return path.posix.basename(uri.path);
}

/** A URI from a command argument: a Uri, an SCM resource state, or the active editor / tab. */
function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (arg && typeof arg === 'object' && 'resourceUri' in arg && (arg as { resourceUri: unknown }).resourceUri instanceof vscode.Uri) {
    return (arg as vscode.SourceControlResourceState).resourceUri;
  }
  if (arg !== undefined) return undefined;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  if (input instanceof vscode.TabInputTextDiff) return input.modified;
  return vscode.window.activeTextEditor?.document.uri;
}

/** Opens the readable diff of two RDB/AOF/manifest URIs (already wrapped or not). */
export async function openSnapshotDiff(
  left: vscode.Uri,
  right: vscode.Uri,
  title?: string,
  showOptions: vscode.TextDocumentShowOptions = {},
): Promise<SnapshotDiff> {
  const l = left.scheme === SNAPSHOT_SCHEME ? left : toSnapshotUri(left);
  const r = right.scheme === SNAPSHOT_SCHEME ? right : toSnapshotUri(right);
  const t = title ?? `${name(left)} ↔ ${name(right)} (Redis snapshot)`;
  await vscode.commands.executeCommand('vscode.diff', l, r, t, showOptions);
  return { left: l, right: r, title: t };
}

async function pickInput(title: string, near?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    openLabel: 'Compare',
    filters: { 'Redis persistence files': ['rdb', 'aof', 'manifest'], 'All files': ['*'] },
    ...(near ? { defaultUri: vscode.Uri.joinPath(near, '..') } : {}),
  });
  return picked?.[0];
}

/** The readable HEAD version of a file: the git extension's `git:` URI when it knows the repository, else `git show`. */
export async function headSnapshotUri(file: vscode.Uri): Promise<vscode.Uri> {
  try {
    const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
    const git = ext ? (ext.isActive ? ext.exports : await ext.activate()) : undefined;
    if (git?.enabled) {
      const api = git.getAPI(1);
      if (api.getRepository(file)) return toSnapshotUri(api.toGitUri(file, 'HEAD'));
    }
  } catch {
    // The git extension is disabled or has no model: fall back to the CLI.
  }
  return toSnapshotUri(file, { gitHead: true });
}

/** Whether a diff of these two files is replaced by the readable one (see the file comment). */
function replaceable(original: vscode.Uri, modified: vscode.Uri, opaque: boolean): boolean {
  const both = (f: (p: string) => boolean): boolean => f(original.path) && f(modified.path);
  if (both(isRdbPath) || both(isManifestPath)) return true;
  return both(isAofPath) && (opaque || original.scheme === 'git' || modified.scheme === 'git');
}

/**
 * Replaces a diff tab of two `.rdb` files (see `replaceable`) by the readable diff of the same URIs.
 * Loops are impossible by construction (the replacement's sides are
 * `redis-snapshot:` URIs, which are never replaced); `busy` also drops the
 * repeated open/change events of one tab while its replacement is opening.
 */
class DiffTabReplacer implements vscode.Disposable {
  private readonly busy = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of [...e.opened, ...e.changed]) void this.maybeReplace(tab);
    });
    // Diffs already open when the extension activates.
    for (const group of vscode.window.tabGroups.all) for (const tab of group.tabs) void this.maybeReplace(tab);
  }

  private async maybeReplace(tab: vscode.Tab): Promise<void> {
    const input = tab.input;
    let sides: { original: vscode.Uri; modified: vscode.Uri } | undefined;
    if (input instanceof vscode.TabInputTextDiff) sides = input;
    else if (input === undefined) sides = await inspectorDiffSides(tab);
    if (!sides) return;
    const { original, modified } = sides;
    if (original.scheme === SNAPSHOT_SCHEME || modified.scheme === SNAPSHOT_SCHEME) return;
    if (!replaceable(original, modified, input === undefined)) return;
    const key = `${original.toString()}\u0000${modified.toString()}`;
    if (this.busy.has(key)) return;
    this.busy.add(key);
    try {
      const viewColumn = tab.group.viewColumn;
      await openSnapshotDiff(original, modified, `${tab.label} (Redis snapshot)`, { viewColumn, preview: tab.isPreview, preserveFocus: !tab.isActive });
      // Close the binary diff: find it again, the Tab object may be stale after the open.
      const stale = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter(
          (t) =>
            (t.input instanceof vscode.TabInputTextDiff && t.input.original.toString() === original.toString() && t.input.modified.toString() === modified.toString()) ||
            (input === undefined && t.input === undefined && t.label === tab.label && t.group.viewColumn === tab.group.viewColumn),
        );
      if (stale.length) await vscode.window.tabGroups.close(stale, true);
    } catch (e) {
      void vscode.window.showWarningMessage(`Redis Inspector: could not show a readable diff of ${name(modified)}: ${(e as Error).message}`);
    } finally {
      setTimeout(() => this.busy.delete(key), 1000);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * The two files of a diff tab whose sides opened in the inspector (`.rdb` files
 * open there by default, so VS Code shows their diff as two inspectors, in a
 * tab whose input extensions cannot read): the two documents the inspector
 * resolved in that group just now. The original is the side from another
 * scheme (git's HEAD), else the left name of the tab's "A ↔ B" label, else the
 * first resolved.
 */
async function inspectorDiffSides(tab: vscode.Tab): Promise<{ original: vscode.Uri; modified: vscode.Uri } | undefined> {
  // Both sides resolve around the time the tab opens (the event may come first).
  const since = Date.now() - 1000;
  for (let waited = 0; waited <= 3000; waited += 100) {
    const recent = recentlyResolved(since).filter((r) => isSnapshotPath(r.uri.path) && (r.viewColumn === undefined || r.viewColumn === tab.group.viewColumn));
    const unique: vscode.Uri[] = [];
    for (const r of recent) if (!unique.some((u) => u.toString() === r.uri.toString())) unique.push(r.uri);
    if (unique.length >= 2) {
      let [a, b] = unique.slice(-2) as [vscode.Uri, vscode.Uri];
      const left = tab.label.split(' ↔ ')[0];
      if (a.scheme === 'file' && b.scheme !== 'file') [a, b] = [b, a];
      else if (a.scheme === b.scheme && left && name(b) === left && name(a) !== left) [a, b] = [b, a];
      return { original: a, modified: b };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/** Registers the provider, the commands and the diff-tab replacement. */
export function registerSnapshotDiff(context: vscode.ExtensionContext): void {
  const provider = new SnapshotContentProvider(workerPath(context));
  const replacer = new DiffTabReplacer();
  let selected: vscode.Uri | undefined;

  context.subscriptions.push(
    provider,
    replacer,
    vscode.workspace.registerTextDocumentContentProvider(SNAPSHOT_SCHEME, provider),

    vscode.commands.registerCommand('redisInspector.compareSnapshotWith', async (arg?: unknown, second?: unknown): Promise<SnapshotDiff | undefined> => {
      // Explorer with two files selected: (clicked, [all selected]); tests and scripts: (left, right).
      const all = Array.isArray(second) ? second.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
      const left = uriOf(arg);
      if (!left) {
        void vscode.window.showWarningMessage('Redis Inspector: open or select an RDB, AOF or manifest file to compare.');
        return undefined;
      }
      let right = second instanceof vscode.Uri ? second : all.length === 2 ? all.find((u) => u.toString() !== left.toString()) : undefined;
      right ??= await pickInput(`Compare ${name(left)} with…`, left);
      return right ? openSnapshotDiff(left, right) : undefined;
    }),

    vscode.commands.registerCommand('redisInspector.selectSnapshotForCompare', async (arg?: unknown): Promise<vscode.Uri | undefined> => {
      selected = uriOf(arg);
      await vscode.commands.executeCommand('setContext', SELECTED_CONTEXT, !!selected);
      return selected;
    }),

    vscode.commands.registerCommand('redisInspector.compareSnapshotWithSelected', async (arg?: unknown): Promise<SnapshotDiff | undefined> => {
      const right = uriOf(arg);
      if (!selected) {
        void vscode.window.showInformationMessage('Redis Inspector: first choose "Select Snapshot for Compare" on an RDB, AOF or manifest file.');
        return undefined;
      }
      if (!right) return undefined;
      return openSnapshotDiff(selected, right);
    }),

    vscode.commands.registerCommand('redisInspector.openChanges', async (arg?: unknown): Promise<SnapshotDiff | undefined> => {
      const file = uriOf(arg);
      if (!file) {
        void vscode.window.showWarningMessage('Redis Inspector: select a changed RDB, AOF or manifest file in Source Control.');
        return undefined;
      }
      const left = await headSnapshotUri(file);
      return openSnapshotDiff(left, file, `${name(file)} (HEAD ↔ Working Tree, Redis snapshot)`);
    }),
  );
}
