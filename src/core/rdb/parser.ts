/**
 * The RDB loader loop (redis `src/rdb.c` `rdbLoadRioWithLoadingCtx`, valkey
 * `src/rdb.c`; RDB 1–13 and Valkey 80): header, opcodes in any order, key
 * records with their pending expire/idle/freq/metadata, EOF and CRC-64 — in one
 * streaming pass over a `ByteSource`. Problems are reported as data with the
 * phase, key and type redis-check-rdb would print. Spec §2–7, §13, §15–16.
 */

import type { ByteSource } from '../bytes/byteSource.js';
import { Cursor } from '../bytes/cursor.js';
import { Crc64 } from '../bytes/crc64.js';
import { DecodeError } from '../bytes/decodeError.js';
import type { Phase, Problem } from '../model/problem.js';
import {
  NEWEST_REDIS_RDB,
  NEWEST_VALKEY_RDB,
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME,
  OP_EXPIRETIME_MS,
  OP_FREQ,
  OP_FUNCTION2,
  OP_FUNCTION_PRE_GA,
  OP_IDLE,
  OP_KEY_META_OR_SLOT_IMPORT,
  OP_MODULE_AUX,
  OP_RESIZEDB,
  OP_SELECTDB,
  OP_SLOT_INFO,
  T_STRING,
  checkerTypeName,
  dataTypeOf,
  type DataType,
} from './constants.js';
import { readFunction, type FunctionLibrary } from './function.js';
import { decodeHash } from './hash.js';
import { DuplicateKeyFinder, keyHash } from './duplicateKeys.js';
import { decodeList } from './list.js';
import { decodeModule, moduleNameFromId, readModuleItems } from './module.js';
import { RdbReader } from './reader.js';
import { decodeSet } from './set.js';
import { decodeStream } from './stream.js';
import { valueLength, type ModuleItem, type RdbValue } from './value.js';
import type { ValueContext } from './valueContext.js';
import { decodeZset } from './zset.js';

/** The 9-byte header. */
export interface RdbHeader {
  magic: 'REDIS' | 'VALKEY';
  version: number;
  /** Offset of the magic (non-zero when a replication `$…` line precedes it). */
  start: number;
  end: number;
}

/** An AUX field. */
export interface AuxField {
  key: Uint8Array;
  value: Uint8Array;
  start: number;
  end: number;
}

/** A MODULE_AUX record. */
export interface ModuleAux {
  moduleId: bigint;
  moduleName: string;
  encodingVersion: number;
  when: number;
  items: ModuleItem[];
  start: number;
  end: number;
}

/** Per-key metadata of Redis 8.6 KEY_META (opcode 243, RDB 13); decoded as module-style items. */
export interface KeyMetaClass {
  classSpec: number;
  items: ModuleItem[];
}

/** One key and its value as stored. */
export interface KeyRecord {
  db: number;
  key: Uint8Array;
  /** RDB type byte. */
  rdbType: number;
  dataType: DataType;
  /** redis-check-rdb's name of the encoding (`hash-listpack`, `quicklist-v2`, …). */
  encoding: string;
  /** First byte of the record, including any EXPIRETIME/IDLE/FREQ/KEY_META opcodes before the type byte. */
  start: number;
  typeOffset: number;
  /** Start of the value (end of the key string). */
  valueStart: number;
  end: number;
  expireAtMs?: number;
  idleSeconds?: number;
  lfuFreq?: number;
  keyMeta?: KeyMetaClass[];
  /** The decoded value (string payloads are empty when the parse only walks values). */
  value: RdbValue;
}

/** Callbacks, in file order. Returning `false` from `aux`, `selectDb`, `functionLibrary` or `key` stops the parse. */
export interface RdbHandler {
  header?(h: RdbHeader): void;
  aux?(a: AuxField): void | boolean;
  selectDb?(db: number, start: number, end: number): void | boolean;
  resizeDb?(db: number, keys: number, expires: number, start: number, end: number): void;
  slotInfo?(slot: number, keys: number, expires: number, start: number, end: number): void;
  slotImport?(jobName: Uint8Array, ranges: [number, number][], start: number, end: number): void;
  functionLibrary?(f: FunctionLibrary): void | boolean;
  moduleAux?(m: ModuleAux): void;
  key?(k: KeyRecord): void | boolean;
  problem?(p: Problem): void;
  progress?(offset: number, size: number): void;
}

