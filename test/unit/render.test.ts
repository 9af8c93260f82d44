// The canonical text rendering of snapshots (src/core/diff/render.ts): exact text
// for known fixtures, determinism across files that hold the same data in
// different bytes (compression, LRU/LFU data, key order), sorting by db and key
// bytes, and the wrap / cut markers.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySource, type ByteSource } from '../../src/core/bytes/byteSource.js';
import { crc64 } from '../../src/core/bytes/crc64.js';
import { renderSnapshot, renderSnapshotText, type RenderOptions } from '../../src/core/diff/render.js';

const OK = join(__dirname, '..', 'fixtures', 'rdb', 'ok');
const ERR = join(__dirname, '..', 'fixtures', 'rdb', 'err');

function render(file: string, options: RenderOptions = {}): string {
  return renderSnapshotText(new MemorySource(readFileSync(file)), options).text;
}

/** The block of one key: from its first line to the blank line after it. */
function block(text: string, firstLine: string): string {
  const start = text.indexOf(`\n${firstLine}\n`);
  assert.ok(start >= 0, `no block ${firstLine}`);
  const end = text.indexOf('\n\n', start + 1);
  return text.slice(start + 1, end + 1);
}

/** A small RDB 11 file: string keys with optional expiry, per db, in the given order. */
function rdb(records: { db: number; key: Uint8Array | string; value: string; expireAtMs?: number }[]): Uint8Array {
  const out: number[] = [...Buffer.from('REDIS0011')];
  let db = -1;
  const str = (s: Uint8Array | string) => {
    const b = typeof s === 'string' ? Buffer.from(s) : Buffer.from(s);
    assert.ok(b.length < 64);
    out.push(b.length, ...b);
  };
  for (const r of records) {
    if (r.db !== db) out.push(0xfe, (db = r.db));
    if (r.expireAtMs !== undefined) {
      const ms = Buffer.alloc(8);
      ms.writeBigUInt64LE(BigInt(r.expireAtMs));
      out.push(0xfc, ...ms);
    }
    out.push(0x00);
    str(r.key);
    str(r.value);
  }
  out.push(0xff);
  const body = Uint8Array.from(out);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, crc]);
}

const HEAD = '# Redis snapshot, rendered by Redis Persistence Inspector: keys sorted by database and key bytes\n';

