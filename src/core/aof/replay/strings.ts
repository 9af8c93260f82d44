/**
 * String commands as redis-server executes them while loading an AOF (redis
 * `src/t_string.c` `setGenericCommand`, `parseExtendedStringArgumentsOrReply`,
 * `getexCommand`, `appendCommand`, `setrangeCommand`, `incrDecrCommand`,
 * `incrbyfloatCommand`, `msetGenericCommand`; `src/bitops.c` `setbitCommand`,
 * `bitopCommand`; Redis 2.6–8.x). Values are bytes; integer results are
 * written as decimal text, INCRBYFLOAT's as `ld2string(LD_STR_HUMAN)`.
 */

import type { CommandSpec, Ctx } from './context.js';
import { lookup, SYNTAX, WRONGTYPE } from './context.js';
import type { KeyEntry } from './dataset.js';
import { typeOf } from './dataset.js';
import { addExt, extFromBigInt, formatHuman, parseLongDouble, type Ext } from './longDouble.js';
import { bytes, intArg, is, overflows, parseLL, ReplyError, text } from './numbers.js';

/**
 * The largest string the replay builds. Redis caps strings at proto-max-bulk-len
 * (512 MB) for clients but not for the AOF client (`mustObeyClient`); beyond
 * this the replay gives up on the key (inexact) rather than allocate it.
 */
const MAX_STRING = 1024 * 1024 * 1024;
const LLONG_MAX = (1n << 63n) - 1n;

function stringEntry(c: Ctx, key: Uint8Array): { entry: KeyEntry; v: Uint8Array } | undefined {
  const found = lookup(c, key, 'string');
  return found ? { entry: found.entry, v: found.v.v } : undefined;
}

function putString(c: Ctx, key: Uint8Array, v: Uint8Array, keepTtl: boolean): KeyEntry {
  return c.ks.put(c.db, key, { type: 'string', v }, keepTtl);
}

/**
 * An expire argument of SET/GETEX/SETEX as an absolute time in ms
 * (`getExpireMillisecondsOrReply`): must be > 0; relative units are added to the clock.
 */
function expireMs(c: Ctx, arg: Uint8Array | undefined, unit: 's' | 'ms', relative: boolean, command: string): number {
  const v = arg === undefined ? undefined : parseLL(arg);
  if (v === undefined) throw new ReplyError('value is not an integer or out of range');
  if (v <= 0n || (unit === 's' && v > LLONG_MAX / 1000n)) throw new ReplyError(`invalid expire time in '${command}' command`);
  let ms = unit === 's' ? v * 1000n : v;
  if (relative) {
    if (ms > LLONG_MAX - BigInt(c.nowMs)) throw new ReplyError(`invalid expire time in '${command}' command`);
    ms += BigInt(c.nowMs);
    c.note('replay.clock', `relative expire time resolved against the replay's clock (${new Date(c.nowMs).toISOString()}), as redis-server does when it loads the file`);
  }
  return Number(ms);
}

interface SetFlags {
  nx?: boolean;
  xx?: boolean;
  get?: boolean;
  keepTtl?: boolean;
  persist?: boolean;
  expireAtMs?: number;
}

/** `parseExtendedStringArgumentsOrReply` for SET (from `a[3]`) and GETEX (from `a[2]`). */
function parseSetFlags(c: Ctx, a: Uint8Array[], from: number, command: 'set' | 'getex'): SetFlags {
  const f: SetFlags = {};
  let expire: 'ex' | 'px' | 'exat' | 'pxat' | undefined;
  let expireArg: Uint8Array | undefined;
  for (let j = from; j < a.length; j++) {
    const opt = a[j]!;
    const next = a[j + 1];
    if (command === 'set' && is(opt, 'NX') && !f.xx) f.nx = true;
    else if (command === 'set' && is(opt, 'XX') && !f.nx) f.xx = true;
    else if (command === 'set' && is(opt, 'GET')) f.get = true;
    else if (command === 'set' && is(opt, 'KEEPTTL') && !expire) f.keepTtl = true;
    else if (command === 'getex' && is(opt, 'PERSIST') && !expire) f.persist = true;
    else if (next !== undefined && !f.keepTtl && !f.persist && (['EX', 'PX', 'EXAT', 'PXAT'] as const).some((w) => is(opt, w) && (!expire || expire === w.toLowerCase()))) {
      expire = text(opt).toLowerCase() as typeof expire;
      expireArg = next;
      j++;
    } else throw new ReplyError(SYNTAX);
  }
  if (expire) f.expireAtMs = expireMs(c, expireArg, expire === 'ex' || expire === 'exat' ? 's' : 'ms', expire === 'ex' || expire === 'px', command);
  return f;
}

