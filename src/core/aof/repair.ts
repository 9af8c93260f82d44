/**
 * Repair plans for AOF files: what `redis-check-aof --fix` and
 * `--truncate-to-timestamp` do (redis `src/redis-check-aof.c`; spec §7.3, §9),
 * and the repairs the Redis docs leave to hand surgery (dropping a damaged
 * last command, an unclosed MULTI, an accidental trailing FLUSHALL). A plan is
 * data: byte ranges to remove from one file, files to drop from a multi-part
 * set and the manifest to write — applying it is the caller's job, atomically.
 */

import type { AofResult } from './aofParser.js';
import type { AofSetResult } from './aofSet.js';
import { formatEntry, type ManifestEntry } from './manifest.js';

/** A half-open byte range to remove. */
export interface Removal {
  start: number;
  end: number;
}

/** The kinds of repair. */
export type RepairKind = 'fix' | 'drop-last-command' | 'strip-unclosed-multi' | 'remove-flush' | 'truncate-to-timestamp';

/** What a repair will do. */
export interface RepairPlan {
  kind: RepairKind;
  /** Name of the file that changes (manifest name for a set, the path's base name otherwise). */
  file: string;
  size: number;
  /** Sorted, disjoint ranges removed from `file`. */
  removals: Removal[];
  newSize: number;
  /** Multi-part sets only: files after `file` that leave the set (moved to the backup). */
  dropFiles: string[];
  /** Multi-part sets only: the manifest after the repair, when it changes. */
  manifest?: string;
  /**
   * Multi-part sets only, with `manifest`: the repaired file is written under
   * this new name, which the new manifest lists, so that replacing the manifest
   * is the one atomic step between the old set and the repaired one.
   */
  renameTo?: string;
  /** One sentence: what goes and why. */
  summary: string;
}

/** A repair that cannot be done, and why (Redis's words where it has some). */
export interface RepairRefusal {
  refused: string;
}

export type RepairOutcome = RepairPlan | RepairRefusal | { nothing: string };

function plan(kind: RepairKind, file: string, size: number, removals: Removal[], summary: string): RepairPlan {
  const removed = removals.reduce((n, r) => n + r.end - r.start, 0);
  return { kind, file, size, removals, newSize: size - removed, dropFiles: [], summary };
}

function shrink(file: string, r: AofResult): string {
  return `This will shrink the AOF ${file} from ${r.size} bytes, with ${r.size - r.validUpTo} bytes, to ${r.validUpTo} bytes`;
}

/** `redis-check-aof --fix` on a single file: truncate at `ok_up_to`. */
export function planFix(file: string, r: AofResult): RepairOutcome {
  if (r.preambleDamaged) return { refused: `RDB preamble of AOF file ${file} is not sane: redis-check-aof never repairs it` };
  if (r.ok) return { nothing: `AOF ${file} is valid: nothing to fix` };
  return plan('fix', file, r.size, [{ start: r.validUpTo, end: r.size }], shrink(file, r));
}

/**
 * Drops the last command when it is the damaged one: either the record that
 * breaks the file is the last one, or the last complete command is one Redis
 * refuses (unknown, impossible arity, no arguments).
 */
export function planDropLastCommand(file: string, r: AofResult): RepairOutcome {
  if (r.preambleDamaged) return { refused: `the damage is in the RDB preamble of ${file}, not in a command` };
  if (!r.ok) {
    if (r.openMulti) return { refused: 'the file ends in an unclosed MULTI: use --strip-unclosed-multi (or fix)' };
    const after = r.problems.filter((p) => p.code !== 'aof.unparsed' && p.offset > r.validUpTo && p.severity === 'error');
    if (after.length > 1) return { refused: 'the damage is not confined to the last command: use fix to truncate at the first bad record' };
    return plan('drop-last-command', file, r.size, [{ start: r.validUpTo, end: r.size }], `drops the damaged last record at ${r.validUpTo} (${r.size - r.validUpTo} bytes)`);
  }
  const last = r.lastCommand;
  if (!last) return { refused: `${file} has no command` };
  if (r.lastCommandWarnings.length === 0) {
    return { refused: `the last command of ${file} ('${last.name}') is not damaged; nothing Redis refuses to load` };
  }
  return plan(
    'drop-last-command',
    file,
    r.size,
    [{ start: last.start, end: r.size }],
    `drops the last ${last.transaction ? 'transaction' : 'command'} ('${last.name}', ${r.lastCommandWarnings.join(', ')}) at ${last.start}`,
  );
}

