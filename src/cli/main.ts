/**
 * `redis-inspect`: the headless CLI over the core — check, dump and stats of
 * RDB files. Exit status: 0 valid, 1 damaged, 2 usage or I/O error.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { detectFormat } from '../core/format.js';
import { formatOffset, type Problem } from '../core/model/problem.js';
import { formatProblem, keyText } from '../core/report.js';
import { memoryEncoding, type DataType } from '../core/rdb/constants.js';
import { parseRdb, type KeyRecord, type RdbHandler, type RdbResult } from '../core/rdb/parser.js';
import { encodeCommand, functionCommand, keyCommands, rawValueOf, selectCommand, type Command } from '../core/export/resp.js';
import { functionJson, keyJson } from '../core/export/jsonl.js';
import { StatsCollector, rdbToolsExpiry, type KeyspaceStats } from '../core/export/stats.js';
import { escapeBytes, jsonBytes, latin1, lossyUtf8 } from '../core/text/bytesText.js';
import { globMatch } from '../core/text/glob.js';
import { checkAofCommand, dumpAofCommand, logAofCommand, statsAofCommand } from './aof.js';
import { FileSource } from './fileSource.js';
import { diffCommand } from './diff.js';
import { fixCommand, RestoreError, restoreBackup } from './fix.js';
import { resolveOrHybrid } from './target.js';
import { Output } from './output.js';

const VERSION = '0.1.0';

const HELP = `redis-inspect ${VERSION} — inspect and repair Redis persistence files

Usage:
  redis-inspect check TARGET [--json]
  redis-inspect dump TARGET [--format resp|jsonl] [--db N]... [--match GLOB] [--type TYPE]... [-o OUT]
  redis-inspect stats TARGET [--format text|json|csv] [--top N] [--separator S] [--depth N] [-o OUT]
  redis-inspect log TARGET [--json] [-o OUT]
  redis-inspect fix TARGET [--yes] [--dry-run] [--backup DIR] [--drop-later-files]
                    [--drop-last-command | --strip-unclosed-multi | --remove-flush [--with-following]
                     | --truncate-to-timestamp UNIX_SECONDS]
  redis-inspect undo BACKUP_DIR [--force]
  redis-inspect diff A B [--json | --markdown [--limit N]] [--db N]... [--match GLOB] [-o OUT]
                    [--max-key-names N] [--max-keys-in-memory N]

TARGET is an RDB file, an AOF (plain, or with an RDB preamble), a multi-part
AOF manifest (appendonly.aof.manifest) or its directory (appendonlydir).

Commands:
  check   Validate as redis-check-rdb / redis-check-aof do, with the same verdict
          and last valid offset, plus what redis-server refuses or tolerates.
  dump    Print the dataset: 'resp' = commands that rebuild it on a real Redis
          (for redis-cli --pipe); 'jsonl' = one JSON object per key, lossless.
          For an AOF: its RDB preamble/base, then its commands in load order.
  stats   Keys and expires per DB and type, serialized bytes per type, the
          biggest keys and a key-prefix breakdown; 'csv' = one row per key in
          redis-rdb-tools' memory-report columns. For an AOF: also commands.
  log     Every AOF command with its file, offset, length, line, DB, timestamp
          and transaction ('--json': one JSON object per line).
  fix     Repair an AOF. Default: truncate at the last valid offset, exactly as
          redis-check-aof --fix (only the last file of a set). Opt-in repairs:
          --drop-last-command, --strip-unclosed-multi, --remove-flush (an
          accidental trailing FLUSHALL/FLUSHDB; --with-following also drops what
          comes after it), --truncate-to-timestamp T (as redis-check-aof).
          Shows what goes, asks on a terminal unless --yes, backs up the
          original and the removed bytes, replaces the file atomically.
  undo    Undo a fix from the backup folder it printed: puts the original
          file(s) and manifest back atomically and keeps the folder. Refused
          when the files changed since the repair (Redis appended to the AOF or
          rewrote it) unless --force (which first saves the current files in
          the backup folder).
  diff    Compare two datasets key by key — A and B are any TARGET; an AOF is
          replayed into what redis-server would load: keys added, removed and
          changed (type, TTL, and what changed inside: list positions, set
          members, sorted-set scores, hash fields, stream entries and consumer
          groups). '--markdown' = a summary for a pull request. Exit 0 same
          data, 1 different, 2 error, a damaged input, or an AOF holding
          commands the replay cannot model for the keys compared. Memory is
          bounded: names of A past --max-key-names (4,000,000) are read back
          from A; an AOF's replay, and the list of changed keys, keep at
          most --max-keys-in-memory (250,000) keys in memory and spill the
          rest to a temp file.

Exit status: 0 valid (or repaired, or undone), 1 damaged or repair (or undo)
refused, 2 usage or I/O error.
`;

class UsageError extends Error {}

/** Runs the CLI; returns the exit status. */
export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return check(rest);
      case 'dump':
        return dump(rest);
      case 'stats':
        return stats(rest);
      case 'log':
        return log(rest);
      case 'fix':
        return fix(rest);
      case 'undo':
        return undo(rest);
      case 'diff':
        return diffCommand(rest);
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(HELP);
        return 0;
      case '-v':
      case '--version':
        process.stdout.write(`redis-inspect ${VERSION}\n`);
        return 0;
      case undefined:
        process.stderr.write(HELP);
        return 2;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`redis-inspect: ${e.message}\nRun 'redis-inspect --help' for usage.\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string') {
      process.stderr.write(`redis-inspect: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`redis-inspect: internal error: ${err?.stack ?? String(e)}\n`);
    return 2;
  }
}