function setGeneric(c: Ctx, key: Uint8Array, value: Uint8Array, f: SetFlags): void {
  const existing = c.ks.get(c.db, key);
  if (f.get && existing && typeOf(existing.value) !== 'string') throw new ReplyError(WRONGTYPE);
  if ((f.nx && existing) || (f.xx && !existing)) return;
  const entry = putString(c, key, value, f.keepTtl ?? false);
  if (f.expireAtMs !== undefined) entry.expireAtMs = f.expireAtMs;
}

function integerValue(e: { v: Uint8Array } | undefined): bigint {
  if (!e) return 0n;
  const v = parseLL(e.v);
  if (v === undefined) throw new ReplyError('value is not an integer or out of range');
  return v;
}

function incrBy(c: Ctx, key: Uint8Array, incr: bigint): void {
  const e = stringEntry(c, key);
  const v = integerValue(e) + incr;
  if (overflows(v)) throw new ReplyError('increment or decrement would overflow');
  putString(c, key, bytes(v.toString()), true);
}

/** `getLongDoubleFromObject` of a stored string or argument (infinite values come back as numbers). */
function longDoubleOf(b: Uint8Array, message: string): Ext | number {
  const v = parseLongDouble(text(b));
  if (v === undefined) throw new ReplyError(message);
  return v;
}

/** old + incr as INCRBYFLOAT/HINCRBYFLOAT print it; throws for NaN or infinity. */
export function addLongDouble(old: Uint8Array | undefined, incr: Uint8Array, message: string): Uint8Array {
  const a = old === undefined ? extFromBigInt(0n) : longDoubleOf(old, message);
  const b = longDoubleOf(incr, message);
  const sum = typeof a === 'number' || typeof b === 'number' ? undefined : addExt(a, b);
  if (!sum) throw new ReplyError('increment would produce NaN or Infinity');
  return bytes(formatHuman(sum));
}

function append(c: Ctx, key: Uint8Array, add: Uint8Array): void {
  const e = stringEntry(c, key);
  if (!e) {
    putString(c, key, add.slice(), false);
    return;
  }
  if (e.v.length + add.length > MAX_STRING) return c.inexact([key], 'a string of more than 1 GB is not replayed');
  const out = new Uint8Array(e.v.length + add.length);
  out.set(e.v);
  out.set(add, e.v.length);
  e.entry.value = { type: 'string', v: out };
}

function setRange(c: Ctx, key: Uint8Array, offsetArg: Uint8Array, value: Uint8Array): void {
  const offset = intArg(offsetArg);
  if (offset < 0n) throw new ReplyError('offset is out of range');
  const e = stringEntry(c, key);
  if (value.length === 0) return; // nothing to write: an absent key is not created
  if (offset + BigInt(value.length) > BigInt(MAX_STRING)) return c.inexact([key], 'a string of more than 1 GB is not replayed');
  const at = Number(offset);
  const old = e?.v ?? new Uint8Array(0);
  const out = new Uint8Array(Math.max(old.length, at + value.length));
  out.set(old);
  out.set(value, at);
  if (e) e.entry.value = { type: 'string', v: out };
  else putString(c, key, out, false);
}

/** `getBitOffsetFromArgument` (no 512 MB cap for the AOF client): a bit offset, `#n` counting in `bits` units when allowed. */
function bitOffset(b: Uint8Array | undefined, bits = 0): bigint {
  const s = b ? text(b) : '';
  const hash = bits > 0 && s.startsWith('#');
  const v = parseLL(hash ? s.slice(1) : s);
  if (v === undefined || v < 0n) throw new ReplyError('bit offset is not an integer or out of range');
  return hash ? v * BigInt(bits) : v;
}

/** `lookupStringForBitCommand`: the string at `key` grown with zero bytes to hold bit `maxBit` (created when absent); undefined past the replay's size limit. */
function bitString(c: Ctx, key: Uint8Array, maxBit: bigint): Uint8Array | undefined {
  const e = stringEntry(c, key);
  const need = Number(maxBit >> 3n) + 1;
  if (need > MAX_STRING) {
    c.inexact([key], 'a string of more than 1 GB is not replayed');
    return undefined;
  }
  const old = e?.v ?? new Uint8Array(0);
  const out = new Uint8Array(Math.max(old.length, need));
  out.set(old);
  if (e) e.entry.value = { type: 'string', v: out };
  else putString(c, key, out, false);
  return out;
}

