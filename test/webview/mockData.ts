/**
 * Generated data sets for the webview harness: what the worker session would
 * answer, without a file. Keys are computed from their id (the 10,000,000-key
 * set holds no per-key array), values from the key.
 *
 * - small: an RDB with two DBs, every type, TTLs around the save, a stream with
 *   groups, a 500-item list, JSON and binary values, and hostile key names.
 * - big: one DB of 10,000,000 keys.
 * - aof: a plain AOF whose last command is cut (damaged), with repairs.
 * - manifest: a multi-part AOF (base RDB, two incr files, one history file).
 */

import type { DataType } from '../../src/core/rdb/constants.js';
import type { AofPartView, AuxView, BytesView, CommandRow, ElementRow, Overview, PartView, ProblemView, RepairView, SectionView, StreamMetaView, SummaryView } from '../../src/protocol/editor.js';
import { base64 } from '../../src/core/text/bytesText.js';

const enc = new TextEncoder();
export const bv = (b: Uint8Array | string, limit = 4096): BytesView => {
  const bytes = typeof b === 'string' ? enc.encode(b) : b;
  return bytes.length > limit ? { b64: base64(bytes.subarray(0, limit)), length: bytes.length, truncated: true } : { b64: base64(bytes), length: bytes.length };
};

/** Fixed "save" time so that TTL texts are predictable: 2024-05-01T10:00:00Z. */
export const CTIME_MS = Date.UTC(2024, 4, 1, 10, 0, 0);
const HOUR = 3600_000;
const DAY = 24 * HOUR;

export interface MockKey {
  name: Uint8Array;
  type: DataType;
  encoding: string;
  expireAtMs?: number;
  idleSeconds?: number;
  lfuFreq?: number;
  count: number;
  size: number;
  damaged?: boolean;
  /** Element `i` of the value. */
  element(i: number, start: number): ElementRow;
  stream?: StreamMetaView;
  module?: { name: string; encodingVersion: number };
}

export interface MockSection {
  view: SectionView;
  /** Key `i` of the section (absolute id = firstKey + i). */
  key(i: number): MockKey;
  /** Offset of key `i`. */
  offset(i: number): number;
}

export interface Dataset {
  overview: Overview;
  sections: MockSection[];
  commands?: { part: number; count: number; row(i: number): CommandRow }[];
  repairs?: RepairView[];
  summary: () => SummaryView;
}

const str = (s: string) => enc.encode(s);

function stringKey(name: Uint8Array | string, value: Uint8Array | string, opts: Partial<MockKey> = {}): MockKey {
  const v = typeof value === 'string' ? str(value) : value;
  return {
    name: typeof name === 'string' ? str(name) : name,
    type: 'string',
    encoding: /^\d+$/.test(typeof value === 'string' ? value : '') ? 'string-int' : 'string',
    count: 1,
    size: 12 + v.length,
    element: (i, start) => ({ index: i, start, end: start + v.length + 2, value: bv(v, 16384) }),
    ...opts,
  };
}

function listKey(name: string, n: number, item: (i: number) => string, type: 'list' | 'set' = 'list', opts: Partial<MockKey> = {}): MockKey {
  return {
    name: str(name),
    type,
    encoding: type === 'list' ? 'quicklist-v2' : 'set-listpack',
    count: n,
    size: 16 + n * 9,
    element: (i, start) => ({ index: i, start: start + 8 + i * 9, end: start + 17 + i * 9, value: bv(item(i)) }),
    ...opts,
  };
}

function zsetKey(name: string, members: [string, number][]): MockKey {
  return {
    name: str(name),
    type: 'zset',
    encoding: 'zset-listpack',
    count: members.length,
    size: 20 + members.length * 14,
    element: (i, start) => ({ index: i, start: start + 8 + i * 14, end: start + 22 + i * 14, value: bv(members[i]![0]), score: members[i]![1] }),
  };
}

function hashKey(name: string, fields: [string, string, number?][], opts: Partial<MockKey> = {}): MockKey {
  return {
    name: str(name),
    type: 'hash',
    encoding: fields.some((f) => f[2] !== undefined) ? 'hash-listpack-ex' : 'hash-listpack',
    count: fields.length,
    size: 18 + fields.reduce((n, f) => n + f[0].length + f[1].length + 4, 0),
    element: (i, start) => {
      const f = fields[i]!;
      return { index: i, start: start + 8 + i * 16, end: start + 24 + i * 16, value: bv(f[0]), fieldValue: bv(f[1]), ...(f[2] !== undefined ? { ttlMs: f[2] } : {}) };
    },
    ...opts,
  };
}

