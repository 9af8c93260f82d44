// A deterministic, modest (< 1 MB RDB) dataset covering every type and encoding Redis 7.0 writes.
//
// `populateAllTypes()` writes it through its own connection (the server's shared connection keeps
// its selected DB) and returns a manifest: per key its DB, name, type, the OBJECT ENCODING expected
// under Redis 7.0 default thresholds and the RDB object type 7.0 writes for that encoding.
// Server-side state the dataset needs (stream-node-max-entries, list-compress-depth,
// DEBUG QUICKLIST-PACKED-THRESHOLD) is changed temporarily and restored afterwards.
//
// Non-deterministic parts (server clock): PEL delivery times and consumer seen-times of entries
// delivered by XREADGROUP / XGROUP CREATECONSUMER. Everything else (IDs, values, TTLs) is fixed.
import { RespError, type RespArg, type RespValue } from './resp.js';
import type { RedisServer } from './redisServer.js';
import type { RespClient } from './resp.js';
import { mulberry32 } from './prng.js';

export type RedisType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** Redis 7.0 RDB object type bytes (rdb.h). */
export const RDB_TYPE = {
  STRING: 0,
  SET: 2,
  ZSET_2: 5,
  HASH: 4,
  SET_INTSET: 11,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

export type RdbTypeName = keyof typeof RDB_TYPE;

/** How the RDB writer (rdbSaveRawString / rdbSaveLongLongAsStringObject) stores a string value. */
export type RdbStringEncoding = 'int8' | 'int16' | 'int32' | 'lzf' | 'raw';

export interface DatasetKey {
  db: number;
  key: Buffer;
  /** Printable form of the key (escaped like redis-cli). */
  name: string;
  type: RedisType;
  /** Expected OBJECT ENCODING under 7.0 default thresholds. */
  encoding: string;
  rdbType: RdbTypeName;
  /** Strings only: how the value is stored in the RDB (7.0, rdbcompression yes). */
  rdbStringEncoding?: RdbStringEncoding;
  /** Absolute expiry in ms, when the key has a TTL. */
  pexpireAt?: number;
  note?: string;
}

export interface DatasetManifest {
  keys: DatasetKey[];
  /** Function libraries loaded (FUNCTION LOAD). */
  functionLibraries: string[];
}

export type DatasetPart =
  | 'strings'
  | 'binaryKeys'
  | 'lists'
  | 'plainList'
  | 'compressedList'
  | 'sets'
  | 'zsets'
  | 'hashes'
  | 'streams'
  | 'functions'
  | 'otherDbs'
  | 'ttl';

export interface DatasetVariant {
  /** Seed of the pseudo-random payloads (binary strings etc.); default 1. Same seed => same data. */
  seed?: number;
  /** Prefix prepended to every key name (e.g. to load two variants side by side). Default ''. */
  prefix?: string;
  /** Parts to leave out, e.g. `{ functions: false }`; every part defaults to true. */
  parts?: Partial<Record<DatasetPart, boolean>>;
}

/** Far-future absolute expiry times (2100-01-01T00:00:00Z and ms offsets). */
export const FAR_FUTURE_MS = 4_102_444_800_000;

/** Escape bytes the way redis-cli does (printable ASCII kept, `\\`, `"`, `\xHH`, `\n`, ...). */
export function escapeBytes(b: Buffer): string {
  let out = '';
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c >= 0x20 && c <= 0x7e) out += String.fromCharCode(c);
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}


function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** The RDB string encoding 7.0 picks for a value, given whether LZF would pay off. */
export function rdbStringEncodingOf(value: Buffer, compressible: boolean): RdbStringEncoding {
  const s = value.toString('latin1');
  if (value.length <= 11 && /^(0|-?[1-9][0-9]*)$/.test(s)) {
    const n = BigInt(s);
    if (n >= -128n && n <= 127n) return 'int8';
    if (n >= -32768n && n <= 32767n) return 'int16';
    if (n >= -2147483648n && n <= 2147483647n) return 'int32';
  }
  if (value.length > 20 && compressible) return 'lzf';
  return 'raw';
}

