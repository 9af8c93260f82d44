/**
 * One AOF file read as commands, with redis-check-aof's exact verdict
 * (redis `src/redis-check-aof.c` `checkSingleAof`, `processRESP`, `readLong`,
 * `readString`, `processAnnotations`; Redis 7.0–8.x) and the server's view of
 * the same bytes (`src/aof.c` `loadSingleAppendOnlyFile`) as warnings.
 * Handles plain AOF, `#` annotations, MULTI/EXEC, SELECT, and an RDB preamble
 * (`REDIS`/`VALKEY` magic) decoded by the RDB core. See
 * shared/spec/aof-format.md §1–5, §7.
 */

import type { ByteSource } from '../bytes/byteSource.js';
import { Cursor } from '../bytes/cursor.js';
import { formatOffset, type Problem } from '../model/problem.js';
import { parseRdb, type RdbHandler, type RdbResult } from '../rdb/parser.js';
import { COMMANDS } from './commandTable.js';

/** AOF_ANNOTATION_LINE_MAX_LEN: `fgets` buffer for `#` lines. */
const ANNOTATION_LINE_MAX = 1024;
/** redis-check-aof reads `*`/`$` lines with `fgets(buf, 128)`. */
const HEADER_LINE_MAX = 128;
/** LONG_MAX − 2, the largest bulk length redis-check-aof accepts. */
const MAX_BULK = 2 ** 63 - 2;

const COMMAND_TABLE = new Map(Object.entries(COMMANDS));

/** One command record. */
export interface AofCommand {
  /** Ordinal of the command in its file (0-based, annotations not counted). */
  index: number;
  /** Absolute byte range of the whole record. */
  start: number;
  end: number;
  /** 1-based line of the record's `*` line (lines end with `\n`; binary payloads count); 0 unless `trackLines`. */
  line: number;
  argc: number;
  /** Lower-case command name as text (bytes as latin1); empty for argc ≤ 0. */
  name: string;
  /** Arguments (only when `keepArgs`), the name included. */
  args?: Uint8Array[];
  /** Byte ranges of the argument payloads, flat `[start, end, …]` (only when `keepArgs`). */
  argRanges?: number[];
  /** Database the command runs in (for SELECT: the one before it). */
  db: number;
  /** Unix seconds of the latest `#TS:` annotation before the command. */
  timestampSec?: number;
  /** Index of the MULTI that opened the transaction this command is in (MULTI and EXEC included). */
  transaction?: number;
  /** True for commands found after the file's first error (by resynchronising). */
  afterDamage?: boolean;
}

/** A `#` annotation line. */
export interface AofAnnotation {
  start: number;
  end: number;
  line: number;
  text: string;
  /** Set for a well-formed `#TS:<digits>` line. */
  timestampSec?: number;
}

export interface AofHandler {
  /** Receives the preamble's records (header, keys, …) when the file starts with an RDB. */
  rdb?: RdbHandler;
  command?(c: AofCommand): void | boolean;
  annotation?(a: AofAnnotation): void;
  problem?(p: Problem): void;
  progress?(offset: number, size: number): void;
}

export interface AofParseOptions {
  /** Keep argument bytes and ranges on each command. Default false. */
  keepArgs?: boolean;
  /** Name used in messages (redis-check-aof prints the file name). */
  fileName?: string;
  /** Passed to the preamble's RDB parse. */
  rdb?: { keepStrings?: boolean; nowMs?: number; reuseBuffers?: boolean };
  /** Keep reading after the first error (resynchronising at the next `*<n>\r\n`) to report every problem. Default true. */
  continueAfterError?: boolean;
  /** This file is the last one loaded (a single AOF, or the last of a set): a trailing FLUSH matters. Default true. */
  lastFile?: boolean;
  /**
   * Count lines for every command (`AofCommand.line`), which means scanning
   * every payload for newlines. Off, commands have line 0 and problems get
   * their line counted on demand. Default false.
   */
  trackLines?: boolean;
}

/** A trailing FLUSHALL/FLUSHDB (the last command executed, possibly inside its own MULTI/EXEC). */
export interface TrailingFlush {
  name: string;
  /** Record range of the FLUSH command. */
  start: number;
  end: number;
  /** Range to remove to undo it: the FLUSH record, or its whole MULTI … EXEC block. */
  removeStart: number;
  removeEnd: number;
  db: number;
}