function streamKey(name: string): MockKey {
  const entries = 6;
  const ids = Array.from({ length: entries }, (_, i) => `1714557600${String(i).padStart(3, '0')}-0`);
  return {
    name: str(name),
    type: 'stream',
    encoding: 'stream-listpacks-3',
    count: entries,
    size: 420,
    element: (i, start) => ({ index: i, start: start + 20 + i * 40, end: start + 60 + i * 40, id: ids[i]!, fields: [bv('user'), bv(`user:${i + 1}`), bv('action'), bv(i % 2 ? 'logout' : 'login')] }),
    stream: {
      length: entries,
      lastId: ids[entries - 1]!,
      firstId: ids[0]!,
      maxDeletedId: '0-0',
      entriesAdded: entries,
      deletedEntries: 0,
      listpacks: 1,
      groups: [
        {
          name: bv('mailers'),
          lastId: ids[3]!,
          entriesRead: 4,
          lag: 2,
          pendingTotal: 2,
          pending: [
            { id: ids[2]!, consumer: bv('alice'), deliveryTimeMs: CTIME_MS - 5 * 60_000, deliveryCount: 1 },
            { id: ids[3]!, consumer: bv('bob'), deliveryTimeMs: CTIME_MS - 2 * 60_000, deliveryCount: 3 },
          ],
          consumers: [
            { name: bv('alice'), seenTimeMs: CTIME_MS - 60_000, activeTimeMs: CTIME_MS - 5 * 60_000, pending: 1 },
            { name: bv('bob'), seenTimeMs: CTIME_MS - 30_000, activeTimeMs: CTIME_MS - 2 * 60_000, pending: 1 },
          ],
        },
        { name: bv('audit'), lastId: ids[5]!, entriesRead: 6, lag: 0, pendingTotal: 0, pending: [], consumers: [{ name: bv('auditor'), seenTimeMs: CTIME_MS - HOUR, activeTimeMs: CTIME_MS - HOUR, pending: 0 }] },
      ],
    },
  };
}

/** A section over a fixed list of keys, laid out from `start`. */
function fixedSection(view: Omit<SectionView, 'keys' | 'expires'>, keys: MockKey[]): MockSection {
  const offsets: number[] = [];
  let at = view.start + 2;
  for (const k of keys) {
    offsets.push(at);
    at += k.size;
  }
  return {
    view: { ...view, keys: keys.length, expires: keys.filter((k) => k.expireAtMs !== undefined).length },
    key: (i) => keys[i]!,
    offset: (i) => offsets[i]!,
  };
}

function sectionEnd(s: MockSection): number {
  const n = s.view.keys;
  return n ? s.offset(n - 1) + s.key(n - 1).size : s.view.start + 2;
}

function rdbPart(id: number, file: string, size: number, role: PartView['role'], extra: Partial<PartView> = {}): PartView {
  const aux: AuxView[] = [
    { name: 'redis-ver', value: bv('7.2.4'), display: '7.2.4', start: 9, end: 27 },
    { name: 'redis-bits', value: bv('64'), display: '64-bit', start: 27, end: 42 },
    { name: 'ctime', value: bv(String(CTIME_MS / 1000)), display: `${new Date(CTIME_MS).toISOString()} (${CTIME_MS / 1000})`, start: 42, end: 54 },
    { name: 'used-mem', value: bv('1048576'), display: '1.00 MB (1048576 bytes)', start: 54, end: 69 },
    { name: 'aof-base', value: bv(role === 'base' ? '1' : '0'), display: role === 'base' ? 'yes: this RDB is the base of a multi-part AOF' : 'no', start: 69, end: 81 },
  ];
  return {
    id,
    file,
    role,
    size,
    loaded: true,
    ok: true,
    validUpTo: size,
    rdb: {
      magic: 'REDIS',
      version: 11,
      start: 0,
      end: size,
      checksum: 'ok',
      aux,
      ctimeMs: CTIME_MS,
      functions: [],
      modules: [],
    },
    ...extra,
  };
}

// ---- small ------------------------------------------------------------------------------------

export const HOSTILE_KEY = '<img src=x onerror=alert(1)>';

