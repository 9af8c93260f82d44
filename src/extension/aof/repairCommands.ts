/**
 * `redisInspector.repairAof`: repairs an AOF on disk, for what cannot be
 * edited as text (RDB preamble, large files, bytes a text model would not
 * write back) and for multi-part sets. Lists the repairs the core plans
 * (src/core/aof/repair.ts) with what each removes, shows a modal preview, then
 * applies the plan as the CLI's `fix` does (src/cli/fix.ts applyRepairPlan:
 * backup folder, atomic replace, the manifest as the commit point of a set).
 * Reading and copying the files happen in the worker thread (src/worker/worker.ts),
 * with progress, so that a large AOF does not block the extension host.
 *
 * `redisInspector.undoRepair` reverses a repair from its backup folder, as the
 * CLI's `undo` does (src/cli/fix.ts restoreBackup), also in the worker.
 * `onDidRepair` tells views of the files (the custom editor) to read them again.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseManifest } from '../../core/aof/manifest.js';
import type { RepairKind, RepairPlan } from '../../core/aof/repair.js';
import { formatOffset } from '../../core/model/problem.js';
import { defaultBackupDir, readBackupRecord, targetDir, type BackupRecord } from '../../cli/fix.js';
import { resolveTarget, type Target } from '../../cli/target.js';
import type { RepairChoice, RepairPlanOptions, WorkerRequest } from '../../protocol/worker.js';
import { requestInWorker, workerPath, type WorkerReply } from '../workerRequest.js';
import { REPAIR_COMMAND, registerAofQuickFixes } from './quickFixes.js';

/** Arguments of the command (all optional; tests pass `yes` to skip the dialogs). */
export interface RepairArgs {
  /** The AOF file, its manifest or its appendonlydir; default: the active editor's file. */
  uri?: vscode.Uri | string;
  /** The repair to apply without asking which. */
  kind?: RepairKind;
  /** Apply without the preview (and take the first matching repair). */
  yes?: boolean;
  /** Backup folder; default: a new one beside the file (or the appendonlydir). */
  backup?: string;
  /** Multi-part sets: truncate a damaged file that is not the last, moving the later ones out. */
  dropLaterFiles?: boolean;
  /** remove-flush: also drop every command after the FLUSH. */
  withFollowing?: boolean;
  /** truncate-to-timestamp: Unix seconds. */
  timestamp?: number;
  /** Test hook: called with every progress report of the notifications (reading, then backing up and writing). */
  onProgress?: (report: { message?: string; increment?: number }) => void;
}

/** What the command did. */
export interface RepairCommandResult {
  plan?: RepairPlan;
  backup?: string;
  resultFile?: string;
  /** Why nothing was written. */
  message?: string;
}

/** A repair the core plans, with its label for a pick list. */
export interface Choice extends RepairChoice {
  label: string;
}

/** The command that undoes a repair (package.json contributes.commands). */
export const UNDO_COMMAND = 'redisInspector.undoRepair';

/** What `onDidRepair` reports. */
export interface RepairEvent {
  /** The AOF the repair or undo wrote: the repaired file (under its new name in a set whose manifest changed), or the restored original. */
  file: string;
  /** The backup folder of the repair. */
  backup?: string;
  /** false after a repair, true after an undo. */
  undone: boolean;
  /** Every path the repair or undo wrote or removed (the file under both names, the manifest, the files moved out of or back into a set). */
  files?: string[];
}

const repairEvents = new vscode.EventEmitter<RepairEvent>();

/** Fires after a repair or an undo done by these commands, once the files on disk are final: views of them should read them again. */
export const onDidRepair: vscode.Event<RepairEvent> = repairEvents.event;

/** The most recent repair `repairAofCommand` did in this session. */
export interface LastRepair {
  /** Its backup folder (what `redisInspector.undoRepair` takes). */
  backup: string;
  /** What was done, for a button or a menu: "<repair's label>: <file> (−N bytes)". */
  label: string;
  /** The path of the file that was repaired, before the repair (where the undo puts the original back). */
  file: string;
}

