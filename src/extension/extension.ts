/**
 * Extension entry: registration only. The one command of this version checks
 * an RDB file in a worker thread and reports what it found in the Problems
 * panel and the "Redis Inspector" output channel.
 */

import * as vscode from 'vscode';
import { registerAofRepairs } from './aof/repairCommands.js';
import { registerAofLanguage } from './aof/language.js';
import { checkFileCommand } from './commands/checkFile.js';
import { registerSnapshotDiff } from './snapshot/diff.js';

export function activate(context: vscode.ExtensionContext): void {
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
}

export function deactivate(): void {}