function smallKeys(): MockKey[] {
  const keys: MockKey[] = [];
  keys.push(hashKey('user:1', [['name', 'Ada'], ['email', 'ada@example.com'], ['visits', '42']], { idleSeconds: 300 }));
  for (let i = 2; i <= 11; i++) {
    if (i % 3 === 0) keys.push(stringKey(`user:${i}`, `{"id":${i},"name":"user ${i}","tags":["a","b"]}`, { idleSeconds: i * 60 }));
    else keys.push(hashKey(`user:${i}`, [['name', `User ${i}`], ['plan', i % 2 ? 'free' : 'pro']], { idleSeconds: i * 3600 }));
  }
  keys.push(stringKey('users', '11'));
  keys.push(stringKey('session:abc', 'expired-token', { expireAtMs: CTIME_MS - 3 * HOUR }));
  keys.push(stringKey('session:def', 'live-token', { expireAtMs: CTIME_MS + 2 * DAY }));
  keys.push(streamKey('events'));
  keys.push(listKey('queue:jobs', 500, (i) => `job-${String(i).padStart(4, '0')}`));
  keys.push(listKey('tags', 4, (i) => ['red', 'green', 'blue', 'teal'][i]!, 'set'));
  keys.push(zsetKey('leaderboard', [['alice', 1200], ['bob', 980.5], ['carol', -3], ['dave', Infinity]]));
  keys.push(stringKey('config', '{"maxmemory":"1gb","policy":"allkeys-lru","replicas":[1,2]}', { lfuFreq: 12 }));
  keys.push(stringKey(new Uint8Array([0x62, 0x69, 0x6e, 0x3a, 0x00, 0xff, 0x0a, 0x41]), new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01])));
  keys.push(stringKey(HOSTILE_KEY, '<script>alert("value")</script>'));
  keys.push(hashKey('cart:42', [['sku:1', '2', CTIME_MS + HOUR], ['sku:2', '1']]));
  keys.push(stringKey('blob:big', 'x'.repeat(20000)));
  keys.push({ ...stringKey('damaged:key', 'partial'), damaged: true, encoding: 'string' });
  keys.push(stringKey('counter', '12345', { lfuFreq: 3 }));
  return keys;
}

export function small(): Dataset {
  const s0 = fixedSection({ id: 0, part: 0, db: 0, start: 120, firstKey: 0, resizeKeys: 25, resizeExpires: 2 }, smallKeys());
  const db1Keys = [stringKey('user:100', 'hello'), stringKey('cache:page:/', '<html>'), listKey('recent', 3, (i) => `item ${i}`)];
  for (const page of ['about', 'blog', 'docs', 'pricing', 'login', 'signup', 'faq', 'terms']) db1Keys.push(stringKey(`cache:page:/${page}`, `<html><body>${page} `.padEnd(700 + page.length * 90, '.') + '</body></html>'));
  for (let i = 0; i < 6; i++) db1Keys.push(listKey(`metrics:cpu:${i}`, 60, (k) => String(20 + ((i * 7 + k * 13) % 60))));
  for (let i = 0; i < 4; i++) db1Keys.push(stringKey(`rate:limit:10.0.0.${i + 1}`, String(i * 3), { expireAtMs: CTIME_MS + (i + 1) * 60_000 }));
  const s1 = fixedSection({ id: 1, part: 0, db: 1, start: sectionEnd(s0) + 4, firstKey: s0.view.keys, resizeKeys: 3, resizeExpires: 0 }, db1Keys);
  const size = sectionEnd(s1) + 9;
  const part = rdbPart(0, 'dump.rdb', size, 'rdb');
  part.rdb!.functions = [
    {
      name: 'mylib',
      engine: 'LUA',
      code: bv("#!lua name=mylib\nredis.register_function('hello', function(keys, args)\n  return 'Hello ' .. args[1]\nend)\n"),
      start: 81,
      end: 118,
    },
  ];
  const ov: Overview = {
    name: 'dump.rdb',
    location: '/data/redis/dump.rdb',
    kind: 'rdb',
    size,
    parts: [part],
    sections: [s0.view, s1.view],
    keys: s0.view.keys + s1.view.keys,
    problems: [
      { severity: 'warning', code: 'rdb.value.damaged', message: 'string value ends early (7 of 12 bytes)', offset: s0.offset(s0.view.keys - 2) + 3, part: 0, phase: 'read-object-value', key: bv('damaged:key'), keyId: s0.view.keys - 2, db: 0 },
    ],
    ok: true,
    validUpTo: size,
    index: { done: false, cancelled: false, offset: 0, size, keys: 0, commands: 0, elapsedMs: 0 },
    nowMs: Date.now(),
  };
  return { overview: ov, sections: [s0, s1], summary: () => summarize([s0, s1]) };
}

