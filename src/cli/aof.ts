/**
 * The AOF side of the CLI: `check`, `log`, `dump` and `stats` on a single AOF
 * (plain or hybrid) or a multi-part set, over the core's AOF reader.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAof, type AofCommand, type AofHandler, type AofResult } from '../core/aof/aofParser.js';
import { checkAofSet, type AofSetFile, type AofSetResult } from '../core/aof/aofSet.js';
import { encodeCommand, functionCommand, keyCommands, rawValueOf, selectCommand, type Command } from '../core/export/resp.js';
import { functionJson, keyJson } from '../core/export/jsonl.js';
import { StatsCollector } from '../core/export/stats.js';
import type { Problem } from '../core/model/problem.js';
import type { KeyRecord, RdbHandler } from '../core/rdb/parser.js';
import { aofFileReport, aofVerdict, formatProblem, keyText } from '../core/report.js';
import { escapeBytes, jsonBytes } from '../core/text/bytesText.js';
import { FileSource } from './fileSource.js';
import { Output } from './output.js';
import { openInDir, type Target } from './target.js';

/** One file's reading, in load order, for the commands below. */
export interface AofRun {
  target: Target;
  /** Single-file result, or each file of the set. */
  single?: AofResult;
  set?: AofSetResult;
  ok: boolean;
}

/** Reads the target (single AOF or set) with per-file handlers; closes every file. */
export function readAof(
  target: Target,
  handlerFor: (fileName: string, file?: AofSetFile) => AofHandler,
  keepArgs = false,
  trackLines = false,
  keepStrings = false,
): AofRun {
  // A preamble's values are only needed by dump and stats; one reused buffer keeps memory flat.
  const rdb = { keepStrings, reuseBuffers: true };
  if (target.kind === 'aof') {
    const src = new FileSource(target.path);
    try {
      const single = parseAof(src, handlerFor(path.basename(target.path)), { fileName: path.basename(target.path), keepArgs, trackLines, rdb });
      return { target, single, ok: single.ok };
    } finally {
      src.close();
    }
  }
  if (target.kind !== 'multipart') throw new Error('not an AOF target');
  const opened: FileSource[] = [];
  try {
    const set = checkAofSet(new Uint8Array(fs.readFileSync(target.manifestPath)), openInDir(target.dir, opened), (f) => handlerFor(f.name, f), {
      keepArgs,
      trackLines,
      rdb,
    });
    return { target, set, ok: set.ok };
  } finally {
    for (const s of opened) s.close();
  }
}

function problemJson(p: Problem): Record<string, unknown> {
  const o: Record<string, unknown> = { severity: p.severity, code: p.code, offset: p.offset, key: p.key ? jsonBytes(p.key) : null, message: p.message };
  for (const k of ['end', 'phase', 'db', 'type', 'checkerOffset', 'file', 'line', 'command'] as const) if (p[k] !== undefined) o[k] = p[k];
  return o;
}

function preambleSummary(r: AofResult): Record<string, unknown> | null {
  if (!r.preamble) return null;
  return { version: r.preamble.header?.version ?? null, ok: r.preamble.ok, keys: r.preamble.keys, expires: r.preamble.expires, end: r.tailStart, checksum: r.preamble.checksum };
}

function fileJson(name: string, r: AofResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    file: name,
    ...extra,
    format: r.preamble ? 'aof-hybrid' : 'aof',
    ok: r.ok,
    size: r.size,
    validUpTo: r.validUpTo,
    commands: r.commands,
    annotations: r.annotations,
    preamble: preambleSummary(r),
    checkerMessage: r.checkerMessage ?? null,
    problems: r.problems.map((p) => problemJson({ ...p, file: p.file ?? name })),
  };
}

function fileReport(out: Output, name: string, r: AofResult, role?: string): void {
  for (const line of aofFileReport(name, r, role)) out.text(`${line}\n`);
}