function setBit(c: Ctx, a: Uint8Array[]): void {
  const offset = bitOffset(a[2]);
  const bit = parseLL(a[3]!);
  if (bit !== 0n && bit !== 1n) throw new ReplyError('bit is not an integer or out of range');
  const out = bitString(c, a[1]!, offset);
  if (!out) return;
  const byte = Number(offset >> 3n);
  const mask = 1 << (7 - Number(offset & 7n));
  if (bit === 1n) out[byte]! |= mask;
  else out[byte]! &= ~mask;
}

function getBits(p: Uint8Array, offset: bigint, bits: number): bigint {
  let v = 0n;
  for (let j = 0; j < bits; j++) {
    const at = offset + BigInt(j);
    const byte = Number(at >> 3n);
    const bit = ((p[byte] ?? 0) >> (7 - Number(at & 7n))) & 1;
    v = (v << 1n) | BigInt(bit);
  }
  return v;
}

function setBits(p: Uint8Array, offset: bigint, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  for (let j = 0; j < bits; j++) {
    const at = offset + BigInt(j);
    const byte = Number(at >> 3n);
    const mask = 1 << (7 - Number(at & 7n));
    if ((u >> BigInt(bits - 1 - j)) & 1n) p[byte]! |= mask;
    else p[byte]! &= ~mask;
  }
}

type Overflow = 'wrap' | 'sat' | 'fail';

/** `checkSigned/UnsignedBitfieldOverflow`: the value to store, or undefined for FAIL on overflow. */
function bitfieldResult(value: bigint, incr: bigint, bits: number, signed: boolean, ow: Overflow): bigint | undefined {
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -max - 1n : 0n;
  const sum = value + incr;
  if (sum >= min && sum <= max) return sum;
  if (ow === 'fail') return undefined;
  if (ow === 'sat') return sum > max ? max : min;
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}

/** BITFIELD (redis `src/bitops.c` `bitfieldGeneric`): every operation parsed first, the string grown once, then the SET/INCRBY in order. */
function bitfield(c: Ctx, a: Uint8Array[]): void {
  const ops: { op: 'get' | 'set' | 'incrby'; signed: boolean; bits: number; offset: bigint; v: bigint; ow: Overflow }[] = [];
  let ow: Overflow = 'wrap';
  let highest = -1n;
  for (let j = 2; j < a.length; j++) {
    const left = a.length - j - 1;
    const op = is(a[j], 'GET') && left >= 2 ? 'get' : is(a[j], 'SET') && left >= 3 ? 'set' : is(a[j], 'INCRBY') && left >= 3 ? 'incrby' : undefined;
    if (!op) {
      if (is(a[j], 'OVERFLOW') && left >= 1) {
        const w = (['wrap', 'sat', 'fail'] as const).find((x) => is(a[j + 1], x));
        if (!w) throw new ReplyError('Invalid OVERFLOW type specified');
        ow = w;
        j++;
        continue;
      }
      throw new ReplyError(SYNTAX);
    }
    const type = text(a[j + 1]!);
    const bits = Number(parseLL(type.slice(1)) ?? 0n);
    const signed = type[0] === 'i';
    if ((type[0] !== 'i' && type[0] !== 'u') || bits < 1 || bits > (signed ? 64 : 63)) {
      throw new ReplyError('Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
    }
    const offset = bitOffset(a[j + 2], bits);
    let v = 0n;
    if (op !== 'get') {
      if (offset + BigInt(bits) - 1n > highest) highest = offset + BigInt(bits) - 1n;
      v = intArg(a[j + 3]);
    }
    ops.push({ op, signed, bits, offset, v, ow });
    j += op === 'get' ? 2 : 3;
  }
  if (highest < 0n) {
    stringEntry(c, a[1]!); // read-only: only the type check
    return;
  }
  const p = bitString(c, a[1]!, highest);
  if (!p) return;
  for (const o of ops) {
    if (o.op === 'get') continue;
    const raw = getBits(p, o.offset, o.bits);
    const old = o.signed ? BigInt.asIntN(o.bits, raw) : raw;
    // SET of an unsigned field takes its value as an unsigned 64-bit number (-1 is 2^64 - 1).
    const next = o.op === 'incrby' ? bitfieldResult(old, o.v, o.bits, o.signed, o.ow) : bitfieldResult(o.signed ? o.v : BigInt.asUintN(64, o.v), 0n, o.bits, o.signed, o.ow);
    if (next !== undefined) setBits(p, o.offset, o.bits, next);
  }
}

function bitop(c: Ctx, a: Uint8Array[]): void {
  const op = ['AND', 'OR', 'XOR', 'NOT'].find((w) => is(a[1], w));
  if (!op) {
    c.inexact([a[2]!], `BITOP ${text(a[1]!).toUpperCase()} is not modelled`);
    return;
  }
  const sources = a.slice(3);
  if (op === 'NOT' && sources.length !== 1) throw new ReplyError('BITOP NOT must be called with a single source key.');
  const values = sources.map((k) => stringEntry(c, k)?.v ?? new Uint8Array(0));
  const len = Math.max(0, ...values.map((v) => v.length));
  if (len === 0) {
    c.ks.delete(c.db, a[2]!);
    return;
  }
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    let r = values[0]![i] ?? 0;
    if (op === 'NOT') r = ~r & 0xff;
    for (let j = 1; j < values.length; j++) {
      const x = values[j]![i] ?? 0;
      r = op === 'AND' ? r & x : op === 'OR' ? r | x : r ^ x;
    }
    out[i] = r;
  }
  putString(c, a[2]!, out, false);
}

