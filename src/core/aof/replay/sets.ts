/**
 * Set commands as redis-server executes them while loading an AOF (redis
 * `src/t_set.c` `saddCommand`, `sremCommand`, `smoveCommand`,
 * `spopWithCountCommand`, `sinterGenericCommand`, `sunionDiffGenericCommand`;
 * Redis 2.6–8.x). Redis writes SPOP as SREM of the members it popped (or DEL
 * when all were); an SPOP in a file picks members at random, so only the
 * cases without a choice (popping every member) are replayed.
 */

import type { CommandSpec, Ctx } from './context.js';
import { dropIfEmpty, lookup, lookupOrCreate, popCount } from './context.js';
import type { MSet } from './dataset.js';
import { text } from './numbers.js';

function spop(c: Ctx, a: Uint8Array[]): void {
  const count = popCount(a);
  const found = lookup(c, a[1]!, 'set');
  if (!found || count === 0n) return;
  if (count >= BigInt(found.v.m.size)) {
    c.ks.delete(c.db, a[1]!);
    return;
  }
  c.inexact([a[1]!], `Redis picks the members at random from a set of ${found.v.m.size} (it writes them to the AOF as SREM)`);
}

function smove(c: Ctx, a: Uint8Array[]): void {
  const [, src, dst, member] = a as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const s = lookup(c, src, 'set');
  const d = lookup(c, dst, 'set');
  if (!s) return;
  if (text(src) === text(dst)) return;
  const m = text(member);
  if (!s.v.m.delete(m)) return;
  dropIfEmpty(c, src, s.v);
  (d?.v ?? lookupOrCreate(c, dst, 'set').v).m.add(m);
}

function sets(c: Ctx, keys: Uint8Array[]): (Set<string> | undefined)[] {
  // Every key is type-checked before anything is computed.
  return keys.map((k) => lookup(c, k, 'set')?.v.m);
}

function store(c: Ctx, dst: Uint8Array, members: Set<string>): void {
  if (members.size === 0) c.ks.delete(c.db, dst);
  else c.ks.put(c.db, dst, { type: 'set', m: members } satisfies MSet);
}

function sinterstore(c: Ctx, a: Uint8Array[]): void {
  const all = sets(c, a.slice(2));
  if (all.some((s) => !s)) return store(c, a[1]!, new Set());
  const sorted = (all as Set<string>[]).slice().sort((x, y) => x.size - y.size);
  const out = new Set<string>();
  for (const m of sorted[0]!) if (sorted.every((s) => s.has(m))) out.add(m);
  store(c, a[1]!, out);
}

function sunionstore(c: Ctx, a: Uint8Array[]): void {
  const out = new Set<string>();
  for (const s of sets(c, a.slice(2))) if (s) for (const m of s) out.add(m);
  store(c, a[1]!, out);
}

function sdiffstore(c: Ctx, a: Uint8Array[]): void {
  const [head, ...others] = sets(c, a.slice(2));
  const out = new Set<string>();
  if (head) for (const m of head) if (!others.some((s) => s?.has(m))) out.add(m);
  store(c, a[1]!, out);
}

const storeKeys = (a: Uint8Array[]): Uint8Array[] => a.slice(1);

/** The set commands, by lower-case name. */
export const SET_COMMANDS: Record<string, CommandSpec> = {
  sadd: {
    arity: -3,
    run: (c, a) => {
      const { v } = lookupOrCreate(c, a[1]!, 'set');
      for (const m of a.slice(2)) v.m.add(text(m));
    },
  },
  srem: {
    arity: -3,
    run: (c, a) => {
      const found = lookup(c, a[1]!, 'set');
      if (!found) return;
      for (const m of a.slice(2)) found.v.m.delete(text(m));
      dropIfEmpty(c, a[1]!, found.v);
    },
  },
  smove: { arity: 4, keys: (a) => [a[1]!, a[2]!], run: smove },
  spop: { arity: -2, run: spop },
  sinterstore: { arity: -3, keys: storeKeys, run: sinterstore },
  sunionstore: { arity: -3, keys: storeKeys, run: sunionstore },
  sdiffstore: { arity: -3, keys: storeKeys, run: sdiffstore },
};
