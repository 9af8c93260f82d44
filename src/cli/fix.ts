/**
 * `fix`: applies a repair plan of the core (src/core/aof/repair.ts) to the
 * user's files without losing a byte they did not choose to drop: it shows
 * what goes (byte ranges and commands), asks on a terminal unless `--yes`,
 * copies the original file and the removed bytes into a backup folder first,
 * and replaces the file atomically (temporary file, fsync, rename, fsync of the
 * directory). For a multi-part set the manifest is the commit point.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAof, type AofCommand, type AofResult } from '../core/aof/aofParser.js';
import { planForSet, planRepair, type RepairKind, type RepairOutcome, type RepairPlan } from '../core/aof/repair.js';
import { formatOffset } from '../core/model/problem.js';
import { commandText, readAof } from './aof.js';
import { FileSource } from './fileSource.js';
import type { Target } from './target.js';

export interface FixOptions {
  kind: RepairKind;
  yes: boolean;
  dryRun: boolean;
  backup?: string;
  dropLaterFiles: boolean;
  withFollowing: boolean;
  timestamp?: number;
}

/** Test hook: `REDIS_INSPECT_FAULT=<step>` kills the process at that step (crash-safety tests). */
function faultPoint(step: string): void {
  if (process.env.REDIS_INSPECT_FAULT === step) process.kill(process.pid, 'SIGKILL');
}

function say(s: string): void {
  process.stdout.write(`${s}\n`);
}

/** The repair `o` asks for on `target` (a single AOF or a multi-part set), and the directory its files are in. */
export function planFor(target: Target, o: Pick<FixOptions, 'kind' | 'dropLaterFiles' | 'withFollowing' | 'timestamp'>): { outcome: RepairOutcome; dir: string } {
  const run = readAof(target, () => ({}));
  const make = (file: string, r: AofResult, last: boolean): RepairOutcome => planRepair(o, file, r, last);
  if (run.single) {
    const p = (target as { path: string }).path;
    return { outcome: make(path.basename(p), run.single, true), dir: path.dirname(p) };
  }
  const t = target as Extract<Target, { kind: 'multipart' }>;
  return { outcome: planForSet(run.set!, make, { kind: o.kind, dropLaterFiles: o.dropLaterFiles }), dir: t.dir };
}

/** The commands (complete or not) inside the ranges a plan removes. */
export function affected(file: string, plan: RepairPlan): string[] {
  const src = new FileSource(file);
  const lines: string[] = [];
  try {
    const inRemoval = (c: AofCommand) => plan.removals.some((r) => c.start >= r.start && c.end <= r.end);
    const r = parseAof(
      src,
      {
        command(c) {
          if (!c.afterDamage && inRemoval(c)) lines.push(`  command ${c.index + 1} at ${formatOffset(c.start)}, line ${c.line}, ${c.end - c.start} bytes: ${commandText(c)}`);
        },
      },
      { keepArgs: true, continueAfterError: false, trackLines: true },
    );
    for (const rm of plan.removals) {
      if (!r.ok && r.validUpTo >= rm.start && r.validUpTo < rm.end) {
        const last = r.problems.find((p) => p.severity === 'error');
        lines.push(`  the damaged record at ${formatOffset(r.validUpTo)} and every byte after it to ${formatOffset(rm.end)}${last ? ` (${last.message.split(';')[0]})` : ''}`);
      }
    }
  } finally {
    src.close();
  }
  return lines;
}

