/**
 * "Check Redis Persistence File": runs the core check in a worker thread (so
 * the extension host never blocks on a multi-GB file), with a cancellable
 * progress notification; problems go to the Problems panel (offsets in hex
 * and decimal, key, phase) and a readable report to the output channel.
 */

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { CheckSummary } from '../../core/check.js';
import { formatOffset, type Problem } from '../../core/model/problem.js';
import { formatProblem, problemContext } from '../../core/report.js';
import type { WorkerMessage, WorkerRequest } from '../../protocol/worker.js';

function targetUri(uri: vscode.Uri | undefined): vscode.Uri | undefined {
  if (uri instanceof vscode.Uri) return uri;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active) return active;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab && typeof tab === 'object' && 'uri' in tab && (tab as { uri: unknown }).uri instanceof vscode.Uri) {
    return (tab as { uri: vscode.Uri }).uri;
  }
  return undefined;
}

/** Runs one check in a fresh worker; rejects on cancellation or worker failure. */
function runInWorker(
  context: vscode.ExtensionContext,
  request: WorkerRequest,
  onProgress: (offset: number, size: number) => void,
  token: vscode.CancellationToken,
): Promise<CheckSummary> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(context.extensionPath, 'dist', 'worker.js'));
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      sub.dispose();
      void worker.terminate();
      f();
    };
    const sub = token.onCancellationRequested(() => finish(() => reject(new vscode.CancellationError())));
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') worker.postMessage(request);
      else if (m.type === 'progress') onProgress(m.offset, m.size);
      else if (m.type === 'result') finish(() => resolve(m.summary));
      else if (m.type === 'error') finish(() => reject(new Error(m.error.message)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the check worker stopped (exit code ${code})`))));
  });
}

function toDiagnostic(p: Problem): vscode.Diagnostic {
  const severity =
    p.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : p.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const ctx = problemContext(p);
  // Binary files have no text positions: the offset leads the message instead.
  const d = new vscode.Diagnostic(
    new vscode.Range(0, 0, 0, 0),
    `${formatOffset(p.offset)}: ${p.message}${ctx ? ` (${ctx})` : ''}`,
    severity,
  );
  d.code = p.code;
  d.source = 'Redis Inspector';
  return d;
}

function report(name: string, s: CheckSummary): string {
  const r = s.result;
  const lines: string[] = [];
  lines.push(`${name}: ${r.size} bytes, ${r.header ? `RDB version ${r.header.version} (${r.header.magic})` : 'not an RDB file'}${s.writer ? `, written by ${s.writer}` : ''}`);
  for (const a of s.aux) lines.push(`  aux ${a.key} = ${a.value}`);
  for (const d of r.dbs) {
    const hint = d.resizeKeys !== undefined ? ` (RESIZEDB says ${d.resizeKeys} keys, ${d.resizeExpires} expires)` : '';
    lines.push(`  DB ${d.db}: ${d.keys} keys, ${d.expires} expires${hint}`);
  }
  if (s.functions.length) lines.push(`  function libraries: ${s.functions.join(', ')}`);
  if (s.modules.length) lines.push(`  modules (aux data): ${s.modules.join(', ')}`);
  for (const p of r.problems) lines.push(formatProblem(p));
  lines.push(`checksum: ${r.checksum}`);
  if (!r.ok) lines.push(`valid up to ${formatOffset(r.validUpTo)}`);
  lines.push(`${r.keys} keys, ${r.expires} expires, ${r.alreadyExpired} already expired`);
  lines.push(r.ok ? 'RDB looks OK' : 'RDB is DAMAGED');
  return lines.join('\n');
}

/** The command handler. */
export async function checkFileCommand(
  context: vscode.ExtensionContext,
  diagnostics: vscode.DiagnosticCollection,
  output: vscode.OutputChannel,
  uri: vscode.Uri | undefined,
): Promise<CheckSummary | undefined> {
  const target = targetUri(uri);
  if (!target) {
    void vscode.window.showWarningMessage('Redis Inspector: open or select an RDB file to check.');
    return undefined;
  }
  const name = path.basename(target.path);
  try {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking ${name}`, cancellable: true },
      async (progress, token) => {
        const request: WorkerRequest =
          target.scheme === 'file'
            ? { type: 'check', id: 1, path: target.fsPath }
            : { type: 'check', id: 1, bytes: await vscode.workspace.fs.readFile(target) };
        let reported = 0;
        return runInWorker(
          context,
          request,
          (offset, size) => {
            const pct = size ? (offset / size) * 100 : 100;
            progress.report({ increment: pct - reported, message: `${Math.floor(pct)}%` });
            reported = pct;
          },
          token,
        );
      },
    );
    diagnostics.set(target, summary.result.problems.map(toDiagnostic));
    output.appendLine(report(name, summary));
    output.appendLine('');
    const r = summary.result;
    if (r.ok) {
      void vscode.window.showInformationMessage(`${name}: RDB looks OK — ${r.keys} keys, ${r.expires} expires.`);
    } else {
      const first = r.problems.find((p) => p.severity === 'error')!;
      void vscode.window
        .showWarningMessage(`${name} is damaged at ${formatOffset(first.offset)}: ${first.message}`, 'Show Report')
        .then((choice) => choice && output.show(true));
    }
    return summary;
  } catch (e) {
    if (e instanceof vscode.CancellationError) return undefined;
    void vscode.window.showErrorMessage(`Redis Inspector: could not check ${name}: ${(e as Error).message}`);
    return undefined;
  }
}