export interface RdbParseOptions {
  /** Keep string payloads (dump) or only walk them (check). Default true. */
  keepStrings?: boolean;
  /** Verify the CRC-64. Default true. */
  verifyChecksum?: boolean;
  /** Detect duplicate keys per DB, as redis-server does on load. Default true. */
  detectDuplicateKeys?: boolean;
  /** "Now" for counting already-expired keys. Default Date.now(). */
  nowMs?: number;
  /** Offset where the RDB starts (an AOF preamble starts at 0). Default 0. */
  start?: number;
  /** Bytes after the checksum are expected (an AOF tail): do not report them. */
  allowTrailingData?: boolean;
  /** Refill size of the byte cursor. */
  chunkSize?: number;
  /** Record each element's byte range on collection values (`elementRanges`). Default false. */
  elementRanges?: boolean;
  /**
   * Reuse one read buffer for the whole pass (flat memory). Keys and values
   * handed to the handler are then copies where they would otherwise be views.
   */
  reuseBuffers?: boolean;
}

/** State of the checksum at the end of the parse. */
export type ChecksumStatus = 'ok' | 'mismatch' | 'disabled' | 'absent' | 'missing' | 'not-verified';

/** What a parse found, besides what it handed to the handler. */
export interface RdbResult {
  header?: RdbHeader;
  size: number;
  /** True when no error-severity problem was found. */
  ok: boolean;
  /** Bytes before this offset form a valid prefix (end of the last good record; end of the RDB when ok). */
  validUpTo: number;
  /** Offset just after the checksum (or after EOF for RDB < 5), when the parse got there. */
  rdbEnd?: number;
  eofOffset?: number;
  checksum: ChecksumStatus;
  storedChecksum?: bigint;
  computedChecksum?: bigint;
  keys: number;
  expires: number;
  alreadyExpired: number;
  /** Keys with at least one field TTL (redis-check-rdb's "subexpires"). */
  subexpires: number;
  /** Per database: keys and expires found, and the RESIZEDB hint when the file has one. */
  dbs: { db: number; keys: number; expires: number; resizeKeys?: number; resizeExpires?: number }[];
  problems: Problem[];
  /** True when the handler stopped the parse early. */
  stopped: boolean;
}

class Stop {}

/** Parses a whole RDB, streaming, and returns a summary; never throws on bad input. */
export function parseRdb(source: ByteSource, handler: RdbHandler = {}, options: RdbParseOptions = {}): RdbResult {
  return new RdbParser(source, handler, options).run();
}

interface DbCount {
  keys: number;
  expires: number;
  hintKeys?: number;
  hintExpires?: number;
  hintAt?: number;
}

interface Pending {
  start: number;
  expireAtMs?: number;
  idleSeconds?: number;
  lfuFreq?: number;
  keyMeta?: KeyMetaClass[];
}

class RdbParser {
  private readonly c: Cursor;
  private r!: RdbReader;
  private readonly result: RdbResult;
  private phase: Phase = 'start';
  private db = 0;
  private currentKey: Uint8Array | undefined;
  private currentKeyOffset = 0;
  private currentKeyIsView = false;
  private currentType: number | undefined;
  private recordStart = 0;
  private pending: Pending | undefined;
  private readonly duplicates = new DuplicateKeyFinder();
  private readonly nowMs: number;
  private readonly keepStrings: boolean;
  private valkey = false;
  private firstErrorAt = -1;
  private dbCounts = new Map<number, DbCount>();
  private curDb: DbCount;
  private readonly detectDuplicates: boolean;

  constructor(
    private readonly source: ByteSource,
    private readonly handler: RdbHandler,
    private readonly options: RdbParseOptions,
  ) {
    this.c = new Cursor(source, options.start ?? 0, source.size, options.chunkSize, options.reuseBuffers ?? false);
    this.nowMs = options.nowMs ?? Date.now();
    this.keepStrings = options.keepStrings ?? true;
    this.detectDuplicates = options.detectDuplicateKeys ?? true;
    this.curDb = this.dbCount(0);
    this.result = {
      size: source.size,
      ok: true,
      validUpTo: options.start ?? 0,
      checksum: 'not-verified',
      keys: 0,
      expires: 0,
      alreadyExpired: 0,
      subexpires: 0,
      dbs: [],
      problems: [],
      stopped: false,
    };
  }