/** `check` on an AOF target. */
export function checkAofCommand(target: Target, json: boolean, out: Output): number {
  const run = readAof(target, () => ({}));
  if (run.single) {
    const r = run.single;
    const name = (target as { path: string }).path;
    if (json) {
      out.text(
        `${JSON.stringify({
          ...fileJson(name, r),
          version: r.preamble?.header?.version ?? null,
          keys: r.preamble?.keys ?? 0,
          expires: r.preamble?.expires ?? 0,
        })}\n`,
      );
    } else {
      fileReport(out, name, r);
      out.text(`${aofVerdict(r, name)}\n`);
    }
    return r.ok ? 0 : 1;
  }
  const set = run.set!;
  const t = target as Extract<Target, { kind: 'multipart' }>;
  const base = set.files.find((f) => f.role === 'base')?.result;
  if (json) {
    const damaged = set.damaged;
    const last = set.files[set.files.length - 1];
    out.text(
      `${JSON.stringify({
        file: t.manifestPath,
        format: 'aof-multipart',
        version: base?.preamble?.header?.version ?? null,
        ok: set.ok,
        size: set.files.reduce((n, f) => n + (f.result?.size ?? 0), 0),
        validUpTo: damaged ? damaged.result?.validUpTo ?? 0 : last?.result?.size ?? 0,
        damagedFile: damaged?.name ?? null,
        keys: base?.preamble?.keys ?? 0,
        expires: base?.preamble?.expires ?? 0,
        problems: [
          ...set.problems.map((p) => problemJson({ ...p, file: p.file ?? path.basename(t.manifestPath) })),
          ...set.files.flatMap((f) => (f.result?.problems ?? []).map((p) => problemJson({ ...p, file: f.name }))),
        ],
        files: set.files.map((f) =>
          f.result
            ? fileJson(f.name, f.result, { role: f.role, seq: f.entry.seq, last: f.last, checkedByRedis: f.checkedByRedis })
            : { file: f.name, role: f.role, seq: f.entry.seq, last: f.last, checkedByRedis: f.checkedByRedis, ok: false, error: f.openError },
        ),
        history: set.manifest.history.map((h) => ({ file: h.name, seq: h.seq })),
      })}\n`,
    );
    return set.ok ? 0 : 1;
  }
  out.text(`${t.manifestPath}: multi-part AOF manifest, ${set.manifest.entries.length} entries (${set.manifest.base ? '1 BASE' : 'no BASE'}, ${set.manifest.incr.length} INCR, ${set.manifest.history.length} HISTORY, not loaded)\n`);
  for (const p of set.problems) out.text(`${formatProblem(p)}\n`);
  for (const f of set.files) {
    if (f.result) fileReport(out, f.name, f.result, `${f.role.toUpperCase()}${f.checkedByRedis ? '' : ' (after the first invalid file: redis-check-aof stops before it)'}`);
  }
  const d = set.damaged;
  if (set.ok) out.text('All AOF files and manifest are valid\n');
  else if (d?.result && !d.result.preambleDamaged) {
    out.text(
      d.last
        ? `AOF set is DAMAGED in ${d.name}: \`redis-inspect fix\` truncates it to ${d.result.validUpTo} bytes, as redis-check-aof --fix does\n`
        : `AOF set is DAMAGED in ${d.name}, which is not the last file: redis-check-aof --fix refuses; \`redis-inspect fix --drop-later-files\` truncates it and moves the later files out of the set\n`,
    );
  } else out.text('AOF set is DAMAGED\n');
  return set.ok ? 0 : 1;
}

const MAX_ARG_SHOWN = 64;