/** What redis-check-aof would conclude, and more. */
export interface AofResult {
  size: number;
  /** redis-check-aof's verdict: valid (also true for an empty file). */
  ok: boolean;
  /** redis-check-aof's `ok_up_to`: start of the first bad record (or of its MULTI), `size` when valid. */
  validUpTo: number;
  /** The RDB preamble's parse, when the file starts with one. */
  preamble?: RdbResult;
  /** Offset where RESP starts (after the preamble's checksum). */
  tailStart: number;
  /** True when the damage is in the RDB preamble: redis-check-aof refuses to fix it. */
  preambleDamaged: boolean;
  /** redis-check-aof's own words for the first error, and the offset it prints with them. */
  checkerMessage?: string;
  checkerOffset?: number;
  commands: number;
  annotations: number;
  /** Transactions still open at the end (redis-check-aof: "Reached EOF before reading EXEC for MULTI"). */
  openMulti: boolean;
  /** Timestamp of the last well-formed `#TS:` line. */
  lastTimestampSec?: number;
  /** `#TS:` annotations in file order (offset, seconds), for truncation to a timestamp. */
  timestamps: { start: number; seconds: number }[];
  /**
   * The last command executed before `validUpTo`: its record range (for a
   * transaction, from its MULTI to its EXEC), name and index.
   */
  lastCommand?: { start: number; end: number; name: string; index: number; transaction: boolean };
  /** The last command is a FLUSHALL/FLUSHDB (or a transaction of nothing else). */
  trailingFlush?: TrailingFlush;
  /** The last FLUSHALL/FLUSHDB before `validUpTo`, wherever it is, and how many commands follow it. */
  lastFlush?: TrailingFlush & { commandsAfter: number };
  /** Where redis-check-aof's scan stopped: annotations before this offset were read (for --truncate-to-timestamp). */
  scanEnd: number;
  /** Warnings attached to the last command (unknown command, impossible arity, empty command). */
  lastCommandWarnings: string[];
  problems: Problem[];
}

class Stop {}

/** Reads one AOF file; never throws on bad input. */
export function parseAof(source: ByteSource, handler: AofHandler = {}, options: AofParseOptions = {}): AofResult {
  return new AofParser(source, handler, options).run();
}

function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** A parse failure in redis-check-aof's terms. */
class CheckError {
  constructor(
    readonly code: string,
    /** redis-check-aof's message. */
    readonly checkerMessage: string | undefined,
    /** Our fuller message. */
    readonly message: string,
    /** Where the defect is. */
    readonly offset: number,
    /** The offset redis-check-aof prints (start of the failing read). */
    readonly checkerOffset: number,
    /** True when the failure is running out of data (the server's "short read"). */
    readonly shortRead: boolean,
    /** For a bad CRLF after data: what the server expects after skipping the two bytes ('$' mid-command, '*' after the last argument). */
    readonly nextExpected?: number,
  ) {}
}

class AofParser {
  private readonly c: Cursor;
  private readonly result: AofResult;
  private readonly name: string;
  private line = 1;
  private db = 0;
  private timestamp: number | undefined;
  private multi = 0;
  private multiStart = -1;
  private multiIndex = -1;
  private commandIndex = 0;
  private afterDamage = false;
  /** Last executed (outside a transaction) or committed command, for the trailing-FLUSH check. */
  private tail: { name: string; start: number; end: number; index: number; db: number; txStart: number; txEnd: number; inTx: boolean } | undefined;
  private txHasOnlyFlush = true;
  private currentStart = -1;
  private currentWarnings: string[] = [];
  private lastFlush: (TrailingFlush & { index: number }) | undefined;
  private txFlush: { name: string; start: number; end: number; db: number } | undefined;

  private readonly trackLines: boolean;

  constructor(
    private readonly source: ByteSource,
    private readonly handler: AofHandler,
    private readonly options: AofParseOptions,
  ) {
    this.c = new Cursor(source, 0, source.size, undefined, true);
    this.trackLines = options.trackLines ?? false;
    this.name = options.fileName ?? 'AOF';
    this.result = {
      size: source.size,
      ok: true,
      validUpTo: source.size,
      tailStart: 0,
      preambleDamaged: false,
      commands: 0,
      annotations: 0,
      openMulti: false,
      timestamps: [],
      problems: [],
      scanEnd: source.size,
      lastCommandWarnings: [],
    };
  }