/** Removes a transaction left open at the end of the file (what the server reverts on load). */
export function planStripUnclosedMulti(file: string, r: AofResult): RepairOutcome {
  if (!r.openMulti) return { refused: `${file} does not end in an unclosed MULTI` };
  return plan('strip-unclosed-multi', file, r.size, [{ start: r.validUpTo, end: r.size }], `removes the unclosed MULTI block at ${r.validUpTo} to the end (${r.size - r.validUpTo} bytes)`);
}

/**
 * Removes the last FLUSHALL/FLUSHDB (with its MULTI/EXEC when it is alone in
 * one) — the recovery the Redis persistence docs describe after an accidental
 * flush — and, with `withFollowing`, every command after it.
 */
export function planRemoveFlush(file: string, r: AofResult, withFollowing: boolean): RepairOutcome {
  const f = r.lastFlush;
  if (!f) return { refused: `${file} has no FLUSHALL or FLUSHDB before its first damage` };
  if (!r.ok && !withFollowing) return { refused: `${file} is damaged after the FLUSH: fix it first, or add --with-following to drop everything after the FLUSH` };
  const end = withFollowing ? r.size : f.removeEnd;
  const what = f.removeEnd - f.removeStart > f.end - f.start ? `the transaction holding ${f.name.toUpperCase()}` : f.name.toUpperCase();
  const tail = withFollowing ? ` and everything after it (${f.commandsAfter} commands)` : f.commandsAfter ? `; the ${f.commandsAfter} commands after it stay` : '';
  return plan('remove-flush', file, r.size, [{ start: f.removeStart, end }], `removes ${what} at ${f.removeStart}${tail}`);
}

/**
 * `--truncate-to-timestamp T` on one file, as redis-check-aof does it: cut at
 * the first `#TS:` annotation later than T that its scan reaches.
 */
export function planTruncateToTimestamp(file: string, r: AofResult, seconds: number, last: boolean): RepairOutcome {
  const ts = r.timestamps.find((t) => t.seconds > seconds && t.start < r.scanEnd);
  if (!ts) {
    if (!r.ok) return { refused: `AOF ${file} is not valid before any timestamp later than ${seconds}: fix it first` };
    return { nothing: `Truncate nothing in AOF ${file} to timestamp ${seconds}` };
  }
  if (ts.start === 0) return { refused: `AOF ${file} has nothing before timestamp ${seconds}, aborting...` };
  if (!last) {
    return {
      refused: `Failed to truncate AOF ${file} to timestamp ${seconds} to offset ${ts.start} because it is not the last file.`,
    };
  }
  return plan('truncate-to-timestamp', file, r.size, [{ start: ts.start, end: r.size }], `truncates at the #TS:${ts.seconds} annotation at ${ts.start} (${r.size - ts.start} bytes after ${new Date(seconds * 1000).toISOString()})`);
}

/** Which repair, with its options. */
export interface RepairRequest {
  kind: RepairKind;
  /** remove-flush: also drop every command after the FLUSH. */
  withFollowing?: boolean;
  /** truncate-to-timestamp: unix seconds. */
  timestamp?: number;
}

/** The plan of one repair on one file (`last`: the file is the last one loaded). */
export function planRepair(request: RepairRequest, file: string, r: AofResult, last: boolean): RepairOutcome {
  switch (request.kind) {
    case 'fix':
      return planFix(file, r);
    case 'drop-last-command':
      return planDropLastCommand(file, r);
    case 'strip-unclosed-multi':
      return planStripUnclosedMulti(file, r);
    case 'remove-flush':
      return planRemoveFlush(file, r, request.withFollowing ?? false);
    case 'truncate-to-timestamp':
      if (request.timestamp === undefined) return { refused: 'no timestamp given' };
      return planTruncateToTimestamp(file, r, request.timestamp, last);
  }
}

