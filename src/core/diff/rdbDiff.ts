/**
 * A semantic, key-level diff of two persistence inputs: each side is an RDB
 * file, read in a streaming pass, or a dataset replayed from an AOF (plain,
 * hybrid or multi-part; `src/core/aof/replay.ts`). Pass 1 over A keeps per key
 * a 64-bit digest of its value, its type, TTL and where to find it again
 * (`KeyIndex`: the record offset in an RDB, the locator in a replayed
 * dataset that spilled what it held, else the key itself); pass 2 over B
 * looks each key up and compares digests and TTLs. Only keys that differ are
 * remembered (DB, name, offsets; past a budget in sorted runs on a spill
 * store, `ChangeLog`); their
 * element-level changes are computed afterwards one key at a time
 * (`changeDetails`: both values decoded again by offset, or taken from the
 * replayed dataset). Function libraries are compared by name and code. AUX
 * fields (redis-ver, ctime, used-mem…), encodings and LRU/LFU hints are not
 * part of the dataset and are ignored; so are consumers' seen/active times
 * when a side is an AOF (redis-server sets them to the time it loads it).
 *
 * Memory: an RDB side is never held whole (about 40 bytes per key of A plus
 * its key names, which are read back from A past `namesLimit` keys). An AOF
 * side replayed with a spill store (`ReplayOptions.spill`) is bounded too:
 * its preamble or base stays in its file and the keys commands built are
 * spilled past a budget, so each key has a locator to read it back by, as an
 * RDB record has its offset; a replay without one is held in memory. A replayed
 * side some of whose keys the replay could not model exactly is refused
 * (`inexact`) unless those keys are filtered out.
 */

import type { ReplayedAof } from '../aof/replay.js';
import { toRdbValue } from '../aof/replay/dataset.js';
import type { ByteSource } from '../bytes/byteSource.js';
import type { Problem } from '../model/problem.js';
import type { DataType } from '../rdb/constants.js';
import { decodeRecordAt, parseRdb, readRecordKey, type RdbResult } from '../rdb/parser.js';
import type { RdbValue } from '../rdb/value.js';
import { globMatch } from '../text/glob.js';
import { latin1 } from '../text/bytesText.js';
import { valueChanges, type DetailOptions, type KeyDetails } from './details.js';
import { keyDigest, valueDigest } from './digest.js';
import { Hasher } from './hash.js';
import { KeyIndex, TYPE_CODES } from './keyIndex.js';
import { compareBytes } from '../bytes/compare.js';
import type { SpillStore } from '../aof/replay/spill.js';
import { ChangeLog, type ChangeList } from './changeLog.js';

export interface RdbDiffOptions {
  /** Compare only these DBs. */
  dbs?: number[];
  /** Compare only keys matching this Redis glob. */
  match?: Uint8Array;
  /** Keep A's key names in memory up to this many keys (default 4,000,000); beyond, names are read back from A. */
  namesLimit?: number;
  namesBytesLimit?: number;
  /** Where changed keys go past `changesInMemory` (sorted runs, merged when read); without one they are all held. */
  spill?: SpillStore;
  /** Changed keys held in memory before a sorted run is spilled (default 250,000). */
  changesInMemory?: number;
  /** Progress over both passes: `pass` 1 (A) or 2 (B). */
  progress?(pass: 1 | 2, offset: number, size: number): void;
}

export type ChangeKind = 'added' | 'removed' | 'changed';

/** One key that differs. */
export interface KeyChange {
  db: number;
  key: Uint8Array;
  change: ChangeKind;
  typeBefore: DataType | null;
  typeAfter: DataType | null;
  /** Absolute expiry in ms; null: no TTL (or no key). */
  ttlBefore: number | null;
  ttlAfter: number | null;
  /** The value differs (false: only the TTL changed). */
  valueChanged: boolean;
  /** Record offsets in A and B (RDB sides); for a replayed side its locator (`Keyspace.readAt`), or -1 for a key held in memory. */
  aStart?: number;
  bStart?: number;
}