  private report(p: Problem): void {
    // Warnings that make the command itself one Redis refuses (a trailing FLUSH is not one of those).
    if (p.severity === 'warning' && p.code !== 'aof.trailing-flush' && p.code.startsWith('aof.') && this.currentStart === p.offset) this.currentWarnings.push(p.code);
    this.result.problems.push(p);
    this.handler.problem?.(p);
  }

  run(): AofResult {
    try {
      if (!this.readPreamble()) return this.result;
      this.scan();
    } catch (e) {
      if (!(e instanceof Stop)) {
        this.result.ok = false;
        this.report({
          code: 'internal.error',
          severity: 'error',
          offset: this.c.offset,
          message: `internal error while reading the AOF: ${e instanceof Error ? e.message : String(e)}`,
          phase: 'read-resp',
        });
      }
    }
    this.handler.progress?.(this.source.size, this.source.size);
    return this.result;
  }

  /** Decodes an RDB preamble if the file starts with one; false when it is damaged (nothing else is read). */
  private readPreamble(): boolean {
    const head = this.source.read(0, 6);
    const text = String.fromCharCode(...head);
    // redis-check-aof needs 8 bytes and `REDIS`; Valkey 9 also writes `VALKEY`.
    if (!(this.source.size >= 8 && (text.startsWith('REDIS') || text === 'VALKEY'))) return true;
    const rdb = parseRdb(this.source, this.handler.rdb ?? {}, { ...(this.options.rdb ?? {}), allowTrailingData: true });
    this.result.preamble = rdb;
    if (!rdb.ok || rdb.rdbEnd === undefined) {
      this.result.ok = false;
      this.result.preambleDamaged = true;
      this.result.validUpTo = 0;
      this.result.checkerMessage = 'RDB preamble of AOF file is not sane, aborting.';
      for (const p of rdb.problems) if (p.severity === 'error') this.report({ ...p, message: `RDB preamble: ${p.message}` });
      return false;
    }
    for (const p of rdb.problems) if (p.severity !== 'error') this.report(p);
    this.result.tailStart = rdb.rdbEnd;
    this.c.seek(rdb.rdbEnd);
    if (this.trackLines) this.line = 1 + countNewlines(this.source, 0, rdb.rdbEnd);
    return true;
  }

  /** Start of the record (or byte) where the checker's scan stopped. */
  private failRecordStart = 0;
  /** Line of the record being read. */
  private recordLine = 1;
  /** redis-check-aof's `epos`: where its last line or data read started (printed with its errors). */
  private epos = 0;

  private scan(): void {
    const c = this.c;
    let pos = c.offset;
    let sinceProgress = 0;
    for (;;) {
      if (this.multi === 0) pos = c.offset;
      const b = c.peek();
      if (b < 0) break;
      if (b === 0x23 /* # */) {
        this.readAnnotation();
        continue;
      }
      let failure: CheckError | undefined;
      this.failRecordStart = c.offset;
      this.recordLine = this.line;
      if (b === 0x2a /* * */) {
        failure = this.readCommand();
        if (!failure) {
          if (++sinceProgress >= 4096) {
            sinceProgress = 0;
            this.handler.progress?.(c.offset, this.source.size);
          }
          continue;
        }
      } else {
        failure = new CheckError(
          'aof.format-error',
          `AOF ${this.name} format error`,
          `expected '*' (a command) or '#' (an annotation), found ${byteText(b)}`,
          c.offset,
          c.offset,
          false,
        );
      }
      this.fail(failure, pos);
      return;
    }
    if (this.multi > 0) {
      this.result.openMulti = true;
      this.failRecordStart = c.offset;
      this.recordLine = this.line;
      this.fail(
        new CheckError(
          'aof.unclosed-multi',
          'Reached EOF before reading EXEC for MULTI',
          `the file ends inside the transaction opened by the MULTI at ${formatOffset(this.multiStart)}: no EXEC`,
          c.offset,
          this.epos,
          true,
        ),
        pos,
      );
      return;
    }
    this.result.validUpTo = c.offset;
    this.finishTail();
    const flush = this.result.trailingFlush;
    if (flush && (this.options.lastFile ?? true)) {
      this.report({
        code: 'aof.trailing-flush',
        severity: 'warning',
        offset: flush.start,
        end: flush.end,
        message: `the last command is ${flush.name.toUpperCase()}: loading this AOF ends with an empty ${flush.name === 'flushall' ? 'server' : `DB ${flush.db}`}. If it was an accident, \`redis-inspect fix --remove-flush\` removes it (the recovery the Redis docs describe)`,
        phase: 'read-resp',
      });
    }
  }