class Writer {
  readonly keys: DatasetKey[] = [];
  db = 0;
  constructor(
    readonly c: RespClient,
    readonly prefix: Buffer,
  ) {}

  k(name: string | Buffer): Buffer {
    return Buffer.concat([this.prefix, Buffer.isBuffer(name) ? name : Buffer.from(name, 'utf8')]);
  }

  async select(db: number): Promise<void> {
    await run(this.c, [['SELECT', db]]);
    this.db = db;
  }

  record(key: Buffer, type: RedisType, encoding: string, rdbType: RdbTypeName, extra: Partial<DatasetKey> = {}): void {
    this.keys.push({ db: this.db, key, name: escapeBytes(key), type, encoding, rdbType, ...extra });
  }

  /** SET a string and record it; `compressible` says whether LZF is expected to pay off. */
  async str(name: string | Buffer, value: Buffer | string, compressible = false, note?: string): Promise<Buffer> {
    const key = this.k(name);
    const v = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
    await run(this.c, [['SET', key, v]]);
    const s = v.toString('latin1');
    const isInt = v.length <= 20 && /^(0|-?[1-9][0-9]*)$/.test(s) && BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 63n;
    const encoding = isInt ? 'int' : v.length <= 44 ? 'embstr' : 'raw';
    this.record(key, 'string', encoding, 'STRING', { rdbStringEncoding: rdbStringEncodingOf(v, compressible), ...(note ? { note } : {}) });
    return key;
  }
}

/** Run pipelined commands; throw on the first error reply. */
async function run(c: RespClient, cmds: RespArg[][]): Promise<RespValue[]> {
  const replies = await c.commands(cmds);
  replies.forEach((r, i) => {
    if (r instanceof RespError) {
      const cmd = cmds[i] ?? [];
      const shown = cmd.slice(0, 4).map((a) => (Buffer.isBuffer(a) ? escapeBytes(a) : String(a))).join(' ');
      throw new Error(`dataset command failed: ${shown}${cmd.length > 4 ? ' ...' : ''}: ${r.message}`);
    }
  });
  return replies;
}

async function configGet(c: RespClient, name: string): Promise<string> {
  const [reply] = await run(c, [['CONFIG', 'GET', name]]);
  const arr = Array.isArray(reply) ? reply : [];
  const v = arr[1];
  if (!Buffer.isBuffer(v)) throw new Error(`CONFIG GET ${name}: unexpected reply`);
  return v.toString('utf8');
}

const LISTPACK_INT_EDGES = [
  '0', '127', '128', '-1', '4095', '-4096', '4096', '-4097', '32767', '-32768', '32768', '-32769',
  '8388607', '-8388608', '8388608', '2147483647', '-2147483648', '2147483648',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '007', '-0', '+1', '1.5',
];

/**
 * Write the dataset. Assumes empty target keys (it does not FLUSHALL; existing keys with the
 * same names are overwritten). Returns the manifest of written keys.
 */
