import assert from 'node:assert/strict';
import { bytesKey, findDuplicate } from '../../src/core/rdb/duplicates.js';
import type { PackedEntry } from '../../src/core/rdb/packedEntry.js';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { crc64 } from '../../src/core/bytes/crc64.js';
import { parseRdb } from '../../src/core/rdb/parser.js';

const s = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'latin1'));

describe('findDuplicate', () => {
  it('returns -1 for distinct and empty inputs', () => {
    assert.equal(findDuplicate([], 0, 1), -1);
    assert.equal(findDuplicate([s('a'), s('b'), 1, 2n ** 60n], 0, 1), -1);
    assert.equal(findDuplicate([s('a')], 3, 2), -1);
  });

  it('finds byte-equal strings and returns the later index', () => {
    assert.equal(findDuplicate([s('a'), s('b'), s('c'), s('b')], 0, 1), 3);
    assert.equal(findDuplicate([s(''), s('x'), s('')], 0, 1), 2);
  });

  it('treats an integer as equal to its decimal text only', () => {
    assert.equal(findDuplicate([5, s('5')], 0, 1), 1);
    assert.equal(findDuplicate([s('-12'), -12], 0, 1), 1);
    assert.equal(findDuplicate([5, s('05'), s('+5'), s('5 '), s('5.0')], 0, 1), -1);
    assert.equal(findDuplicate([9223372036854775807n, s('9223372036854775807')], 0, 1), 1);
    assert.equal(findDuplicate([7, 7], 0, 1), 1);
    assert.equal(findDuplicate([2n ** 60n, 2n ** 60n], 0, 1), 1);
    assert.equal(findDuplicate([3, 3n], 0, 1), 1);
  });

  it('only compares entries[first], entries[first + stride], …', () => {
    // Hash listpack: fields at even indexes; equal values do not count.
    const hash: PackedEntry[] = [s('f1'), s('v'), s('f2'), s('v'), s('f3'), s('f1')];
    assert.equal(findDuplicate(hash, 0, 2), -1);
    assert.equal(findDuplicate(hash, 1, 2), 3);
    hash.push(s('f2'), s('x'));
    assert.equal(findDuplicate(hash, 0, 2), 6);
    // HASH_LISTPACK_EX triples: (field, value, expiry).
    const triples: PackedEntry[] = [s('a'), s('1'), 0, s('b'), s('a'), 0, s('a'), s('2'), 5];
    assert.equal(findDuplicate(triples, 0, 3), 6);
    // Zset listpack: members at even indexes, scores may repeat.
    assert.equal(findDuplicate([s('m1'), 1, s('m2'), 1], 0, 2), -1);
  });

  it('gives the same answers on the Set path for large counts', () => {
    for (const n of [15, 16, 17, 100, 1000]) {
      const entries: PackedEntry[] = [];
      for (let i = 0; i < n; i++) entries.push(i % 2 ? s(`m${i}`) : i * 1000, s('score'));
      assert.equal(findDuplicate(entries, 0, 2), -1, `n=${n}`);
      entries.push(s(String((n - 1 - ((n - 1) % 2)) * 1000)), s('score'));
      assert.equal(findDuplicate(entries, 0, 2), 2 * n, `n=${n}`);
      entries.push(s(`m${n - 1 - (n % 2)}`));
      assert.equal(findDuplicate(entries, 1, 2), 3, `n=${n}`);
    }
  });

  it('distinguishes binary strings that differ only in high bytes', () => {
    const entries: PackedEntry[] = [];
    for (let i = 0; i < 256; i++) entries.push(Uint8Array.of(i, 0xff - i));
    assert.equal(findDuplicate(entries, 0, 1), -1);
    entries.push(Uint8Array.of(0x80, 0x7f));
    assert.equal(findDuplicate(entries, 0, 1), 256);
  });
});

describe('bytesKey', () => {
  it('maps each byte to one code unit', () => {
    assert.equal(bytesKey(Uint8Array.of()), '');
    assert.equal(bytesKey(Uint8Array.of(0, 0x41, 0x80, 0xff)), '\u0000A\u0080\u00ff');
  });

  it('handles values far beyond the argument limit of String.fromCharCode', () => {
    const big = new Uint8Array(1_000_003);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const key = bytesKey(big);
    assert.equal(key.length, big.length);
    for (const i of [0, 8191, 8192, 8193, 500_000, big.length - 1]) assert.equal(key.charCodeAt(i), big[i]);
  });
});

describe('duplicate keys across read-window refills', () => {
  // A key read as a view of the window must be hashed before its value's read
  // refills (and overwrites) the window: with a 64-byte window every value here
  // spans refills, and the second "dup" must still be found.
  it('finds a duplicate whose value spans window refills (walk mode, reused window)', () => {
    const str = (t: string): number[] => [t.length, ...Buffer.from(t, 'latin1')];
    const body: number[] = [...Buffer.from('REDIS0009'), 0xfe, 0x00];
    for (const [k, v] of [['dup', 'x'.repeat(60)], ['other', 'y'.repeat(60)], ['dup', 'z'.repeat(60)]] as const) body.push(0x00, ...str(k), ...str(v));
    body.push(0xff);
    const crc = crc64(new Uint8Array(body));
    const bytes = new Uint8Array([...body, ...Array.from({ length: 8 }, (_, i) => Number((crc >> BigInt(8 * i)) & 0xffn))]);
    for (const chunkSize of [64, 100, 1 << 20]) {
      const r = parseRdb(new MemorySource(bytes), {}, { keepStrings: false, reuseBuffers: true, chunkSize });
      const dup = r.problems.find((p) => p.code === 'rdb.duplicate-key');
      assert.ok(dup, `chunk ${chunkSize}: ${JSON.stringify(r.problems.map((p) => p.code))}`);
      assert.equal(Buffer.from(dup.key!).toString(), 'dup');
      assert.equal(r.ok, false);
    }
  });
});