  private report(p: Problem): void {
    if (p.severity === 'error') {
      this.result.ok = false;
      if (this.firstErrorAt < 0) this.firstErrorAt = this.recordStart;
    }
    this.result.problems.push(p);
    this.handler.problem?.(p);
  }

  private context(): Pick<Problem, 'phase' | 'key' | 'db' | 'type'> {
    const ctx: Pick<Problem, 'phase' | 'key' | 'db' | 'type'> = { phase: this.phase, db: this.db };
    if (this.currentKeyIsView) {
      // A key that was only hashed, or held as a view of the read window (overwritten since): read it again.
      ctx.key = readKeyStringAt(this.source, this.currentKeyOffset, this.r.version, this.valkey);
    } else if (this.currentKey) {
      ctx.key = this.currentKey;
    }
    if (this.currentType !== undefined) ctx.type = this.currentType;
    return ctx;
  }

  run(): RdbResult {
    try {
      this.readHeader();
      this.readBody();
    } catch (e) {
      if (e instanceof Stop) {
        this.result.stopped = true;
      } else if (e instanceof DecodeError) {
        const p: Problem = { code: e.code, severity: 'error', offset: e.offset, message: e.message, ...this.context() };
        if (e.end !== undefined) p.end = e.end;
        p.checkerOffset = e.checkerOffset ?? this.c.offset;
        this.report(p);
      } else {
        // Our own bug: still report it as data rather than crash the caller.
        this.report({
          code: 'internal.error',
          severity: 'error',
          offset: this.c.offset,
          message: `internal error while decoding: ${e instanceof Error ? e.message : String(e)}`,
          ...this.context(),
        });
      }
    }
    if (this.detectDuplicates && !this.result.stopped) this.reportDuplicates();
    for (const [db, d] of [...this.dbCounts].sort((a, b) => a[0] - b[0])) {
      if (d.keys === 0 && d.hintKeys === undefined) continue;
      const entry: RdbResult['dbs'][number] = { db, keys: d.keys, expires: d.expires };
      if (d.hintKeys !== undefined) entry.resizeKeys = d.hintKeys;
      if (d.hintExpires !== undefined) entry.resizeExpires = d.hintExpires;
      this.result.dbs.push(entry);
    }
    if (this.result.ok) this.result.validUpTo = this.result.rdbEnd ?? this.c.offset;
    else this.result.validUpTo = Math.max(this.options.start ?? 0, this.firstErrorAt);
    this.handler.progress?.(this.c.offset, this.source.size);
    return this.result;
  }

  /** Duplicate keys are found after the pass (see duplicateKeys.ts) and reported in file order. */
  private reportDuplicates(): void {
    const version = this.result.header?.version ?? 0;
    let found;
    try {
      found = this.duplicates.finish(
        (offset) => readRecordKey(this.source, offset, version, this.valkey),
        () => this.handler.progress?.(this.source.size, this.source.size),
      );
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return;
    }
    for (const d of found) {
      this.recordStart = d.offset;
      this.report({
        code: 'rdb.duplicate-key',
        severity: 'error',
        offset: d.offset,
        message: `duplicate key in DB ${d.db}, first stored at offset ${d.firstOffset}: redis-server refuses to load the file ("Duplicated key found in RDB file"), although redis-check-rdb does not check for this`,
        phase: 'read-key',
        key: d.key,
        db: d.db,
      });
      if (this.firstErrorAt > d.offset) this.firstErrorAt = d.offset;
    }
    if (found.length) this.result.problems.sort((a, b) => a.offset - b.offset);
  }