export async function populateAllTypes(r: RedisServer, variant: DatasetVariant = {}): Promise<DatasetManifest> {
  const seed = variant.seed ?? 1;
  const want = (p: DatasetPart): boolean => variant.parts?.[p] ?? true;
  const rand = mulberry32(seed);
  const c = await r.connect();
  const w = new Writer(c, Buffer.from(variant.prefix ?? '', 'utf8'));
  const functionLibraries: string[] = [];
  try {
    await w.select(0);

    if (want('strings')) {
      await w.str('string:empty', '');
      await w.str('string:short', 'hello world');
      await w.str('string:embstr-44', 'x'.repeat(20) + 'y'.repeat(24), true, '44 bytes: longest embstr; LZF-compressible');
      await w.str('string:raw-45', randomBytes(rand, 45), false, '45 random bytes: raw encoding, incompressible');
      await w.str('string:len20', 'a'.repeat(20), false, '20 bytes: LZF not attempted (needs > 20)');
      await w.str('string:len21-lzf', 'a'.repeat(21), true, '21 bytes: smallest LZF candidate');
      await w.str('string:lzf', 'abcdefgh'.repeat(64), true);
      await w.str('string:lzf-large', Buffer.from(Array.from({ length: 1500 }, (_, i) => `line ${i % 50}\n`).join('')), true);
      await w.str('string:random-1k', randomBytes(rand, 1024), false);
      await w.str('string:int8', '100');
      await w.str('string:int8-min', '-128');
      await w.str('string:int16', '1000');
      await w.str('string:int16-min', '-32768');
      await w.str('string:int32', '100000');
      await w.str('string:int32-max', '2147483647');
      await w.str('string:int32-min', '-2147483648');
      await w.str('string:int64-small', '2147483648', false, 'int encoding in memory, but > int32: digits in the RDB');
      await w.str('string:int64-max', '9223372036854775807');
      await w.str('string:int64-min', '-9223372036854775808');
      await w.str('string:int64-overflow', '9223372036854775808', false, 'not a long long: embstr');
      await w.str('string:zero', '0');
      await w.str('string:leading-zero', '007');
      await w.str('string:minus-zero', '-0');
      await w.str('string:plus-one', '+1');
      await w.str('string:float', '3.14');
      await w.str('string:binary', Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x00, 0x80, 0x7f, 0x01, 0x22, 0x5c]));
      await w.str('string:utf8', 'héllo wörld ✓ 日本語 🎉');
      const counter = w.k('string:counter');
      await run(c, [['DEL', counter], ['INCRBY', counter, 41], ['INCR', counter]]);
      w.record(counter, 'string', 'int', 'STRING', { rdbStringEncoding: 'int8', note: 'built with INCR' });
      const appended = w.k('string:appended');
      await run(c, [['DEL', appended], ['APPEND', appended, 'abc'], ['APPEND', appended, 'def']]);
      w.record(appended, 'string', 'raw', 'STRING', { rdbStringEncoding: 'raw', note: 'APPEND makes a raw (not embstr) object' });
    }

    if (want('binaryKeys')) {
      await w.str(Buffer.from('bin\x00key', 'latin1'), 'key has a NUL');
      await w.str(Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'key is 0xff 0xfe 0x00 0x01');
      await w.str('key with spaces', 'spaces');
      await w.str('line\nbreak\r\n', 'newline key');
      await w.str('', 'the empty key');
      await w.str('12345', 'numeric key (int16-encoded key in the RDB)');
      await w.str('-1', 'numeric key (int8-encoded key in the RDB)');
      await w.str('ключ-🔑', 'UTF-8 key');
      const hkey = w.k(Buffer.from([0x00, 0x68, 0xff]));
      await run(c, [['DEL', hkey], ['HSET', hkey, Buffer.from([0]), Buffer.from([0xff]), 'f', Buffer.from('\r\n')]]);
      w.record(hkey, 'hash', 'listpack', 'HASH_LISTPACK', { note: 'binary key, binary field and value' });
    }

    if (want('lists')) {
      const small = w.k('list:small');
      await run(c, [['DEL', small], ['RPUSH', small, 'a', 'b', 'c', '', Buffer.from([0, 0xff])]]);
      w.record(small, 'list', 'quicklist', 'LIST_QUICKLIST_2', { note: '7.0: every list is a quicklist; one listpack node' });

      const edges = w.k('list:listpack-encodings');
      const elems: RespArg[] = [...LISTPACK_INT_EDGES, 's'.repeat(63), 's'.repeat(64), 't'.repeat(4095), 'u'.repeat(4096)];
      await run(c, [['DEL', edges], ['RPUSH', edges, ...elems]]);
      w.record(edges, 'list', 'quicklist', 'LIST_QUICKLIST_2', {
        note: 'listpack int widths 7/13/16/24/32/64 bit, string lengths 6/12/32 bit (may span 2 nodes)',
      });

      const big = w.k('list:big');
      const bigElems = Array.from({ length: 3000 }, (_, i) => `item:${String(i).padStart(5, '0')}:${(i * 7919) % 10007}`);
      await run(c, [['DEL', big], ['RPUSH', big, ...bigElems]]);
      w.record(big, 'list', 'quicklist', 'LIST_QUICKLIST_2', { note: '3000 elements: several 8 KB quicklist nodes' });
    }

    if (want('compressedList')) {
      const oldDepth = await configGet(c, 'list-compress-depth');
      const key = w.k('list:compressed');
      try {
        await run(c, [['CONFIG', 'SET', 'list-compress-depth', '1']]);
        const elems = Array.from({ length: 2000 }, (_, i) => `compressible-element-${i % 10}-aaaaaaaaaaaaaaaaaaaa`);
        await run(c, [['DEL', key], ['RPUSH', key, ...elems]]);
      } finally {
        await run(c, [['CONFIG', 'SET', 'list-compress-depth', oldDepth]]);
      }
      w.record(key, 'list', 'quicklist', 'LIST_QUICKLIST_2', {
        note: 'created with list-compress-depth 1: interior nodes are LZF-compressed in the RDB',
      });
    }

    if (want('plainList')) {
      const key = w.k('list:plain-nodes');
      try {
        await run(c, [['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100']]);
        await run(c, [
          ['DEL', key],
          ['RPUSH', key, 'small-1', 'P'.repeat(150), 'small-2', 'small-3', Buffer.concat([Buffer.from([0, 0xff]), Buffer.alloc(200, 0x51)]), 'small-4'],
        ]);
      } finally {
        await run(c, [['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0']]); // 0 restores the 1 GB default
      }
      w.record(key, 'list', 'quicklist', 'LIST_QUICKLIST_2', {
        note: 'elements >= 100 bytes became PLAIN quicklist nodes (container 1) via DEBUG QUICKLIST-PACKED-THRESHOLD',
      });
    }

    if (want('sets')) {
      const sets: [string, RespArg[], string, RdbTypeName, string?][] = [
        ['set:intset16', ['1', '2', '3', '-5', '32767', '-32768'], 'intset', 'SET_INTSET', '16-bit intset'],
        ['set:intset32', ['1', '70000', '-2147483648', '2147483647'], 'intset', 'SET_INTSET', '32-bit intset'],
        ['set:intset64', ['1', '9223372036854775807', '-9223372036854775808', '4294967296'], 'intset', 'SET_INTSET', '64-bit intset'],
        ['set:hashtable', ['a', 'b', '', Buffer.from([0, 0xff]), '123', '-7', 'x'.repeat(100)], 'hashtable', 'SET', 'strings: hashtable'],
        ['set:int-lookalikes', ['007', '1'], 'hashtable', 'SET', '"007" is not an integer'],
        [
          'set:many-ints',
          Array.from({ length: 600 }, (_, i) => String(i * 3 - 900)),
          'hashtable',
          'SET',
          '600 integers > set-max-intset-entries 512',
        ],
      ];
      for (const [name, members, enc, rdb, note] of sets) {
        const key = w.k(name);
        await run(c, [['DEL', key], ['SADD', key, ...members]]);
        w.record(key, 'set', enc, rdb, note ? { note } : {});
      }
    }

    if (want('zsets')) {
      const lp = w.k('zset:listpack');
      await run(c, [
        ['DEL', lp],
        [
          'ZADD', lp,
          '0', 'zero', '-0', 'minus-zero', '1.5', 'one-and-half', '-2.25', 'neg', 'inf', 'pos-inf', '-inf', 'neg-inf',
          '3.141592653589793', 'pi', '1e-10', 'tiny', '1.7976931348623157e308', 'max-double', '123456789012345678', 'big-int-score',
          '42', '42', '7', '', '0.1', Buffer.from([0, 0xff]),
        ],
      ]);
      w.record(lp, 'zset', 'listpack', 'ZSET_LISTPACK', { note: 'scores incl. inf/-inf/-0/fractional; scores are strings in the listpack' });

      const slEntries = w.k('zset:skiplist-entries');
      const args: RespArg[] = [];
      for (let i = 0; i < 200; i++) args.push(String((i - 100) / 4), `member:${String(i).padStart(3, '0')}`);
      await run(c, [['DEL', slEntries], ['ZADD', slEntries, ...args]]);
      w.record(slEntries, 'zset', 'skiplist', 'ZSET_2', { note: '200 members > zset-max-listpack-entries 128; binary doubles in the RDB' });

      const slValue = w.k('zset:skiplist-value');
      await run(c, [['DEL', slValue], ['ZADD', slValue, 'inf', 'pos-inf', '-inf', 'neg-inf', '-0', 'minus-zero', '2.5', 'm'.repeat(65), '-1e-300', 'tiny-neg']]);
      w.record(slValue, 'zset', 'skiplist', 'ZSET_2', { note: '65-byte member > zset-max-listpack-value 64' });
    }

    if (want('hashes')) {
      const lp = w.k('hash:listpack');
      await run(c, [['DEL', lp], ['HSET', lp, 'name', 'redis', 'int', '12345', 'neg', '-1', 'big', '9223372036854775807', 'empty', '', '', 'empty field', Buffer.from([0, 0xff]), Buffer.from([0xfe])]]);
      w.record(lp, 'hash', 'listpack', 'HASH_LISTPACK');

      const atLimit = w.k('hash:listpack-at-limit');
      const fields: RespArg[] = [];
      for (let i = 0; i < 128; i++) fields.push(`field:${String(i).padStart(3, '0')}`, `${String(i).padStart(3, '0')}:${'v'.repeat(60)}`);
      await run(c, [['DEL', atLimit], ['HSET', atLimit, ...fields]]);
      w.record(atLimit, 'hash', 'listpack', 'HASH_LISTPACK', { note: 'exactly 128 fields, 64-byte values: still listpack' });

      const bigValue = w.k('hash:hashtable-value');
      await run(c, [['DEL', bigValue], ['HSET', bigValue, 'small', '1', 'large', 'L'.repeat(65), '100', '200']]);
      w.record(bigValue, 'hash', 'hashtable', 'HASH', { note: '65-byte value > hash-max-listpack-value 64' });

      const many = w.k('hash:hashtable-entries');
      const manyFields: RespArg[] = [];
      for (let i = 0; i < 600; i++) manyFields.push(`f${i}`, i % 3 === 0 ? String(i * 1000) : `value-${i}`);
      await run(c, [['DEL', many], ['HSET', many, ...manyFields]]);
      w.record(many, 'hash', 'hashtable', 'HASH', { note: '600 fields > hash-max-listpack-entries 128' });
    }

    if (want('streams')) await writeStreams(w);

    if (want('ttl')) {
      const ttls: [string, RespArg[][], RedisType, string, RdbTypeName, number][] = [
        ['ttl:string-ms', [['SET', '@', 'expires 2100-01-01T00:00:00.123Z'], ['PEXPIREAT', '@', FAR_FUTURE_MS + 123]], 'string', 'embstr', 'STRING', FAR_FUTURE_MS + 123],
        ['ttl:string-sec', [['SET', '@', 'expires on a whole second'], ['EXPIREAT', '@', FAR_FUTURE_MS / 1000]], 'string', 'embstr', 'STRING', FAR_FUTURE_MS],
        ['ttl:hash', [['HSET', '@', 'a', '1'], ['PEXPIREAT', '@', FAR_FUTURE_MS + 1]], 'hash', 'listpack', 'HASH_LISTPACK', FAR_FUTURE_MS + 1],
        ['ttl:list', [['RPUSH', '@', 'x', 'y'], ['PEXPIREAT', '@', FAR_FUTURE_MS + 999]], 'list', 'quicklist', 'LIST_QUICKLIST_2', FAR_FUTURE_MS + 999],
        ['ttl:set', [['SADD', '@', '1', '2'], ['PEXPIREAT', '@', 253402300799999]], 'set', 'intset', 'SET_INTSET', 253402300799999],
        ['ttl:zset', [['ZADD', '@', '1', 'a'], ['PEXPIREAT', '@', FAR_FUTURE_MS + 77]], 'zset', 'listpack', 'ZSET_LISTPACK', FAR_FUTURE_MS + 77],
        ['ttl:stream', [['XADD', '@', '5-1', 'f', 'v'], ['PEXPIREAT', '@', FAR_FUTURE_MS + 5]], 'stream', 'stream', 'STREAM_LISTPACKS_2', FAR_FUTURE_MS + 5],
      ];
      for (const [name, cmds, type, enc, rdb, at] of ttls) {
        const key = w.k(name);
        await run(c, [['DEL', key], ...cmds.map((cmd) => cmd.map((a) => (a === '@' ? key : a)))]);
        w.record(key, type, enc, rdb, { pexpireAt: at });
      }
    }

    if (want('otherDbs')) {
      for (const db of [1, 15]) {
        await w.select(db);
        const shared = w.k('same-name-in-several-dbs');
        await run(c, [['SET', shared, `value in db ${db}`]]);
        w.record(shared, 'string', 'embstr', 'STRING', { rdbStringEncoding: 'raw' });
        const h = w.k(`db${db}:hash`);
        await run(c, [['DEL', h], ['HSET', h, 'db', String(db), 'x', 'y']]);
        w.record(h, 'hash', 'listpack', 'HASH_LISTPACK');
        const l = w.k(`db${db}:list`);
        await run(c, [['DEL', l], ['RPUSH', l, '1', '2', '3']]);
        w.record(l, 'list', 'quicklist', 'LIST_QUICKLIST_2');
        const t = w.k(`db${db}:ttl`);
        await run(c, [['SET', t, String(db * 1000)], ['PEXPIREAT', t, FAR_FUTURE_MS + db]]);
        w.record(t, 'string', 'int', 'STRING', { rdbStringEncoding: 'int16', pexpireAt: FAR_FUTURE_MS + db });
      }
      await w.select(0);
      const shared = w.k('same-name-in-several-dbs');
      await run(c, [['SET', shared, 'value in db 0']]);
      w.record(shared, 'string', 'embstr', 'STRING', { rdbStringEncoding: 'raw' });
    }

    if (want('functions')) {
      const libs: [string, string][] = [
        [
          'rpi_lib',
          [
            '#!lua name=rpi_lib',
            "redis.register_function('rpi_echo', function(keys, args) return args[1] end)",
            "redis.register_function{function_name='rpi_ro', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes', 'allow-stale'}, description='read-only getter'}",
          ].join('\n'),
        ],
        ['rpi_lib2', "#!lua name=rpi_lib2\nredis.register_function('rpi_two', function() return 2 end)\n"],
      ];
      for (const [name, code] of libs) {
        await run(c, [['FUNCTION', 'LOAD', 'REPLACE', code]]);
        functionLibraries.push(name);
      }
    }
    await w.select(0);
  } finally {
    c.close();
  }
  return { keys: w.keys, functionLibraries };
}