  /** Records the first failure with redis-check-aof's verdict, then keeps reading to report more. */
  private fail(f: CheckError, pos: number): void {
    const r = this.result;
    r.ok = false;
    r.validUpTo = pos;
    r.scanEnd = this.failRecordStart;
    if (f.checkerMessage) r.checkerMessage = f.checkerMessage;
    r.checkerOffset = f.checkerOffset;
    const server = this.serverView(f);
    this.report({
      code: f.code,
      severity: 'error',
      offset: f.offset,
      checkerOffset: f.checkerOffset,
      message: `${f.message}${server ? `; ${server}` : ''}`,
      phase: 'read-resp',
      line: this.trackLines ? this.recordLine : this.lineAt(this.failRecordStart),
      command: this.commandIndex + 1,
    });
    this.finishTail();
    if (this.options.continueAfterError ?? true) this.resync(f.offset);
  }

  /** What redis-server does with the same bytes (aof-load-truncated yes, the default). */
  private serverView(f: CheckError): string {
    if (f.code === 'aof.unclosed-multi') return 'redis-server reverts the incomplete transaction, truncates the file before its MULTI and loads it ("Revert incomplete MULTI/EXEC transaction")';
    if (f.shortRead) return 'redis-server truncates the last file of a set here and loads it (aof-load-truncated yes); in an earlier file it fails';
    if (f.code === 'aof.bad-crlf-after-data') {
      // The server skips these two bytes unchecked and reads on after them.
      const next = this.source.read(f.offset + 2, 1);
      const fine = f.nextExpected === 0x24 ? next[0] === 0x24 : next.length === 0 || next[0] === 0x2a || next[0] === 0x23;
      if (fine) return 'redis-server loads this anyway: it reads past these two bytes without checking them';
      return 'redis-server skips these two bytes unchecked, then loses its place and refuses the file ("Bad file format reading the append only file")';
    }
    if (f.code === 'aof.nested-multi' || f.code === 'aof.exec-without-multi') return 'redis-server logs the command error and keeps loading';
    return 'redis-server refuses to load the file ("Bad file format reading the append only file")';
  }

  /** After damage: find the next `*<digits>\r\n` that starts a line and keep reading from there. */
  private resync(from: number): void {
    const c = this.c;
    this.afterDamage = true;
    let at = from + 1;
    while (at < this.source.size) {
      const next = findRecordStart(this.source, at);
      if (next < 0) {
        this.report({
          code: 'aof.unparsed',
          severity: 'error',
          offset: at,
          end: this.source.size,
          message: `${this.source.size - at} bytes after the damage could not be read as commands`,
          phase: 'read-resp',
        });
        return;
      }
      if (next > at) {
        this.report({
          code: 'aof.unparsed',
          severity: 'error',
          offset: at,
          end: next,
          message: `${next - at} bytes skipped to resynchronise at the next command`,
          phase: 'read-resp',
        });
      }
      c.seek(next);
      if (this.trackLines) this.line = this.lineAt(next);
      this.multi = 0;
      at = next + 1;
      for (;;) {
        const b = c.peek();
        if (b < 0) return;
        if (b === 0x23) {
          this.readAnnotation();
          continue;
        }
        if (b !== 0x2a) {
          // Not a record: resume the search at this byte.
          at = c.offset;
          break;
        }
        const recordStart = c.offset;
        const f = this.readCommand();
        if (f) {
          this.report({ code: f.code, severity: 'error', offset: f.offset, checkerOffset: f.checkerOffset, message: f.message, phase: 'read-resp' });
          // Data ran out: nothing further to find.
          if (f.shortRead) return;
          at = Math.max(recordStart + 1, f.offset + 1);
          break;
        }
      }
    }
  }

  private lineMark = { offset: 0, line: 1 };

  /** The line number at `offset`, counted on from the last one asked (offsets only grow while resynchronising). */
  private lineAt(offset: number): number {
    const m = this.lineMark;
    if (offset < m.offset) {
      m.offset = 0;
      m.line = 1;
    }
    m.line += countNewlines(this.source, m.offset, offset);
    m.offset = offset;
    return m.line;
  }