function parse(args: string[], options: ParseArgsConfig['options']) {
  try {
    return parseArgs({ args, options: options ?? {}, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function oneFile(positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError('missing FILE');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  return positionals[0]!;
}

/** Opens a file that must be an RDB; the format check gives a clear message for other files. */
function openRdb(path: string): FileSource {
  const src = new FileSource(path);
  const format = detectFormat(src.read(0, 64));
  if (format === 'aof' || format === 'manifest') {
    src.close();
    const e = new Error(`${path}: this is an AOF ${format === 'manifest' ? 'manifest' : 'file'}; this version of redis-inspect reads RDB files`);
    throw Object.assign(e, { code: 'EFORMAT' });
  }
  return src;
}

function problemJson(p: Problem): Record<string, unknown> {
  const o: Record<string, unknown> = {
    severity: p.severity,
    code: p.code,
    offset: p.offset,
    key: p.key ? jsonBytes(p.key) : null,
    message: p.message,
  };
  if (p.end !== undefined) o.end = p.end;
  if (p.phase) o.phase = p.phase;
  if (p.db !== undefined) o.db = p.db;
  if (p.type !== undefined) o.type = p.type;
  if (p.checkerOffset !== undefined) o.checkerOffset = p.checkerOffset;
  return o;
}

/** Shows progress on a terminal for large files. */
function progressReporter(size: number): RdbHandler['progress'] {
  if (!process.stderr.isTTY || size < 256 << 20) return undefined;
  let last = -1;
  return (offset, total) => {
    const pct = Math.floor((offset / total) * 100);
    if (pct === last) return;
    last = pct;
    process.stderr.write(`\r${pct}% (${offset} / ${total} bytes)${pct >= 100 ? '\r\x1b[K' : ''}`);
  };
}

function check(args: string[]): number {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  const path = oneFile(positionals);
  const target = resolveOrHybrid(path);
  if (target.kind !== 'rdb') {
    const out = new Output(null);
    try {
      return checkAofCommand(target, values.json === true, out);
    } finally {
      out.close();
    }
  }
  const src = openRdb(path);
  let result: RdbResult;
  let redisVer: string | undefined;
  try {
    const progress = progressReporter(src.size);
    result = parseRdb(
      src,
      {
        aux(a) {
          const k = latin1(a.key);
          if (k === 'redis-ver' || k === 'valkey-ver') redisVer = `${k} ${lossyUtf8(a.value)}`;
        },
        ...(progress ? { progress } : {}),
      },
      { keepStrings: false, reuseBuffers: true },
    );
  } finally {
    src.close();
  }
  if (result.problems.some((p) => p.code === 'rdb.trailing-bytes') && respAfter(path, result.rdbEnd)) {
    // Commands follow the RDB: this is a hybrid AOF, and redis-check-aof's rules apply.
    const out = new Output(null);
    try {
      return checkAofCommand({ kind: 'aof', path }, values.json === true, out);
    } finally {
      out.close();
    }
  }
  const out = new Output(null);
  if (values.json) {
    const o = {
      file: path,
      format: 'rdb',
      version: result.header?.version ?? null,
      ok: result.ok,
      size: result.size,
      validUpTo: result.validUpTo,
      keys: result.keys,
      expires: result.expires,
      problems: result.problems.map(problemJson),
      magic: result.header?.magic ?? null,
      alreadyExpired: result.alreadyExpired,
      dbs: result.dbs,
      checksum: result.checksum,
      ...(result.storedChecksum !== undefined ? { storedChecksum: result.storedChecksum.toString(16).padStart(16, '0') } : {}),
      ...(result.computedChecksum !== undefined ? { computedChecksum: result.computedChecksum.toString(16).padStart(16, '0') } : {}),
    };
    out.text(`${JSON.stringify(o)}\n`);
  } else {
    const h = result.header;
    out.text(`${path}: ${result.size} bytes, ${h ? `RDB version ${h.version} (${h.magic} magic)` : 'not an RDB file'}${redisVer ? `, written by ${redisVer}` : ''}\n`);
    for (const d of result.dbs) out.text(`DB ${d.db}: ${d.keys} keys, ${d.expires} expires\n`);
    for (const p of result.problems) out.text(`${formatProblem(p)}\n`);
    const checksum: Record<string, string> = {
      ok: 'checksum OK',
      mismatch: 'checksum MISMATCH',
      disabled: 'checksum disabled when saved: not checked',
      absent: 'no checksum (RDB version < 5)',
      missing: 'checksum missing (file ends early)',
      'not-verified': 'checksum not reached',
    };
    out.text(`${checksum[result.checksum]}\n`);
    if (!result.ok) out.text(`valid up to ${formatOffset(result.validUpTo)}\n`);
    out.text(`${result.keys} keys, ${result.expires} expires, ${result.alreadyExpired} already expired\n`);
    out.text(result.ok ? 'RDB looks OK\n' : 'RDB is DAMAGED\n');
  }
  out.close();
  return result.ok ? 0 : 1;
}

const TYPES: DataType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'];

function dump(args: string[]): number {
  const { values, positionals } = parse(args, {
    format: { type: 'string', short: 'f', default: 'resp' },
    db: { type: 'string', multiple: true },
    match: { type: 'string' },
    type: { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
  });
  const path = oneFile(positionals);
  const format = values.format as string;
  if (format !== 'resp' && format !== 'jsonl') throw new UsageError(`--format must be resp or jsonl, not '${format}'`);
  const target = resolveOrHybrid(path);
  if (target.kind !== 'rdb') {
    if (values.db !== undefined || values.match !== undefined || values.type !== undefined) {
      throw new UsageError('--db, --match and --type filter the keys of an RDB; an AOF is dumped whole (use `log` to read its commands)');
    }
    const out = new Output((values.output as string | undefined) ?? null);
    try {
      return dumpAofCommand(target, format, out);
    } finally {
      out.close();
    }
  }
  const dbs = (values.db as string[] | undefined)?.map((d) => {
    if (!/^\d+$/.test(d)) throw new UsageError(`--db must be a database number, not '${d}'`);
    return Number(d);
  });
  const types = (values.type as string[] | undefined)?.map((t) => {
    if (!TYPES.includes(t as DataType)) throw new UsageError(`--type must be one of ${TYPES.join(', ')}, not '${t}'`);
    return t as DataType;
  });
  const match = values.match !== undefined ? Buffer.from(values.match as string, 'utf8') : undefined;
  // Function libraries belong to no DB and match no key pattern: only an unfiltered dump includes them.
  const filtered = match !== undefined || types !== undefined || dbs !== undefined;
  const src = openRdb(path);
  const out = new Output((values.output as string | undefined) ?? null);
  let currentDb = -1;
  let version = 0;
  const skipped: string[] = [];
  const notes: string[] = [];
  const emit = (c: Command) => out.bytes(encodeCommand(c));
  let result: RdbResult;
  try {
    result = parseRdb(src, {
      header(h) {
        version = h.version;
      },
      functionLibrary(f) {
        if (filtered) return;
        if (format === 'resp') emit(functionCommand(f));
        else out.text(`${functionJson(f)}\n`);
      },
      key(k: KeyRecord) {
        if (dbs && !dbs.includes(k.db)) return;
        if (types && !types.includes(k.dataType)) return;
        if (match && !globMatch(match, k.key)) return;
        if (format === 'jsonl') {
          out.text(`${keyJson(k)}\n`);
          return;
        }
        if (k.db !== currentDb) {
          emit(selectCommand(k.db));
          currentDb = k.db;
        }
        const r = keyCommands(k, emit, () => rawValueOf((o, n) => src.read(o, n), k, version));
        if (r.skipped) skipped.push(`key ${keyText(k.key)}: ${r.skipped}`);
        if (r.note) notes.push(`key ${keyText(k.key)}: ${r.note}`);
      },
    }, { reuseBuffers: true });
  } finally {
    src.close();
    out.close();
  }
  for (const s of skipped) process.stderr.write(`redis-inspect: skipped ${s}\n`);
  for (const n of notes) process.stderr.write(`redis-inspect: note: ${n}\n`);
  for (const p of result.problems) if (p.severity === 'error') process.stderr.write(`${formatProblem(p)}\n`);
  if (!result.ok) process.stderr.write(`redis-inspect: ${path} is damaged; the output covers the records before ${formatOffset(result.validUpTo)}\n`);
  return result.ok ? 0 : 1;
}

/** True when RESP follows the checksum of an RDB (a hybrid AOF read as an RDB). */
function respAfter(path: string, rdbEnd: number | undefined): boolean {
  if (rdbEnd === undefined) return false;
  const src = new FileSource(path);
  try {
    if (rdbEnd >= src.size) return false;
    const next = src.read(rdbEnd, 1)[0];
    return next === 0x2a || next === 0x23;
  } finally {
    src.close();
  }
}

function log(args: string[]): number {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, output: { type: 'string', short: 'o' } });
  const path = oneFile(positionals);
  const target = resolveOrHybrid(path);
  if (target.kind === 'rdb') throw new UsageError(`${path} is an RDB file: it holds no commands (use dump or stats)`);
  const out = new Output((values.output as string | undefined) ?? null);
  try {
    return logAofCommand(target, values.json === true, out);
  } finally {
    out.close();
  }
}

function fix(args: string[]): number {
  const { values, positionals } = parse(args, {
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    backup: { type: 'string' },
    'drop-later-files': { type: 'boolean' },
    'drop-last-command': { type: 'boolean' },
    'strip-unclosed-multi': { type: 'boolean' },
    'remove-flush': { type: 'boolean' },
    'with-following': { type: 'boolean' },
    'truncate-to-timestamp': { type: 'string' },
  });
  const path = oneFile(positionals);
  const chosen = (['drop-last-command', 'strip-unclosed-multi', 'remove-flush', 'truncate-to-timestamp'] as const).filter((k) => values[k] !== undefined);
  if (chosen.length > 1) throw new UsageError(`choose one repair, not ${chosen.map((c) => `--${c}`).join(' and ')}`);
  if (values['with-following'] && !values['remove-flush']) throw new UsageError('--with-following goes with --remove-flush');
  let timestamp: number | undefined;
  if (values['truncate-to-timestamp'] !== undefined) {
    const t = values['truncate-to-timestamp'] as string;
    if (!/^\d+$/.test(t)) throw new UsageError(`Invalid timestamp '${t}': unix seconds expected`);
    timestamp = Number(t);
  }
  const target = resolveOrHybrid(path);
  if (target.kind === 'rdb') throw new UsageError(`${path} is an RDB file: fix repairs AOF files (an RDB has no repair that keeps Redis's semantics)`);
  return fixCommand(target, {
    kind: chosen[0] ?? 'fix',
    yes: values.yes === true,
    dryRun: values['dry-run'] === true,
    ...(values.backup !== undefined ? { backup: values.backup as string } : {}),
    dropLaterFiles: values['drop-later-files'] === true,
    withFollowing: values['with-following'] === true,
    ...(timestamp !== undefined ? { timestamp } : {}),
  });
}

function undo(args: string[]): number {
  const { values, positionals } = parse(args, { force: { type: 'boolean', short: 'f' } });
  if (positionals.length === 0) throw new UsageError('missing BACKUP_DIR (the backup folder fix printed)');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  try {
    const { message } = restoreBackup(positionals[0]!, { force: values.force === true });
    process.stdout.write(`${message}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof RestoreError)) throw e;
    process.stderr.write(`redis-inspect: ${e.message}\n`);
    return e.code === 'ECHANGED' ? 1 : 2;
  }
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function prefixText(prefix: string): string {
  if (prefix === '(no prefix)' || prefix === '(other)') return prefix;
  return escapeBytes(Uint8Array.from(prefix, (ch) => ch.charCodeAt(0)));
}

function stats(args: string[]): number {
  const { values, positionals } = parse(args, {
    format: { type: 'string', short: 'f', default: 'text' },
    top: { type: 'string', default: '10' },
    separator: { type: 'string', default: ':' },
    depth: { type: 'string', default: '1' },
    output: { type: 'string', short: 'o' },
  });
  const path = oneFile(positionals);
  const format = values.format as string;
  if (!['text', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be text, json or csv, not '${format}'`);
  const top = Number(values.top);
  const depth = Number(values.depth);
  if (!Number.isInteger(top) || top < 0) throw new UsageError('--top must be a non-negative integer');
  if (!Number.isInteger(depth) || depth < 1) throw new UsageError('--depth must be a positive integer');
  const separator = values.separator as string;
  if (separator.length === 0) throw new UsageError('--separator must not be empty');
  const target = resolveOrHybrid(path);
  if (target.kind !== 'rdb') {
    if (format === 'csv') throw new UsageError('--format csv is the RDB memory report; for an AOF use text or json');
    const out = new Output((values.output as string | undefined) ?? null);
    try {
      return statsAofCommand(target, format as 'text' | 'json', top, out);
    } finally {
      out.close();
    }
  }
  const src = openRdb(path);
  const out = new Output((values.output as string | undefined) ?? null);
  const collector = new StatsCollector({ top, separator, prefixDepth: depth });
  if (format === 'csv') out.text('database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry\n');
  let result: RdbResult;
  try {
    const progress = progressReporter(src.size);
    result = parseRdb(
      src,
      {
        key(k) {
          const row = collector.add(k);
          if (format === 'csv') {
            out.text(
              `${row.db},${row.type},${csvField(escapeBytes(row.key))},${row.size},${memoryEncoding(k.rdbType)},${row.elements},${row.largestElement},${rdbToolsExpiry(row.expireAtMs)}\n`,
            );
          }
        },
        ...(progress ? { progress } : {}),
      },
      // Element lengths (len_largest_element) need the values themselves.
      { keepStrings: true, reuseBuffers: true },
    );
  } finally {
    src.close();
  }
  const s = collector.result();
  if (format === 'json') out.text(`${JSON.stringify(statsJson(path, s, result))}\n`);
  else if (format === 'text') out.text(statsText(path, s, result));
  out.close();
  for (const p of result.problems) if (p.severity === 'error') process.stderr.write(`${formatProblem(p)}\n`);
  return result.ok ? 0 : 1;
}

function statsJson(path: string, s: KeyspaceStats, r: RdbResult): unknown {
  return {
    file: path,
    format: 'rdb',
    version: r.header?.version ?? null,
    ok: r.ok,
    size: r.size,
    keys: s.keys,
    expires: s.expires,
    bytes: s.bytes,
    dbs: s.dbs,
    byType: s.byType,
    biggest: s.biggest.map((b) => ({ ...b, key: jsonBytes(b.key) })),
    prefixes: s.prefixes.map((p) => ({ ...p, prefix: prefixText(p.prefix) })),
    prefixesTruncated: s.prefixesTruncated,
  };
}

function pad(s: string | number, n: number, left = false): string {
  const t = String(s);
  return left ? t.padStart(n) : t.padEnd(n);
}

function statsText(path: string, s: KeyspaceStats, r: RdbResult): string {
  const lines: string[] = [];
  lines.push(`${path}: RDB version ${r.header?.version ?? '?'}, ${r.size} bytes, ${s.keys} keys, ${s.expires} expires${r.ok ? '' : ' (DAMAGED: partial)'}`);
  lines.push('');
  lines.push('Per database and type (serialized bytes in the file):');
  lines.push(`  ${pad('db', 4)} ${pad('type', 8)} ${pad('keys', 10, true)} ${pad('expires', 10, true)} ${pad('bytes', 14, true)}`);
  for (const db of s.dbs) {
    for (const [type, t] of Object.entries(db.byType)) {
      lines.push(`  ${pad(db.db, 4)} ${pad(type, 8)} ${pad(t.keys, 10, true)} ${pad(t.expires, 10, true)} ${pad(t.bytes, 14, true)}`);
    }
  }
  lines.push('');
  lines.push('Per type, all databases:');
  for (const [type, t] of Object.entries(s.byType)) {
    lines.push(`  ${pad(type, 8)} ${pad(t.keys, 10, true)} keys ${pad(t.bytes, 14, true)} bytes ${pad(t.elements, 12, true)} elements`);
  }
  lines.push('');
  lines.push(`Biggest keys (serialized size):`);
  for (const b of s.biggest) {
    lines.push(`  ${pad(b.size, 12, true)}  db${b.db} ${pad(b.type, 7)} ${escapeBytes(b.key)} (${b.elements} elements, ${b.encoding}, at ${b.offset})`);
  }
  lines.push('');
  lines.push(`Key prefixes (by serialized bytes)${s.prefixesTruncated ? ', more than the tracked maximum: the rest is under (other)' : ''}:`);
  for (const p of s.prefixes.slice(0, 50)) {
    const pct = s.bytes ? ((p.bytes / s.bytes) * 100).toFixed(1) : '0.0';
    lines.push(`  ${pad(p.bytes, 14, true)} ${pad(pct, 5, true)}%  ${pad(p.keys, 10, true)} keys  ${prefixText(p.prefix)}`);
  }
  if (s.prefixes.length > 50) lines.push(`  … ${s.prefixes.length - 50} more (use --format json for all)`);
  return `${lines.join('\n')}\n`;
}