export interface TypeCounts {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

export interface DiffSummary extends TypeCounts {
  /** Per type (the type in B; in A for removed keys). */
  byType: Partial<Record<DataType, TypeCounts>>;
}

export interface FunctionChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface RdbFileInfo {
  /** `rdb`: an RDB file; `aof`: a dataset replayed from an AOF. */
  kind: 'rdb' | 'aof';
  /** RDB version (0 for an AOF side). */
  version: number;
  valkey: boolean;
  /** Keys in the file (all DBs, before filtering). */
  keys: number;
}

export interface RdbDiff {
  equal: boolean;
  summary: DiffSummary;
  /** Sorted by DB, then key bytes (an array, or runs merged from the spill store). */
  changes: ChangeList;
  /** Function libraries; null when a --db/--match filter is given (they belong to no DB). */
  functions: FunctionChanges | null;
  a: RdbFileInfo;
  b: RdbFileInfo;
  /** True when A's key names did not fit in memory and were read back by offset. */
  namesReadBack: boolean;
}

/** A file that cannot be diffed: the first error its parse found. */
export interface DamagedInput {
  which: 'a' | 'b';
  problem: Problem;
  result?: RdbResult;
}

/** A replayed side whose compared keys may differ from what redis-server would load: the commands the replay could not model. */
export interface InexactInput {
  which: 'a' | 'b';
  problems: Problem[];
}

export type RdbDiffOutcome = { ok: true; diff: RdbDiff } | { ok: false; damaged: DamagedInput; inexact?: undefined } | { ok: false; inexact: InexactInput; damaged?: undefined };

/** One side of a diff: an RDB file, or a dataset replayed from an AOF. */
export type DiffSide = { kind: 'rdb'; source: ByteSource } | { kind: 'replayed'; replay: ReplayedAof };

function side(x: DiffSide | ByteSource): DiffSide {
  return 'kind' in x ? x : { kind: 'rdb', source: x };
}

/** The key as a scan hands it over. */
interface ScannedKey {
  db: number;
  key: Uint8Array;
  dataType: DataType;
  value: RdbValue;
  expireAtMs?: number;
  /** Record offset (RDB) or -1 (replayed). */
  start: number;
}

interface ScanHandler {
  header(version: number, valkey: boolean): void;
  functionLibrary(name: string, digest: string): void;
  key(k: ScannedKey): void;
}

/**
 * Why a replayed dataset cannot be compared under these filters: the
 * `replay.unsupported` problems behind its inexact keys, DBs or libraries
 * that the filters keep; empty when every compared key is exact.
 */
export function inexactProblems(replay: ReplayedAof, options: Pick<RdbDiffOptions, 'dbs' | 'match'> = {}): Problem[] {
  const ks = replay.keyspace;
  const found = new Set<Problem>();
  const dbWanted = (db: number): boolean => options.dbs === undefined || options.dbs.includes(db);
  if (ks.globalTaint) found.add(ks.globalTaint);
  for (const [db, p] of ks.dbTaints) if (dbWanted(db)) found.add(p);
  for (const [db, keys] of ks.taints) {
    if (!dbWanted(db)) continue;
    for (const t of keys.values()) if (options.match === undefined || globMatch(options.match, t.key)) found.add(t.problem);
  }
  if (ks.functionsTaint && options.dbs === undefined && options.match === undefined) found.add(ks.functionsTaint);
  return [...found];
}

/** Streams one side's keys and libraries; returns its first error (a damaged RDB). */
function scan(s: DiffSide, h: ScanHandler, progress: ((offset: number, size: number) => void) | undefined, digestOf: (code: Uint8Array) => string): { error?: Problem; result?: RdbResult } {
  if (s.kind === 'rdb') {
    const result = parseRdb(
      s.source,
      {
        header: (hd) => h.header(hd.version, hd.magic === 'VALKEY'),
        functionLibrary: (f) => h.functionLibrary(f.name ?? `(unnamed ${digestOf(f.code)})`, digestOf(f.code)),
        key: (k) => h.key({ db: k.db, key: k.key, dataType: k.dataType, value: k.value, ...(k.expireAtMs !== undefined ? { expireAtMs: k.expireAtMs } : {}), start: k.start }),
        ...(progress ? { progress } : {}),
      },
      { keepStrings: true, reuseBuffers: true },
    );
    const error = firstError(result);
    return error ? { error, result } : { result };
  }
  const ks = s.replay.keyspace;
  for (const f of ks.functions.values()) h.functionLibrary(f.name ?? `(unnamed ${digestOf(f.code)})`, digestOf(f.code));
  ks.forEachKey((k) => h.key({ db: k.db, key: k.key, dataType: k.value.type, value: k.value, ...(k.expireAtMs !== undefined ? { expireAtMs: k.expireAtMs } : {}), start: k.locator }));
  return {};
}

function firstError(r: RdbResult): Problem | undefined {
  return r.problems.find((p) => p.severity === 'error');
}

function functionDigest(code: Uint8Array): string {
  const d = new Hasher().bytes(code).digest();
  return `${d.hi}:${d.lo}`;
}

/** Compares two RDB files key by key. Never throws on bad input: a damaged file is an outcome. */
export function diffRdb(a: ByteSource, b: ByteSource, options: RdbDiffOptions = {}): RdbDiffOutcome {
  return diffSides({ kind: 'rdb', source: a }, { kind: 'rdb', source: b }, options);
}

/** Compares two inputs (RDB files or replayed AOFs) key by key. Never throws on bad input: a damaged or inexact input is an outcome. */
export function diffSides(a: DiffSide, b: DiffSide, options: RdbDiffOptions = {}): RdbDiffOutcome {
  const wanted = (k: { db: number; key: Uint8Array }): boolean =>
    (options.dbs === undefined || options.dbs.includes(k.db)) && (options.match === undefined || globMatch(options.match, k.key));
  const filtered = options.dbs !== undefined || options.match !== undefined;
  for (const [which, s] of [['a', a], ['b', b]] as const) {
    if (s.kind !== 'replayed') continue;
    const problems = inexactProblems(s.replay, options);
    if (problems.length) return { ok: false, inexact: { which, problems } };
  }
  const replayed = a.kind === 'replayed' || b.kind === 'replayed';
  const digestOptions = { ignoreConsumerTimes: replayed };
  // Names can be read back from A when each key has a place in a file: an RDB, or a replay that spilled what it held.
  const locatable = a.kind === 'rdb' || a.replay.located;
  const index = new KeyIndex({
    // A replay held in memory: keep its names (they cannot be read back from a file).
    ...(!locatable ? { namesLimit: Number.MAX_SAFE_INTEGER, namesBytesLimit: Number.MAX_SAFE_INTEGER } : {}),
    ...(options.namesLimit !== undefined && locatable ? { namesLimit: options.namesLimit } : {}),
    ...(options.namesBytesLimit !== undefined && locatable ? { namesBytesLimit: options.namesBytesLimit } : {}),
  });
  const infoA: RdbFileInfo = { kind: a.kind === 'rdb' ? 'rdb' : 'aof', version: 0, valkey: false, keys: 0 };
  const infoB: RdbFileInfo = { kind: b.kind === 'rdb' ? 'rdb' : 'aof', version: 0, valkey: false, keys: 0 };
  const fnA = new Map<string, string>();
  const fnB = new Map<string, string>();
  const readKeyOfA = (start: number): Uint8Array => (a.kind === 'rdb' ? readRecordKey(a.source, start, infoA.version, infoA.valkey) : a.replay.keyspace.keyAt(start));

  // Pass 1: A.
  const resA = scan(
    a,
    {
      header(version, valkey) {
        infoA.version = version;
        infoA.valkey = valkey;
      },
      functionLibrary: (name, digest) => void fnA.set(name, digest),
      key(k) {
        infoA.keys++;
        if (!wanted(k)) return;
        index.add(k.db, k.key, keyDigest(k.db, k.key), k.dataType, valueDigest(k.value, digestOptions), k.expireAtMs, k.start);
      },
    },
    options.progress ? (o, s) => options.progress!(1, o, s) : undefined,
    functionDigest,
  );
  if (resA.error) return { ok: false, damaged: { which: 'a', problem: resA.error, ...(resA.result ? { result: resA.result } : {}) } };

  // Pass 2: B.
  const changes = new ChangeLog(options.spill, options.changesInMemory);
  const summary: DiffSummary = { added: 0, removed: 0, changed: 0, unchanged: 0, byType: {} };
  const count = (type: DataType, kind: keyof TypeCounts): void => {
    summary[kind]++;
    const t = (summary.byType[type] ??= { added: 0, removed: 0, changed: 0, unchanged: 0 });
    t[kind]++;
  };
  const resB = scan(
    b,
    {
      header(version, valkey) {
        infoB.version = version;
        infoB.valkey = valkey;
      },
      functionLibrary: (name, digest) => void fnB.set(name, digest),
      key(k) {
        infoB.keys++;
        if (!wanted(k)) return;
        const kd = keyDigest(k.db, k.key);
        const i = index.find(k.db, k.key, kd);
        const ttlAfter = k.expireAtMs ?? null;
        const added = (): void => {
          count(k.dataType, 'added');
          changes.push({ db: k.db, key: k.key.slice(), change: 'added', typeBefore: null, typeAfter: k.dataType, ttlBefore: null, ttlAfter, valueChanged: true, bStart: k.start });
        };
        if (i < 0) return added();
        index.seen[i] = 1;
        const d = valueDigest(k.value, digestOptions);
        const typeBefore = TYPE_CODES[index.type[i]!]!;
        const expire = index.expire[i]!;
        const ttlBefore = Number.isNaN(expire) ? null : expire;
        const valueChanged = d.hi !== index.digestHi[i] || d.lo !== index.digestLo[i] || typeBefore !== k.dataType;
        if (!valueChanged && ttlBefore === ttlAfter) {
          count(k.dataType, 'unchanged');
          return;
        }
        // Without names in memory the match was on a 64-bit key digest: confirm it on A's bytes.
        if (!index.hasNames && compareBytes(readKeyOfA(index.start[i]!), k.key) !== 0) {
          index.seen[i] = 0;
          return added();
        }
        count(k.dataType, 'changed');
        changes.push({ db: k.db, key: k.key.slice(), change: 'changed', typeBefore, typeAfter: k.dataType, ttlBefore, ttlAfter, valueChanged, aStart: index.start[i]!, bStart: k.start });
      },
    },
    options.progress ? (o, s) => options.progress!(2, o, s) : undefined,
    functionDigest,
  );
  if (resB.error) return { ok: false, damaged: { which: 'b', problem: resB.error, ...(resB.result ? { result: resB.result } : {}) } };

  // Keys of A never matched: removed.
  for (let i = 0; i < index.count; i++) {
    if (index.seen[i]) continue;
    const type = TYPE_CODES[index.type[i]!]!;
    count(type, 'removed');
    const expire = index.expire[i]!;
    changes.push({
      db: index.db[i]!,
      key: index.name(i) ?? readKeyOfA(index.start[i]!),
      change: 'removed',
      typeBefore: type,
      typeAfter: null,
      ttlBefore: Number.isNaN(expire) ? null : expire,
      ttlAfter: null,
      valueChanged: true,
      aStart: index.start[i]!,
    });
  }
  const sorted = changes.finish();

  let functions: FunctionChanges | null = null;
  if (!filtered) {
    functions = { added: [], removed: [], changed: [] };
    for (const [name, code] of fnB) {
      const before = fnA.get(name);
      if (before === undefined) functions.added.push(name);
      else if (before !== code) functions.changed.push(name);
    }
    for (const name of fnA.keys()) if (!fnB.has(name)) functions.removed.push(name);
    functions.added.sort();
    functions.removed.sort();
    functions.changed.sort();
  }
  const functionsEqual = !functions || functions.added.length + functions.removed.length + functions.changed.length === 0;
  return {
    ok: true,
    diff: { equal: sorted.length === 0 && functionsEqual, summary, changes: sorted, functions, a: infoA, b: infoB, namesReadBack: !index.hasNames },
  };
}

/** The value of a changed key on one side: decoded again by offset (RDB) or taken from the replayed dataset. */
function valueAt(s: DiffSide, info: RdbFileInfo, change: KeyChange, start: number | undefined): RdbValue {
  if (s.kind === 'replayed') {
    if (start !== undefined && start >= 0) return s.replay.keyspace.readAt(start).value;
    const e = s.replay.keyspace.dbs.get(change.db)?.get(latin1(change.key));
    if (!e) throw new Error(`key '${latin1(change.key)}' is not in the replayed dataset`);
    return toRdbValue(e.value);
  }
  const r = decodeRecordAt(s.source, start!, { version: info.version, valkey: info.valkey, db: change.db });
  if (!r.record) {
    const p = r.problems[0];
    throw new Error(`cannot decode key '${latin1(change.key)}' again${p ? `: ${p.message}` : ''}`);
  }
  return r.record.value;
}

/**
 * Element-level details of a changed key: both values decoded again (RDB
 * sides, by offset) or read from the replayed dataset. Undefined for
 * added/removed keys, TTL-only changes and type changes.
 */
export function changeDetails(diff: RdbDiff, change: KeyChange, a: DiffSide | ByteSource, b: DiffSide | ByteSource, options: DetailOptions = {}): KeyDetails | undefined {
  if (change.change !== 'changed' || !change.valueChanged || change.typeBefore !== change.typeAfter) return undefined;
  const replayed = diff.a.kind === 'aof' || diff.b.kind === 'aof';
  const va = valueAt(side(a), diff.a, change, change.aStart);
  const vb = valueAt(side(b), diff.b, change, change.bStart);
  return valueChanges(va, vb, { ...(replayed ? { ignoreConsumerTimes: true } : {}), ...options });
}