  /** A `#` line, read as `fgets` reads it (up to `\n` or 1023 bytes). */
  private readAnnotation(): void {
    const c = this.c;
    const start = c.offset;
    const n = c.ensure(ANNOTATION_LINE_MAX - 1);
    const buf = c.buffer;
    const i = c.index;
    const len = lineLength(buf, i, n);
    let text = '';
    for (let k = 0; k < len; k++) text += String.fromCharCode(buf[i + k]!);
    c.advance(len);
    const line = this.trackLines ? this.line : 0;
    if (buf[i + len - 1] === 0x0a) this.line++;
    const a: AofAnnotation = { start, end: start + len, line, text: text.replace(/\r?\n$/, '') };
    const m = /^#TS:(\d+)\r/.exec(text);
    if (m) {
      a.timestampSec = Number(m[1]);
      this.timestamp = a.timestampSec;
      this.result.lastTimestampSec = a.timestampSec;
      this.result.timestamps.push({ start, seconds: a.timestampSec });
    }
    this.result.annotations++;
    this.handler.annotation?.(a);
  }

  /**
   * `readLong`: an `fgets(buf, 128)` line that must be `<prefix><strtol digits>\r\n`.
   * Returns the number, or a CheckError.
   */
  private readLong(prefix: number, what: string): number | CheckError {
    // Fast path for what Redis writes: <prefix><digits>\r\n, at most 15 digits.
    const c = this.c;
    this.epos = c.offset;
    const avail = c.ensure(20);
    const buf = c.buffer;
    const i = c.index;
    if (buf[i] === prefix) {
      let k = i + 1;
      let v = 0;
      const limit = i + Math.min(avail, 17);
      while (k < limit) {
        const d = buf[k]! - 0x30;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        k++;
      }
      if (k > i + 1 && k + 2 <= i + avail && buf[k] === 0x0d && buf[k + 1] === 0x0a) {
        c.advance(k + 2 - i);
        this.line++;
        return v;
      }
    }
    return this.readLongExact(prefix, what);
  }

  /** `readLong` exactly as redis-check-aof's `fgets` + `strtol` + `consumeNewline` read it. */
  private readLongExact(prefix: number, what: string): number | CheckError {
    const c = this.c;
    const start = c.offset;
    const n = c.ensure(HEADER_LINE_MAX - 1);
    if (n === 0) {
      // fgets finds nothing: redis-check-aof stops without a message of its own, unless a MULTI is open.
      const message = this.multi > 0 ? 'Reached EOF before reading EXEC for MULTI' : undefined;
      return new CheckError('aof.truncated', message, `the file ends where ${what} was expected`, start, start, true);
    }
    const buf = c.buffer;
    const i = c.index;
    const len = lineLength(buf, i, n);
    const at = (k: number) => (k < len ? buf[i + k]! : 0);
    if (buf[i] !== prefix) {
      return new CheckError(
        'aof.bad-prefix',
        // A NUL byte ends redis-check-aof's C string there.
        `Expected prefix '${String.fromCharCode(prefix)}', got: '${buf[i] === 0 ? '' : `${String.fromCharCode(buf[i]!)}'`}`,
        `expected '${String.fromCharCode(prefix)}' starting ${what}, found ${byteText(buf[i]!)}`,
        start,
        start,
        false,
      );
    }
    // strtol: leading spaces, a sign, digits; with no digits it parses nothing.
    let k = 1;
    while (k < len && isSpace(at(k))) k++;
    let negative = false;
    if (at(k) === 0x2b || at(k) === 0x2d) {
      negative = at(k) === 0x2d;
      k++;
    }
    const digitsStart = k;
    let value = 0;
    while (k < len && at(k) >= 0x30 && at(k) <= 0x39) {
      value = value * 10 + (at(k) - 0x30);
      k++;
    }
    if (k === digitsStart) k = 1;
    if (negative) value = -value;
    c.advance(len);
    if (at(k) !== 0x0d || at(k + 1) !== 0x0a) {
      const got = `${hex2(at(k))}${hex2(at(k + 1))}`;
      const end = start + len;
      const truncatedLine = end === this.source.size && buf[i + len - 1] !== 0x0a;
      return new CheckError(
        truncatedLine ? 'aof.truncated' : 'aof.bad-crlf',
        `Expected \\r\\n, got: ${got}`,
        truncatedLine
          ? `the file ends inside ${what} (no CRLF)`
          : `expected CRLF after ${what} "${String.fromCharCode(prefix)}${value}", found ${byteText(at(k))}${k + 1 < len ? ` ${byteText(at(k + 1))}` : ''}`,
        start + k,
        start,
        truncatedLine,
      );
    }
    if (buf[i + len - 1] === 0x0a) this.line++;
    return value;
  }