/**
 * The repair applied to a multi-part set: the plan runs on the last file only
 * (as redis-check-aof --fix), unless `dropLaterFiles` allows a damaged earlier
 * file to be truncated with every later file moved out and the manifest rewritten.
 */
export function planForSet(
  set: AofSetResult,
  make: (file: string, r: AofResult, last: boolean) => RepairOutcome,
  options: { dropLaterFiles?: boolean; kind: RepairKind },
): RepairOutcome {
  if (!set.manifest.ok) return { refused: `the manifest is invalid (${set.manifest.problems[0]?.message}): edit it first` };
  if (set.files.length === 0) return { nothing: 'the manifest lists no BASE or INCR file' };
  const target = options.kind === 'fix' || options.kind === 'drop-last-command' || options.kind === 'strip-unclosed-multi' ? set.damaged ?? set.files[set.files.length - 1]! : undefined;
  if (target?.openError) return { refused: `Cannot open file ${target.name}: ${target.openError}` };
  if (options.kind === 'truncate-to-timestamp') {
    // redis-check-aof walks the files in order and acts at the first later timestamp.
    for (const f of set.files) {
      if (!f.result) return { refused: `Cannot open file ${f.name}: ${f.openError}` };
      const outcome = make(f.name, f.result, f.last);
      if ('nothing' in outcome) {
        if (!f.result.ok) return { refused: `AOF ${f.name} is not valid: fix it first` };
        continue;
      }
      return outcome;
    }
    return { nothing: 'Truncate nothing: no timestamp later than the one given' };
  }
  const file = target ?? set.files[set.files.length - 1]!;
  const outcome = make(file.name, file.result!, file.last);
  if (!('removals' in outcome)) return outcome;
  if (file.last) return outcome;
  if (!options.dropLaterFiles) {
    return {
      refused: `Failed to truncate AOF ${file.name} because it is not the last file. Use --drop-later-files to truncate it, move the later files to the backup folder and rewrite the manifest.`,
    };
  }
  const index = set.files.indexOf(file);
  const later = set.files.slice(index + 1);
  const dropped = new Set(later.map((f) => f.entry));
  outcome.dropFiles = later.map((f) => f.name);
  const taken = new Set(set.manifest.entries.map((e) => e.name));
  outcome.renameTo = repairedName(file.name, taken);
  outcome.manifest = rewriteManifest(set.manifest.entries, dropped, new Map([[file.entry, outcome.renameTo]]));
  outcome.summary += `; moves ${later.length} later file${later.length === 1 ? '' : 's'} (${later.map((f) => f.name).join(', ')}) out of the set and rewrites the manifest`;
  return outcome;
}

/**
 * The manifest text without the given entries and with renamed ones, in
 * Redis's order (BASE, HISTORY, INCR).
 */
export function rewriteManifest(entries: ManifestEntry[], drop: Set<ManifestEntry>, rename: Map<ManifestEntry, string> = new Map()): string {
  const kept = entries.filter((e) => !drop.has(e)).map((e) => (rename.has(e) ? { ...e, name: rename.get(e)! } : e));
  const order = [...kept.filter((e) => e.type === 'b'), ...kept.filter((e) => e.type === 'h'), ...kept.filter((e) => e.type === 'i')];
  return order.map(formatEntry).join('');
}

/** `appendonly.aof.1.incr.aof` → `appendonly.aof.1.incr.repaired.aof` (then `.repaired-2.aof`, … when taken). */
export function repairedName(name: string, taken: Set<string>): string {
  const dot = name.endsWith('.aof') || name.endsWith('.rdb') ? name.length - 4 : name.length;
  for (let i = 1; ; i++) {
    const candidate = `${name.slice(0, dot)}.repaired${i === 1 ? '' : `-${i}`}${name.slice(dot)}`;
    if (!taken.has(candidate)) return candidate;
  }
}