// ---- big --------------------------------------------------------------------------------------

export const BIG_KEYS = 10_000_000;
const BIG_TYPES: DataType[] = ['string', 'hash', 'list', 'set', 'zset', 'string', 'string', 'hash'];

function bigKey(i: number): MockKey {
  const type = BIG_TYPES[i % BIG_TYPES.length]!;
  const name = `key:${String(i).padStart(7, '0')}`;
  switch (type) {
    case 'hash':
      return hashKey(name, [['f', String(i)], ['g', 'value']]);
    case 'list':
    case 'set':
      return listKey(name, 3 + (i % 5), (k) => `v${i}-${k}`, type);
    case 'zset':
      return zsetKey(name, [['m', i]]);
    default:
      return stringKey(name, `value-${i}`, i % 10 === 0 ? { expireAtMs: CTIME_MS + ((i % 7) - 3) * HOUR } : {});
  }
}

export function big(): Dataset {
  const keySize = 40;
  const s0: MockSection = {
    view: { id: 0, part: 0, db: 0, start: 120, firstKey: 0, keys: BIG_KEYS, expires: BIG_KEYS / 10, resizeKeys: BIG_KEYS, resizeExpires: BIG_KEYS / 10 },
    key: bigKey,
    offset: (i) => 122 + i * keySize,
  };
  const size = 122 + BIG_KEYS * keySize + 9;
  const part = rdbPart(0, 'big.rdb', size, 'rdb');
  const ov: Overview = {
    name: 'big.rdb',
    location: '/data/redis/big.rdb',
    kind: 'rdb',
    size,
    parts: [part],
    sections: [s0.view],
    keys: BIG_KEYS,
    problems: [],
    ok: true,
    validUpTo: size,
    index: { done: false, cancelled: false, offset: 0, size, keys: 0, commands: 0, elapsedMs: 0 },
    nowMs: Date.now(),
  };
  return {
    overview: ov,
    sections: [s0],
    summary: () => ({
      keys: BIG_KEYS,
      expires: BIG_KEYS / 10,
      bytes: BIG_KEYS * keySize,
      dbs: [{ db: 0, keys: BIG_KEYS, expires: BIG_KEYS / 10, bytes: BIG_KEYS * keySize, byType: { string: 3_750_000, hash: 2_500_000, list: 1_250_000, set: 1_250_000, zset: 1_250_000 } }],
      byType: {
        string: { keys: 3_750_000, expires: 1_000_000, bytes: 3_750_000 * keySize, elements: 3_750_000 },
        hash: { keys: 2_500_000, expires: 0, bytes: 2_500_000 * keySize, elements: 5_000_000 },
        list: { keys: 1_250_000, expires: 0, bytes: 1_250_000 * keySize, elements: 6_250_000 },
        set: { keys: 1_250_000, expires: 0, bytes: 1_250_000 * keySize, elements: 6_250_000 },
        zset: { keys: 1_250_000, expires: 0, bytes: 1_250_000 * keySize, elements: 1_250_000 },
      },
      biggest: [0, 1, 2, 3, 4].map((i) => ({ id: i, key: bv(bigKey(i).name), type: bigKey(i).type, bytes: keySize, count: bigKey(i).count, db: 0 })),
      prefixes: [{ prefix: 'key:', keys: BIG_KEYS, bytes: BIG_KEYS * keySize }],
      prefixesTruncated: false,
    }),
  };
}

// ---- AOF --------------------------------------------------------------------------------------

const AOF_COMMANDS = 2400;