  private readHeader(): void {
    const c = this.c;
    let start = c.offset;
    if (c.peek() === 0x24 /* '$' */) start = this.skipReplicationPrefix();
    this.recordStart = start;
    const remaining = c.remaining;
    if (remaining < 9) {
      const got = c.bytes(Math.max(0, remaining));
      const looksRdb = 'REDIS'.startsWith(String.fromCharCode(...got.subarray(0, 5)));
      throw new DecodeError(
        looksRdb ? 'rdb.truncated' : 'rdb.bad-magic',
        looksRdb ? `file ends after ${remaining} bytes, inside the 9-byte header` : 'Wrong signature trying to load DB from file',
        looksRdb ? start + remaining : start,
        start + remaining,
        start + remaining,
      );
    }
    const head = c.bytes(9, 'header');
    const text = String.fromCharCode(...head);
    let magic: 'REDIS' | 'VALKEY';
    let digits: string;
    if (text.startsWith('REDIS')) {
      magic = 'REDIS';
      digits = text.slice(5);
    } else if (text.startsWith('VALKEY')) {
      magic = 'VALKEY';
      digits = text.slice(6);
    } else {
      throw new DecodeError('rdb.bad-magic', 'Wrong signature trying to load DB from file', start, start + 9, start + 9);
    }
    if (!/^\d+$/.test(digits)) {
      throw new DecodeError('rdb.bad-version', `RDB version field "${digits}" is not a number`, start + 9 - digits.length, start + 9, start + 9);
    }
    const version = Number(digits);
    this.valkey = magic === 'VALKEY';
    const header: RdbHeader = { magic, version, start, end: start + 9 };
    this.result.header = header;
    this.r = new RdbReader(c, version, this.valkey, (p) => this.report({ ...p, ...this.context() }));
    this.handler.header?.(header);
    const newest = this.valkey ? NEWEST_VALKEY_RDB : NEWEST_REDIS_RDB;
    if (version < 1 || version > newest || (this.valkey && version < 80) || (!this.valkey && version >= 80)) {
      this.report({
        code: 'rdb.unsupported-version',
        severity: 'error',
        offset: start + 9 - digits.length,
        end: start + 9,
        checkerOffset: start + 9,
        message: `Can't handle RDB format version ${version} (newest known: ${newest}); decoding it as the newest known format`,
        ...this.context(),
      });
    }
    if (this.options.verifyChecksum ?? true) {
      if (version >= 5) {
        const crc = new Crc64();
        crc.update(head, 0, 9);
        c.startDigest(crc);
        this.crc = crc;
      }
    }
    this.result.validUpTo = start + 9;
  }

  private crc: Crc64 | undefined;

  /** Diskless-replication framing: `$EOF:<40 chars>\r\n` or `$<len>\r\n` before the magic. */
  private skipReplicationPrefix(): number {
    const c = this.c;
    const start = c.offset;
    const line = c.bytes(Math.min(64, c.remaining), 'replication prefix');
    const crlf = line.indexOf(0x0d);
    if (crlf < 0 || line[crlf + 1] !== 0x0a) {
      c.seek(start);
      return start;
    }
    const text = String.fromCharCode(...line.subarray(0, crlf));
    c.seek(start + crlf + 2);
    this.report({
      code: 'rdb.replication-framing',
      severity: 'warning',
      offset: start,
      end: start + crlf + 2,
      message: `replication transfer framing "${text}" before the RDB header (a captured replication stream); skipped`,
      phase: 'start',
    });
    return c.offset;
  }

