// The RDB decoder against files written by Debian's redis-server 7.0.15: every
// value must equal what the server itself reported after loading the file
// (the *.expected.json transcripts), and every damaged variant must be
// reported damaged at the offset redis-check-rdb printed.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { formatScore } from '../../src/core/export/resp.js';
import { parseRdb, type KeyRecord } from '../../src/core/rdb/parser.js';
import { formatStreamId } from '../../src/core/rdb/value.js';
import { jsonBytes } from '../../src/core/text/bytesText.js';
import type { FunctionLibrary } from '../../src/core/rdb/function.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'rdb');

function load(name: string) {
  const bytes = readFileSync(join(FIXTURES, name));
  const keys: KeyRecord[] = [];
  const functions: FunctionLibrary[] = [];
  const aux = new Map<string, string>();
  const result = parseRdb(new MemorySource(bytes), {
    key: (k) => void keys.push(k),
    functionLibrary: (f) => void functions.push(f),
    aux: (a) => void aux.set(Buffer.from(a.key).toString('latin1'), Buffer.from(a.value).toString('latin1')),
  });
  return { result, keys, functions, aux, bytes };
}

type Json = unknown;

/** Our decoded value in the shape of the expected.json transcripts. */
function comparable(k: KeyRecord): Json {
  const v = k.value;
  switch (v.type) {
    case 'string':
      return jsonBytes(v.value);
    case 'list':
      return v.items.map(jsonBytes);
    case 'set':
      return v.members.map(jsonBytes).map((x) => JSON.stringify(x)).sort();
    case 'zset':
      return v.members
        .map((m, i) => [jsonBytes(m), formatScore(v.scores[i]!)])
        .map((x) => JSON.stringify(x))
        .sort();
    case 'hash': {
      const o: Record<string, Json> = {};
      v.fields.forEach((f, i) => (o[String(jsonBytes(f))] = jsonBytes(v.values[i]!)));
      return o;
    }
    case 'stream':
      return v.entries.map((e) => [formatStreamId(e.id), e.fields.map(jsonBytes)]);
    case 'module':
      return v.moduleName;
  }
}

function expectedComparable(type: string, expected: Record<string, Json>): Json {
  const value = expected.value as Json;
  switch (type) {
    case 'set':
      return (value as Json[]).map((x) => JSON.stringify(x)).sort();
    case 'zset':
      return (value as Json[]).map((x) => JSON.stringify(x)).sort();
    case 'stream':
      return expected.entries;
    default:
      return value;
  }
}

function checkAgainstExpected(file: string, expectedFile: string): void {
  const { result, keys, functions } = load(file);
  const expected = JSON.parse(readFileSync(join(FIXTURES, expectedFile), 'utf8')) as Record<string, Json>;
  assert.equal(result.ok, true, JSON.stringify(result.problems));
  let count = 0;
  for (const [dbName, dbKeys] of Object.entries(expected)) {
    if (!dbName.startsWith('db')) continue;
    const db = Number(dbName.slice(2));
    for (const [name, exp] of Object.entries(dbKeys as Record<string, Record<string, Json>>)) {
      count++;
      const k = keys.find((x) => x.db === db && Buffer.from(x.key).toString('utf8') === name);
      assert.ok(k, `key ${name} in db ${db} not decoded`);
      assert.equal(k.dataType, exp.type, `type of ${name}`);
      assert.deepEqual(comparable(k), expectedComparable(exp.type as string, exp), `value of ${name}`);
      assert.equal(k.expireAtMs, exp.expire_at_ms, `expiry of ${name}`);
      if (exp.type === 'stream' && k.value.type === 'stream') {
        const full = exp.xinfo_full as Record<string, Json>;
        const s = k.value;
        assert.equal(s.length, full.length);
        assert.equal(formatStreamId(s.lastId), full['last-generated-id']);
        assert.equal(s.entriesAdded, full['entries-added']);
        assert.equal(formatStreamId(s.maxDeletedId!), full['max-deleted-entry-id']);
        const groups = (full.groups as Json[][]).map((g) => {
          const o: Record<string, Json> = {};
          for (let i = 0; i < g.length; i += 2) o[g[i] as string] = g[i + 1];
          return o;
        });
        assert.equal(s.groups.length, groups.length);
        s.groups.forEach((g, gi) => {
          const eg = groups[gi]!;
          assert.equal(Buffer.from(g.name).toString(), eg.name);
          assert.equal(formatStreamId(g.lastId), eg['last-delivered-id']);
          assert.deepEqual(
            g.pending.map((p) => [formatStreamId(p.id), Buffer.from(p.consumer!).toString(), p.deliveryTimeMs, p.deliveryCount]),
            eg.pending,
          );
          assert.deepEqual(
            g.consumers.map((c) => [Buffer.from(c.name).toString(), c.seenTimeMs, c.pending.length]),
            (eg.consumers as Json[][]).map((c) => [c[1], c[3], c[5]]),
          );
        });
      }
    }
  }
  assert.equal(keys.length, count, 'no extra keys');
  const expectedFunctions = (expected.functions ?? []) as Json[][];
  assert.equal(functions.length, expectedFunctions.length);
  functions.forEach((f, i) => {
    const ef = expectedFunctions[i]!;
    assert.equal(f.name, ef[1]);
    const code = ef[7] as string | { base64: string };
    assert.deepEqual(Buffer.from(f.code), typeof code === 'string' ? Buffer.from(code) : Buffer.from(code.base64, 'base64'));
  });
}