function ask(question: string): boolean {
  process.stdout.write(question);
  const buf = Buffer.alloc(256);
  let answer = '';
  for (;;) {
    let n = 0;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
    if (n === 0) break;
    answer += buf.subarray(0, n).toString('utf8');
    if (answer.includes('\n')) break;
  }
  return /^[yY]/.test(answer);
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

function fsyncPath(p: string, dir = false): void {
  const fd = fs.openSync(p, dir ? 'r' : 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies `[start, end)` of `from` into an open fd; `faulty` marks the copy of the repaired file (test hook). */
function copyRange(from: number, start: number, end: number, to: number, faulty = false): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let at = start; at < end; ) {
    const n = fs.readSync(from, buf, 0, Math.min(buf.length, end - at), at);
    if (n === 0) throw new Error(`unexpected end of file at ${at}`);
    fs.writeSync(to, buf, 0, n);
    at += n;
    if (faulty) faultPoint('during-copy');
  }
}

/** Writes `bytesOf(fd)` to a temporary file beside `file`, fsyncs it and renames it over `file`. */
function replaceAtomically(file: string, write: (out: number) => void): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.redis-inspect-${process.pid}.tmp`);
  const mode = fs.statSync(file).mode & 0o7777;
  const out = fs.openSync(tmp, 'wx', mode);
  try {
    write(out);
    fs.fsyncSync(out);
  } catch (e) {
    fs.closeSync(out);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(out);
  faultPoint('before-rename');
  fs.renameSync(tmp, file);
  fsyncPath(dir, true);
  faultPoint('after-rename');
}

/** Moves a file, falling back to copy + fsync + unlink across devices. */
function moveFile(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.copyFileSync(from, to);
    fsyncPath(to);
    fs.unlinkSync(from);
  }
}

/** Where `target`'s files are: the directory a repair plan's file names are relative to. */
export function targetDir(target: Target): string {
  if (target.kind === 'multipart') return target.dir;
  return path.dirname(target.path);
}

/** The backup folder a repair makes when none is given: beside the file, or beside the appendonlydir (Redis owns what is inside it). */
export function defaultBackupDir(target: Target): string {
  const dir = targetDir(target);
  return target.kind === 'multipart'
    ? path.join(path.dirname(path.resolve(dir)), `${path.basename(path.resolve(dir))}-redis-inspect-backup-${stamp()}-${process.pid}`)
    : path.join(dir, `redis-inspect-backup-${stamp()}-${process.pid}`);
}

export interface ApplyOptions {
  /** Backup folder to use (created when missing); default: a new folder beside the file or the appendonlydir. */
  backup?: string;
}

export interface ApplyResult {
  /** The backup folder: the original file, the removed bytes, the manifest when it changes, redis-inspect-backup.json. */
  backup: string;
  /** The repaired file (the plan's file, or its new name in a multi-part set). */
  resultFile: string;
}

/**
 * Applies a repair plan without printing or asking: backs up the original
 * file, the removed bytes and the manifest, then replaces the file atomically
 * (for a multi-part set whose manifest changes, the manifest's rename is the
 * commit point). Shared by `fix` and the extension's repair command.
 */
export function applyRepairPlan(target: Target, plan: RepairPlan, options: ApplyOptions = {}): ApplyResult {
  const dir = targetDir(target);
  const file = path.join(dir, plan.file);
  // 1. Backups: the original file, the removed bytes, the manifest.
  // Beside the file, or beside the appendonlydir (Redis owns what is inside it).
  const backup = options.backup ?? defaultBackupDir(target);
  fs.mkdirSync(backup, { recursive: true });
  fs.copyFileSync(file, path.join(backup, plan.file));
  fsyncPath(path.join(backup, plan.file));
  const src = fs.openSync(file, 'r');
  try {
    for (const r of plan.removals) {
      const name = path.join(backup, `${plan.file}.removed-${r.start}-${r.end}`);
      const out = fs.openSync(name, 'wx');
      try {
        copyRange(src, r.start, r.end, out);
        fs.fsyncSync(out);
      } finally {
        fs.closeSync(out);
      }
    }
  } finally {
    fs.closeSync(src);
  }
  const manifestPath = target.kind === 'multipart' ? target.manifestPath : undefined;
  if (manifestPath && plan.manifest !== undefined) {
    fs.copyFileSync(manifestPath, path.join(backup, path.basename(manifestPath)));
    fsyncPath(path.join(backup, path.basename(manifestPath)));
  }
  fs.writeFileSync(
    path.join(backup, 'redis-inspect-backup.json'),
    `${JSON.stringify({ kind: plan.kind, file, size: plan.size, newSize: plan.newSize, removals: plan.removals, dropFiles: plan.dropFiles, at: new Date().toISOString() }, null, 2)}\n`,
  );
  fsyncPath(backup, true);
  faultPoint('after-backup');

  const writeRepaired = (out: number) => {
    const from = fs.openSync(file, 'r');
    try {
      let at = 0;
      for (const r of plan.removals) {
        copyRange(from, at, r.start, out, true);
        at = r.end;
      }
      copyRange(from, at, plan.size, out, true);
    } finally {
      fs.closeSync(from);
    }
  };

  if (manifestPath && plan.manifest !== undefined && plan.renameTo !== undefined) {
    // 2. A set whose manifest changes commits through the manifest alone: the
    // repaired file is written under a new name first, then one rename of the
    // manifest switches from the old set to the repaired one. A crash before it
    // leaves the old set, after it the repaired one.
    const repaired = path.join(dir, plan.renameTo);
    // Not listed in the manifest: a leftover of an interrupted run may be overwritten.
    const out = fs.openSync(repaired, 'w', fs.statSync(file).mode & 0o7777);
    try {
      writeRepaired(out);
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
    fsyncPath(dir, true);
    faultPoint('after-temp-write');
    replaceAtomically(manifestPath, (o) => fs.writeSync(o, plan.manifest!));
    faultPoint('after-manifest');
    // 3. What the set no longer lists goes to the backup (the original is already copied there).
    fs.unlinkSync(file);
    for (const f of plan.dropFiles) moveFile(path.join(dir, f), path.join(backup, f));
    fsyncPath(dir, true);
  } else {
    // 2. One file changes: temporary file, fsync, rename over it.
    replaceAtomically(file, writeRepaired);
  }

  return { backup, resultFile: plan.renameTo ? path.join(dir, plan.renameTo) : file };
}

/** Runs `fix`; returns the exit status. */
export function fixCommand(target: Target, o: FixOptions): number {
  const { outcome, dir } = planFor(target, o);
  if ('refused' in outcome) {
    process.stderr.write(`redis-inspect: ${outcome.refused}\n`);
    return 1;
  }
  if ('nothing' in outcome) {
    say(outcome.nothing);
    return 0;
  }
  const plan = outcome;
  const file = path.join(dir, plan.file);
  if (plan.kind !== 'fix') say(`${plan.kind}: ${plan.summary}`);
  say(`This will shrink the AOF ${plan.file} from ${plan.size} bytes, with ${plan.size - plan.newSize} bytes, to ${plan.newSize} bytes`);
  for (const r of plan.removals) say(`removes bytes ${formatOffset(r.start)} to ${formatOffset(r.end)} (${r.end - r.start} bytes):`);
  for (const line of affected(file, plan)) say(line);
  if (plan.renameTo) say(`writes the repaired ${plan.file} as ${plan.renameTo} and moves the original to the backup folder`);
  for (const f of plan.dropFiles) say(`moves ${f} out of the set (to the backup folder)`);
  if (plan.manifest !== undefined) say(`rewrites the manifest as:\n${plan.manifest.replace(/^/gm, '  ').trimEnd()}`);
  if (o.dryRun) {
    say('dry run: nothing written');
    return 0;
  }
  if (!o.yes) {
    if (!process.stdin.isTTY) {
      process.stderr.write('redis-inspect: no terminal to confirm on; rerun with --yes to apply (or --dry-run to preview)\n');
      return 1;
    }
    if (!ask('Continue? [y/N]: ')) {
      say('Aborting...');
      return 1;
    }
  }

  const { backup, resultFile: result } = applyRepairPlan(target, plan, { backup: o.backup });
  say(
    `Successfully ${plan.kind === 'truncate-to-timestamp' ? `truncated AOF ${plan.file} to timestamp ${o.timestamp}` : `repaired AOF ${plan.file}`}: now ${fs.statSync(result).size} bytes${plan.renameTo ? `, as ${plan.renameTo} (listed in the new manifest)` : ''}`,
  );
  say(
    plan.renameTo
      ? `backup: ${backup} (to undo: copy the manifest, ${plan.file} and the moved files from it back into ${dir})`
      : `backup: ${backup} (to undo: cp ${JSON.stringify(path.join(backup, plan.file))} ${JSON.stringify(file)})`,
  );
  return 0;
}
