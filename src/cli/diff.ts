/**
 * `redis-inspect diff A B`: a semantic, key-level diff of two persistence
 * inputs (see src/core/diff): each an RDB file, or an AOF — plain, hybrid, or
 * a multi-part set given as its manifest or its `appendonlydir` — replayed
 * into the dataset redis-server would load (src/core/aof/replay.ts). Exit
 * status: 0 same data, 1 different, 2 usage or I/O error, a damaged input
 * (which one and where), or an AOF whose replay cannot be exact for the keys
 * compared (which commands).
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parseArgs } from 'node:util';
import { replayAof, replayAofSet, type ReplayedAof } from '../core/aof/replay.js';
import { formatOffset, type Problem } from '../core/model/problem.js';
import { formatProblem } from '../core/report.js';
import { changeDetails, diffSides, type DiffSide, type KeyChange, type RdbDiff } from '../core/diff/rdbDiff.js';
import { writeDiffJson, writeDiffMarkdown, writeDiffText } from '../core/diff/format.js';
import { firstChanges } from '../core/diff/changeLog.js';
import type { KeyDetails } from '../core/diff/details.js';
import { FileSource } from './fileSource.js';
import { SpillFile } from './spillFile.js';
import { Output } from './output.js';
import { openInDir, resolveOrHybrid } from './target.js';

function usage(message: string): number {
  process.stderr.write(`redis-inspect: ${message}\nRun 'redis-inspect --help' for usage.\n`);
  return 2;
}

function fail(message: string): number {
  process.stderr.write(`redis-inspect: ${message}\n`);
  return 2;
}

/** An opened side: an RDB read through its file, or an AOF replayed (its files stay open: the replay reads keys back from them). */
type Opened = { side: DiffSide; close(): void; damage?: Problem; notes: Problem[] };

function replayed(replay: ReplayedAof, damage: Problem | undefined, close: () => void): Opened {
  return { side: { kind: 'replayed', replay }, close, ...(damage ? { damage } : {}), notes: replay.problems.filter((p) => p.code !== 'replay.unsupported') };
}

function firstError(problems: Problem[]): Problem | undefined {
  return problems.find((p) => p.severity === 'error');
}

/** How much stays in memory (the rest is spilled to a temp file). */
export interface ReplayBudget {
  /** Keys a replayed AOF holds in memory, and changed keys the diff holds, before spilling (default 250,000 each). */
  keysInMemory?: number;
}

/** Opens A or B as the other commands resolve targets: RDB, AOF (plain or hybrid), manifest or appendonlydir; an AOF's relative times resolve against `nowMs`. */
function open(path: string, budget: ReplayBudget, nowMs: number): Opened {
  const target = resolveOrHybrid(path);
  if (target.kind === 'rdb') {
    const src = new FileSource(path);
    return { side: { kind: 'rdb', source: src }, close: () => src.close(), notes: [] };
  }
  const spill = new SpillFile();
  const options = { spill, nowMs, ...(budget.keysInMemory !== undefined ? { hotKeys: budget.keysInMemory } : {}) };
  const opened: FileSource[] = [];
  const close = (): void => {
    for (const s of opened) s.close();
    spill.close();
  };
  try {
    if (target.kind === 'aof') {
      const src = new FileSource(target.path);
      opened.push(src);
      const { result, replay } = replayAof(src, { ...options, fileName: nodePath.basename(target.path) });
      return replayed(replay, result.ok ? undefined : firstError(result.problems) ?? result.problems[0], close);
    }
    const { set, replay } = replayAofSet(new Uint8Array(fs.readFileSync(target.manifestPath)), openInDir(target.dir, opened), options);
    let damage: Problem | undefined;
    if (!set.ok) {
      const file = set.damaged;
      damage = firstError(set.problems) ?? (file?.result ? firstError(file.result.problems) : undefined);
      if (damage && file && damage.file === undefined) damage = { ...damage, file: file.name };
    }
    return replayed(replay, damage, close);
  } catch (e) {
    close();
    throw e;
  }
}

/** Options of `compareTargets`. */
interface CompareOptions extends ReplayBudget {
  dbs?: number[];
  match?: Uint8Array;
  namesLimit?: number;
}

type Compared = { ok: true; a: Opened; b: Opened; diff: RdbDiff; close(): void } | { ok: false; failure: string };

/**
 * Opens both targets and diffs them; a damaged input or an inexact replay is a
 * failure with the message the CLI prints. On success the caller calls `close()`
 * (the inputs, and the spill files of replays and of a long list of changes).
 */
