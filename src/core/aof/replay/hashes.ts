/**
 * Hash commands as redis-server executes them while loading an AOF (redis
 * `src/t_hash.c` `hsetCommand`, `hsetnxCommand`, `hdelCommand`,
 * `hincrbyCommand`, `hincrbyfloatCommand`, `hexpireGenericCommand`,
 * `hpersistCommand`; Redis 2.6–7.4, and the field commands of 8.0: HGETDEL,
 * HGETEX, HSETEX). Field TTLs are absolute ms: setting a field's value
 * drops its TTL except for HINCRBY/HINCRBYFLOAT (`HASH_SET_KEEP_TTL`) and
 * HSETEX KEEPTTL; past times never delete a field while loading.
 */

import type { CommandSpec, Ctx } from './context.js';
import { dropIfEmpty, lookup, lookupOrCreate, SYNTAX } from './context.js';
import type { MHash } from './dataset.js';
import { bytes, intArg, is, numArg, overflows, parseLL, ReplyError, text } from './numbers.js';
import { addLongDouble } from './strings.js';

const LLONG_MAX = (1n << 63n) - 1n;
/** EB_EXPIRE_TIME_MAX: the largest absolute field expiry, 2^48 - 1 ms. */
const HFE_MAX_ABS_TIME_MSEC = (1n << 48n) - 1n;

function hset(c: Ctx, a: Uint8Array[]): void {
  if (a.length % 2 === 1) throw new ReplyError(`wrong number of arguments for '${text(a[0]!).toLowerCase()}' command`);
  const { v } = lookupOrCreate(c, a[1]!, 'hash');
  for (let i = 2; i < a.length; i += 2) v.m.set(text(a[i]!), { v: a[i + 1]! });
}

function hincrby(c: Ctx, a: Uint8Array[]): void {
  const incr = intArg(a[3]);
  const found = lookup(c, a[1]!, 'hash');
  const f = text(a[2]!);
  const cur = found?.v.m.get(f);
  let value = 0n;
  if (cur) {
    const v = parseLL(cur.v);
    if (v === undefined) throw new ReplyError('hash value is not an integer');
    value = v;
  }
  value += incr;
  if (overflows(value)) throw new ReplyError('increment or decrement would overflow');
  const h = found?.v ?? lookupOrCreate(c, a[1]!, 'hash').v;
  h.m.set(f, { ...(cur?.ttl !== undefined ? { ttl: cur.ttl } : {}), v: bytes(value.toString()) });
}

function hincrbyfloat(c: Ctx, a: Uint8Array[]): void {
  const found = lookup(c, a[1]!, 'hash');
  const f = text(a[2]!);
  const cur = found?.v.m.get(f);
  const v = addLongDouble(cur?.v, a[3]!, 'hash value is not a float');
  const h = found?.v ?? lookupOrCreate(c, a[1]!, 'hash').v;
  h.m.set(f, { ...(cur?.ttl !== undefined ? { ttl: cur.ttl } : {}), v });
}

/** `FIELDS numfields field…` at `at`; the fields (text). */
function fieldsArg(a: Uint8Array[], at: number, pairs = false): string[] {
  if (!is(a[at], 'FIELDS')) throw new ReplyError('Mandatory argument FIELDS is missing or not at the right position');
  const n = numArg(a[at + 1], 'Parameter `numFields` should be greater than 0');
  if (n < 1) throw new ReplyError('Parameter `numFields` should be greater than 0');
  const per = pairs ? 2 : 1;
  if (n * per !== a.length - at - 2) throw new ReplyError('The `numfields` parameter must match the number of arguments');
  const out: string[] = [];
  for (let i = at + 2; i < a.length; i += per) out.push(text(a[i]!));
  return out;
}

/** HEXPIRE/HPEXPIRE/HEXPIREAT/HPEXPIREAT key time [NX|XX|GT|LT] FIELDS n field… */
function hexpire(c: Ctx, a: Uint8Array[], unit: 's' | 'ms', relative: boolean): void {
  let at = intArg(a[2]);
  if (at < 0n) throw new ReplyError('invalid expire time, must be >= 0');
  if (unit === 's') {
    if (at > HFE_MAX_ABS_TIME_MSEC / 1000n) throw new ReplyError('invalid expire time');
    at *= 1000n;
  }
  const base = relative ? BigInt(c.nowMs) : 0n;
  if (at > HFE_MAX_ABS_TIME_MSEC - base) throw new ReplyError('invalid expire time');
  at += base;
  let cond: 'nx' | 'xx' | 'gt' | 'lt' | undefined;
  let fieldsAt = 3;
  for (const w of ['nx', 'xx', 'gt', 'lt'] as const) if (is(a[3], w)) cond = w;
  if (cond) fieldsAt++;
  const fields = fieldsArg(a, fieldsAt);
  const found = lookup(c, a[1]!, 'hash');
  if (!found) return;
  if (relative) c.note('replay.clock', `relative field expire time resolved against the replay's clock (${new Date(c.nowMs).toISOString()})`);
  const when = Number(at);
  for (const f of fields) {
    const e = found.v.m.get(f);
    if (!e) continue;
    const cur = e.ttl === undefined ? undefined : BigInt(e.ttl);
    if (cond === 'nx' && cur !== undefined) continue;
    if (cond === 'xx' && cur === undefined) continue;
    if (cond === 'gt' && at <= (cur ?? LLONG_MAX)) continue;
    if (cond === 'lt' && at >= (cur ?? LLONG_MAX)) continue;
    found.v.m.set(f, { v: e.v, ttl: when });
  }
}