function aofCommand(part: number, i: number, tailStart: number, total: number, damagedLast: boolean): CommandRow {
  // Every 50 commands: SELECT; commands 10..13 of each hundred: MULTI, SET, INCR, EXEC.
  const start = tailStart + i * 48;
  const db = Math.floor(i / 50) % 3;
  const m = i % 100;
  let args: string[];
  let transaction: number | undefined;
  if (i % 50 === 0) args = ['select', String(db)];
  else if (m === 10) {
    args = ['multi'];
    transaction = i;
  } else if (m === 11) {
    args = ['set', `balance:${i}`, '100'];
    transaction = i - 1;
  } else if (m === 12) {
    args = ['incrby', `balance:${i - 1}`, '-25'];
    transaction = i - 2;
  } else if (m === 13) {
    args = ['exec'];
    transaction = i - 3;
  } else if (m === 40) args = ['frobnicate', 'x'];
  else if (i % 3 === 0) args = ['hset', `user:${i}`, 'name', `User ${i}`, 'age', String(20 + (i % 50))];
  else if (i % 3 === 1) args = ['set', `session:${i}`, `token-${i}`, 'EX', '3600'];
  else args = ['rpush', 'queue', `job ${i}`];
  const row: CommandRow = {
    part,
    index: i,
    start,
    end: start + 48,
    line: 1 + i * 7,
    name: args[0]!,
    argc: args.length,
    args: args.map((a) => bv(a, 256)),
    db,
    timestampSec: CTIME_MS / 1000 + Math.floor(i / 100) * 60,
  };
  if (transaction !== undefined) row.transaction = transaction;
  if (args[0] === 'frobnicate') row.warning = "unknown command 'frobnicate'";
  if (damagedLast && i === total - 1) row.afterDamage = true;
  return row;
}

export function aof(): Dataset {
  const tailStart = 0;
  const size = AOF_COMMANDS * 48 + 30;
  const aofView: AofPartView = { tailStart, commands: AOF_COMMANDS, annotations: AOF_COMMANDS / 100, lastTimestampSec: CTIME_MS / 1000 + 23 * 60 };
  const validUpTo = (AOF_COMMANDS - 1) * 48;
  const part: PartView = { id: 0, file: 'appendonly.aof', role: 'aof', size, loaded: true, ok: false, validUpTo, aof: aofView };
  const problem: ProblemView = {
    severity: 'error',
    code: 'aof.truncated',
    message: 'the AOF ends in the middle of a command (bulk string of 12 bytes, 5 left)',
    offset: validUpTo + 31,
    end: size,
    part: 0,
    phase: 'read-bulk',
    line: 1 + (AOF_COMMANDS - 1) * 7,
    command: AOF_COMMANDS,
  };
  const ov: Overview = {
    name: 'appendonly.aof',
    location: '/data/redis/appendonly.aof',
    kind: 'aof',
    size,
    parts: [part],
    sections: [],
    keys: 0,
    problems: [problem, { severity: 'warning', code: 'aof.unknown-command', message: "unknown command 'frobnicate'", offset: tailStart + 40 * 48, part: 0, line: 1 + 40 * 7, command: 41 }],
    ok: false,
    validUpTo,
    index: { done: false, cancelled: false, offset: 0, size, keys: 0, commands: 0, elapsedMs: 0 },
    nowMs: Date.now(),
  };
  const repairs: RepairView[] = [
    {
      index: 0,
      kind: 'truncate-incomplete',
      label: 'Remove the incomplete last command',
      file: 'appendonly.aof',
      removals: [{ start: validUpTo, end: size }],
      bytesRemoved: size - validUpTo,
      commandsRemoved: 1,
      removesDamage: true,
      dropFiles: [],
      summary: 'As redis-check-aof --fix does: truncate at the last complete command.',
    },
    {
      index: 1,
      kind: 'truncate-to-timestamp',
      label: 'Truncate to the last #TS before the damage',
      file: 'appendonly.aof',
      removals: [{ start: 2300 * 48, end: size }],
      bytesRemoved: size - 2300 * 48,
      commandsRemoved: 100,
      removesDamage: true,
      dropFiles: [],
      summary: 'Remove everything after the last timestamp annotation before the damage.',
    },
  ];
  return {
    overview: ov,
    sections: [],
    commands: [{ part: 0, count: AOF_COMMANDS, row: (i) => aofCommand(0, i, tailStart, AOF_COMMANDS, true) }],
    repairs,
    summary: () => ({
      keys: 0,
      expires: 0,
      bytes: 0,
      dbs: [],
      byType: {},
      biggest: [],
      prefixes: [],
      prefixesTruncated: false,
      commandsByName: [
        { name: 'set', count: 800 },
        { name: 'hset', count: 760 },
        { name: 'rpush', count: 700 },
        { name: 'select', count: 48 },
        { name: 'multi', count: 24 },
        { name: 'exec', count: 24 },
        { name: 'incrby', count: 24 },
        { name: 'frobnicate', count: 24 },
      ],
    }),
  };
}

// ---- manifest ---------------------------------------------------------------------------------

