/**
 * Extension entry: registration only — the Check command, the AOF language
 * support and repairs, the readable snapshot diff, and the custom editor.
 */

import * as vscode from 'vscode';
import { registerAofRepairs } from './aof/repairCommands.js';
import { registerAofLanguage } from './aof/language.js';
import { checkFileCommand } from './commands/checkFile.js';
import { registerDiffView, type DiffViewTestApi } from './diffView/panel.js';
import { registerInspectEditor, type EditorTestApi } from './editor/provider.js';
import { registerSnapshotDiff } from './snapshot/diff.js';

/** What `activate` returns: hooks for the integration tests. */
export interface ExtensionApi {
  editor: EditorTestApi;
  diffView: DiffViewTestApi;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const diagnostics = vscode.languages.createDiagnosticCollection('redis-inspector');
  const output = vscode.window.createOutputChannel('Redis Inspector');
  context.subscriptions.push(
    diagnostics,
    output,
    vscode.commands.registerCommand('redisInspector.checkFile', (uri?: vscode.Uri) =>
      checkFileCommand(context, diagnostics, output, uri),
    ),
  );
  registerAofRepairs(context);
  registerAofLanguage(context);
  registerSnapshotDiff(context);
  const editor = registerInspectEditor(context, diagnostics);
  const diffView = registerDiffView(context, editor.test);
  return { editor: editor.test, diffView };
}

export function deactivate(): void {}