async function writeStreams(w: Writer): Promise<void> {
  const c = w.c;
  const oldNodeEntries = await configGet(c, 'stream-node-max-entries');
  try {
    await run(c, [['CONFIG', 'SET', 'stream-node-max-entries', '10']]);

    // stream:nodes — 45 entries in nodes of 10, same-fields and different-fields entries,
    // XDELs (first entry, a middle one, a whole node), groups with PEL and consumers.
    const s = w.k('stream:nodes');
    const base = 1_700_000_000_000;
    const ids: string[] = [];
    const adds: RespArg[][] = [['DEL', s]];
    for (let i = 0; i < 45; i++) {
      const id = i % 5 === 4 ? `${base + i - 1}-1` : `${base + i}-0`; // every 5th shares the previous ms
      ids.push(id);
      const fields: RespArg[] =
        i % 7 === 3 ? ['other', `o${i}`, 'extra', Buffer.from([0, 0xff])] : ['sensor', `s-${i % 3}`, 'value', String(i * 11)];
      adds.push(['XADD', s, id, ...fields]);
    }
    await run(c, adds);
    const id = (i: number): string => ids[i] ?? '0-0';
    // Consumers read, then deletions (a PEL entry now refers to a deleted entry).
    await run(c, [
      ['XGROUP', 'CREATE', s, 'g1', '0'],
      ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', s, '>'],
      ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', s, '>'],
      ['XGROUP', 'CREATECONSUMER', s, 'g1', 'carol'],
      // delivery count 2 (plain XCLAIM increments it)
      ['XCLAIM', s, 'g1', 'bob', '0', id(1)],
      // deterministic delivery time and count via TIME / RETRYCOUNT
      ['XCLAIM', s, 'g1', 'bob', '0', id(2), 'TIME', String(base + 5000), 'RETRYCOUNT', '7'],
      ['XACK', s, 'g1', id(3)],
      ['XGROUP', 'CREATE', s, 'g2', id(9), 'ENTRIESREAD', '7'],
      ['XGROUP', 'CREATE', s, 'g3', '$'],
      ['XDEL', s, id(0), id(12)],
      ['XDEL', s, ...Array.from({ length: 10 }, (_, k) => id(20 + k))],
    ]);
    w.record(s, 'stream', 'stream', 'STREAM_LISTPACKS_2', {
      note: '45 entries, nodes of 10, 12 deleted (incl. first and a whole node); g1 (alice/bob PEL, carol empty, counts > 1), g2 ENTRIESREAD 7, g3 at $',
    });

    // stream:xsetid — XSETID with ENTRIESADDED and MAXDELETEDID.
    const x = w.k('stream:xsetid');
    await run(c, [
      ['DEL', x],
      ['XADD', x, '1000-0', 'a', '1'],
      ['XADD', x, '1000-1', 'b', '2'],
      ['XADD', x, '2000-0', 'a', '3'],
      ['XSETID', x, '1800000000000-5', 'ENTRIESADDED', '100', 'MAXDELETEDID', '1750000000000-3'],
    ]);
    w.record(x, 'stream', 'stream', 'STREAM_LISTPACKS_2', { note: 'last-id 1800000000000-5, entries-added 100, max-deleted-id 1750000000000-3' });

    // stream:trimmed-empty — entries added then XTRIM MAXLEN 0: empty, but last-id and group kept.
    const e = w.k('stream:trimmed-empty');
    await run(c, [
      ['DEL', e],
      ...Array.from({ length: 5 }, (_, i): RespArg[] => ['XADD', e, `${3000 + i}-0`, 'k', String(i)]),
      ['XGROUP', 'CREATE', e, 'g', '0'],
      ['XTRIM', e, 'MAXLEN', '0'],
    ]);
    w.record(e, 'stream', 'stream', 'STREAM_LISTPACKS_2', { note: 'length 0 after XTRIM MAXLEN 0; last-id 3004-0; one group' });

    // stream:mkstream — created empty by XGROUP CREATE ... MKSTREAM (last-id 0-0).
    const m = w.k('stream:mkstream');
    await run(c, [['DEL', m], ['XGROUP', 'CREATE', m, 'g', '$', 'MKSTREAM']]);
    w.record(m, 'stream', 'stream', 'STREAM_LISTPACKS_2', { note: 'never had entries; one group' });
  } finally {
    await run(c, [['CONFIG', 'SET', 'stream-node-max-entries', oldNodeEntries]]);
  }
}