export function manifest(): Dataset {
  const keys = smallKeys().slice(0, 12);
  const s0 = fixedSection({ id: 0, part: 0, db: 0, start: 120, firstKey: 0 }, keys);
  const baseSize = sectionEnd(s0) + 9;
  const base = rdbPart(0, 'appendonly.aof.1.base.rdb', baseSize, 'base', { seq: 1 });
  const incr1: PartView = { id: 1, file: 'appendonly.aof.1.incr.aof', role: 'incr', seq: 1, size: 300 * 48, loaded: true, ok: true, validUpTo: 300 * 48, aof: { tailStart: 0, commands: 300, annotations: 3 } };
  const incr2: PartView = { id: 2, file: 'appendonly.aof.2.incr.aof', role: 'incr', seq: 2, size: 120 * 48, loaded: true, ok: true, validUpTo: 120 * 48, aof: { tailStart: 0, commands: 120, annotations: 1 } };
  const hist: PartView = { id: 3, file: 'appendonly.aof.0.base.rdb', role: 'history', seq: 0, size: 4096, loaded: false, ok: true, validUpTo: 0 };
  const ov: Overview = {
    name: 'appendonly.aof.manifest',
    location: '/data/redis/appendonlydir/appendonly.aof.manifest',
    kind: 'manifest',
    size: baseSize + incr1.size + incr2.size,
    parts: [base, incr1, incr2, hist],
    sections: [s0.view],
    keys: s0.view.keys,
    problems: [],
    ok: true,
    validUpTo: incr2.size,
    validUpToFile: incr2.file,
    index: { done: false, cancelled: false, offset: 0, size: baseSize + incr1.size + incr2.size, keys: 0, commands: 0, elapsedMs: 0 },
    nowMs: Date.now(),
  };
  return {
    overview: ov,
    sections: [s0],
    commands: [
      { part: 1, count: 300, row: (i) => aofCommand(1, i, 0, 300, false) },
      { part: 2, count: 120, row: (i) => aofCommand(2, i, 0, 120, false) },
    ],
    summary: () => ({ ...summarize([s0]), commandsByName: [{ name: 'set', count: 140 }, { name: 'hset', count: 140 }, { name: 'rpush', count: 128 }, { name: 'select', count: 12 }] }),
  };
}

// ---- summary of fixed sections ----------------------------------------------------------------

function summarize(sections: MockSection[]): SummaryView {
  const sum: SummaryView = { keys: 0, expires: 0, bytes: 0, dbs: [], byType: {}, biggest: [], prefixes: [], prefixesTruncated: false };
  const prefixes = new Map<string, { keys: number; bytes: number }>();
  const all: { id: number; key: MockKey; db: number }[] = [];
  for (const s of sections) {
    let db = sum.dbs.find((d) => d.db === s.view.db);
    if (!db) {
      db = { db: s.view.db, keys: 0, expires: 0, bytes: 0, byType: {} };
      sum.dbs.push(db);
    }
    for (let i = 0; i < s.view.keys; i++) {
      const k = s.key(i);
      const e = k.expireAtMs !== undefined ? 1 : 0;
      sum.keys++;
      sum.expires += e;
      sum.bytes += k.size;
      db.keys++;
      db.expires += e;
      db.bytes += k.size;
      db.byType[k.type] = (db.byType[k.type] ?? 0) + 1;
      const t = (sum.byType[k.type] ??= { keys: 0, expires: 0, bytes: 0, elements: 0 });
      t.keys++;
      t.expires += e;
      t.bytes += k.size;
      t.elements += k.count;
      const name = new TextDecoder().decode(k.name);
      const colon = name.indexOf(':');
      const prefix = colon >= 0 ? name.slice(0, colon + 1) : '';
      const p = prefixes.get(prefix) ?? { keys: 0, bytes: 0 };
      p.keys++;
      p.bytes += k.size;
      prefixes.set(prefix, p);
      all.push({ id: s.view.firstKey + i, key: k, db: s.view.db });
    }
  }
  sum.biggest = all
    .sort((a, b) => b.key.size - a.key.size)
    .slice(0, 10)
    .map((x) => ({ id: x.id, key: bv(x.key.name, 256), type: x.key.type, bytes: x.key.size, count: x.key.count, db: x.db }));
  sum.prefixes = [...prefixes].map(([prefix, v]) => ({ prefix, ...v })).sort((a, b) => b.bytes - a.bytes);
  return sum;
}

export const DATASETS: Record<string, () => Dataset> = { small, big, aof, manifest };
