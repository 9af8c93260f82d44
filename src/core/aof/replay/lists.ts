/**
 * List commands as redis-server executes them while loading an AOF (redis
 * `src/t_list.c` `pushGenericCommand`, `popGenericCommand`,
 * `mpopGenericCommand`, `blockingPopGenericCommand`, `lsetCommand`,
 * `linsertCommand`, `lremCommand`, `ltrimCommand`, `lmoveGenericCommand`;
 * Redis 2.6–8.x). Redis writes blocking pops as their non-blocking form
 * (BLPOP → LPOP, BLMOVE → LMOVE, BLMPOP → LPOP … count); the blocking forms
 * are replayed as if the data were there or the timeout had passed.
 */

import type { CommandSpec, Ctx } from './context.js';
import { dropIfEmpty, keysByCount, lookup, lookupOrCreate, mpopArgs, popCount, SYNTAX } from './context.js';
import type { MList } from './dataset.js';
import { sameBytes } from '../../bytes/compare.js';
import { intArg, is, parseDouble, ReplyError } from './numbers.js';

type End = 'left' | 'right';

function end(b: Uint8Array | undefined): End {
  if (is(b, 'LEFT')) return 'left';
  if (is(b, 'RIGHT')) return 'right';
  throw new ReplyError(SYNTAX);
}

function timeoutArg(b: Uint8Array | undefined): void {
  const t = b === undefined ? undefined : parseDouble(b);
  if (t === undefined) throw new ReplyError('timeout is not a float or out of range');
  if (t < 0) throw new ReplyError('timeout is negative');
}

function push(c: Ctx, a: Uint8Array[], where: End, onlyIfExists: boolean): void {
  const found = lookup(c, a[1]!, 'list');
  if (!found && onlyIfExists) return;
  const v = found?.v ?? lookupOrCreate(c, a[1]!, 'list').v;
  const items = a.slice(2);
  if (where === 'right') v.items.pushRight(items);
  else v.items.pushLeft(items);
}

function popN(v: MList, where: End, n: number): void {
  for (let i = 0; i < n && v.items.length; i++) {
    if (where === 'left') v.items.popLeft();
    else v.items.popRight();
  }
}

function pop(c: Ctx, a: Uint8Array[], where: End): void {
  const count = Number(popCount(a));
  const found = lookup(c, a[1]!, 'list');
  if (!found || count === 0) return;
  popN(found.v, where, count);
  dropIfEmpty(c, a[1]!, found.v);
}

/** LMPOP/BLMPOP from `numkeysAt`: the first non-empty list of the keys. */
function mpop(c: Ctx, a: Uint8Array[], numkeysAt: number): void {
  const { keys, where, count } = mpopArgs(a, numkeysAt, end);
  for (const key of keys) {
    const found = lookup(c, key, 'list');
    if (!found || found.v.items.length === 0) continue;
    popN(found.v, where, count);
    dropIfEmpty(c, key, found.v);
    return;
  }
}

/** BLPOP/BRPOP: one element from the first non-empty list. */
function bpop(c: Ctx, a: Uint8Array[], where: End): void {
  timeoutArg(a[a.length - 1]);
  for (const key of a.slice(1, -1)) {
    const found = lookup(c, key, 'list');
    if (!found) continue;
    popN(found.v, where, 1);
    dropIfEmpty(c, key, found.v);
    return;
  }
}

function lmove(c: Ctx, src: Uint8Array, dst: Uint8Array, from: End, to: End): void {
  const s = lookup(c, src, 'list');
  if (!s) return;
  const d = lookup(c, dst, 'list');
  const value = from === 'left' ? s.v.items.popLeft()! : s.v.items.popRight()!;
  const target = d?.v ?? lookupOrCreate(c, dst, 'list').v;
  if (to === 'left') target.items.pushLeft([value]);
  else target.items.pushRight([value]);
  dropIfEmpty(c, src, s.v);
}

function index(v: MList, i: bigint): number {
  const n = BigInt(v.items.length);
  const at = i < 0n ? n + i : i;
  return at < 0n || at >= n ? -1 : Number(at);
}

function lset(c: Ctx, a: Uint8Array[]): void {
  const i = intArg(a[2]);
  const found = lookup(c, a[1]!, 'list');
  if (!found) throw new ReplyError('no such key');
  const at = index(found.v, i);
  if (at < 0) throw new ReplyError('index out of range');
  found.v.items.flat()[at] = a[3]!;
}