let last: LastRepair | undefined;

/** The most recent repair done in this session and not undone since, if any. */
export function lastRepair(): LastRepair | undefined {
  return last;
}

const LABELS: Record<RepairKind, string> = {
  fix: 'Truncate at the last valid command (as redis-check-aof --fix)',
  'drop-last-command': 'Drop the bad tail command',
  'strip-unclosed-multi': 'Remove the unclosed MULTI block',
  'remove-flush': 'Remove the last FLUSHALL/FLUSHDB (restore the data set as it was before the flush)',
  'truncate-to-timestamp': 'Truncate to a timestamp (as redis-check-aof --truncate-to-timestamp)',
};

/**
 * The target the command works on: a `.aof` listed by a manifest of its
 * directory is repaired as part of that set (as redis-check-aof would).
 */
export function repairTarget(file: string): Target {
  const t = resolveTarget(file);
  if (t.kind !== 'aof') return t;
  const dir = path.dirname(file);
  const manifests = fs.readdirSync(dir).filter((f) => f.endsWith('.manifest') && !f.startsWith('temp-'));
  for (const m of manifests) {
    try {
      const manifest = parseManifest(new Uint8Array(fs.readFileSync(path.join(dir, m))));
      if (manifest.entries.some((e) => e.name === path.basename(file) && e.type !== 'h')) return { kind: 'multipart', manifestPath: path.join(dir, m), dir };
    } catch {
      // Not a manifest we can read.
    }
  }
  return t;
}

/** The repairs the core plans for the target, planned in the worker (it reads the whole file), with their labels. */
async function choices(target: Target, args: RepairArgs, onProgress: (offset: number, size: number) => void, token?: vscode.CancellationToken): Promise<{ list: Choice[]; refusals: string[] }> {
  const options: RepairPlanOptions = {
    ...(args.kind ? { kind: args.kind } : {}),
    ...(args.dropLaterFiles !== undefined ? { dropLaterFiles: args.dropLaterFiles } : {}),
    ...(args.withFollowing !== undefined ? { withFollowing: args.withFollowing } : {}),
    ...(args.timestamp !== undefined ? { timestamp: args.timestamp } : {}),
    describe: !args.yes,
  };
  const m = await inWorker({ type: 'repair-plan', id: 1, target, options }, { onProgress, ...(token ? { token } : {}) });
  if (m.type !== 'repair-plans') throw new Error(`unexpected worker reply ${m.type}`);
  const list = m.choices.map((c): Choice => {
    let label = LABELS[c.kind];
    if (c.kind === 'remove-flush' && c.withFollowing) label = 'Remove the last FLUSHALL/FLUSHDB and every command after it';
    if (c.plan.dropFiles.length > 0) label += ` (and move ${c.plan.dropFiles.length} later file${c.plan.dropFiles.length === 1 ? '' : 's'} out of the set)`;
    return { label, ...c };
  });
  return { list, refusals: m.refusals };
}

/**
 * The repairs the core plans for an AOF file, its manifest or its appendonlydir
 * (read in the worker), each with its label and what it removes: what the
 * repair command offers. `args` narrows them as the command's arguments do.
 */
export async function planRepairChoices(uri: vscode.Uri | string, args: Omit<RepairArgs, 'uri' | 'yes' | 'onProgress'> = {}, token?: vscode.CancellationToken): Promise<{ list: Choice[]; refusals: string[] }> {
  const file = typeof uri === 'string' ? uri : uri.fsPath;
  const target = repairTarget(file);
  if (target.kind === 'rdb') return { list: [], refusals: [`${path.basename(file)} is an RDB file, not an AOF`] };
  return choices(target, { ...args, yes: false }, () => {}, token);
}

/** dist/worker.js of the extension (set on registration). */
let workerFile: string | undefined;