  /** `processRESP`: one `*argc` command of `$len` bulk strings. */
  private readCommand(): CheckError | undefined {
    const c = this.c;
    const start = c.offset;
    const line = this.line;
    const argc = this.readLong(0x2a, 'an argument count');
    if (argc instanceof CheckError) return argc;
    const keep = this.options.keepArgs === true;
    const args: Uint8Array[] | undefined = keep ? [] : undefined;
    const argRanges: number[] | undefined = keep ? [] : undefined;
    let name = '';
    let secondArg: Uint8Array | undefined;
    for (let i = 0; i < argc; i++) {
      const len = this.readLong(0x24, `the length of argument ${i + 1} of ${argc}`);
      if (len instanceof CheckError) return len;
      if (len < 0 || len > MAX_BULK) {
        return new CheckError(
          'aof.bad-length',
          `Expected to read string of ${len} bytes, which is not in the suitable range`,
          `argument ${i + 1} claims ${len} bytes`,
          this.epos,
          this.epos,
          false,
        );
      }
      const dataStart = c.offset;
      this.epos = dataStart;
      if (c.remaining < len + 2) {
        return new CheckError(
          'aof.truncated',
          `Expected to read ${len + 2} bytes, got ${c.remaining} bytes`,
          `the file ends inside argument ${i + 1} of ${argc}: ${len} bytes and CRLF announced, ${c.remaining} left`,
          this.source.size,
          dataStart,
          true,
        );
      }
      if (keep || (i === 1 && name === 'select')) {
        const data = c.bytes(len, 'argument');
        if (this.trackLines) this.line += countIn(data);
        if (i === 1) secondArg = data;
        if (args) {
          args.push(data);
          argRanges!.push(dataStart, dataStart + len);
        }
        if (i === 0) name = commandName(data);
      } else if (i === 0) {
        // The name straight from the window, without a view object.
        if (c.ensure(len) === len && len <= 64) {
          name = commandNameAt(c.buffer, c.index, len);
          if (this.trackLines) this.line += countIn(c.buffer, c.index, c.index + len);
          c.advance(len);
        } else {
          const data = c.bytes(len, 'argument');
          if (this.trackLines) this.line += countIn(data);
          name = commandName(data);
        }
      } else if (this.trackLines) {
        this.skipCounting(len);
      } else {
        c.skip(len, 'argument');
      }
      c.ensure(2);
      const t0 = c.buffer[c.index]!;
      const t1 = c.buffer[c.index + 1]!;
      c.advance(2);
      if (t0 !== 0x0d || t1 !== 0x0a) {
        return new CheckError(
          'aof.bad-crlf-after-data',
          `Expected \\r\\n, got: ${hex2(t0)}${hex2(t1)}`,
          `expected CRLF after the ${len} bytes of argument ${i + 1}, found ${byteText(t0)} ${byteText(t1)}`,
          dataStart + len,
          dataStart,
          false,
          i + 1 < argc ? 0x24 : 0x2a,
        );
      }
      this.line++;
      if (i === 0) {
        // strcasecmp on a C string: the name ends at its first NUL byte.
        const cname = name.includes('\0') ? name.slice(0, name.indexOf('\0')) : name;
        if (cname === 'multi') {
          if (this.multi++ > 0) {
            return new CheckError('aof.nested-multi', `Unexpected MULTI in AOF ${this.name}`, 'MULTI inside an open transaction', start, this.epos, false);
          }
          this.multiStart = start;
          this.multiIndex = this.commandIndex;
          this.txHasOnlyFlush = true;
          this.txFlush = undefined;
        } else if (cname === 'exec') {
          if (--this.multi !== 0) {
            return new CheckError('aof.exec-without-multi', `Unexpected EXEC in AOF ${this.name}`, 'EXEC without an open MULTI', start, this.epos, false);
          }
        }
      }
    }
    const end = c.offset;
    this.onCommand(start, end, line, argc, name, secondArg, args, argRanges);
    return undefined;
  }

