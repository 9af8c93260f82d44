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

export interface BrowserReply {
  id: string;
  /** textContent of the selected element in the active webview. */
  text?: string;
  /** Absolute path of the screenshot the runner saved (under out/). */
  screenshot?: string;
  error?: string;
}

/** True when the tests run under scripts/e2e-run.mjs, which can answer askBrowser(). */
export function browserAvailable(): boolean {
  return !!process.env.E2E_IPC_DIR;
}

/**
 * Asks the runner (Playwright, outside VS Code) to read the active webview's DOM:
 * logs `E2E_REQUEST {…}`, which reaches the runner through window.codeAutomationLog,
 * and waits for its answer file in E2E_IPC_DIR. For the custom editor's tests.
 */
export async function askBrowser(req: { selector: string; screenshot?: string }, timeoutMs = 45_000): Promise<BrowserReply> {
  const dir = process.env.E2E_IPC_DIR;
  if (!dir) throw new Error('askBrowser needs scripts/e2e-run.mjs (E2E_IPC_DIR is not set)');
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  console.log(`E2E_REQUEST ${JSON.stringify({ id, ...req })}`);
  const file = join(dir, `${id}.json`);
  await waitFor(() => existsSync(file), (v) => v, timeoutMs, `the runner's answer to ${req.selector}`);
  return JSON.parse(readFileSync(file, 'utf8')) as BrowserReply;
}
