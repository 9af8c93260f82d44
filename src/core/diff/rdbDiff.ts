/**
 * A semantic, key-level diff of two RDB files in bounded memory. Pass 1 over
 * A keeps per key a 64-bit digest of its value, its type, TTL and record
 * offset (`KeyIndex`); pass 2 over B looks each key up and compares digests
 * and TTLs. Only keys that differ are remembered (DB, name, offsets); their
 * element-level changes are computed afterwards one key at a time
 * (`changeDetails`: both records decoded again by offset), so neither file's
 * values are ever held whole. Function libraries are compared by name and code.
 * AUX fields (redis-ver, ctime, used-mem…), encodings and LRU/LFU hints are not
 * part of the dataset and are ignored.
 */

import type { ByteSource } from '../bytes/byteSource.js';
import type { Problem } from '../model/problem.js';
import type { DataType } from '../rdb/constants.js';
import { decodeRecordAt, parseRdb, readRecordKey, type KeyRecord, type RdbResult } from '../rdb/parser.js';
import { globMatch } from '../text/glob.js';
import { latin1 } from '../text/bytesText.js';
import { valueChanges, type DetailOptions, type KeyDetails } from './details.js';
import { keyDigest, valueDigest } from './digest.js';
import { Hasher } from './hash.js';
import { KeyIndex, TYPE_CODES } from './keyIndex.js';

export interface RdbDiffOptions {
  /** Compare only these DBs. */
  dbs?: number[];
  /** Compare only keys matching this Redis glob. */
  match?: Uint8Array;
  /** Keep A's key names in memory up to this many keys (default 4,000,000); beyond, names are read back from A. */
  namesLimit?: number;
  namesBytesLimit?: number;
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
  /** Record offsets in A and B. */
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
  version: number;
  valkey: boolean;
  /** Keys in the file (all DBs, before filtering). */
  keys: number;
}

export interface RdbDiff {
  equal: boolean;
  summary: DiffSummary;
  /** Sorted by DB, then key bytes. */
  changes: KeyChange[];
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
  result: RdbResult;
}

export type RdbDiffOutcome = { ok: true; diff: RdbDiff } | { ok: false; damaged: DamagedInput };