function inWorker(request: WorkerRequest, options?: Parameters<typeof requestInWorker>[2]): Promise<WorkerReply> {
  if (!workerFile) return Promise.reject(new Error('the repair command is not registered'));
  return requestInWorker(workerFile, request, options);
}


/**
 * Progress of applyRepairPlan in the worker, from the sizes on disk: the
 * original's copy in the backup folder, then the repaired file (its temporary
 * file beside it, or its new name in a set). Best effort: a size it cannot
 * stat counts as not started.
 */
function watchApply(dir: string, plan: RepairPlan, backup: string, report: (done: number, total: number, step: string) => void): () => void {
  const total = plan.size + plan.newSize;
  const copy = path.join(backup, plan.file);
  const written = plan.renameTo ? path.join(dir, plan.renameTo) : path.join(dir, `.${plan.file}.redis-inspect-${process.pid}.tmp`);
  const size = async (f: string) => fs.promises.stat(f).then((s) => s.size, () => 0);
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const copied = await size(copy);
      const out = copied >= plan.size ? await size(written) : 0;
      if (!stopped) report(copied + Math.min(out, plan.newSize), total, copied < plan.size ? 'backing up' : 'writing');
    })().finally(() => (busy = false));
  }, 200);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** What the plan removes, as the worker counted it (interactive runs only). */
function describe(c: Choice): string {
  const plan = c.plan;
  const ranges = plan.removals.map((r) => `bytes ${formatOffset(r.start)}–${formatOffset(r.end)} (${r.end - r.start} bytes)`).join(', ');
  const what = c.removed ? `; ${c.removed.commands} command${c.removed.commands === 1 ? '' : 's'}${c.removed.damaged ? ' and the damaged record' : ''}` : '';
  return `${plan.file}: ${ranges}${what}`;
}

function toUri(u: vscode.Uri | string | undefined): vscode.Uri | undefined {
  if (typeof u === 'string') return vscode.Uri.file(u);
  if (u instanceof vscode.Uri) return u;
  if (u && typeof u === 'object' && 'fsPath' in u) return vscode.Uri.file((u as { fsPath: string }).fsPath);
  return vscode.window.activeTextEditor?.document.uri;
}

/** A backup folder that does not exist yet (two repairs in one second share a default name). */
function freshBackup(target: Target): string {
  const base = defaultBackupDir(target);
  let candidate = base;
  for (let i = 2; fs.existsSync(candidate); i++) candidate = `${base}-${i}`;
  return candidate;
}

