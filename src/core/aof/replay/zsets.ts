/**
 * Sorted-set commands as redis-server executes them while loading an AOF
 * (redis `src/t_zset.c` `zaddGenericCommand` and `zsetAdd`, `zremCommand`,
 * `zremrangeGenericCommand`, `genericZpopCommand`, `zmpopGenericCommand`,
 * `zunionInterDiffGenericCommand`, `zrangeGenericCommand` with a store
 * handler; Redis 2.6–8.x). Order is score, then member bytes; a score equal
 * to the old one (0 and -0 included) leaves it untouched. Unions and
 * intersections add in the order Redis does (inputs sorted by size, stably),
 * so sums of three or more inputs round as on the server.
 */

import type { CommandSpec, Ctx } from './context.js';
import { dropIfEmpty, keysByCount, lookup, lookupOrCreate, mpopArgs, popCount, SYNTAX, WRONGTYPE } from './context.js';
import type { MZset } from './dataset.js';
import { typeOf } from './dataset.js';
import { compareText, doubleArg, intArg, is, numArg, parseDouble, ReplyError, text } from './numbers.js';

type Pair = [string, number];

function cmp(x: Pair, score: number, member: string): number {
  return x[1] < score ? -1 : x[1] > score ? 1 : compareText(x[0], member);
}

/**
 * A sorted set's members in order (score, then bytes), kept once built: pops
 * take from its ends and writes keep it sorted, so the ZADD/ZPOPMIN queues of
 * an AOF do not sort the set again for every command. Sorted blocks of at most
 * 2·BLOCK pairs (what a skiplist gives Redis: O(log n) updates, without the
 * O(n) moves of one big array).
 */
class Order {
  private blocks: Pair[][];

  constructor(sortedPairs: Pair[]) {
    this.blocks = [];
    for (let i = 0; i < sortedPairs.length; i += BLOCK) this.blocks.push(sortedPairs.slice(i, i + BLOCK));
  }

