/**
 * `fix`: applies a repair plan of the core (src/core/aof/repair.ts) to the
 * user's files without losing a byte they did not choose to drop: it shows
 * what goes (byte ranges and commands), asks on a terminal unless `--yes`,
 * copies the original file and the removed bytes into a backup folder first,
 * and replaces the file atomically (temporary file, fsync, rename, fsync of the
 * directory). For a multi-part set the manifest is the commit point.
 */

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAof, type AofCommand, type AofResult } from '../core/aof/aofParser.js';
import { loadOrder, parseManifest } from '../core/aof/manifest.js';
import { planForSet, planRepair, type Removal, type RepairKind, type RepairOutcome, type RepairPlan } from '../core/aof/repair.js';
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

/**
 * Writes `write(fd)` to a temporary file beside `file`, fsyncs it and renames
 * it over `file`. `mode`: the permissions when `file` does not exist (default:
 * those of `file`); `beforeRename(tmp)` runs once the temporary file is complete
 * and synced.
 */
function replaceAtomically(file: string, write: (out: number) => void, o: { mode?: number; beforeRename?: (tmp: string) => void } = {}): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.redis-inspect-${process.pid}.tmp`);
  const mode = o.mode ?? fs.statSync(file).mode & 0o7777;
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
  try {
    o.beforeRename?.(tmp);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
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

/** The name of the record a repair leaves in its backup folder. */
export const BACKUP_RECORD = 'redis-inspect-backup.json';

/** How many bytes at the end of a file its fingerprint hashes. */
const TAIL_BYTES = 64 * 1024;

/**
 * What tells whether a file changed since it was recorded: its size and the
 * SHA-256 of its last 64 KiB (the whole file when smaller, so a manifest is
 * compared whole). Chosen over size + mtime: Redis changes an AOF by appending
 * (the size changes) or by replacing it with a rewrite (a new tail), and both
 * show here whatever the clock says, while an mtime gives false alarms after
 * a copy, a `touch` or a restore from a backup tool, and misses a same-size
 * rewrite within the file system's timestamp granularity. It costs one 64 KiB
 * read, even for a 2 GB AOF. (A same-size edit in the middle of a file goes
 * unseen: not something Redis does.) `mtimeMs` is informative only.
 */
export interface Fingerprint {
  size: number;
  tailSha256: string;
  mtimeMs?: number;
}

/**
 * `redis-inspect-backup.json`: what a repair did, and what `undo`
 * ({@link restoreBackup}) needs to reverse it. Version 1 (before `undo`) had
 * only `kind` to `at`.
 */
export interface BackupRecord {
  version: 2;
  /** The repair's kind. */
  kind: RepairKind;
  /** The path of the file that was repaired (absolute). */
  file: string;
  /** Its size before and after the repair, and the ranges removed from it (saved as `<name>.removed-<start>-<end>`). */
  size: number;
  newSize: number;
  removals: Removal[];
  /** Files moved out of a multi-part set into the backup folder. */
  dropFiles: string[];
  /** When the repair started (ISO 8601). */
  at: string;
  /** What the repair was given: a single AOF, or a multi-part set (manifest + files). */
  target: 'aof' | 'multipart';
  /** The directory of the file (the appendonlydir of a set), absolute. */
  dir: string;
  /** The repaired file's name in `dir` (the original copy in the backup has the same name). */
  name: string;
  /** Multi-part sets: the manifest's path (absolute). */
  manifest?: string;
  /** When the repair rewrote the manifest: the name of the original manifest's copy in the backup folder. */
  manifestName?: string;
  /** When the repair rewrote the manifest: the repaired file's new name (listed only by the new manifest). */
  renameTo?: string;
  /** Fingerprints of the originals saved in the backup folder, by their name there (file, moved files, manifest). */
  originals: Record<string, Fingerprint>;
  /**
   * The state the repair left, written once the repaired bytes are on disk and
   * before the commit (the rename): the repaired file and, for a set, the manifest.
   */
  after?: { file: string; fingerprint: Fingerprint; manifest?: Fingerprint };
  /** Set by `undo`. */
  restored?: { at: string; files: string[]; forced: boolean; saved?: string };
}

/** The fingerprint of a file (see {@link Fingerprint}). */
export function fingerprint(file: string): Fingerprint {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    const n = Math.min(st.size, TAIL_BYTES);
    const buf = Buffer.alloc(n);
    for (let at = 0; at < n; ) {
      const got = fs.readSync(fd, buf, at, n - at, st.size - n + at);
      if (got === 0) throw new Error(`${file}: unexpected end of file`);
      at += got;
    }
    return { size: st.size, tailSha256: createHash('sha256').update(buf).digest('hex'), mtimeMs: st.mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a small file durably and atomically (temporary file, fsync, rename, fsync of the directory). */
function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncPath(path.dirname(file), true);
}

function writeRecord(backup: string, record: BackupRecord): void {
  writeDurably(path.join(backup, BACKUP_RECORD), `${JSON.stringify(record, null, 2)}\n`);
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
  const manifestName = manifestPath && plan.manifest !== undefined ? path.basename(manifestPath) : undefined;
  if (manifestPath && manifestName) {
    fs.copyFileSync(manifestPath, path.join(backup, manifestName));
    fsyncPath(path.join(backup, manifestName));
  }
  const originals: Record<string, Fingerprint> = { [plan.file]: fingerprint(path.join(backup, plan.file)) };
  // The files a set drops are moved into the backup at the end: recorded as they are now (one
  // listed after the damaged file but missing has nothing to move, or to put back).
  for (const f of plan.dropFiles) if (fs.existsSync(path.join(dir, f))) originals[f] = fingerprint(path.join(dir, f));
  if (manifestName) originals[manifestName] = fingerprint(path.join(backup, manifestName));
  const record: BackupRecord = {
    version: 2,
    kind: plan.kind,
    file: path.resolve(file),
    size: plan.size,
    newSize: plan.newSize,
    removals: plan.removals,
    dropFiles: plan.dropFiles,
    at: new Date().toISOString(),
    target: target.kind === 'multipart' ? 'multipart' : 'aof',
    dir: path.resolve(dir),
    name: plan.file,
    ...(manifestPath ? { manifest: path.resolve(manifestPath) } : {}),
    ...(manifestName ? { manifestName } : {}),
    ...(manifestName && plan.renameTo !== undefined ? { renameTo: plan.renameTo } : {}),
    originals,
  };
  writeRecord(backup, record);
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
  /** Records the state the repair leaves (the written file, the manifest), before the commit. */
  const recordAfter = (written: string, resultFile: string, manifest?: Fingerprint) => {
    record.after = { file: path.resolve(resultFile), fingerprint: fingerprint(written), ...(manifest ? { manifest } : {}) };
    writeRecord(backup, record);
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
    replaceAtomically(manifestPath, (o) => fs.writeSync(o, plan.manifest!), { beforeRename: (tmp) => recordAfter(repaired, repaired, fingerprint(tmp)) });
    faultPoint('after-manifest');
    // 3. What the set no longer lists goes to the backup (the original is already copied there).
    fs.unlinkSync(file);
    for (const f of plan.dropFiles) if (originals[f]) moveFile(path.join(dir, f), path.join(backup, f));
    fsyncPath(dir, true);
  } else {
    // 2. One file changes: temporary file, fsync, rename over it.
    const manifest = manifestPath ? fingerprint(manifestPath) : undefined;
    replaceAtomically(file, writeRepaired, { beforeRename: (tmp) => recordAfter(tmp, file, manifest) });
  }

  return { backup, resultFile: plan.renameTo ? path.join(dir, plan.renameTo) : file };
}

/** A refusal or failure of `undo`, with a message for the user. `code`: ECHANGED (the files changed since the repair: `force` overrides), EBACKUP (not a usable backup folder), ENOENT, EIO. */
export class RestoreError extends Error {
  constructor(
    readonly code: 'ECHANGED' | 'EBACKUP' | 'ENOENT' | 'EIO',
    message: string,
  ) {
    super(message);
    this.name = 'RestoreError';
  }
}

/** Runs an fs step of `undo`, turning a raw fs error into one that says what was being done. */
function step<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RestoreError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new RestoreError(err.code === 'ENOENT' ? 'ENOENT' : 'EIO', `${what}: ${err.message ?? String(e)}`);
  }
}

/** The fingerprint of `file`, or undefined when it does not exist. */
function fingerprintIfAny(file: string): Fingerprint | undefined {
  if (!fs.existsSync(file)) return undefined;
  return step(`reading ${file}`, () => fingerprint(file));
}

function same(a: Fingerprint | undefined, b: Fingerprint | undefined): boolean {
  return !!a && !!b && a.size === b.size && a.tailSha256 === b.tailSha256;
}

/** Reads and checks a backup folder's record. */
export function readBackupRecord(backupDir: string): BackupRecord {
  const file = path.join(backupDir, BACKUP_RECORD);
  if (!fs.existsSync(backupDir)) throw new RestoreError('ENOENT', `${backupDir}: no such backup folder`);
  if (!fs.existsSync(file)) throw new RestoreError('EBACKUP', `${backupDir}: no ${BACKUP_RECORD} in it: not a backup folder of redis-inspect fix`);
  let record: Partial<BackupRecord> & { version?: number };
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BackupRecord>;
  } catch (e) {
    throw new RestoreError('EBACKUP', `${file}: unreadable (${e instanceof Error ? e.message : String(e)})`);
  }
  if (record.version !== 2 || typeof record.dir !== 'string' || typeof record.name !== 'string' || !record.originals || !Array.isArray(record.dropFiles)) {
    throw new RestoreError(
      'EBACKUP',
      `${file}: written by an older redis-inspect (or edited): it does not record what undo needs; restore by hand by copying the saved files${record.file ? ` back to ${path.dirname(record.file)}` : ''}`,
    );
  }
  if (record.renameTo !== undefined && (record.manifest === undefined || record.manifestName === undefined)) {
    throw new RestoreError('EBACKUP', `${file}: records a renamed file but no manifest`);
  }
  return record as BackupRecord;
}

function describeChange(label: string, now: Fingerprint | undefined, then: Fingerprint): string {
  if (!now) return `${label} is missing`;
  if (now.size !== then.size) return `${label} has ${now.size} bytes, the repair left ${then.size}${now.size > then.size ? ' (appended to since?)' : ''}`;
  return `${label} has the same size as the repair left but other bytes at its end`;
}

/**
 * Undoes a repair from its backup folder (`redis-inspect undo`): puts the
 * original file(s) back as they were before the repair, atomically.
 *
 * A single file (or a set whose manifest the repair kept) is replaced by its
 * saved copy (temporary file, fsync, rename). A set whose manifest the repair
 * rewrote is restored in the repair's order reversed: the files it moved out
 * come back first, then the original file under its name (none of them listed
 * by the current manifest), then the manifest's rename — the commit point: a
 * crash before it leaves the repaired set, after it the original one — and
 * last the renamed repaired file is removed. A rerun after a crash finishes
 * the job. The backup folder stays; its record is marked as restored.
 *
 * Refused (RestoreError ECHANGED) when the files are not what the repair left
 * (Redis appended to the AOF, rewrote it, …), unless `force`: then every
 * current file the undo overwrites or removes that is neither the original nor
 * what the repair left is first saved into `<backup>/replaced-by-undo-<time>`.
 * Files listed by a newer manifest are left in place.
 */
export function restoreBackup(backupDir: string, options: { force?: boolean } = {}): { restored: string[]; message: string } {
  const backup = path.resolve(backupDir);
  const record = readBackupRecord(backup);
  if (record.restored) {
    return { restored: [], message: `already restored on ${record.restored.at} (${record.restored.files.map((f) => path.basename(f)).join(', ') || 'nothing to write'}); the backup folder is kept: ${backup}` };
  }
  const { dir, name } = record;
  if (!fs.existsSync(dir)) throw new RestoreError('ENOENT', `${dir}: the directory of the repaired file is gone (moved?): nothing to restore into`);
  const set = record.renameTo !== undefined;
  const manifestPath = record.manifest;

  // 1. The backup must hold every original, as it was saved.
  // The files a set dropped that existed (one listed but missing was not moved, and is not put back).
  const dropped = set ? record.dropFiles.filter((f) => record.originals[f]) : [];
  const saved = [name, ...dropped, ...(record.manifestName ? [record.manifestName] : [])];
  for (const f of saved) {
    const want = record.originals[f];
    if (!want) throw new RestoreError('EBACKUP', `${backup}: the backup record has no fingerprint of ${f}`);
    const have = fingerprintIfAny(path.join(backup, f));
    // A repair stopped right after its commit has not moved the dropped files yet: they are still in place.
    if (!have && record.dropFiles.includes(f) && same(fingerprintIfAny(path.join(dir, f)), want)) continue;
    if (!same(have, want)) {
      throw new RestoreError('EBACKUP', `${backup}: incomplete backup: ${!have ? `${f} is missing` : have.size !== want.size ? `${f} has ${have.size} bytes, ${want.size} were saved` : `${f} is not the file that was saved (its last bytes differ)`}; nothing restored`);
    }
  }

  // 2. Where the files stand: as the repair left them, already the originals, or changed.
  const after = record.after;
  const fileNow = fingerprintIfAny(path.join(dir, name));
  const manifestNow = manifestPath ? fingerprintIfAny(manifestPath) : undefined;
  const resultNow = after ? fingerprintIfAny(after.file) : undefined;
  const isOriginal = set
    ? same(manifestNow, record.originals[record.manifestName!]) && same(fileNow, record.originals[name]) && dropped.every((f) => same(fingerprintIfAny(path.join(dir, f)), record.originals[f]))
    : same(fileNow, record.originals[name]);
  const changes: string[] = [];
  if (!after) {
    changes.push('the backup does not record the state the repair left (the repair was interrupted before its commit?)');
  } else {
    if (!same(resultNow, after.fingerprint)) changes.push(describeChange(path.basename(after.file), resultNow, after.fingerprint));
    if (after.manifest && !same(manifestNow, after.manifest)) changes.push(describeChange(`the manifest ${path.basename(manifestPath!)}`, manifestNow, after.manifest));
  }

  const markRestored = (files: string[], forced: boolean, savedTo?: string) => {
    record.restored = { at: new Date().toISOString(), files, forced, ...(savedTo ? { saved: savedTo } : {}) };
    step(`marking ${backup} as restored`, () => writeRecord(backup, record));
  };

  if (isOriginal && changes.length > 0) {
    // The originals are in place: an undo stopped after its commit, or the repair before its own.
    if (set && after && fs.existsSync(after.file) && same(resultNow, after.fingerprint)) {
      step(`removing the repaired file ${after.file}`, () => fs.unlinkSync(after.file));
      step(`syncing ${dir}`, () => fsyncPath(dir, true));
    }
    markRestored([], false);
    return { restored: [], message: `${set ? dir : path.join(dir, name)} already holds the original${set ? ' set' : ' file'} (an interrupted undo, or a repair that did not commit): marked as restored; the backup folder is kept: ${backup}` };
  }
  if (changes.length > 0 && !options.force) {
    throw new RestoreError(
      'ECHANGED',
      `refusing to undo: the files changed since the repair: ${changes.join('; ')}. Stop Redis before undoing; to put the originals back anyway, use --force (the current files are first saved in the backup folder)`,
    );
  }
  const forced = changes.length > 0;

  // 3. Restore. A current file that is neither the original nor what the repair left is saved first.
  let savedTo: string | undefined;
  const keep = (file: string, how: 'copy' | 'move') => {
    if (!savedTo) {
      savedTo = path.join(backup, `replaced-by-undo-${stamp()}`);
      for (let i = 2; fs.existsSync(savedTo); i++) savedTo = path.join(backup, `replaced-by-undo-${stamp()}-${i}`);
      step(`creating ${savedTo}`, () => fs.mkdirSync(savedTo!));
    }
    const to = path.join(savedTo, path.basename(file));
    step(`saving the current ${file} in ${savedTo}`, () => {
      if (how === 'move') moveFile(file, to);
      else fs.copyFileSync(file, to);
      fsyncPath(to);
    });
  };
  /** Puts `f` from the backup back into `dir` (unless it already is the original there). */
  const restoreFile = (f: string, dest: string, repaired?: Fingerprint): boolean => {
    const now = fingerprintIfAny(dest);
    if (same(now, record.originals[f])) return false;
    if (now && !same(now, repaired)) keep(dest, 'copy');
    const from = path.join(backup, f);
    const mode = step(`reading ${from}`, () => fs.statSync(from).mode & 0o7777);
    step(`restoring ${dest} from ${from}`, () =>
      replaceAtomically(
        dest,
        (out) => {
          const fd = fs.openSync(from, 'r');
          try {
            copyRange(fd, 0, record.originals[f]!.size, out);
          } finally {
            fs.closeSync(fd);
          }
        },
        { mode },
      ),
    );
    return true;
  };

  const restored: string[] = [];
  const notes: string[] = [];
  if (!set) {
    if (restoreFile(name, path.join(dir, name), after?.fingerprint)) restored.push(path.join(dir, name));
  } else {
    const listedNow = manifestNow ? listedBy(manifestPath!) : [];
    // The files the repair moved out, then the original under its name: none is listed by the repaired manifest.
    for (const f of [...dropped, name]) {
      if (restoreFile(f, path.join(dir, f))) restored.push(path.join(dir, f));
    }
    step(`syncing ${dir}`, () => fsyncPath(dir, true));
    faultPoint('undo-before-manifest');
    // The commit point: the original manifest.
    if (restoreFile(record.manifestName!, manifestPath!, after?.manifest)) restored.push(manifestPath!);
    faultPoint('undo-after-manifest');
    const repaired = path.join(dir, record.renameTo!);
    if (fs.existsSync(repaired)) {
      if (same(resultNow, after?.fingerprint)) step(`removing the repaired file ${repaired}`, () => fs.unlinkSync(repaired));
      else keep(repaired, 'move');
      notes.push(`removed ${record.renameTo}`);
    }
    step(`syncing ${dir}`, () => fsyncPath(dir, true));
    const listedAfter = listedBy(manifestPath!);
    const orphans = listedNow.filter((f) => !listedAfter.includes(f) && f !== record.renameTo && fs.existsSync(path.join(dir, f)));
    if (orphans.length) notes.push(`left in place, no longer listed by the manifest: ${orphans.join(', ')}`);
  }
  markRestored(restored, forced, savedTo);
  const what = restored.length ? `restored ${restored.map((f) => path.basename(f)).join(', ')}` : 'the originals were already in place';
  return {
    restored,
    message: `${what}${set ? ` in ${dir}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}${savedTo ? `; the files it replaced are saved in ${savedTo}` : ''}; the backup folder is kept: ${backup}`,
  };
}

/** The BASE and INCR files a manifest lists (empty when it cannot be read). */
function listedBy(manifestPath: string): string[] {
  try {
    return loadOrder(parseManifest(new Uint8Array(fs.readFileSync(manifestPath)))).map((e) => e.name);
  } catch {
    return [];
  }
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
      ? `backup: ${backup} (to undo: redis-inspect undo ${JSON.stringify(backup)}, which puts the manifest, ${plan.file} and the moved files back into ${dir})`
      : `backup: ${backup} (to undo: redis-inspect undo ${JSON.stringify(backup)})`,
  );
  return 0;
}