/** Runs the command; resolves with what it did (for tests and callers). */
export async function repairAofCommand(args: RepairArgs = {}): Promise<RepairCommandResult> {
  const fail = (message: string): RepairCommandResult => {
    void vscode.window.showErrorMessage(message);
    return { message };
  };
  const uri = toUri(args.uri);
  if (!uri) return fail('Repair AOF: open an AOF file (or pass its path) first.');
  if (uri.scheme !== 'file') return fail(`Repair AOF: ${uri.toString()} is not a local file.`);

  let target: Target;
  try {
    target = repairTarget(uri.fsPath);
  } catch (e) {
    return fail(`Repair AOF: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (target.kind === 'rdb') return fail(`Repair AOF: ${path.basename(uri.fsPath)} is an RDB file, not an AOF.`);
  const dir = targetDir(target);

  let found: { list: Choice[]; refusals: string[] };
  try {
    found = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reading ${path.basename(uri.fsPath)} for its repairs`, cancellable: true },
      (progress, token) => {
        let reported = 0;
        return choices(
          target,
          args,
          (offset, size) => {
            const pct = size ? (offset / size) * 100 : 100;
            const report = { increment: pct - reported, message: `${Math.floor(pct)}%` };
            reported = pct;
            progress.report(report);
            args.onProgress?.(report);
          },
          token,
        );
      },
    );
  } catch (e) {
    if (e instanceof vscode.CancellationError) return { message: 'cancelled' };
    return fail(`Repair AOF: ${e instanceof Error ? e.message : String(e)}`);
  }
  let choice: Choice | undefined;
  if (found.list.length === 0) {
    const message = `Repair AOF: nothing to repair in ${path.basename(uri.fsPath)}${found.refusals[0] ? `: ${found.refusals[0]}` : ''}`;
    if (args.kind) return fail(message);
    void vscode.window.showInformationMessage(message);
    return { message };
  }
  if (args.kind) {
    choice = found.list[0];
  } else if (args.yes) {
    // Unattended: only a repair that keeps every other file and command.
    choice = found.list.find((c) => c.plan.dropFiles.length === 0 && !c.withFollowing);
    if (!choice) return fail(`Repair AOF: ${path.basename(uri.fsPath)} needs a repair that drops more: pick it (without yes) or name its kind`);
  } else {
    const picked = await vscode.window.showQuickPick(
      found.list.map((c) => ({
        label: c.label,
        description: `−${c.plan.size - c.plan.newSize} bytes`,
        detail: `${describe(c)}${c.plan.dropFiles.length ? `; moves ${c.plan.dropFiles.join(', ')} out of the set` : ''}`,
        choice: c,
      })),
      { title: `Repair ${path.basename(uri.fsPath)}`, placeHolder: 'Which repair? (the removed bytes go to a backup folder)' },
    );
    if (!picked) return { message: 'cancelled' };
    choice = picked.choice;
  }
  if (!choice) return { message: 'cancelled' };
  const plan = choice.plan;

  // Unsaved changes to a file the repair rewrites would be lost, or overwrite the repair.
  const touched = [plan.file, ...plan.dropFiles].map((f) => path.join(dir, f));
  if (target.kind === 'multipart') touched.push(target.manifestPath);
  const dirty = vscode.workspace.textDocuments.find((d) => d.isDirty && d.uri.scheme === 'file' && touched.includes(d.uri.fsPath));
  if (dirty) return fail(`Repair AOF: ${path.basename(dirty.uri.fsPath)} has unsaved changes: save or revert it first.`);

  const backup = args.backup ?? freshBackup(target);
  if (!args.yes) {
    const detail = [
      plan.summary,
      describe(choice),
      ...(plan.renameTo ? [`writes the repaired ${plan.file} as ${plan.renameTo}`] : []),
      ...plan.dropFiles.map((f) => `moves ${f} out of the set (to the backup folder)`),
      ...(plan.manifest !== undefined ? [`rewrites the manifest as:\n${plan.manifest.trimEnd()}`] : []),
    ].join('\n');
    const go = await vscode.window.showWarningMessage(
      `This will shrink the AOF ${plan.file} from ${plan.size} bytes, with ${plan.size - plan.newSize} bytes, to ${plan.newSize} bytes; backup to ${backup}`,
      { modal: true, detail },
      'Repair',
    );
    if (go !== 'Repair') return { message: 'cancelled' };
  }

  let applied: { backup: string; resultFile: string };
  try {
    applied = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Repairing ${plan.file}…`, cancellable: false },
      async (progress) => {
        let reported = 0;
        const stop = watchApply(dir, plan, backup, (done, total, step) => {
          const pct = total ? (done / total) * 100 : 100;
          if (pct <= reported) return;
          const report = { increment: pct - reported, message: `${step}, ${Math.floor(pct)}%` };
          reported = pct;
          progress.report(report);
          args.onProgress?.(report);
        });
        try {
          // Not cancellable: the worker runs to the end (stopping it mid-way would leave a temporary file).
          const m = await inWorker({ type: 'repair', id: 1, target, plan, backup });
          if (m.type !== 'repaired') throw new Error(`unexpected worker reply ${m.type}`);
          return { backup: m.backup, resultFile: m.resultFile };
        } finally {
          stop();
        }
      },
    );
  } catch (e) {
    return fail(`Repair AOF failed (the original is untouched unless the backup says otherwise; backup folder: ${backup}): ${e instanceof Error ? e.message : String(e)}`);
  }
  const size = fs.statSync(applied.resultFile).size;
  const original = path.join(dir, plan.file);
  last = { backup: applied.backup, label: `${choice.label}: ${plan.file} (−${plan.size - plan.newSize} bytes)`, file: original };
  repairEvents.fire({
    file: applied.resultFile,
    backup: applied.backup,
    undone: false,
    files: [...new Set([original, applied.resultFile, ...plan.dropFiles.map((f) => path.join(dir, f)), ...(target.kind === 'multipart' && plan.manifest !== undefined ? [target.manifestPath] : [])])],
  });
  void vscode.window
    .showInformationMessage(`Repaired ${plan.file}: now ${size} bytes${plan.renameTo ? `, as ${plan.renameTo}` : ''}. Backup: ${applied.backup}`, 'Open Backup Folder', 'Undo')
    .then((answer) => {
      if (answer === 'Undo') return void undoRepairCommand({ backup: applied.backup });
      if (answer !== 'Open Backup Folder') return;
      const folder = vscode.Uri.file(applied.backup);
      if (vscode.env.remoteName || vscode.env.uiKind === vscode.UIKind.Web) {
        if (vscode.workspace.getWorkspaceFolder(folder)) void vscode.commands.executeCommand('revealInExplorer', folder);
        else void vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: true });
      } else {
        void vscode.commands.executeCommand('revealFileInOS', folder);
      }
    });
  return { plan, backup: applied.backup, resultFile: applied.resultFile };
}

/** Arguments of `redisInspector.undoRepair` (a backup folder's URI or path also works). */
export interface UndoArgs {
  /** The backup folder of the repair (its redis-inspect-backup.json); default: `lastRepair()`. */
  backup: string;
  /** Undo without the confirmation (and refuse, rather than ask, when the files changed since the repair). */
  yes?: boolean;
  /** Undo even when the files changed since the repair (the current files are first saved in the backup folder). */
  force?: boolean;
}

/** What the undo command did. */
export interface UndoCommandResult {
  backup?: string;
  /** The files written back (empty when already restored). */
  restored?: string[];
  /** restoreBackup's report, or why nothing was done ('cancelled' when declined). */
  message: string;
  /** true when the undo was refused or failed. */
  failed?: boolean;
}

/** What an undo will put back, for the confirmation. */
function undoDetail(r: BackupRecord, backup: string): string {
  const lines = [`puts back ${r.name} (${r.size} bytes) in ${r.dir}`];
  if (r.renameTo) {
    lines.push(...r.dropFiles.map((f) => `puts back ${f}, which the repair moved out of the set`));
    lines.push(`restores the manifest ${path.basename(r.manifest!)} and removes ${r.renameTo}`);
  }
  lines.push(`repair: ${r.kind}, ${r.at}`, `backup folder (kept): ${backup}`);
  return lines.join('\n');
}

function toPath(a: UndoArgs | vscode.Uri | string | undefined): { backup?: string; yes?: boolean; force?: boolean } {
  if (typeof a === 'string') return { backup: a };
  if (a instanceof vscode.Uri) return { backup: a.fsPath };
  if (a && typeof a === 'object' && 'fsPath' in a) return { backup: (a as { fsPath: string }).fsPath };
  return a ?? {};
}

/**
 * Runs the undo command: the backup folder given, else the last repair of this
 * session, else (interactive) a folder picker; confirms with a modal unless
 * `yes`; restores in the worker; offers to force it when the files changed.
 */
export async function undoRepairCommand(args?: UndoArgs | vscode.Uri | string): Promise<UndoCommandResult> {
  const fail = (message: string, backup?: string): UndoCommandResult => {
    void vscode.window.showErrorMessage(message);
    return { message, failed: true, ...(backup ? { backup } : {}) };
  };
  const a = toPath(args);
  let backup = a.backup ?? last?.backup;
  if (!backup && !a.yes) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: 'No repair in this session: pick the backup folder of the repair to undo', openLabel: 'Undo This Repair' });
    backup = picked?.[0]?.fsPath;
    if (!backup) return { message: 'cancelled' };
  }
  if (!backup) return fail('Undo AOF Repair: no repair to undo in this session (pass the backup folder).');
  backup = path.resolve(backup);

  let record: BackupRecord;
  try {
    record = readBackupRecord(backup);
  } catch (e) {
    return fail(`Undo AOF Repair: ${e instanceof Error ? e.message : String(e)}`, backup);
  }
  if (record.restored) {
    const message = `Undo AOF Repair: already restored on ${record.restored.at} (backup: ${backup})`;
    void vscode.window.showInformationMessage(message);
    if (last?.backup === backup) last = undefined;
    return { backup, restored: [], message };
  }
  // Unsaved changes to a file the undo rewrites would be lost, or overwrite it.
  const touched = [record.name, ...record.dropFiles, ...(record.renameTo ? [record.renameTo] : [])].map((f) => path.join(record.dir, f));
  if (record.manifest) touched.push(record.manifest);
  const dirty = vscode.workspace.textDocuments.find((d) => d.isDirty && d.uri.scheme === 'file' && touched.includes(d.uri.fsPath));
  if (dirty) return fail(`Undo AOF Repair: ${path.basename(dirty.uri.fsPath)} has unsaved changes: save or revert it first.`, backup);

  if (!a.yes) {
    const go = await vscode.window.showWarningMessage(`Undo the repair of ${record.name}? The original file${record.renameTo ? 's and manifest' : ''} will be put back.`, { modal: true, detail: undoDetail(record, backup) }, 'Undo Repair');
    if (go !== 'Undo Repair') return { backup, message: 'cancelled' };
  }

  const run = (force: boolean) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Undoing the repair of ${record.name}…`, cancellable: false }, async () => {
      // Not cancellable: the worker runs to the end (each file is replaced atomically; a rerun finishes an interrupted undo).
      const m = await inWorker({ type: 'restore', id: 1, backup: backup!, force });
      if (m.type !== 'restored') throw new Error(`unexpected worker reply ${m.type}`);
      return m;
    });
  let done: { restored: string[]; message: string };
  try {
    done = await run(a.force === true);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code !== 'ECHANGED' || a.yes || a.force) return fail(`Undo AOF Repair: ${err.message}`, backup);
    const again = await vscode.window.showWarningMessage(
      `The files changed since the repair of ${record.name}. Undo anyway?`,
      { modal: true, detail: `${err.message}\n\nThe current files are first saved in a replaced-by-undo folder inside the backup folder.` },
      'Undo Anyway',
    );
    if (again !== 'Undo Anyway') return { backup, message: 'cancelled' };
    try {
      done = await run(true);
    } catch (e2) {
      return fail(`Undo AOF Repair: ${e2 instanceof Error ? e2.message : String(e2)}`, backup);
    }
  }
  if (last?.backup === backup) last = undefined;
  const original = path.join(record.dir, record.name);
  repairEvents.fire({
    file: original,
    backup,
    undone: true,
    files: [...new Set([original, ...(record.after ? [record.after.file] : []), ...record.dropFiles.map((f) => path.join(record.dir, f)), ...(record.renameTo && record.manifest ? [record.manifest] : [])])],
  });
  void vscode.window.showInformationMessage(`Undid the repair of ${record.name}: ${done.message}`);
  return { backup, restored: done.restored, message: done.message };
}

/** Registers the repair and undo commands and the quick fixes of `redis-aof` documents. */
export function registerAofRepairs(context: vscode.ExtensionContext): void {
  workerFile = workerPath(context);
  registerAofQuickFixes(context);
  context.subscriptions.push(
    vscode.commands.registerCommand(REPAIR_COMMAND, (args?: RepairArgs | vscode.Uri) => repairAofCommand(args instanceof vscode.Uri ? { uri: args } : args)),
    vscode.commands.registerCommand(UNDO_COMMAND, (args?: UndoArgs | vscode.Uri | string) => undoRepairCommand(args)),
  );
}