describe('render: canonical snapshot text', () => {
  it('one key: the exact text, the format line and AUX fields only on request', () => {
    const file = join(OK, 'dump-7.0.15-one-key.rdb');
    assert.equal(render(file), `${HEAD}keys 1 (db0: 1)\n\ndb0 "k" string\n  "v"\n\n`);
    assert.equal(
      render(file, { aux: true }),
      `${HEAD}format REDIS RDB version 10\nkeys 1 (db0: 1)\n\n` +
        'aux\n  "aof-base" = "0"\n  "ctime" = "1795311561"\n  "redis-bits" = "64"\n  "redis-ver" = "7.0.15"\n  "used-mem" = "988928"\n\n' +
        'db0 "k" string\n  "v"\n\n',
    );
  });

  describe('all types', () => {
    const text = render(join(OK, 'dump-7.0.15-all-types.rdb'));

    it('header, function library, keys sorted by (db, key bytes)', () => {
      assert.ok(text.startsWith(`${HEAD}keys 25 (db0: 23, db3: 2)\n\nfunction mylib engine lua\n`), text.slice(0, 300));
      const keyLines = text.split('\n').filter((l) => /^db\d+ /.test(l));
      assert.equal(keyLines.length, 25);
      const keys = keyLines.map((l) => l.split(' ').slice(0, 2).join(' '));
      assert.deepEqual(keys.slice(0, 3), ['db0 "hash:bigval"', 'db0 "hash:ht"', 'db0 "hash:lp"']);
      assert.deepEqual(keys.slice(-2), ['db3 "db3:hash"', 'db3 "db3:key"']);
      assert.doesNotMatch(text, /ctime|used-mem|redis-ver/);
    });

    it('strings: escaped bytes, TTL as ISO time, long values wrapped', () => {
      assert.equal(block(text, 'db0 "str:binary" string'), 'db0 "str:binary" string\n  "bin\\x00\\x01\\xfe\\xffdata"\n');
      assert.equal(block(text, 'db0 "str:utf8" string'), 'db0 "str:utf8" string\n  "héllo wörld ✓"\n');
      assert.equal(block(text, 'db0 "str:expiring" string ttl 2100-01-01T00:00:00.000Z'), 'db0 "str:expiring" string ttl 2100-01-01T00:00:00.000Z\n  "will expire"\n');
      assert.equal(block(text, 'db0 "str:int8" string'), 'db0 "str:int8" string\n  "-5"\n');
      assert.equal(block(text, 'db0 "str:empty" string'), 'db0 "str:empty" string\n  ""\n');
      // 200 'a's: 120 on the first line, the rest on a continuation line.
      assert.equal(block(text, 'db0 "str:lzf" string'), `db0 "str:lzf" string\n  "${'a'.repeat(120)}\n    ${'a'.repeat(80)}"\n`);
    });

    it('lists in order with indexes, sets sorted, zsets sorted by member with scores, hashes sorted by field', () => {
      assert.equal(
        block(text, 'db0 "list:small" list'),
        'db0 "list:small" list\n  [0] "a"\n  [1] "b"\n  [2] "c"\n  [3] "1"\n  [4] "2"\n  [5] "300"\n  [6] "-7"\n',
      );
      assert.equal(block(text, 'db0 "set:ht" set'), 'db0 "set:ht" set\n  "42"\n  "alpha"\n  "beta"\n  "gamma"\n');
      assert.equal(block(text, 'db0 "set:intset" set'), 'db0 "set:intset" set\n  "-1"\n  "1"\n  "100"\n  "2"\n  "3"\n  "70000"\n');
      assert.equal(
        block(text, 'db0 "zset:lp" zset'),
        'db0 "zset:lp" zset\n  "ninf" score -inf\n  "one" score 1\n  "pinf" score inf\n  "three" score -3\n  "two" score 2.5\n  "zero" score 0\n',
      );
      assert.equal(block(text, 'db0 "hash:lp" hash'), 'db0 "hash:lp" hash\n  "f1" = "v1"\n  "f2" = "2"\n  "f3" = ""\n');
      assert.equal(block(text, 'db3 "db3:hash" hash'), 'db3 "db3:hash" hash\n  "a" = "1"\n');
      const ht = block(text, 'db0 "hash:ht" hash').split('\n');
      assert.deepEqual(ht.slice(1, 4), ['  "field-1" = "value-1"', '  "field-10" = "value-10"', '  "field-100" = "value-100"']);
    });

    it('streams: metadata, entries by ID, groups with PEL and consumers', () => {
      assert.equal(
        block(text, 'db0 "stream:empty-after-del" stream'),
        'db0 "stream:empty-after-del" stream\n  length 0, last-id 1795311554721-0, first-id 0-0, max-deleted-id 0-0, entries-added 1\n',
      );
      const s = block(text, 'db0 "stream:s1" stream');
      assert.ok(
        s.startsWith(
          'db0 "stream:s1" stream\n' +
            '  length 10, last-id 1700000000001-0, first-id 1700000000000-1, max-deleted-id 1700000000000-3, entries-added 11\n' +
            '  entry 1700000000000-1\n    "name" = "n1"\n    "val" = "1"\n' +
            '  entry 1700000000000-2\n    "name" = "n2"\n    "val" = "2"\n' +
            '  entry 1700000000000-4\n',
        ),
        s,
      );
      assert.ok(
        s.endsWith(
          '  group "g1" last-delivered-id 1700000000000-6 entries-read -1\n' +
            '    pending 1700000000000-2 consumer "alice" deliveries 1 delivered-at 2026-11-22T01:39:14.692Z\n' +
            '    pending 1700000000000-4 consumer "alice" deliveries 1 delivered-at 2026-11-22T01:39:14.692Z\n' +
            '    pending 1700000000000-5 consumer "bob" deliveries 1 delivered-at 2026-11-22T01:39:14.701Z\n' +
            '    pending 1700000000000-6 consumer "bob" deliveries 1 delivered-at 2026-11-22T01:39:14.701Z\n' +
            '    consumer "alice" pending 2\n' +
            '    consumer "bob" pending 2\n' +
            '  group "g2" last-delivered-id 1700000000001-0 entries-read -1\n' +
            '    consumer "carol" pending 0\n',
        ),
        s,
      );
      // Consumers' seen/active times are access metadata (an AOF does not carry them): shown with `aux` only.
      const withTimes = block(render(join(OK, 'dump-7.0.15-all-types.rdb'), { aux: true }), 'db0 "stream:s1" stream');
      assert.ok(withTimes.endsWith('    consumer "carol" seen-at 2026-11-22T01:39:14.713Z active-at 2026-11-22T01:39:14.713Z pending 0\n'), withTimes);
    });
  });

  describe('determinism', () => {
    it('the same dataset saved with and without compression renders identically', () => {
      assert.equal(render(join(OK, 'dump-7.0.15-nocompress.rdb')), render(join(OK, 'dump-7.0.15-all-types.rdb')));
    });

    it('LRU idle times and LFU counters are not data: the -lru and -lfu saves render identically', () => {
      const lfu = render(join(OK, 'dump-7.0.15-lfu.rdb'));
      assert.equal(render(join(OK, 'dump-7.0.15-lru.rdb')), lfu);
      assert.equal(render(join(OK, 'dump-7.0.15-compressed-quicklist.rdb')), lfu);
      assert.doesNotMatch(lfu, /idle|freq/);
    });

    it('the -lfu save holds the all-types data plus list:cmp and list:cmp2, in a different key order: only those blocks differ', () => {
      const all = render(join(OK, 'dump-7.0.15-all-types.rdb'));
      const lfu = render(join(OK, 'dump-7.0.15-lfu.rdb'));
      const without = lfu
        .replace(block(lfu, 'db0 "list:cmp" list') + '\n', '')
        .replace(block(lfu, 'db0 "list:cmp2" list') + '\n', '')
        .replace('keys 27 (db0: 25, db3: 2)', 'keys 25 (db0: 23, db3: 2)');
      assert.equal(without, all);
    });

    it('key order in the file does not matter; keys sort by db, then by key bytes (memcmp)', () => {
      const records = [
        { db: 1, key: 'b', value: '1' },
        { db: 0, key: Uint8Array.from([0xff, 0x01]), value: 'high' },
        { db: 0, key: 'B', value: 'upper' },
        { db: 0, key: 'a', value: 'x\ny', expireAtMs: 4102444800000 },
        { db: 0, key: Uint8Array.from([0x00]), value: 'nul' },
        { db: 1, key: 'a', value: '2' },
      ];
      const text = renderSnapshotText(new MemorySource(rdb(records))).text;
      const body =
        'db0 "\\x00" string\n  "nul"\n\n' +
        'db0 "B" string\n  "upper"\n\n' +
        'db0 "a" string ttl 2100-01-01T00:00:00.000Z\n  "x\\ny"\n\n' +
        'db0 "\\xff\\x01" string\n  "high"\n\n' +
        'db1 "a" string\n  "2"\n\n' +
        'db1 "b" string\n  "1"\n\n';
      assert.equal(text, `${HEAD}keys 6 (db0: 4, db1: 2)\n\n${body}`);
      const reversed = renderSnapshotText(new MemorySource(rdb([...records].reverse()))).text;
      assert.equal(reversed, text);
    });
  });

  describe('limits and streaming', () => {
    const file = join(OK, 'dump-7.0.15-all-types.rdb');

    it('cuts long strings and big collections with a marker, a size and a CRC-64 of the whole', () => {
      const text = render(file, { maxBytes: 10, maxElements: 3 });
      assert.match(block(text, 'db0 "str:lzf" string'), /^db0 "str:lzf" string\n {2}"aaaaaaaaaa"… \[cut: 10 of 200 bytes shown, crc64 0x[0-9a-f]{16}\]\n$/);
      assert.match(
        block(text, 'db0 "list:small" list'),
        /^db0 "list:small" list\n {2}\[0\] "a"\n {2}\[1\] "b"\n {2}\[2\] "c"\n {2}… \[cut: 3 of 7 items shown, crc64 of all 0x[0-9a-f]{16}\]\n$/,
      );
      // A change past the cut still changes the text (the CRC).
      const a = renderSnapshotText(new MemorySource(rdb([{ db: 0, key: 'k', value: 'aaaaaaaaaaaa-1' }])), { maxBytes: 10 }).text;
      const b = renderSnapshotText(new MemorySource(rdb([{ db: 0, key: 'k', value: 'aaaaaaaaaaaa-2' }])), { maxBytes: 10 }).text;
      assert.notEqual(a, b);
      assert.equal(a.split('\n').length, b.split('\n').length);
    });

    it('wrap 0 keeps each string on one line; encodings on request', () => {
      const text = render(file, { wrap: 0, encodings: true });
      assert.equal(block(text, 'db0 "str:lzf" string encoding string'), `db0 "str:lzf" string encoding string\n  "${'a'.repeat(200)}"\n`);
      assert.ok(text.includes('db0 "list:small" list encoding quicklist-v2\n'));
    });

    it('streams the text in pieces of whole lines, the same text as in one piece', () => {
      const pieces: string[] = [];
      renderSnapshot(new MemorySource(readFileSync(file)), (t) => void pieces.push(t));
      assert.ok(pieces.length > 25);
      for (const p of pieces) assert.ok(p.endsWith('\n'));
      assert.equal(pieces.join(''), render(file));
    });

    it('reads each record only up to its end in the second pass', () => {
      const bytes = readFileSync(file);
      let read = 0;
      const counting: ByteSource = {
        size: bytes.length,
        read: (o, l) => {
          const out = bytes.subarray(o, Math.min(o + l, bytes.length));
          read += out.length;
          return out;
        },
      };
      renderSnapshot(counting, () => {});
      // Pass 1 reads the file once; pass 2 each record once more (plus a few bytes each).
      assert.ok(read < bytes.length * 2 + 25 * 64, `${read} bytes read for a ${bytes.length}-byte file`);
    });
  });

  it('a damaged file: what decodes is rendered, the problems are listed at the end, nothing throws', () => {
    const { text, result } = renderSnapshotText(new MemorySource(readFileSync(join(ERR, 'rdb-listpack-bad-entry.rdb'))));
    assert.equal(result.ok, false);
    assert.ok(text.includes('db0 "str:plain" string\n  "hello world"\n'));
    assert.match(text, /\nproblems \(the file is damaged\)\n {2}error rdb\.listpack\.integrity at 0x1E1 \(481\): .* \(db0 key "hash:lp"\)\n\n$/);
    const notRdb = renderSnapshotText(new MemorySource(Buffer.from('hello')), { aux: true }).text;
    assert.match(notRdb, /format: not an RDB file\nkeys 0\n/);
  });
});
