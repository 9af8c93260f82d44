/**
 * What every replayed command sees (the fake client of redis `src/aof.c`
 * `loadSingleAppendOnlyFile`): the keyspace, the selected DB, the replay's
 * clock, and the typed lookups of redis `src/db.c` (`lookupKeyWrite` +
 * `checkType`). Nothing expires while loading (`keyIsExpired` is false when
 * `server.loading`), so lookups never drop keys.
 */

import type { DataType } from '../../rdb/constants.js';
import type { KeyEntry, Keyspace, MHash, MList, MSet, MStream, MString, MValue, MZset } from './dataset.js';
import { typeOf } from './dataset.js';
import { Deque } from './deque.js';
import { intArg, is, numArg, parseLL, ReplyError } from './numbers.js';

/** shared.wrongtypeerr */
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
/** shared.syntaxerr */
export const SYNTAX = 'syntax error';

export interface Ctx {
  ks: Keyspace;
  /** The selected DB. */
  db: number;
  /** The replay's clock (what `commandTimeSnapshot()` gives while loading). */
  nowMs: number;
  /** Records a note about the command being replayed (a clock-dependent value, …). */
  note(code: string, message: string): void;
  /** Marks keys of the current DB as unknown after this command: why the replay cannot model it. */
  inexact(keys: Uint8Array[], why: string): void;
}

/** A command's implementation: throws `ReplyError` where Redis replies with an error (and changes nothing). */
export type Handler = (c: Ctx, a: Uint8Array[]) => void;

export interface CommandSpec {
  run: Handler;
  /** Arity as in the command table: n exact, -n at least n. */
  arity: number;
  /** Key arguments in the selected DB (default: the first argument). */
  keys?: (a: Uint8Array[]) => Uint8Array[];
  /** The command deletes or replaces its keys whatever they held: their taints are cleared, not spread. */
  definitive?: (a: Uint8Array[]) => boolean;
}

type Of<T extends DataType> = T extends 'string'
  ? MString
  : T extends 'list'
    ? MList
    : T extends 'set'
      ? MSet
      : T extends 'zset'
        ? MZset
        : T extends 'hash'
          ? MHash
          : T extends 'stream'
            ? MStream
            : never;

/** The entry at `key` when it holds `type` (WRONGTYPE otherwise), its value made mutable; undefined when absent. */
export function lookup<T extends Exclude<DataType, 'module'>>(c: Ctx, key: Uint8Array, type: T): { entry: KeyEntry; v: Of<T> } | undefined {
  return lookupIn(c, c.db, key, type);
}

export function lookupIn<T extends Exclude<DataType, 'module'>>(c: Ctx, db: number, key: Uint8Array, type: T): { entry: KeyEntry; v: Of<T> } | undefined {
  const entry = c.ks.get(db, key);
  if (!entry) return undefined;
  if (typeOf(entry.value) !== type) throw new ReplyError(WRONGTYPE);
  return { entry, v: c.ks.mutable(entry) as Of<T> };
}

/** Like `lookup`, creating an empty value when the key is absent. */
export function lookupOrCreate<T extends 'list' | 'set' | 'zset' | 'hash'>(c: Ctx, key: Uint8Array, type: T): { entry: KeyEntry; v: Of<T>; created: boolean } {
  const found = lookup(c, key, type);
  if (found) return { ...found, created: false };
  const v: MValue =
    type === 'list' ? { type: 'list', items: new Deque() } : type === 'set' ? { type: 'set', m: new Set() } : type === 'zset' ? { type: 'zset', m: new Map() } : { type: 'hash', m: new Map() };
  const entry = c.ks.put(c.db, key, v);
  return { entry, v: v as Of<T>, created: true };
}

/** Deletes a collection key left empty (Redis never keeps empty collections). */
export function dropIfEmpty(c: Ctx, key: Uint8Array, v: MList | MSet | MZset | MHash, db = c.db): void {
  const size = v.type === 'list' ? v.items.length : v.m.size;
  if (size === 0) c.ks.delete(db, key);
}

/** The `numkeys` keys after the count at `at` (LMPOP, ZUNIONSTORE, EVAL…); none when the count is not a positive integer. */
export function keysByCount(a: Uint8Array[], at: number): Uint8Array[] {
  const n = a[at] === undefined ? undefined : parseLL(a[at]!);
  if (n === undefined || n <= 0n) return [];
  return a.slice(at + 1, at + 1 + Number(n));
}

/** The optional count of LPOP/RPOP/SPOP/ZPOPMIN/ZPOPMAX (`getPositiveLongFromObjectOrReply`): 1 when absent; more arguments are a syntax error. */
export function popCount(a: Uint8Array[]): bigint {
  if (a.length > 3) throw new ReplyError(SYNTAX);
  if (a.length < 3) return 1n;
  const n = intArg(a[2], 'value is out of range, must be positive');
  if (n < 0n) throw new ReplyError('value is out of range, must be positive');
  return n;
}

/**
 * LMPOP/ZMPOP and their blocking forms from the `numkeys` at `numkeysAt`: the
 * keys, the end to pop from (`end` reads LEFT/RIGHT or MIN/MAX, throwing on
 * anything else) and `COUNT n` (default 1), checked in Redis's order.
 */
export function mpopArgs<T>(a: Uint8Array[], numkeysAt: number, end: (b: Uint8Array | undefined) => T): { keys: Uint8Array[]; where: T; count: number } {
  const n = numArg(a[numkeysAt], 'numkeys should be greater than 0');
  if (n <= 0) throw new ReplyError('numkeys should be greater than 0');
  const keys = a.slice(numkeysAt + 1, numkeysAt + 1 + n);
  if (keys.length !== n) throw new ReplyError(SYNTAX);
  let j = numkeysAt + 1 + n;
  const where = end(a[j++]);
  let count = 1;
  if (j < a.length) {
    if (!is(a[j], 'COUNT') || j + 2 !== a.length) throw new ReplyError(SYNTAX);
    count = numArg(a[j + 1], 'count should be greater than 0');
    if (count <= 0) throw new ReplyError('count should be greater than 0');
  }
  return { keys, where, count };
}
