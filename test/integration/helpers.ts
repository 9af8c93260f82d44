// Helpers for the integration tests (bundled into each *.test.js that imports them).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

/** package.json's publisher.name. */
export const EXTENSION_ID = 'redis-persistence-inspector.redis-persistence-inspector';

/** The workspace folder the runner prepared (a temp copy: tests may modify it). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open (the runner passes ?folder=…)');
  return folder.uri;
}

/** A URI inside the workspace, from a relative path with '/' separators. */
export function fixture(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

/** Activates the extension under test (idempotent) and returns it. */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath wrong?)`);
  await ext.activate();
  return ext;
}

/** Polls get() until ok(value), every 50 ms; throws with the last value after timeoutMs. */
export async function waitFor<T>(get: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Diagnostics of our own collection (source 'Redis Inspector') on a URI. */
export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Redis Inspector');
}

/** What askBrowser() asks the runner (scripts/e2e-run.mjs serveRequest) to do in the active webview. */
export interface BrowserRequest {
  /** A Playwright selector (CSS, or `text=…` etc.) inside the active webview's document. */
  selector: string;
  /**
   * Read every match: `texts` (and `attrs` with `attribute`) instead of `text`.
   * No visibility wait: at most 1 s for a first match, then `texts: []` when none.
   * Actions (fill, press, click) go to the first match.
   */
  all?: boolean;
  /** Count the matches (`count`), without waiting for any to appear or be visible; actions go to the first. */
  count?: boolean;
  /** Read this attribute: `attr` (null when absent; with `all`, `attrs` per match). */
  attribute?: string;
  /** Fill an <input>/<textarea>/[contenteditable] with this text (replacing its value), after reading. */
  fill?: string;
  /** Keys pressed with the element focused, after fill: Playwright key names or chords ('Enter', 'Shift+F3'); several, separated by spaces, are pressed in order ('ArrowDown ArrowDown Enter'). */
  press?: string;
  /** Click the element after reading it (after fill and press). */
  click?: boolean;
  /** File name under out/ for a screenshot of the whole page, taken after the actions. */
  screenshot?: string;
}

export interface BrowserReply {
  id: string;
  /** textContent of the selected element in the active webview (without `all`/`count`; it must become visible within 20 s). */
  text?: string | null;
  /** With `all`: textContent of every match, in document order. */
  texts?: string[];
  /** With `attribute`: its value on the element (null when absent). */
  attr?: string | null;
  /** With `all` and `attribute`: its value on every match. */
  attrs?: (string | null)[];
  /** With `count`: how many elements match. */
  count?: number;
  /** Absolute path of the screenshot the runner saved (under out/). */
  screenshot?: string;
  /** What failed (no match in time, an action that failed, …); the fields read before it are set. */
  error?: string;
}

/** True when the tests run under scripts/e2e-run.mjs, which can answer askBrowser(). */
export function browserAvailable(): boolean {
  return !!process.env.E2E_IPC_DIR;
}

/**
 * Asks the runner (Playwright, outside VS Code) to read the active webview's DOM
 * and optionally act on it (fill, press, click; see BrowserRequest):
 * logs `E2E_REQUEST {…}`, which reaches the runner through window.codeAutomationLog,
 * and waits for its answer file in E2E_IPC_DIR. For the custom editor's tests.
 */
export async function askBrowser(req: BrowserRequest, timeoutMs = 45_000): Promise<BrowserReply> {
  const dir = process.env.E2E_IPC_DIR;
  if (!dir) throw new Error('askBrowser needs scripts/e2e-run.mjs (E2E_IPC_DIR is not set)');
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  console.log(`E2E_REQUEST ${JSON.stringify({ id, ...req })}`);
  const file = join(dir, `${id}.json`);
  await waitFor(() => existsSync(file), (v) => v, timeoutMs, `the runner's answer to ${req.selector}`);
  return JSON.parse(readFileSync(file, 'utf8')) as BrowserReply;
}