  private skipCounting(len: number): void {
    const c = this.c;
    let left = len;
    while (left > 0) {
      const n = c.ensure(Math.min(left, 1 << 20));
      this.line += countIn(c.buffer, c.index, c.index + n);
      c.advance(n);
      left -= n;
    }
  }

  private onCommand(
    start: number,
    end: number,
    line: number,
    argc: number,
    name: string,
    secondArg: Uint8Array | undefined,
    args: Uint8Array[] | undefined,
    argRanges: number[] | undefined,
  ): void {
    const cmd: AofCommand = { index: this.commandIndex++, start, end, line: this.trackLines ? line : 0, argc, name, db: this.db };
    if (args) {
      cmd.args = args;
      cmd.argRanges = argRanges!;
    }
    if (this.timestamp !== undefined) cmd.timestampSec = this.timestamp;
    const inTx = this.multi > 0 || name === 'exec';
    if (inTx) cmd.transaction = this.multiIndex;
    if (this.afterDamage) cmd.afterDamage = true;
    this.result.commands++;
    this.currentStart = start;
    this.currentWarnings = [];
    if (!this.afterDamage) this.checkCommand(cmd, start);
    if (name === 'select' && secondArg) {
      const db = Number(String.fromCharCode(...secondArg));
      if (Number.isInteger(db) && db >= 0) this.db = db;
    }
    if (!this.afterDamage) this.trackTail(cmd, inTx);
    if (this.handler.command?.(cmd) === false) throw new Stop();
  }

  /** Warnings for what Redis loads differently from what redis-check-aof checks. */
  private checkCommand(cmd: AofCommand, start: number): void {
    if (cmd.argc <= 0) {
      this.report({
        code: 'aof.empty-command',
        severity: 'warning',
        offset: start,
        end: cmd.end,
        message: `a command with ${cmd.argc} arguments: redis-check-aof accepts it but redis-server refuses to load the file ("Bad file format")`,
        phase: 'read-resp',
        line: this.trackLines ? cmd.line : this.lineAt(start),
        command: cmd.index + 1,
      });
      return;
    }
    const entry = COMMAND_TABLE.get(cmd.name);
    if (!entry) {
      this.report({
        code: 'aof.unknown-command',
        severity: 'warning',
        offset: start,
        end: cmd.end,
        message: `unknown command '${printable(cmd.name)}': redis-server refuses to load the file ("Unknown command … reading the append only file"), though redis-check-aof does not check names`,
        phase: 'read-resp',
        line: this.trackLines ? cmd.line : this.lineAt(start),
        command: cmd.index + 1,
      });
      return;
    }
    const [arity] = entry;
    if ((arity > 0 && cmd.argc !== arity) || (arity < 0 && cmd.argc < -arity)) {
      this.report({
        code: 'aof.bad-arity',
        severity: 'warning',
        offset: start,
        end: cmd.end,
        message: `'${cmd.name}' with ${cmd.argc} arguments (name included): Redis expects ${arity > 0 ? `exactly ${arity}` : `at least ${-arity}`}; the server logs an error for it and keeps loading`,
        phase: 'read-resp',
        line: this.trackLines ? cmd.line : this.lineAt(start),
        command: cmd.index + 1,
      });
    }
  }

  private trackTail(cmd: AofCommand, inTx: boolean): void {
    const isFlush = cmd.name === 'flushall' || cmd.name === 'flushdb';
    if (!inTx) {
      this.tail = { name: cmd.name, start: cmd.start, end: cmd.end, index: cmd.index, db: cmd.db, txStart: cmd.start, txEnd: cmd.end, inTx: false };
      this.tailWarnings = this.currentWarnings;
      if (isFlush) this.lastFlush = { name: cmd.name, start: cmd.start, end: cmd.end, removeStart: cmd.start, removeEnd: cmd.end, db: cmd.db, index: cmd.index };
      return;
    }
    this.tailWarnings = [];
    if (cmd.name === 'multi') return;
    if (cmd.name === 'exec') {
      // A transaction counts as a flush when it holds nothing but flushes.
      if (this.txHasOnlyFlush && this.txFlush) {
        this.tail = { ...this.txFlush, index: cmd.index, txStart: this.multiStart, txEnd: cmd.end, inTx: true };
        this.lastFlush = { ...this.txFlush, removeStart: this.multiStart, removeEnd: cmd.end, index: cmd.index };
      } else {
        this.tail = { name: 'exec', start: cmd.start, end: cmd.end, index: cmd.index, db: cmd.db, txStart: this.multiStart, txEnd: cmd.end, inTx: true };
      }
      return;
    }
    if (isFlush) this.txFlush = { name: cmd.name, start: cmd.start, end: cmd.end, db: cmd.db };
    else this.txHasOnlyFlush = false;
  }