  private readBody(): void {
    const c = this.c;
    const r = this.r;
    const handler = this.handler;
    let sinceProgress = 0;
    for (;;) {
      this.recordStart = this.pending?.start ?? c.offset;
      const at = c.offset;
      this.phase = 'read-type';
      this.currentKey = undefined;
      this.currentKeyIsView = false;
      this.currentType = undefined;
      const t = c.u8('record type');
      if (t < OP_KEY_META_OR_SLOT_IMPORT) {
        this.readKey(t, at);
        if (++sinceProgress >= 8192) {
          sinceProgress = 0;
          handler.progress?.(c.offset, this.source.size);
        }
        this.result.validUpTo = c.offset;
        continue;
      }
      switch (t) {
        case OP_EOF:
          this.finish(at);
          return;
        case OP_SELECTDB: {
          this.phase = 'read-len';
          this.dropPending('SELECTDB');
          const db = r.len('database number');
          this.db = db;
          this.curDb = this.dbCount(db);
          if (db > 15) {
            this.report({
              code: 'rdb.db-out-of-range',
              severity: 'warning',
              offset: at,
              end: c.offset,
              message: `database ${db} needs a server configured with more than 16 databases`,
              ...this.context(),
            });
          }
          if (handler.selectDb?.(db, at, c.offset) === false) throw new Stop();
          break;
        }
        case OP_RESIZEDB: {
          this.phase = 'read-len';
          const keys = r.len('RESIZEDB key count');
          const expires = r.len('RESIZEDB expires count');
          const d = this.dbCount(this.db);
          d.hintKeys = keys;
          d.hintExpires = expires;
          d.hintAt = at;
          // Presize from the hint, bounded by what the file could hold (3 bytes per key at least).
          if (this.detectDuplicates) this.duplicates.reserve(this.db, Math.min(keys, Math.floor(c.remaining / 3), 1 << 26));
          handler.resizeDb?.(this.db, keys, expires, at, c.offset);
          break;
        }
        case OP_EXPIRETIME_MS: {
          this.phase = 'read-expire';
          const ms = c.i64le('expire time');
          this.pend(at).expireAtMs = Number(ms);
          break;
        }
        case OP_EXPIRETIME: {
          this.phase = 'read-expire';
          this.pend(at).expireAtMs = c.i32le('expire time') * 1000;
          break;
        }
        case OP_IDLE: {
          this.phase = 'read-len';
          this.pend(at).idleSeconds = Number(r.len64('LRU idle time'));
          break;
        }
        case OP_FREQ: {
          this.phase = 'read-type';
          this.pend(at).lfuFreq = c.u8('LFU frequency');
          break;
        }
        case OP_AUX: {
          this.phase = 'read-aux';
          const key = r.string('AUX key');
          const value = r.string('AUX value');
          if (handler.aux?.({ key, value, start: at, end: c.offset }) === false) throw new Stop();
          break;
        }
        case OP_MODULE_AUX:
          this.readModuleAux(at);
          break;
        case OP_FUNCTION_PRE_GA:
        case OP_FUNCTION2: {
          this.phase = 'read-functions';
          const f = readFunction(r, t, at);
          if (t === OP_FUNCTION_PRE_GA) {
            this.report({
              code: 'rdb.function.pre-ga',
              severity: 'warning',
              offset: at,
              end: c.offset,
              message: 'function library in the Redis 7.0 release-candidate format: loaded by 7.0.x, refused by 7.2 and later',
              ...this.context(),
            });
          }
          if (handler.functionLibrary?.(f) === false) throw new Stop();
          break;
        }
        case OP_SLOT_INFO: {
          this.phase = 'read-len';
          const slot = r.len('slot id');
          const keys = r.len('slot key count');
          const expires = r.len('slot expires count');
          handler.slotInfo?.(slot, keys, expires, at, c.offset);
          break;
        }
        case OP_KEY_META_OR_SLOT_IMPORT:
          if (this.valkey) this.readSlotImport(at);
          else if ((this.result.header?.version ?? 0) >= 13) this.readKeyMeta(at);
          else this.invalidType(t, at);
          break;
        default:
          this.invalidType(t, at);
      }
      this.result.validUpTo = c.offset;
    }
  }

  private invalidType(t: number, at: number): never {
    throw new DecodeError('rdb.unknown-type', `Invalid object type: ${t}`, at, at + 1, at + 1);
  }

  private pend(at: number): Pending {
    if (!this.pending) this.pending = { start: at };
    return this.pending;
  }