function firstError(r: RdbResult): Problem | undefined {
  return r.problems.find((p) => p.severity === 'error');
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function functionDigest(code: Uint8Array): string {
  const d = new Hasher().bytes(code).digest();
  return `${d.hi}:${d.lo}`;
}

/** Compares two RDB files key by key. Never throws on bad input: a damaged file is an outcome. */
export function diffRdb(a: ByteSource, b: ByteSource, options: RdbDiffOptions = {}): RdbDiffOutcome {
  const wanted = (k: KeyRecord): boolean =>
    (options.dbs === undefined || options.dbs.includes(k.db)) && (options.match === undefined || globMatch(options.match, k.key));
  const filtered = options.dbs !== undefined || options.match !== undefined;
  const index = new KeyIndex({
    ...(options.namesLimit !== undefined ? { namesLimit: options.namesLimit } : {}),
    ...(options.namesBytesLimit !== undefined ? { namesBytesLimit: options.namesBytesLimit } : {}),
  });
  const infoA: RdbFileInfo = { version: 0, valkey: false, keys: 0 };
  const infoB: RdbFileInfo = { version: 0, valkey: false, keys: 0 };
  const fnA = new Map<string, string>();
  const fnB = new Map<string, string>();
  const fnName = (f: { name?: string; code: Uint8Array }): string => f.name ?? `(unnamed ${functionDigest(f.code)})`;

  // Pass 1: A.
  const resA = parseRdb(
    a,
    {
      header(h) {
        infoA.version = h.version;
        infoA.valkey = h.magic === 'VALKEY';
      },
      functionLibrary(f) {
        fnA.set(fnName(f), functionDigest(f.code));
      },
      key(k) {
        infoA.keys++;
        if (!wanted(k)) return;
        index.add(k.db, k.key, keyDigest(k.db, k.key), k.dataType, valueDigest(k.value), k.expireAtMs, k.start);
      },
      ...(options.progress ? { progress: (o: number, s: number) => options.progress!(1, o, s) } : {}),
    },
    { keepStrings: true, reuseBuffers: true },
  );
  const errA = firstError(resA);
  if (errA) return { ok: false, damaged: { which: 'a', problem: errA, result: resA } };

  // Pass 2: B.
  const changes: KeyChange[] = [];
  const summary: DiffSummary = { added: 0, removed: 0, changed: 0, unchanged: 0, byType: {} };
  const count = (type: DataType, kind: keyof TypeCounts): void => {
    summary[kind]++;
    const t = (summary.byType[type] ??= { added: 0, removed: 0, changed: 0, unchanged: 0 });
    t[kind]++;
  };
  const resB = parseRdb(
    b,
    {
      header(h) {
        infoB.version = h.version;
        infoB.valkey = h.magic === 'VALKEY';
      },
      functionLibrary(f) {
        fnB.set(fnName(f), functionDigest(f.code));
      },
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
        const d = valueDigest(k.value);
        const typeBefore = TYPE_CODES[index.type[i]!]!;
        const expire = index.expire[i]!;
        const ttlBefore = Number.isNaN(expire) ? null : expire;
        const valueChanged = d.hi !== index.digestHi[i] || d.lo !== index.digestLo[i] || typeBefore !== k.dataType;
        if (!valueChanged && ttlBefore === ttlAfter) {
          count(k.dataType, 'unchanged');
          return;
        }
        // Without names in memory the match was on a 64-bit key digest: confirm it on A's bytes.
        if (!index.hasNames && compareBytes(readRecordKey(a, index.start[i]!, infoA.version, infoA.valkey), k.key) !== 0) {
          index.seen[i] = 0;
          return added();
        }
        count(k.dataType, 'changed');
        changes.push({ db: k.db, key: k.key.slice(), change: 'changed', typeBefore, typeAfter: k.dataType, ttlBefore, ttlAfter, valueChanged, aStart: index.start[i]!, bStart: k.start });
      },
      ...(options.progress ? { progress: (o: number, s: number) => options.progress!(2, o, s) } : {}),
    },
    { keepStrings: true, reuseBuffers: true },
  );
  const errB = firstError(resB);
  if (errB) return { ok: false, damaged: { which: 'b', problem: errB, result: resB } };

  // Keys of A never matched: removed.
  for (let i = 0; i < index.count; i++) {
    if (index.seen[i]) continue;
    const type = TYPE_CODES[index.type[i]!]!;
    count(type, 'removed');
    const expire = index.expire[i]!;
    changes.push({
      db: index.db[i]!,
      key: index.name(i) ?? readRecordKey(a, index.start[i]!, infoA.version, infoA.valkey),
      change: 'removed',
      typeBefore: type,
      typeAfter: null,
      ttlBefore: Number.isNaN(expire) ? null : expire,
      ttlAfter: null,
      valueChanged: true,
      aStart: index.start[i]!,
    });
  }
  changes.sort((x, y) => x.db - y.db || compareBytes(x.key, y.key));

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
    diff: { equal: changes.length === 0 && functionsEqual, summary, changes, functions, a: infoA, b: infoB, namesReadBack: !index.hasNames },
  };
}

/**
 * Element-level details of a changed key: both records decoded again by
 * offset. Undefined for added/removed keys, TTL-only changes and type changes.
 */
export function changeDetails(diff: RdbDiff, change: KeyChange, a: ByteSource, b: ByteSource, options: DetailOptions = {}): KeyDetails | undefined {
  if (change.change !== 'changed' || !change.valueChanged || change.typeBefore !== change.typeAfter) return undefined;
  const ra = decodeRecordAt(a, change.aStart!, { version: diff.a.version, valkey: diff.a.valkey, db: change.db });
  const rb = decodeRecordAt(b, change.bStart!, { version: diff.b.version, valkey: diff.b.valkey, db: change.db });
  if (!ra.record || !rb.record) {
    const p = (ra.record ? rb : ra).problems[0];
    throw new Error(`cannot decode key '${latin1(change.key)}' again${p ? `: ${p.message}` : ''}`);
  }
  return valueChanges(ra.record.value, rb.record.value, options);
}