function compareTargets(pathA: string, pathB: string, options: CompareOptions, note: (s: string) => void = () => undefined): Compared {
  // One clock for both sides: relative times (EXPIRE in a pre-7.0 AOF…) resolve alike, so a file equals itself.
  const nowMs = Date.now();
  const a = open(pathA, options, nowMs);
  let b: Opened;
  try {
    b = open(pathB, options, nowMs);
  } catch (e) {
    a.close();
    throw e;
  }
  const changeSpill = new SpillFile();
  const close = (): void => {
    a.close();
    b.close();
    changeSpill.close();
  };
  try {
    for (const [which, o, path] of [['A', a, pathA], ['B', b, pathB]] as const) {
      if (o.damage) {
        close();
        return { ok: false, failure: `${which} (${path}) is damaged at ${formatOffset(o.damage.offset)}${o.damage.file ? ` in ${o.damage.file}` : ''}: cannot diff it (run 'redis-inspect check ${path}' for the full report)\n${formatProblem(o.damage)}` };
      }
      for (const n of o.notes.filter((p) => p.code !== 'replay.clock').slice(0, 5)) note(`${which} (${path}): ${formatProblem(n)}`);
    }
    const outcome = diffSides(a.side, b.side, { ...options, spill: changeSpill, ...(options.keysInMemory !== undefined ? { changesInMemory: options.keysInMemory } : {}) });
    if (outcome.ok) return { ok: true, a, b, diff: outcome.diff, close };
    close();
    if (outcome.damaged) {
      const { which, problem } = outcome.damaged;
      const path = which === 'a' ? pathA : pathB;
      return { ok: false, failure: `${which.toUpperCase()} (${path}) is damaged at ${formatOffset(problem.offset)}: cannot diff it (run 'redis-inspect check ${path}' for the full report)\n${formatProblem(problem)}` };
    }
    const { which, problems } = outcome.inexact!;
    const path = which === 'a' ? pathA : pathB;
    const shown = problems.slice(0, 5).map((p) => formatProblem(p));
    return {
      ok: false,
      failure: `${which.toUpperCase()} (${path}) cannot be compared exactly: its replay cannot model ${problems.length === 1 ? 'a command' : `${problems.length} kinds of command`} that change${problems.length === 1 ? 's' : ''} the keys compared, so the diff would not be the truth (leave those keys out with --db/--match to compare the rest)\n${shown.join('\n')}${problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : ''}`,
    };
  } catch (e) {
    close();
    throw e;
  }
}

/**
 * The diff of two local targets as `redis-inspect diff --json` prints it, with
 * only the first `maxChanges` changes (and their details) — for the extension's
 * diff view, which runs it in the worker. `shown` and `total` count changes.
 */
export function diffJson(pathA: string, pathB: string, options: CompareOptions & { maxChanges: number }): { json: string; shown: number; total: number } | { failure: string } {
  const r = compareTargets(pathA, pathB, options);
  if (!r.ok) return { failure: r.failure };
  try {
    const parts: string[] = [];
    const changes = firstChanges(r.diff.changes, options.maxChanges);
    writeDiffJson({ ...r.diff, changes }, pathA, pathB, (c) => changeDetails(r.diff, c, r.a.side, r.b.side), (t) => void parts.push(t));
    return { json: parts.join(''), shown: changes.length, total: r.diff.changes.length };
  } finally {
    r.close();
  }
}

export function diffCommand(args: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        markdown: { type: 'boolean' },
        db: { type: 'string', multiple: true },
        match: { type: 'string' },
        limit: { type: 'string' },
        'max-key-names': { type: 'string' },
        'max-keys-in-memory': { type: 'string' },
        output: { type: 'string', short: 'o' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length < 2) return usage(positionals.length === 0 ? 'diff: missing files A and B' : 'diff: missing file B');
  if (positionals.length > 2) return usage(`diff: unexpected argument '${positionals[2]}'`);
  if (values.json && values.markdown) return usage('diff: choose one of --json and --markdown');
  const dbs: number[] | undefined = values.db?.map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
  if (dbs?.some((d) => Number.isNaN(d))) return usage(`--db must be a database number, not '${values.db![dbs.findIndex((d) => Number.isNaN(d))]}'`);
  const limit = values.limit !== undefined ? Number(values.limit) : 50;
  if (!Number.isInteger(limit) || limit < 0) return usage('--limit must be a non-negative integer');
  const namesLimit = values['max-key-names'] !== undefined ? Number(values['max-key-names']) : undefined;
  if (namesLimit !== undefined && (!Number.isInteger(namesLimit) || namesLimit < 0)) return usage('--max-key-names must be a non-negative integer');
  const keysInMemory = values['max-keys-in-memory'] !== undefined ? Number(values['max-keys-in-memory']) : undefined;
  if (keysInMemory !== undefined && (!Number.isInteger(keysInMemory) || keysInMemory < 0)) return usage('--max-keys-in-memory must be a non-negative integer');
  const [pathA, pathB] = positionals as [string, string];
  const r = compareTargets(
    pathA,
    pathB,
    {
      ...(dbs ? { dbs } : {}),
      ...(values.match !== undefined ? { match: Buffer.from(values.match, 'utf8') } : {}),
      ...(namesLimit !== undefined ? { namesLimit } : {}),
      ...(keysInMemory !== undefined ? { keysInMemory } : {}),
    },
    (n) => process.stderr.write(`redis-inspect: note: ${n}\n`),
  );
  if (!r.ok) return fail(r.failure);
  const { a, b, diff } = r;
  try {
    const detailsOf = (c: KeyChange): KeyDetails | undefined => changeDetails(diff, c, a.side, b.side);
    const out = new Output(values.output ?? null);
    try {
      const write = (s: string): void => out.text(s);
      if (values.json) writeDiffJson(diff, pathA, pathB, detailsOf, write);
      else if (values.markdown) writeDiffMarkdown(diff, pathA, pathB, detailsOf, write, limit);
      else writeDiffText(diff, pathA, pathB, detailsOf, write);
    } finally {
      out.close();
    }
    return diff.equal ? 0 : 1;
  } finally {
    r.close();
  }
}