  private dropPending(where: string): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.report({
      code: 'rdb.pending-state-dropped',
      severity: 'warning',
      offset: p.start,
      end: this.c.offset,
      message: `expire/idle/freq metadata at ${p.start} is not followed by a key before ${where}; Redis drops it`,
      ...this.context(),
    });
  }

  private dbCount(db: number) {
    let d = this.dbCounts.get(db);
    if (!d) {
      d = { keys: 0, expires: 0 };
      this.dbCounts.set(db, d);
    }
    return d;
  }

  private readKey(t: number, typeOffset: number): void {
    const c = this.c;
    const r = this.r;
    this.currentType = t;
    const dataType = dataTypeOf(t, this.valkey);
    if (dataType === undefined) this.invalidType(t, typeOffset);
    const version = this.result.header?.version ?? 0;
    if (!this.valkey && t >= 22 && t <= 25 && version < 12) {
      this.report({
        code: 'rdb.type-too-new',
        severity: 'error',
        offset: typeOffset,
        end: typeOffset + 1,
        message: `type ${t} (${checkerTypeName(t)}) does not exist in RDB version ${version}`,
        ...this.context(),
      });
    }
    this.phase = 'read-key';
    const wantRecord = this.handler.key !== undefined;
    this.currentKeyOffset = c.offset;
    // The duplicate-key log needs only the key's hash, taken as the key is read
    // (the read window may move while the value is read). Without a key handler
    // nothing keeps the key, so it is hashed where it lies, never copied: a check
    // of small keys reads millions of them. Problems read it back from the file.
    let key: Uint8Array | undefined;
    let hash: number;
    if (wantRecord) {
      key = r.string('key');
      hash = keyHash(key);
    } else {
      hash = r.stringHash('key');
    }
    this.currentKey = key;
    this.currentKeyIsView = !wantRecord;
    this.phase = 'read-object-value';
    const valueStart = c.offset;
    // A check without a key handler needs no value object for strings: walk the bytes only.
    let value: RdbValue | undefined;
    if (t === T_STRING && !wantRecord && !this.keepStrings) r.skipString('string value');
    else value = this.decodeValue(t, dataType, valueStart);
    const pending = this.pending;
    this.pending = undefined;
    const d = this.curDb;
    d.keys++;
    this.result.keys++;
    let expired = false;
    if (pending?.expireAtMs !== undefined) {
      d.expires++;
      this.result.expires++;
      expired = pending.expireAtMs < this.nowMs;
      if (expired) this.result.alreadyExpired++;
    }
    if (value !== undefined && value.type === 'hash' && value.hasFieldExpires) this.result.subexpires++;
    // redis-server (as a master) drops expired and empty keys while loading, so a
    // later key of the same name is no duplicate for it: track only keys it keeps.
    if (this.detectDuplicates && !expired && (value === undefined || valueLength(value) > 0)) this.duplicates.addHash(this.db, hash, pending?.start ?? typeOffset);
    if (!wantRecord) return;
    const record: KeyRecord = {
      db: this.db,
      key: key!,
      rdbType: t,
      dataType,
      encoding: value!.encoding,
      start: pending?.start ?? typeOffset,
      typeOffset,
      valueStart,
      end: c.offset,
      value: value!,
    };
    if (pending) {
      if (pending.expireAtMs !== undefined) record.expireAtMs = pending.expireAtMs;
      if (pending.idleSeconds !== undefined) record.idleSeconds = pending.idleSeconds;
      if (pending.lfuFreq !== undefined) record.lfuFreq = pending.lfuFreq;
      if (pending.keyMeta) record.keyMeta = pending.keyMeta;
    }
    if (this.handler.key!(record) === false) throw new Stop();
  }

  /** One context for every value of the pass (made with the reader, after the header). */
  private valueContext: ValueContext | undefined;

  private decodeValue(t: number, dataType: DataType, start: number): RdbValue {
    let ctx = this.valueContext;
    if (!ctx) {
      ctx = this.valueContext = {
        r: this.r,
        keepStrings: this.keepStrings,
        elementRanges: this.options.elementRanges ?? false,
        report: (p) => this.report({ ...p, ...this.context() }),
      };
    }
    return decodeValueOfType(ctx, t, dataType, start);
  }

  private readModuleAux(at: number): void {
    const c = this.c;
    const r = this.r;
    this.phase = 'read-module-aux';
    const moduleId = r.len64('module type id');
    const { name, encodingVersion } = moduleNameFromId(moduleId);
    const whenOpAt = c.offset;
    const whenOp = r.len('module aux when opcode');
    if (whenOp !== 2) throw new DecodeError('rdb.module.bad-when', `bad when_opcode ${whenOp} in MODULE_AUX of module ${name}`, whenOpAt, c.offset);
    const when = r.len('module aux when');
    const items = readModuleItems(r, this.keepStrings);
    this.handler.moduleAux?.({ moduleId, moduleName: name, encodingVersion, when, items, start: at, end: c.offset });
  }

  private readSlotImport(at: number): void {
    const r = this.r;
    this.phase = 'read-aux';
    const nameAt = r.c.offset;
    const name = r.string('slot import job name');
    if (name.length !== 40) {
      throw new DecodeError('rdb.slot-import.bad-name', `Invalid slot import job name length in RDB (${name.length}, expected 40)`, nameAt, r.c.offset);
    }
    const n = r.count('slot range count', 2);
    const ranges: [number, number][] = [];
    for (let i = 0; i < n; i++) ranges.push([r.len('slot range start'), r.len('slot range end')]);
    this.handler.slotImport?.(name, ranges, at, r.c.offset);
  }

  private readKeyMeta(at: number): void {
    const r = this.r;
    this.phase = 'read-type';
    const n = r.count('key metadata class count', 5);
    const classes: KeyMetaClass[] = [];
    for (let i = 0; i < n; i++) {
      const classSpec = r.c.u32le('key metadata class spec');
      classes.push({ classSpec, items: readModuleItems(r, true) });
    }
    this.pend(at).keyMeta = classes;
  }

  private finish(at: number): void {
    const c = this.c;
    this.phase = 'check-sum';
    this.dropPending('EOF');
    this.result.eofOffset = at;
    c.finishDigest();
    const version = this.result.header?.version ?? 0;
    for (const [db, d] of this.dbCounts) {
      if (d.hintKeys !== undefined && (d.hintKeys !== d.keys || d.hintExpires !== d.expires)) {
        this.report({
          code: 'rdb.resizedb-mismatch',
          severity: 'info',
          offset: d.hintAt ?? at,
          message: `RESIZEDB of DB ${db} announced ${d.hintKeys} keys and ${d.hintExpires} expires; the file holds ${d.keys} and ${d.expires}`,
          phase: 'read-len',
          db,
        });
      }
    }
    if (version < 5) {
      this.result.checksum = 'absent';
      this.result.rdbEnd = c.offset;
    } else {
      const sumAt = c.offset;
      if (c.remaining < 8) {
        this.result.checksum = 'missing';
        this.result.validUpTo = at;
        throw new DecodeError(
          'rdb.truncated',
          `unexpected end of data reading the checksum: needed 8 bytes, ${c.remaining} left`,
          c.end,
          c.end,
          sumAt,
        );
      }
      const stored = c.u64le('checksum');
      this.result.storedChecksum = stored;
      this.result.rdbEnd = c.offset;
      if (stored === 0n) {
        this.result.checksum = 'disabled';
        this.report({
          code: 'rdb.checksum-disabled',
          severity: 'info',
          offset: sumAt,
          end: c.offset,
          message: 'RDB file was saved with checksum disabled: no check performed.',
          phase: 'check-sum',
        });
      } else if (this.crc) {
        const computed = this.crc.value();
        this.result.computedChecksum = computed;
        if (computed === stored) this.result.checksum = 'ok';
        else {
          this.result.checksum = 'mismatch';
          this.recordStart = at;
          this.report({
            code: 'rdb.checksum-mismatch',
            severity: 'error',
            offset: sumAt,
            end: c.offset,
            checkerOffset: c.offset,
            message: `RDB CRC error: stored checksum ${hex64(stored)}, computed ${hex64(computed)}`,
            phase: 'check-sum',
          });
        }
      }
    }
    if (c.remaining > 0 && !this.options.allowTrailingData) {
      this.report({
        code: 'rdb.trailing-bytes',
        severity: 'warning',
        offset: c.offset,
        end: c.end,
        message: `${c.remaining} bytes after the end of the RDB; Redis ignores them`,
        phase: 'check-sum',
      });
    }
  }
}