function linsert(c: Ctx, a: Uint8Array[]): void {
  const after = is(a[2], 'AFTER');
  if (!after && !is(a[2], 'BEFORE')) throw new ReplyError(SYNTAX);
  const found = lookup(c, a[1]!, 'list');
  if (!found) return;
  const items = found.v.items.flat();
  const at = items.findIndex((x) => sameBytes(x, a[3]!));
  if (at < 0) return;
  items.splice(after ? at + 1 : at, 0, a[4]!);
}

function lrem(c: Ctx, a: Uint8Array[]): void {
  const count = intArg(a[2]);
  const found = lookup(c, a[1]!, 'list');
  if (!found) return;
  const items = found.v.items.flat();
  const limit = count === 0n ? Infinity : Number(count < 0n ? -count : count);
  // Which positions go (from the head, or from the tail for a negative count), then one compaction.
  const drop = new Set<number>();
  if (count >= 0n) {
    for (let i = 0; i < items.length && drop.size < limit; i++) if (sameBytes(items[i]!, a[3]!)) drop.add(i);
  } else {
    for (let i = items.length - 1; i >= 0 && drop.size < limit; i--) if (sameBytes(items[i]!, a[3]!)) drop.add(i);
  }
  if (drop.size) {
    let w = 0;
    for (let i = 0; i < items.length; i++) if (!drop.has(i)) items[w++] = items[i]!;
    items.length = w;
  }
  dropIfEmpty(c, a[1]!, found.v);
}

function ltrim(c: Ctx, a: Uint8Array[]): void {
  let start = intArg(a[2]);
  let stop = intArg(a[3]);
  const found = lookup(c, a[1]!, 'list');
  if (!found) return;
  const len = BigInt(found.v.items.length);
  if (start < 0n) start += len;
  if (stop < 0n) stop += len;
  if (start < 0n) start = 0n;
  let left: bigint;
  let right: bigint;
  if (start > stop || start >= len) {
    left = len;
    right = 0n;
  } else {
    if (stop >= len) stop = len - 1n;
    left = start;
    right = len - stop - 1n;
  }
  const items = found.v.items.flat();
  items.splice(0, Number(left));
  if (right > 0n) items.splice(items.length - Number(right), Number(right));
  dropIfEmpty(c, a[1]!, found.v);
}

const two = (a: Uint8Array[]): Uint8Array[] => [a[1]!, a[2]!];

/** The list commands, by lower-case name. */
export const LIST_COMMANDS: Record<string, CommandSpec> = {
  lpush: { arity: -3, run: (c, a) => push(c, a, 'left', false) },
  rpush: { arity: -3, run: (c, a) => push(c, a, 'right', false) },
  lpushx: { arity: -3, run: (c, a) => push(c, a, 'left', true) },
  rpushx: { arity: -3, run: (c, a) => push(c, a, 'right', true) },
  lpop: { arity: -2, run: (c, a) => pop(c, a, 'left') },
  rpop: { arity: -2, run: (c, a) => pop(c, a, 'right') },
  blpop: { arity: -3, keys: (a) => a.slice(1, -1), run: (c, a) => bpop(c, a, 'left') },
  brpop: { arity: -3, keys: (a) => a.slice(1, -1), run: (c, a) => bpop(c, a, 'right') },
  lmpop: { arity: -4, keys: (a) => keysByCount(a, 1), run: (c, a) => mpop(c, a, 1) },
  blmpop: {
    arity: -5,
    keys: (a) => keysByCount(a, 2),
    run: (c, a) => {
      timeoutArg(a[1]);
      mpop(c, a, 2);
    },
  },
  lset: { arity: 4, run: lset },
  linsert: { arity: 5, run: linsert },
  lrem: { arity: 4, run: lrem },
  ltrim: { arity: 4, run: ltrim },
  lmove: { arity: 5, keys: two, run: (c, a) => lmove(c, a[1]!, a[2]!, end(a[3]), end(a[4])) },
  blmove: {
    arity: 6,
    keys: two,
    run: (c, a) => {
      const from = end(a[3]);
      const to = end(a[4]);
      timeoutArg(a[5]);
      lmove(c, a[1]!, a[2]!, from, to);
    },
  },
  rpoplpush: { arity: 3, keys: two, run: (c, a) => lmove(c, a[1]!, a[2]!, 'right', 'left') },
  brpoplpush: {
    arity: 4,
    keys: two,
    run: (c, a) => {
      timeoutArg(a[3]);
      lmove(c, a[1]!, a[2]!, 'right', 'left');
    },
  },
};