function persistFields(h: MHash, fields: string[]): void {
  for (const f of fields) {
    const e = h.m.get(f);
    if (e && e.ttl !== undefined) h.m.set(f, { v: e.v });
  }
}

/** EX|PX|EXAT|PXAT time (and PERSIST / KEEPTTL where allowed) of HGETEX/HSETEX from `at`: [what, ms, next index]. */
function fieldExpireOption(c: Ctx, a: Uint8Array[], at: number, other: 'PERSIST' | 'KEEPTTL'): [undefined | 'set' | 'persist' | 'keep', number, number] {
  for (const [w, unit, rel] of [
    ['EX', 's', true],
    ['PX', 'ms', true],
    ['EXAT', 's', false],
    ['PXAT', 'ms', false],
  ] as const) {
    if (!is(a[at], w)) continue;
    let t = intArg(a[at + 1]);
    if (t < 0n) throw new ReplyError('invalid expire time, must be >= 0');
    if (unit === 's') t *= 1000n;
    if (rel) t += BigInt(c.nowMs);
    if (t > HFE_MAX_ABS_TIME_MSEC) throw new ReplyError('invalid expire time');
    return ['set', Number(t), at + 2];
  }
  if (is(a[at], other)) return [other === 'PERSIST' ? 'persist' : 'keep', 0, at + 1];
  return [undefined, 0, at];
}

function hgetex(c: Ctx, a: Uint8Array[]): void {
  const [what, ms, next] = fieldExpireOption(c, a, 2, 'PERSIST');
  const fields = fieldsArg(a, next);
  const found = lookup(c, a[1]!, 'hash');
  if (!found) return;
  if (what === 'persist') persistFields(found.v, fields);
  else if (what === 'set') {
    for (const f of fields) {
      const e = found.v.m.get(f);
      if (e) found.v.m.set(f, { v: e.v, ttl: ms });
    }
  }
}

function hsetex(c: Ctx, a: Uint8Array[]): void {
  let j = 2;
  let fnx = false;
  let fxx = false;
  let what: undefined | 'set' | 'persist' | 'keep';
  let ms = 0;
  for (;;) {
    if (is(a[j], 'FNX') && !fxx) {
      fnx = true;
      j++;
      continue;
    }
    if (is(a[j], 'FXX') && !fnx) {
      fxx = true;
      j++;
      continue;
    }
    if (!what) {
      const [w, t, next] = fieldExpireOption(c, a, j, 'KEEPTTL');
      if (w) {
        what = w;
        ms = t;
        j = next;
        continue;
      }
    }
    break;
  }
  if (!is(a[j], 'FIELDS')) throw new ReplyError(SYNTAX);
  const fields = fieldsArg(a, j, true);
  const found = lookup(c, a[1]!, 'hash');
  const exists = (f: string): boolean => found?.v.m.has(f) ?? false;
  if (fnx && fields.some(exists)) return;
  if (fxx && !fields.every(exists)) return;
  const h = found?.v ?? lookupOrCreate(c, a[1]!, 'hash').v;
  fields.forEach((f, i) => {
    const v = a[j + 3 + 2 * i]!;
    const old = h.m.get(f);
    if (what === 'set') h.m.set(f, { v, ttl: ms });
    else if (what === 'keep' && old?.ttl !== undefined) h.m.set(f, { v, ttl: old.ttl });
    else h.m.set(f, { v });
  });
}

/** The hash commands, by lower-case name. */
export const HASH_COMMANDS: Record<string, CommandSpec> = {
  hset: { arity: -4, run: hset },
  hmset: { arity: -4, run: hset },
  hsetnx: {
    arity: 4,
    run: (c, a) => {
      const found = lookup(c, a[1]!, 'hash');
      if (found?.v.m.has(text(a[2]!))) return;
      (found?.v ?? lookupOrCreate(c, a[1]!, 'hash').v).m.set(text(a[2]!), { v: a[3]! });
    },
  },
  hdel: {
    arity: -3,
    run: (c, a) => {
      const found = lookup(c, a[1]!, 'hash');
      if (!found) return;
      for (const f of a.slice(2)) found.v.m.delete(text(f));
      dropIfEmpty(c, a[1]!, found.v);
    },
  },
  hincrby: { arity: 4, run: hincrby },
  hincrbyfloat: { arity: 4, run: hincrbyfloat },
  hexpire: { arity: -6, run: (c, a) => hexpire(c, a, 's', true) },
  hpexpire: { arity: -6, run: (c, a) => hexpire(c, a, 'ms', true) },
  hexpireat: { arity: -6, run: (c, a) => hexpire(c, a, 's', false) },
  hpexpireat: { arity: -6, run: (c, a) => hexpire(c, a, 'ms', false) },
  hpersist: {
    arity: -5,
    run: (c, a) => {
      const fields = fieldsArg(a, 2);
      const found = lookup(c, a[1]!, 'hash');
      if (found) persistFields(found.v, fields);
    },
  },
  hgetdel: {
    arity: -5,
    run: (c, a) => {
      const fields = fieldsArg(a, 2);
      const found = lookup(c, a[1]!, 'hash');
      if (!found) return;
      for (const f of fields) found.v.m.delete(f);
      dropIfEmpty(c, a[1]!, found.v);
    },
  },
  hgetex: { arity: -5, run: hgetex },
  hsetex: { arity: -6, run: hsetex },
};