function hex64(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

/** Decodes a value of RDB type `t` at the reader's position (shared by the streaming parser and lazy decoding). */
export function decodeValueOfType(ctx: ValueContext, t: number, dataType: DataType, start: number): RdbValue {
  const r = ctx.r;
  switch (dataType) {
    case 'string': {
      const value = ctx.keepStrings ? r.string('string value') : (r.skipString('string value'), EMPTY);
      return {
        type: 'string',
        rdbType: t,
        encoding: 'string',
        stringEncoding: r.lastStringEncoding,
        start,
        end: r.c.offset,
        value,
        length: ctx.keepStrings ? value.length : r.lastStringLength,
        count: 1,
        ...(r.lastStringEncoding === 'lzf' ? { compressed: true } : {}),
      };
    }
    case 'list':
      return decodeList(ctx, t, start);
    case 'set':
      return decodeSet(ctx, t, start);
    case 'zset':
      return decodeZset(ctx, t, start);
    case 'hash':
      return decodeHash(ctx, t, start);
    case 'stream':
      return decodeStream(ctx, t, start);
    case 'module':
      return decodeModule(ctx, t, start);
  }
}

const EMPTY = new Uint8Array(0);

/** Reads the RDB string at `offset` again (a key first read as a view of the window). */
function readKeyStringAt(source: ByteSource, offset: number, version: number, valkey: boolean): Uint8Array | undefined {
  try {
    const c = new Cursor(source, offset, source.size, 4096);
    return new RdbReader(c, version, valkey, () => undefined).string('key').slice();
  } catch {
    return undefined;
  }
}

/** Reads back the key of the record at `offset`, past its EXPIRETIME/IDLE/FREQ opcodes (duplicate checks). */
export function readRecordKey(source: ByteSource, offset: number, version: number, valkey: boolean): Uint8Array {
  const c = new Cursor(source, offset, source.size, 4096);
  const r = new RdbReader(c, version, valkey, () => undefined);
  for (;;) {
    const t = c.u8('record type');
    if (t === OP_EXPIRETIME_MS) c.skip(8);
    else if (t === OP_EXPIRETIME) c.skip(4);
    else if (t === OP_IDLE) r.len64('LRU idle time');
    else if (t === OP_FREQ) c.skip(1);
    else if (t === OP_KEY_META_OR_SLOT_IMPORT) {
      const n = r.len('key metadata class count');
      for (let i = 0; i < n; i++) {
        c.skip(4);
        readModuleItems(r, false);
      }
    } else return r.string('key').slice();
  }
}

/** Options of `decodeRecordAt`. */
export interface RecordAtOptions {
  version: number;
  valkey: boolean;
  db?: number;
  /** First read size (default 1 MiB); a reader of many small records wants a few KiB. */
  chunkSize?: number;
}

/**
 * Decodes the single key record starting at `offset` (its first EXPIRETIME /
 * IDLE / FREQ opcode or its type byte) — what an editor does when the user
 * expands a key found by an earlier indexing pass. Problems are returned, not thrown.
 */
export function decodeRecordAt(
  source: ByteSource,
  offset: number,
  options: RecordAtOptions,
): { record?: KeyRecord; problems: Problem[] } {
  const problems: Problem[] = [];
  let record: KeyRecord | undefined;
  const parser = parseRdb(
    new OffsetSource(source, offset, options),
    {
      key(k) {
        record = k;
        return false;
      },
    },
    { verifyChecksum: false, detectDuplicateKeys: false, start: 0, elementRanges: true, ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}) },
  );
  for (const p of parser.problems) problems.push(p);
  if (record) {
    record.db = options.db ?? record.db;
    shiftRecord(record, offset - HEADER_LEN);
  } else if (problems.length === 0) {
    problems.push({ code: 'rdb.no-record', severity: 'error', offset, message: 'no key record at this offset' });
  }
  for (const p of problems) {
    p.offset += offset - HEADER_LEN;
    if (p.end !== undefined) p.end += offset - HEADER_LEN;
    if (p.checkerOffset !== undefined) p.checkerOffset += offset - HEADER_LEN;
  }
  return record ? { record, problems } : { problems };
}