  private tailWarnings: string[] = [];

  private finishTail(): void {
    const t = this.tail;
    if (!t) return;
    this.result.lastCommand = { start: t.txStart, end: t.txEnd, name: t.name, index: t.index, transaction: t.inTx };
    this.result.lastCommandWarnings = this.tailWarnings;
    const f = this.lastFlush;
    if (f) {
      const { index, ...flush } = f;
      this.result.lastFlush = { ...flush, commandsAfter: t.index - index };
    }
    if (t.name === 'flushall' || t.name === 'flushdb') {
      this.result.trailingFlush = { name: t.name, start: t.start, end: t.end, removeStart: t.txStart, removeEnd: t.txEnd, db: t.db };
    }
  }
}

/** The command name as text, ASCII letters lower-cased (strcasecmp's view), other bytes as latin1. */
function commandName(bytes: Uint8Array): string {
  return commandNameAt(bytes, 0, bytes.length);
}

/** Recently seen names by their bytes: most AOFs use a handful of commands. */
const nameCache = new Map<number, { bytes: Uint8Array; name: string }>();

function commandNameAt(buf: Uint8Array, at: number, len: number): string {
  let h = len;
  for (let i = 0; i < len; i++) h = (Math.imul(h, 31) + (buf[at + i]! | 0x20)) | 0;
  const hit = nameCache.get(h);
  if (hit && hit.bytes.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (hit.bytes[i] !== buf[at + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit.name;
  }
  let s = '';
  for (let i = 0; i < len; i++) {
    const b = buf[at + i]!;
    s += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 32 : b);
  }
  if (len <= 32) {
    if (nameCache.size > 256) nameCache.clear();
    nameCache.set(h, { bytes: buf.slice(at, at + len), name: s });
  }
  return s;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** redis-check-aof prints bytes as `%02x` of a signed char: 0x80–0xFF show as `ffffff80`… */
function hex2(b: number): string {
  return b >= 0x80 ? `ffffff${b.toString(16)}` : b.toString(16).padStart(2, '0');
}

function byteText(b: number): string {
  if (b === 0x0d) return "'\\r'";
  if (b === 0x0a) return "'\\n'";
  if (b >= 0x20 && b < 0x7f) return `'${String.fromCharCode(b)}'`;
  return `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Length of the `fgets` line at `buf[at]`: up to and including `\n`, at most `max` bytes. */
function lineLength(buf: Uint8Array, at: number, max: number): number {
  const nl = buf.indexOf(0x0a, at);
  return nl >= 0 && nl < at + max ? nl - at + 1 : max;
}

function countIn(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let n = 0;
  let i = bytes.indexOf(0x0a, from);
  while (i >= 0 && i < to) {
    n++;
    i = bytes.indexOf(0x0a, i + 1);
  }
  return n;
}

/** Newlines in `[from, to)` of a source, read in chunks. */
export function countNewlines(source: ByteSource, from: number, to: number): number {
  let n = 0;
  for (let at = from; at < to; ) {
    const chunk = source.read(at, Math.min(1 << 20, to - at));
    if (chunk.length === 0) break;
    n += countIn(chunk);
    at += chunk.length;
  }
  return n;
}

/** The next offset ≥ `from` that starts a line with `*<digits>\r\n`, or -1. */
export function findRecordStart(source: ByteSource, from: number): number {
  const CHUNK = 1 << 16;
  for (let at = from; at < source.size; at += CHUNK - 32) {
    const chunk = source.read(at, CHUNK);
    for (let i = chunk.indexOf(0x2a); i >= 0; i = chunk.indexOf(0x2a, i + 1)) {
      const abs = at + i;
      if (abs > 0) {
        const prev = i > 0 ? chunk[i - 1] : source.read(abs - 1, 1)[0];
        if (prev !== 0x0a) continue;
      }
      let k = i + 1;
      while (k < chunk.length && chunk[k]! >= 0x30 && chunk[k]! <= 0x39) k++;
      if (k > i + 1 && chunk[k] === 0x0d && chunk[k + 1] === 0x0a) return abs;
    }
    if (chunk.length < CHUNK) break;
  }
  return -1;
}