describe('RDB fixtures written by redis-server 7.0.15', () => {
  it('decodes every key of the all-types file exactly as the server loaded it', () => {
    checkAgainstExpected('ok/dump-7.0.15-all-types.rdb', 'ok/dump-7.0.15-all-types.expected.json');
  });

  it('decodes LZF-compressed quicklist nodes', () => {
    checkAgainstExpected('ok/dump-7.0.15-compressed-quicklist.rdb', 'ok/dump-7.0.15-compressed-quicklist.expected.json');
  });

  it('decodes the one-key file and reports its exact byte ranges', () => {
    checkAgainstExpected('ok/dump-7.0.15-one-key.rdb', 'ok/dump-7.0.15-one-key.expected.json');
    const { keys, result, bytes } = load('ok/dump-7.0.15-one-key.rdb');
    // 99 bytes: … SELECTDB, RESIZEDB, the key record "00 01 6B 01 76" at 85, EOF at 90, 8 checksum bytes.
    assert.deepEqual([...bytes.subarray(85, 90)], [0x00, 0x01, 0x6b, 0x01, 0x76]);
    assert.equal(keys[0]!.start, 85);
    assert.equal(keys[0]!.valueStart, 88);
    assert.equal(keys[0]!.end, 90);
    assert.equal(result.eofOffset, 90);
    assert.equal(result.rdbEnd, 99);
    assert.equal(result.validUpTo, 99);
    assert.equal(result.checksum, 'ok');
  });

  it('gives the same dataset for the compression, LFU, LRU and checksum variants', () => {
    const base = load('ok/dump-7.0.15-all-types.rdb');
    const dump = (ks: KeyRecord[]) => ks.map((k) => JSON.stringify([k.db, jsonBytes(k.key), k.expireAtMs, comparable(k)])).sort();
    for (const name of ['nocompress', 'nochecksum']) {
      const other = load(`ok/dump-7.0.15-${name}.rdb`);
      assert.equal(other.result.ok, true, name);
      assert.deepEqual(dump(other.keys), dump(base.keys), name);
    }
    const nochecksum = load('ok/dump-7.0.15-nochecksum.rdb');
    assert.equal(nochecksum.result.checksum, 'disabled');
    const lfu = load('ok/dump-7.0.15-lfu.rdb');
    assert.equal(lfu.result.ok, true);
    assert.ok(lfu.keys.every((k) => typeof k.lfuFreq === 'number' && k.idleSeconds === undefined));
    const lru = load('ok/dump-7.0.15-lru.rdb');
    assert.equal(lru.result.ok, true);
    assert.ok(lru.keys.every((k) => typeof k.idleSeconds === 'number' && k.lfuFreq === undefined));
  });

  it('decodes the encodings of every key as the writer chose them', () => {
    const { keys } = load('ok/dump-7.0.15-all-types.rdb');
    const enc = (name: string) => keys.find((k) => Buffer.from(k.key).toString() === name)!;
    const stringEncoding = (name: string) => {
      const v = enc(name).value;
      return v.type === 'string' ? v.stringEncoding : undefined;
    };
    assert.equal(stringEncoding('str:int8'), 'int');
    assert.equal(stringEncoding('str:lzf'), 'lzf');
    assert.equal(stringEncoding('str:plain'), 'raw');
    assert.equal(enc('set:intset').encoding, 'set-intset');
    assert.equal(enc('set:ht').encoding, 'set-hashtable');
    assert.equal(enc('zset:skiplist').encoding, 'zset-v2');
    assert.equal(enc('hash:bigval').encoding, 'hash-hashtable');
    assert.equal(enc('stream:s1').encoding, 'stream-v2');
    const plain = enc('list:plain').value;
    assert.ok(plain.type === 'list');
    assert.deepEqual(
      plain.nodes!.map((n) => n.container),
      ['packed', 'plain', 'packed'],
    );
    assert.equal(plain.items[1]!.length, 150);
    const s1 = enc('stream:s1').value;
    assert.ok(s1.type === 'stream');
    assert.equal(s1.listpacks, 3);
    assert.equal(s1.deletedEntries, 1);
  });

  it('keeps binary keys and values byte for byte', () => {
    const { keys } = load('ok/dump-7.0.15-all-types.rdb');
    const bin = keys.find((k) => Buffer.from(k.key).toString() === 'str:binary')!;
    assert.ok(bin.value.type === 'string');
    assert.deepEqual([...bin.value.value], [0x62, 0x69, 0x6e, 0x00, 0x01, 0xfe, 0xff, 0x64, 0x61, 0x74, 0x61]);
  });
});