const HEADER_LEN = 9;

/** A source that presents a synthetic 9-byte header followed by the bytes of `source` from `offset`. */
class OffsetSource implements ByteSource {
  readonly size: number;
  private readonly header: Uint8Array;
  constructor(
    private readonly inner: ByteSource,
    private readonly offset: number,
    options: RecordAtOptions,
  ) {
    this.size = inner.size - offset + HEADER_LEN;
    const text = options.valkey ? `VALKEY${String(options.version).padStart(3, '0')}` : `REDIS${String(options.version).padStart(4, '0')}`;
    this.header = new Uint8Array(HEADER_LEN);
    for (let i = 0; i < HEADER_LEN; i++) this.header[i] = text.charCodeAt(i);
  }
  read(offset: number, length: number): Uint8Array {
    if (offset >= HEADER_LEN) return this.inner.read(offset - HEADER_LEN + this.offset, length);
    const out = new Uint8Array(Math.min(length, this.size - offset));
    const h = this.header.subarray(offset, Math.min(HEADER_LEN, offset + out.length));
    out.set(h);
    if (out.length > h.length) out.set(this.inner.read(this.offset, out.length - h.length), h.length);
    return out;
  }
}

function shiftRecord(k: KeyRecord, delta: number): void {
  k.start += delta;
  k.typeOffset += delta;
  k.valueStart += delta;
  k.end += delta;
  shiftValue(k.value, delta);
}

function shiftValue(v: RdbValue, delta: number): void {
  v.start += delta;
  v.end += delta;
  if (v.elementRanges) for (let i = 0; i < v.elementRanges.length; i++) v.elementRanges[i]! += delta;
  if (v.type === 'list' && v.nodes) {
    for (const n of v.nodes) {
      n.start += delta;
      n.end += delta;
    }
  }
}
