/**
 * `redis-inspect diff A B`: a semantic, key-level diff of two RDB files (see
 * src/core/diff). Exit status: 0 same data, 1 different, 2 usage or I/O
 * error, an input that is not an RDB, or a damaged input (which one and where).
 */

import { parseArgs } from 'node:util';
import { detectFormat } from '../core/format.js';
import { formatOffset } from '../core/model/problem.js';
import { formatProblem } from '../core/report.js';
import { changeDetails, diffRdb, type KeyChange } from '../core/diff/rdbDiff.js';
import { writeDiffJson, writeDiffMarkdown, writeDiffText } from '../core/diff/format.js';
import type { KeyDetails } from '../core/diff/details.js';
import { FileSource } from './fileSource.js';
import { hasAofPreambleMark } from '../core/rdb/preamble.js';
import { Output } from './output.js';
import { resolveTarget } from './target.js';

function usage(message: string): number {
  process.stderr.write(`redis-inspect: ${message}\nRun 'redis-inspect --help' for usage.\n`);
  return 2;
}

function fail(message: string): number {
  process.stderr.write(`redis-inspect: ${message}\n`);
  return 2;
}

/** Why `path` cannot be diffed (an AOF in any form), or undefined for an RDB. */
function notRdb(path: string): string | undefined {
  const target = resolveTarget(path);
  const what =
    target.kind === 'multipart' ? 'a multi-part AOF (manifest)' : target.kind === 'aof' ? 'an AOF file' : undefined;
  if (what) return what;
  const src = new FileSource(path);
  try {
    const format = detectFormat(src.read(0, 64));
    if (format === 'aof') return 'an AOF file';
    if (format === 'manifest') return 'a multi-part AOF manifest';
    if (format !== 'rdb') return undefined; // garbage: reported as damage by the parse
    if (path.endsWith('.rdb')) return undefined;
    // An RDB preamble of a hybrid AOF says so in its AUX fields, which come first.
    const preamble = hasAofPreambleMark(src);
    return preamble ? 'a hybrid AOF (RDB preamble and commands)' : undefined;
  } finally {
    src.close();
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
  const [pathA, pathB] = positionals as [string, string];
  for (const p of [pathA, pathB]) {
    const what = notRdb(p);
    if (what) return fail(`${p} is ${what}: not supported yet: diff reads RDB files (an AOF would need its commands replayed)`);
  }
  const a = new FileSource(pathA);
  let b: FileSource;
  try {
    b = new FileSource(pathB);
  } catch (e) {
    a.close();
    throw e;
  }
  try {
    const outcome = diffRdb(a, b, {
      ...(dbs ? { dbs } : {}),
      ...(values.match !== undefined ? { match: Buffer.from(values.match, 'utf8') } : {}),
      ...(namesLimit !== undefined ? { namesLimit } : {}),
    });
    if (!outcome.ok) {
      const { which, problem } = outcome.damaged;
      const path = which === 'a' ? pathA : pathB;
      return fail(
        `${which.toUpperCase()} (${path}) is damaged at ${formatOffset(problem.offset)}: cannot diff it (run 'redis-inspect check ${path}' for the full report)\n${formatProblem(problem)}`,
      );
    }
    const diff = outcome.diff;
    const detailsOf = (c: KeyChange): KeyDetails | undefined => changeDetails(diff, c, a, b);
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
    a.close();
    b.close();
  }
}