function shownArg(a: Uint8Array): string {
  const text = escapeBytes(a.length > MAX_ARG_SHOWN ? a.subarray(0, MAX_ARG_SHOWN) : a);
  const q = /[\s"\\]/.test(text) || text.length === 0 ? `"${text}"` : text;
  return a.length > MAX_ARG_SHOWN ? `${q}…(${a.length} bytes)` : q;
}

/** The command as one line: `SET user:1 "alice"`, binary bytes escaped. */
export function commandText(c: AofCommand): string {
  if (!c.args) return c.name.toUpperCase();
  return c.args.map((a, i) => (i === 0 ? escapeBytes(a).toUpperCase() : shownArg(a))).join(' ');
}

function isoSeconds(s: number | undefined): string | null {
  return s === undefined ? null : new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

/** `log`: every command with file, offset, length, DB, timestamp and transaction. */
export function logAofCommand(target: Target, json: boolean, out: Output): number {
  const run = readAof(
    target,
    (fileName) => ({
      command(c) {
        if (json) {
          out.text(
            `${JSON.stringify({
              file: fileName,
              offset: c.start,
              length: c.end - c.start,
              line: c.line,
              index: c.index,
              db: c.db,
              timestamp: c.timestampSec ?? null,
              transaction: c.transaction ?? null,
              ...(c.afterDamage ? { afterDamage: true } : {}),
              command: (c.args ?? []).map(jsonBytes),
            })}\n`,
          );
        } else {
          const tx = c.transaction !== undefined ? ` tx@${c.transaction}` : '';
          const ts = c.timestampSec !== undefined ? ` ${isoSeconds(c.timestampSec)}` : '';
          const dmg = c.afterDamage ? ' (after damage)' : '';
          out.text(`${fileName}:${c.start} +${c.end - c.start} line ${c.line} db${c.db}${ts}${tx}${dmg}  ${commandText(c)}\n`);
        }
      },
    }),
    true,
    true,
  );
  const problems = run.single ? run.single.problems : [...run.set!.problems, ...run.set!.files.flatMap((f) => (f.result?.problems ?? []).map((p) => ({ ...p, file: f.name })))];
  for (const p of problems) if (p.severity === 'error') process.stderr.write(`${formatProblem(p)}\n`);
  return run.ok ? 0 : 1;
}

/** `dump` of an AOF target: the preamble/base dataset, then the tail commands in load order. */
export function dumpAofCommand(target: Target, format: 'resp' | 'jsonl', out: Output): number {
  let emittedDb = -1;
  const notes: string[] = [];
  /** Files reopened to read raw values for RESTORE; closed at the end. */
  const opened: FileSource[] = [];
  const emit = (c: Command) => out.bytes(encodeCommand(c));
  const run = readAof(
    target,
    (fileName) => {
      let source: FileSource | undefined;
      let version = 0;
      const rdb: RdbHandler = {
        header(h) {
          version = h.version;
        },
        functionLibrary(f) {
          if (format === 'resp') emit(functionCommand(f));
          else out.text(`${functionJson(f)}\n`);
        },
        key(k: KeyRecord) {
          if (format === 'jsonl') {
            out.text(`${keyJson(k)}\n`);
            return;
          }
          if (k.db !== emittedDb) {
            emit(selectCommand(k.db));
            emittedDb = k.db;
          }
          const r = keyCommands(k, emit, () => {
            if (!source) opened.push((source = new FileSource(fileFor(target, fileName))));
            const src = source;
            return rawValueOf((o, n) => src.read(o, n), k, version);
          });
          if (r.note) notes.push(`${fileName}: key ${keyText(k.key)}: ${r.note}`);
          if (r.skipped) notes.push(`${fileName}: skipped key ${keyText(k.key)}: ${r.skipped}`);
        },
      };
      let first = true;
      return {
        rdb,
        command(c) {
          if (c.afterDamage) return;
          if (format === 'jsonl') {
            out.text(`${JSON.stringify({ file: fileName, offset: c.start, db: c.db, command: (c.args ?? []).map(jsonBytes) })}\n`);
            return;
          }
          // Each file is loaded by a fresh client in DB 0.
          if (first && emittedDb !== 0 && c.name !== 'select') emit(selectCommand(0));
          first = false;
          if (c.name === 'select') emittedDb = Number(Buffer.from(c.args![1] ?? []).toString('latin1'));
          else if (emittedDb < 0) emittedDb = 0;
          emit(c.args!);
        },
      };
    },
    true,
    false,
    true,
  );
  for (const s of opened) s.close();
  for (const n of notes) process.stderr.write(`redis-inspect: note: ${n}\n`);
  const problems = run.single ? run.single.problems : [...run.set!.problems, ...run.set!.files.flatMap((f) => (f.result?.problems ?? []).map((p) => ({ ...p, file: f.name })))];
  for (const p of problems) if (p.severity === 'error') process.stderr.write(`${formatProblem(p)}\n`);
  if (!run.ok) process.stderr.write('redis-inspect: the AOF is damaged; the output stops at the first damage of each file\n');
  return run.ok ? 0 : 1;
}

function fileFor(target: Target, fileName: string): string {
  if (target.kind === 'multipart') return path.join(target.dir, fileName);
  return (target as { path: string }).path;
}

/** `stats` of an AOF target: the preamble's keyspace and the commands by name and DB. */
export function statsAofCommand(target: Target, format: 'text' | 'json', top: number, out: Output): number {
  const collector = new StatsCollector({ top });
  const byName = new Map<string, { count: number; bytes: number }>();
  const byDb = new Map<number, number>();
  let first: number | undefined;
  let last: number | undefined;
  let commands = 0;
  const run = readAof(target, () => ({
    rdb: { key: (k) => void collector.add(k) },
    command(c) {
      if (c.afterDamage) return;
      commands++;
      const e = byName.get(c.name) ?? { count: 0, bytes: 0 };
      e.count++;
      e.bytes += c.end - c.start;
      byName.set(c.name, e);
      byDb.set(c.db, (byDb.get(c.db) ?? 0) + 1);
      if (c.timestampSec !== undefined) {
        first ??= c.timestampSec;
        last = c.timestampSec;
      }
    },
  }), false, false, true);
  const s = collector.result();
  const names = [...byName.entries()].sort((a, b) => b[1].count - a[1].count);
  if (format === 'json') {
    out.text(
      `${JSON.stringify({
        format: target.kind === 'multipart' ? 'aof-multipart' : 'aof',
        ok: run.ok,
        preamble: { keys: s.keys, expires: s.expires, bytes: s.bytes, dbs: s.dbs, byType: s.byType, biggest: s.biggest.map((b) => ({ ...b, key: jsonBytes(b.key) })) },
        commands,
        byCommand: Object.fromEntries(names),
        byDb: Object.fromEntries([...byDb.entries()].sort((a, b) => a[0] - b[0])),
        firstTimestamp: first ?? null,
        lastTimestamp: last ?? null,
      })}\n`,
    );
  } else {
    if (s.keys) out.text(`RDB preamble/base: ${s.keys} keys, ${s.expires} expires, ${s.bytes} bytes\n`);
    out.text(`Commands: ${commands}${first !== undefined ? ` (timestamps ${isoSeconds(first)} … ${isoSeconds(last)})` : ''}\n`);
    for (const [name, e] of names) out.text(`  ${name.toUpperCase().padEnd(20)} ${String(e.count).padStart(10)} commands ${String(e.bytes).padStart(14)} bytes\n`);
    out.text('Per DB:\n');
    for (const [db, n] of [...byDb.entries()].sort((a, b) => a[0] - b[0])) out.text(`  db${db} ${n} commands\n`);
  }
  return run.ok ? 0 : 1;
}