  /** The block that holds (or would hold) the pair: the first whose last pair is not before it. */
  private block(score: number, member: string): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = this.blocks[mid]!;
      if (cmp(b[b.length - 1]!, score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(member: string, score: number): void {
    if (this.blocks.length === 0) {
      this.blocks.push([[member, score]]);
      return;
    }
    const bi = this.block(score, member);
    const b = this.blocks[bi]!;
    b.splice(lowerBound(b, score, member), 0, [member, score]);
    if (b.length > 2 * BLOCK) this.blocks.splice(bi + 1, 0, b.splice(BLOCK));
  }

  remove(member: string, score: number): void {
    if (this.blocks.length === 0) return;
    const bi = this.block(score, member);
    const b = this.blocks[bi]!;
    const i = lowerBound(b, score, member);
    if (i < b.length && b[i]![0] === member) b.splice(i, 1);
    if (b.length === 0) this.blocks.splice(bi, 1);
  }

  /** Removes and returns the first (or last) pair. */
  pop(last: boolean): Pair | undefined {
    const bi = last ? this.blocks.length - 1 : 0;
    const b = this.blocks[bi];
    if (!b) return undefined;
    const p = last ? b.pop() : b.shift();
    if (b.length === 0) this.blocks.splice(bi, 1);
    return p;
  }

  toArray(): Pair[] {
    return ([] as Pair[]).concat(...this.blocks);
  }
}

const BLOCK = 512;

function lowerBound(b: Pair[], score: number, member: string): number {
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(b[mid]!, score, member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const orders = new WeakMap<MZset, Order>();

function order(z: MZset): Order {
  let o = orders.get(z);
  if (!o) {
    o = new Order([...z.m].sort((x, y) => cmp(x, y[1], y[0])));
    orders.set(z, o);
  }
  return o;
}

/** Sets a member's score (adding it), keeping the order when there is one. */
function zset(z: MZset, member: string, score: number): void {
  const old = z.m.get(member);
  z.m.set(member, score);
  const o = orders.get(z);
  if (!o) return;
  if (old !== undefined) o.remove(member, old);
  o.insert(member, score);
}

function zdel(z: MZset, member: string): void {
  const old = z.m.get(member);
  if (old === undefined) return;
  z.m.delete(member);
  orders.get(z)?.remove(member, old);
}

/** Members in order: score, then bytes (a copy). */
function sorted(z: MZset): Pair[] {
  return order(z).toArray();
}

function zadd(c: Ctx, a: Uint8Array[], forceIncr = false): void {
  let j = 2;
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let incr = forceIncr;
  for (; j < a.length; j++) {
    const o = a[j]!;
    if (is(o, 'NX')) nx = true;
    else if (is(o, 'XX')) xx = true;
    else if (is(o, 'GT')) gt = true;
    else if (is(o, 'LT')) lt = true;
    else if (is(o, 'CH')) continue;
    else if (is(o, 'INCR')) incr = true;
    else break;
  }
  const n = a.length - j;
  if (n === 0 || n % 2 !== 0) throw new ReplyError(SYNTAX);
  if (nx && xx) throw new ReplyError('XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new ReplyError('GT, LT, and/or NX options at the same time are not compatible');
  if (incr && n > 2) throw new ReplyError('INCR option supports a single increment-element pair');
  const pairs: [number, string][] = [];
  for (let i = j; i < a.length; i += 2) pairs.push([doubleArg(a[i]), text(a[i + 1]!)]);
  const found = lookup(c, a[1]!, 'zset');
  if (!found && xx) return;
  const z = found?.v ?? lookupOrCreate(c, a[1]!, 'zset').v;
  for (const [score0, member] of pairs) {
    let score = score0;
    const cur = z.m.get(member);
    if (cur === undefined) {
      // A listpack stores -0 as the integer 0 (`zzlInsertAt`), the encoding small sorted sets have.
      if (!xx) zset(z, member, score || 0);
      continue;
    }
    if (nx) continue;
    if (incr) {
      score += cur;
      if (Number.isNaN(score)) throw new ReplyError('resulting score is not a number (NaN)');
    }
    if ((lt && score >= cur) || (gt && score <= cur)) continue;
    if (score !== cur) zset(z, member, score);
  }
}

/** Plain `strtod` over the whole text (leading space allowed, out-of-range values become ±inf or 0); NaN refused. */
function strtodWhole(s: string): number | undefined {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  const v = parseDouble(t);
  if (v !== undefined) return v;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined;
}

interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** `zslParseRange`: `(` excludes; plain `strtod` over the rest. */
function scoreRange(minArg: Uint8Array, maxArg: Uint8Array): ScoreRange {
  const one = (b: Uint8Array): [number, boolean] => {
    const s = text(b);
    const ex = s.startsWith('(');
    const v = strtodWhole(ex ? s.slice(1) : s);
    if (v === undefined) throw new ReplyError('min or max is not a float');
    return [v, ex];
  };
  const [min, minex] = one(minArg);
  const [max, maxex] = one(maxArg);
  return { min, max, minex, maxex };
}

function inScore(r: ScoreRange, s: number): boolean {
  return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
}

interface LexRange {
  min: string | -1 | 1;
  max: string | -1 | 1;
  minex: boolean;
  maxex: boolean;
}

/** `zslParseLexRange`: `[` includes, `(` excludes, `-` and `+` are the ends. */
function lexRange(minArg: Uint8Array, maxArg: Uint8Array): LexRange {
  const one = (b: Uint8Array): [string | -1 | 1, boolean] => {
    const s = text(b);
    if (s === '-') return [-1, false];
    if (s === '+') return [1, false];
    if (s.startsWith('[')) return [s.slice(1), false];
    if (s.startsWith('(')) return [s.slice(1), true];
    throw new ReplyError('min or max not valid string range item');
  };
  const [min, minex] = one(minArg);
  const [max, maxex] = one(maxArg);
  return { min, max, minex, maxex };
}

function inLex(r: LexRange, m: string): boolean {
  const geMin = r.min === -1 ? true : r.min === 1 ? false : r.minex ? m > r.min : m >= r.min;
  const leMax = r.max === 1 ? true : r.max === -1 ? false : r.maxex ? m < r.max : m <= r.max;
  return geMin && leMax;
}

/** Ranks `start..stop` (negative from the end) of a length, Redis-clamped; undefined when empty. */
function rankRange(start: bigint, stop: bigint, len: number): [number, number] | undefined {
  const n = BigInt(len);
  if (start < 0n) start += n;
  if (stop < 0n) stop += n;
  if (start < 0n) start = 0n;
  if (start > stop || start >= n) return undefined;
  if (stop >= n) stop = n - 1n;
  return [Number(start), Number(stop)];
}

function zremrange(c: Ctx, a: Uint8Array[], by: 'score' | 'rank' | 'lex'): void {
  let pick: (list: [string, number][]) => [string, number][];
  if (by === 'rank') {
    const start = intArg(a[2]);
    const stop = intArg(a[3]);
    pick = (list) => {
      const r = rankRange(start, stop, list.length);
      return r ? list.slice(r[0], r[1] + 1) : [];
    };
  } else if (by === 'score') {
    const r = scoreRange(a[2]!, a[3]!);
    pick = (list) => list.filter(([, s]) => inScore(r, s));
  } else {
    const r = lexRange(a[2]!, a[3]!);
    pick = (list) => list.filter(([m]) => inLex(r, m));
  }
  const found = lookup(c, a[1]!, 'zset');
  if (!found) return;
  for (const [m] of pick(sorted(found.v))) zdel(found.v, m);
  dropIfEmpty(c, a[1]!, found.v);
}

function popFrom(c: Ctx, key: Uint8Array, z: MZset, max: boolean, count: number): void {
  const o = order(z);
  for (let i = 0; i < count; i++) {
    const p = o.pop(max);
    if (!p) break;
    z.m.delete(p[0]);
  }
  dropIfEmpty(c, key, z);
}

function zpop(c: Ctx, a: Uint8Array[], max: boolean): void {
  const count = Number(popCount(a));
  const found = lookup(c, a[1]!, 'zset');
  if (!found || count === 0) return;
  popFrom(c, a[1]!, found.v, max, count);
}

function bzpop(c: Ctx, a: Uint8Array[], max: boolean): void {
  const t = parseDouble(a[a.length - 1]!);
  if (t === undefined || t < 0) throw new ReplyError('timeout is not a float or out of range');
  for (const key of a.slice(1, -1)) {
    const found = lookup(c, key, 'zset');
    if (!found) continue;
    popFrom(c, key, found.v, max, 1);
    return;
  }
}

function zmpop(c: Ctx, a: Uint8Array[], numkeysAt: number): void {
  const minMax = (b: Uint8Array | undefined): boolean => {
    if (is(b, 'MAX')) return true;
    if (is(b, 'MIN')) return false;
    throw new ReplyError(SYNTAX);
  };
  const { keys, where: max, count } = mpopArgs(a, numkeysAt, minMax);
  for (const key of keys) {
    const found = lookup(c, key, 'zset');
    if (!found) continue;
    popFrom(c, key, found.v, max, count);
    return;
  }
}

type Source = { members: Map<string, number>; weight: number };

/** A ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE input: a sorted set, or a set (every score 1). */
function source(c: Ctx, key: Uint8Array): Map<string, number> {
  const e = c.ks.get(c.db, key);
  if (!e) return new Map();
  const t = typeOf(e.value);
  if (t !== 'zset' && t !== 'set') throw new ReplyError(WRONGTYPE);
  const v = c.ks.mutable(e);
  if (v.type === 'zset') return v.m;
  if (v.type === 'set') return new Map([...v.m].map((m) => [m, 1]));
  return new Map();
}

function zstore(c: Ctx, a: Uint8Array[], op: 'union' | 'inter' | 'diff'): void {
  const dst = a[1]!;
  const n = numArg(a[2]);
  if (n < 1) throw new ReplyError(`at least 1 input key is needed for '${text(a[0]!).toLowerCase()}' command`);
  if (3 + n > a.length) throw new ReplyError(SYNTAX);
  const srcs: Source[] = a.slice(3, 3 + n).map((k) => ({ members: source(c, k), weight: 1 }));
  let aggregate: 'sum' | 'min' | 'max' = 'sum';
  for (let j = 3 + n; j < a.length; ) {
    const left = a.length - j;
    if (op !== 'diff' && left >= n + 1 && is(a[j], 'WEIGHTS')) {
      for (let i = 0; i < n; i++) srcs[i]!.weight = doubleArg(a[j + 1 + i], 'weight value is not a float');
      j += n + 1;
    } else if (op !== 'diff' && left >= 2 && is(a[j], 'AGGREGATE')) {
      const w = a[j + 1];
      aggregate = is(w, 'SUM') ? 'sum' : is(w, 'MIN') ? 'min' : is(w, 'MAX') ? 'max' : (() => {
        throw new ReplyError(SYNTAX);
      })();
      j += 2;
    } else throw new ReplyError(SYNTAX);
  }
  const agg = (t: number, v: number): number => {
    if (aggregate === 'sum') {
      const s = t + v;
      return Number.isNaN(s) ? 0 : s;
    }
    return aggregate === 'min' ? (v < t ? v : t) : v > t ? v : t;
  };
  const weighted = (w: number, s: number): number => {
    const x = w * s;
    return Number.isNaN(x) ? 0 : x;
  };
  const out = new Map<string, number>();
  if (op === 'diff') {
    const [head, ...others] = srcs;
    for (const [m, s] of head!.members) if (!others.some((o) => o.members.has(m))) out.set(m, s);
  } else {
    // Array.prototype.sort is stable, as glibc's qsort (a merge sort) is in practice.
    const bySize = srcs.slice().sort((x, y) => x.members.size - y.members.size);
    if (op === 'inter') {
      const [small, ...others] = bySize;
      if (small!.members.size > 0) {
        for (const [m, s] of small!.members) {
          let score = weighted(small!.weight, s);
          let all = true;
          for (const o of others) {
            const v = o.members.get(m);
            if (v === undefined) {
              all = false;
              break;
            }
            score = agg(score, v * o.weight);
          }
          if (all) out.set(m, score);
        }
      }
    } else {
      for (const src of bySize) {
        for (const [m, s] of src.members) {
          const score = weighted(src.weight, s);
          const cur = out.get(m);
          out.set(m, cur === undefined ? score : agg(cur, score));
        }
      }
    }
  }
  if (out.size === 0) c.ks.delete(c.db, dst);
  else c.ks.put(c.db, dst, { type: 'zset', m: out });
}

function zrangestore(c: Ctx, a: Uint8Array[]): void {
  const [, dst, src] = a as [Uint8Array, Uint8Array, Uint8Array];
  let minIdx = 3;
  let maxIdx = 4;
  let rev = false;
  let by: 'rank' | 'score' | 'lex' | undefined;
  let offset = 0;
  let limit = -1;
  let limited = false;
  for (let j = 5; j < a.length; j++) {
    const left = a.length - j - 1;
    if (is(a[j], 'LIMIT') && left >= 2) {
      offset = numArg(a[j + 1]);
      limit = numArg(a[j + 2]);
      limited = true;
      j += 2;
    } else if (!rev && is(a[j], 'REV')) rev = true;
    else if (!by && is(a[j], 'BYLEX')) by = 'lex';
    else if (!by && is(a[j], 'BYSCORE')) by = 'score';
    else throw new ReplyError(SYNTAX);
  }
  by ??= 'rank';
  if (limited && by === 'rank') throw new ReplyError('syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (rev && by !== 'rank') [minIdx, maxIdx] = [maxIdx, minIdx];
  let pick: (list: [string, number][]) => [string, number][];
  if (by === 'rank') {
    const start = intArg(a[minIdx]);
    const stop = intArg(a[maxIdx]);
    pick = (list) => {
      const r = rankRange(start, stop, list.length);
      if (!r) return [];
      const ordered = rev ? list.slice().reverse() : list;
      return ordered.slice(r[0], r[1] + 1);
    };
  } else {
    const test =
      by === 'score'
        ? ((r) => ([, s]: [string, number]) => inScore(r, s))(scoreRange(a[minIdx]!, a[maxIdx]!))
        : ((r) => ([m]: [string, number]) => inLex(r, m))(lexRange(a[minIdx]!, a[maxIdx]!));
    pick = (list) => {
      const ordered = (rev ? list.slice().reverse() : list).filter(test);
      if (offset < 0) return [];
      return ordered.slice(offset, limit < 0 ? undefined : offset + limit);
    };
  }
  const found = lookup(c, src, 'zset');
  const chosen = found ? pick(sorted(found.v)) : [];
  if (chosen.length === 0) c.ks.delete(c.db, dst);
  else c.ks.put(c.db, dst, { type: 'zset', m: new Map(chosen) });
}

/** The sorted-set commands, by lower-case name. */
export const ZSET_COMMANDS: Record<string, CommandSpec> = {
  zadd: { arity: -4, run: (c, a) => zadd(c, a) },
  zincrby: {
    arity: 4,
    run: (c, a) => zadd(c, [a[0]!, a[1]!, a[2]!, a[3]!], true),
  },
  zrem: {
    arity: -3,
    run: (c, a) => {
      const found = lookup(c, a[1]!, 'zset');
      if (!found) return;
      for (const m of a.slice(2)) zdel(found.v, text(m));
      dropIfEmpty(c, a[1]!, found.v);
    },
  },
  zremrangebyscore: { arity: 4, run: (c, a) => zremrange(c, a, 'score') },
  zremrangebyrank: { arity: 4, run: (c, a) => zremrange(c, a, 'rank') },
  zremrangebylex: { arity: 4, run: (c, a) => zremrange(c, a, 'lex') },
  zpopmin: { arity: -2, run: (c, a) => zpop(c, a, false) },
  zpopmax: { arity: -2, run: (c, a) => zpop(c, a, true) },
  bzpopmin: { arity: -3, keys: (a) => a.slice(1, -1), run: (c, a) => bzpop(c, a, false) },
  bzpopmax: { arity: -3, keys: (a) => a.slice(1, -1), run: (c, a) => bzpop(c, a, true) },
  zmpop: { arity: -4, keys: (a) => keysByCount(a, 1), run: (c, a) => zmpop(c, a, 1) },
  bzmpop: {
    arity: -5,
    keys: (a) => keysByCount(a, 2),
    run: (c, a) => {
      const t = parseDouble(a[1]!);
      if (t === undefined || t < 0) throw new ReplyError('timeout is not a float or out of range');
      zmpop(c, a, 2);
    },
  },
  zunionstore: { arity: -4, keys: (a) => [a[1]!, ...keysByCount(a, 2)], run: (c, a) => zstore(c, a, 'union') },
  zinterstore: { arity: -4, keys: (a) => [a[1]!, ...keysByCount(a, 2)], run: (c, a) => zstore(c, a, 'inter') },
  zdiffstore: { arity: -4, keys: (a) => [a[1]!, ...keysByCount(a, 2)], run: (c, a) => zstore(c, a, 'diff') },
  zrangestore: { arity: -5, keys: (a) => [a[1]!, a[2]!], run: zrangestore },
};