const first = (a: Uint8Array[]): Uint8Array[] => [a[1]!];
const everyOther = (a: Uint8Array[]): Uint8Array[] => a.filter((_, i) => i % 2 === 1);

/** The string commands, by lower-case name. */
export const STRING_COMMANDS: Record<string, CommandSpec> = {
  set: {
    arity: -3,
    run: (c, a) => setGeneric(c, a[1]!, a[2]!, parseSetFlags(c, a, 3, 'set')),
    definitive: (a) => !a.slice(3).some((o) => is(o, 'NX') || is(o, 'XX') || is(o, 'GET') || is(o, 'KEEPTTL')),
  },
  setnx: { arity: 3, run: (c, a) => setGeneric(c, a[1]!, a[2]!, { nx: true }) },
  setex: { arity: 4, run: (c, a) => setGeneric(c, a[1]!, a[3]!, { expireAtMs: expireMs(c, a[2], 's', true, 'setex') }), definitive: () => true },
  psetex: { arity: 4, run: (c, a) => setGeneric(c, a[1]!, a[3]!, { expireAtMs: expireMs(c, a[2], 'ms', true, 'psetex') }), definitive: () => true },
  getset: { arity: 3, run: (c, a) => setGeneric(c, a[1]!, a[2]!, { get: true }) },
  getdel: {
    arity: 2,
    run: (c, a) => {
      if (stringEntry(c, a[1]!)) c.ks.delete(c.db, a[1]!);
    },
  },
  getex: {
    arity: -2,
    run: (c, a) => {
      const f = parseSetFlags(c, a, 2, 'getex');
      const e = stringEntry(c, a[1]!);
      if (!e) return;
      if (f.expireAtMs !== undefined) e.entry.expireAtMs = f.expireAtMs;
      else if (f.persist) delete e.entry.expireAtMs;
    },
  },
  append: { arity: 3, run: (c, a) => append(c, a[1]!, a[2]!) },
  setrange: { arity: 4, run: (c, a) => setRange(c, a[1]!, a[2]!, a[3]!) },
  incr: { arity: 2, run: (c, a) => incrBy(c, a[1]!, 1n) },
  decr: { arity: 2, run: (c, a) => incrBy(c, a[1]!, -1n) },
  incrby: { arity: 3, run: (c, a) => incrBy(c, a[1]!, intArg(a[2])) },
  decrby: {
    arity: 3,
    run: (c, a) => {
      const v = intArg(a[2]);
      if (v === -(1n << 63n)) throw new ReplyError('decrement would overflow');
      incrBy(c, a[1]!, -v);
    },
  },
  incrbyfloat: {
    arity: 3,
    run: (c, a) => {
      const e = stringEntry(c, a[1]!);
      const v = addLongDouble(e?.v, a[2]!, 'value is not a valid float');
      putString(c, a[1]!, v, true);
    },
  },
  mset: {
    arity: -3,
    keys: everyOther,
    definitive: () => true,
    run: (c, a) => {
      if (a.length % 2 === 0) throw new ReplyError("wrong number of arguments for 'mset' command");
      for (let i = 1; i < a.length; i += 2) putString(c, a[i]!, a[i + 1]!, false);
    },
  },
  msetnx: {
    arity: -3,
    keys: everyOther,
    run: (c, a) => {
      if (a.length % 2 === 0) throw new ReplyError("wrong number of arguments for 'msetnx' command");
      for (let i = 1; i < a.length; i += 2) if (c.ks.get(c.db, a[i]!)) return;
      for (let i = 1; i < a.length; i += 2) putString(c, a[i]!, a[i + 1]!, false);
    },
  },
  setbit: { arity: 4, run: setBit, keys: first },
  bitfield: { arity: -2, run: bitfield, keys: first },
  bitop: { arity: -4, run: bitop, keys: (a) => a.slice(2) },
};