/** The "[offset N] <message>" line after "--- RDB ERROR DETECTED ---" in a transcript. */
function transcriptError(name: string): { offset: number; message: string } | undefined {
  const text = readFileSync(join(FIXTURES, 'transcripts', `check-rdb--${name}.txt`), 'utf8');
  const m = /--- RDB ERROR DETECTED ---\n\[offset (\d+)\] (.*)/.exec(text);
  return m ? { offset: Number(m[1]), message: m[2]! } : undefined;
}

describe('damaged RDB fixtures', () => {
  const cases: [string, string, string][] = [
    ['rdb-bad-magic', 'rdb.bad-magic', 'Wrong signature'],
    ['rdb-crc-mismatch', 'rdb.checksum-mismatch', 'RDB CRC error'],
    ['rdb-future-version', 'rdb.unsupported-version', "Can't handle RDB format version 99"],
    ['rdb-intset-unsorted', 'rdb.intset.integrity', 'Intset integrity check failed'],
    ['rdb-listpack-bad-entry', 'rdb.listpack.integrity', 'Hash listpack integrity check failed'],
    ['rdb-listpack-bad-total', 'rdb.listpack.integrity', 'Hash listpack integrity check failed'],
    ['rdb-lzf-corrupt', 'rdb.lzf.invalid', 'Invalid LZF compressed string'],
    ['rdb-truncated-half', 'rdb.truncated', 'unexpected end of data'],
    ['rdb-truncated-no-checksum', 'rdb.truncated', 'checksum'],
    ['rdb-truncated-partial-checksum', 'rdb.truncated', 'checksum'],
    ['rdb-unknown-type', 'rdb.unknown-type', 'Invalid object type: 48'],
  ];
  for (const [name, code, words] of cases) {
    it(`${name}: damaged, ${code}, at redis-check-rdb's offset`, () => {
      const { result } = load(`err/${name}.rdb`);
      assert.equal(result.ok, false);
      const first = result.problems.find((p) => p.severity === 'error')!;
      assert.equal(first.code, code);
      assert.ok(first.message.includes(words), first.message);
      const t = transcriptError(name);
      assert.ok(t, 'transcript has an error');
      assert.equal(first.checkerOffset, t.offset);
    });
  }

  it('names the exact bad byte, key, type and phase', () => {
    const { result } = load('err/rdb-truncated-half.rdb');
    const p = result.problems[0]!;
    assert.equal(Buffer.from(p.key!).toString(), 'zset:skiplist');
    assert.equal(p.type, 5);
    assert.equal(p.phase, 'read-object-value');
    assert.equal(p.offset, 4107);
    // Everything up to the start of the key being read is valid.
    assert.equal(result.validUpTo, 2990);
  });

  it('detects the duplicate key redis-check-rdb misses but the server refuses', () => {
    const { result } = load('err/rdb-duplicate-key.rdb');
    assert.equal(transcriptError('rdb-duplicate-key'), undefined);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.offset, Buffer.from(p.key!).toString()]),
      [['rdb.duplicate-key', 90, 'k']],
    );
  });

  it('accepts what redis-check-rdb accepts: zero checksum, trailing garbage (with a warning)', () => {
    const zero = load('err/rdb-zero-checksum.rdb').result;
    assert.equal(zero.ok, true);
    assert.equal(zero.checksum, 'disabled');
    const trailing = load('err/rdb-trailing-garbage.rdb').result;
    assert.equal(trailing.ok, true);
    assert.deepEqual(
      trailing.problems.map((p) => [p.code, p.severity, p.offset]),
      [['rdb.trailing-bytes', 'warning', 8215]],
    );
  });

  it('lists every transcript case', () => {
    const names = readdirSync(join(FIXTURES, 'err')).map((f) => f.replace(/\.rdb$/, ''));
    const covered = new Set([...cases.map((c) => c[0]), 'rdb-duplicate-key', 'rdb-zero-checksum', 'rdb-trailing-garbage']);
    assert.deepEqual(names.filter((n) => !covered.has(n)), []);
  });
});
