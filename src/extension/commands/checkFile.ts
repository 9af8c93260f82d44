/**
 * "Check Redis Persistence File": runs the core check in a worker thread (so
 * the extension host never blocks on a multi-GB file), with a cancellable
 * progress notification; problems go to the Problems panel (offsets in hex
 * and decimal, key, phase) and a readable report to the output channel.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckReport, CheckSummary } from '../../core/check.js';
import { formatOffset, type Problem } from '../../core/model/problem.js';
import { aofFileReport, aofVerdict, formatProblem, problemContext } from '../../core/report.js';
import type { WorkerRequest } from '../../protocol/worker.js';
import { requestInWorker, workerPath } from '../workerRequest.js';

/** The command's argument besides a URI: the file and a test hook that sees every progress report. */
export interface CheckFileArgs {
  uri: vscode.Uri;
  onProgress?: (report: { message?: string; increment?: number }) => void;
}

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


function toDiagnostic(p: Problem, textLines: boolean): vscode.Diagnostic {
  const severity =
    p.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : p.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const ctx = problemContext(p);
  // Binary files have no text positions: the offset leads the message; an AOF's
  // problems also land on their line.
  const line = textLines && p.line ? p.line - 1 : 0;
  const d = new vscode.Diagnostic(
    new vscode.Range(line, 0, line, 0),
    `${formatOffset(p.offset)}: ${p.message}${ctx ? ` (${ctx})` : ''}`,
    severity,
  );
  d.code = p.code;
  d.source = 'Redis Inspector';
  return d;
}

function rdbReport(name: string, s: CheckSummary): string {
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

function summaryLine(report: CheckReport): string {
  if (report.kind === 'rdb') return `${report.summary.result.keys} keys, ${report.summary.result.expires} expires`;
  if (report.kind === 'aof') return `${report.result.commands} commands${report.result.preamble ? `, ${report.result.preamble.keys} keys in the RDB preamble` : ''}`;
  return `${report.set.files.length} files, ${report.set.files.reduce((n, f) => n + (f.result?.commands ?? 0), 0)} commands`;
}

/** Verdict, problems (with their file in a set) and the readable report of any check. */
function present(name: string, report: CheckReport): { ok: boolean; problems: Problem[]; text: string; firstError?: Problem } {
  let ok: boolean;
  let problems: Problem[];
  let text: string;
  if (report.kind === 'rdb') {
    ok = report.summary.result.ok;
    problems = report.summary.result.problems;
    text = rdbReport(name, report.summary);
  } else if (report.kind === 'aof') {
    ok = report.result.ok;
    problems = report.result.problems;
    text = [...aofFileReport(name, report.result), aofVerdict(report.result, name)].join('\n');
  } else {
    const set = report.set;
    ok = set.ok;
    problems = [...set.problems, ...set.files.flatMap((f) => (f.result?.problems ?? []).map((p) => ({ ...p, file: f.name })))];
    const lines = [`${name}: multi-part AOF, ${set.files.length} files in load order, ${set.manifest.history.length} history files (not loaded)`];
    for (const p of set.problems) lines.push(formatProblem(p));
    for (const f of set.files) if (f.result) lines.push(...aofFileReport(f.name, f.result, f.role.toUpperCase()));
    lines.push(ok ? 'All AOF files and manifest are valid' : `DAMAGED${set.damaged ? ` in ${set.damaged.name}${set.damaged.last ? '' : ' (not the last file: redis-check-aof --fix refuses)'}` : ''}`);
    text = lines.join('\n');
  }
  const firstError = problems.find((p) => p.severity === 'error');
  return { ok, problems, text, ...(firstError ? { firstError } : {}) };
}

/** The command handler. */
export async function checkFileCommand(
  context: vscode.ExtensionContext,
  diagnostics: vscode.DiagnosticCollection,
  output: vscode.OutputChannel,
  arg: vscode.Uri | CheckFileArgs | undefined,
): Promise<CheckReport | undefined> {
  const args = arg && !(arg instanceof vscode.Uri) && typeof arg === 'object' && 'uri' in arg ? arg : undefined;
  const target = targetUri(args ? args.uri : (arg as vscode.Uri | undefined));
  if (!target) {
    void vscode.window.showWarningMessage('Redis Inspector: open or select an RDB file to check.');
    return undefined;
  }
  const name = path.basename(target.path);
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking ${name}`, cancellable: true },
      async (progress, token) => {
        const request: WorkerRequest =
          target.scheme === 'file'
            ? { type: 'check', id: 1, path: target.fsPath }
            : { type: 'check', id: 1, bytes: await vscode.workspace.fs.readFile(target), name };
        let reported = 0;
        const m = await requestInWorker(workerPath(context), request, {
          onProgress: (offset, size) => {
            const pct = size ? (offset / size) * 100 : 100;
            const report = { increment: pct - reported, message: `${Math.floor(pct)}%` };
            progress.report(report);
            args?.onProgress?.(report);
            reported = pct;
          },
          token,
        });
        if (m.type !== 'result') throw new Error(`unexpected worker reply ${m.type}`);
        return m.report;
      },
    );
    const { ok, problems, text, firstError } = present(name, report);
    diagnostics.clear();
    if (report.kind === 'aof-set') {
      // Problems of a set belong to the file they are in (the manifest for manifest problems).
      const dir = vscode.Uri.joinPath(target, '..');
      const base = target.path.endsWith('.manifest') ? dir : target;
      const manifestUri = target.path.endsWith('.manifest') ? target : undefined;
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const p of problems) {
        const uri = p.file ? vscode.Uri.joinPath(base, p.file).toString() : (manifestUri ?? target).toString();
        const list = byFile.get(uri) ?? [];
        list.push(toDiagnostic(p, p.file !== undefined));
        byFile.set(uri, list);
      }
      for (const [uri, list] of byFile) diagnostics.set(vscode.Uri.parse(uri), list);
    } else {
      diagnostics.set(target, problems.map((p) => toDiagnostic(p, report.kind === 'aof' && !report.result.preamble)));
    }
    output.appendLine(text);
    output.appendLine('');
    if (ok) {
      void vscode.window.showInformationMessage(`${name}: valid — ${summaryLine(report)}.`);
    } else if (firstError) {
      void vscode.window
        .showWarningMessage(`${name} is damaged at ${formatOffset(firstError.offset)}${firstError.file ? ` in ${firstError.file}` : ''}: ${firstError.message}`, 'Show Report')
        .then((choice) => choice && output.show(true));
    }
    return report;
  } catch (e) {
    if (e instanceof vscode.CancellationError) return undefined;
    void vscode.window.showErrorMessage(`Redis Inspector: could not check ${name}: ${(e as Error).message}`);
    return undefined;
  }
}
