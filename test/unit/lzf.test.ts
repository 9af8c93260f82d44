import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { crc64 } from '../../src/core/bytes/crc64.js';
import { DecodeError } from '../../src/core/bytes/decodeError.js';
import { lzfCompress, lzfDecompress, lzfMaxOutput } from '../../src/core/bytes/lzf.js';
import { redisAvailable, startRedis } from '../support/redisServer.js';

const ALL_TYPES_RDB = '/work/shared/fixtures/generated/redis-7.0.15-debian/rdb/dump-7.0.15-all-types.rdb';
const enc = new TextEncoder();

function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else out.push(...enc.encode(p));
  }
  return Uint8Array.from(out);
}

function randomBytes(n: number, seed: number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x % alphabet;
  }
  return out;
}

/** Asserts that `fn` throws `rdb.lzf.invalid` with exactly this message and offset. */
function assertLzfError(fn: () => unknown, message: string, offset: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    assert.equal(e.code, 'rdb.lzf.invalid');
    assert.equal(e.message, message);
    assert.equal(e.offset, offset);
    return true;
  });
}

function roundTrip(data: Uint8Array): Uint8Array | undefined {
  const c = lzfCompress(data);
  if (c !== undefined) {
    assert.ok(c.length < data.length, 'compressed output must be smaller');
    assert.deepEqual(lzfDecompress(c, data.length, 0), data);
  }
  return c;
}

/** RDB length encoding (6-bit, 14-bit, 32-bit). */
function rdbLen(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

describe('lzfDecompress', () => {
  it('decodes the str:lzf value Redis 7.0.15 wrote ("a" x 200)', () => {
    const file = new Uint8Array(fs.readFileSync(ALL_TYPES_RDB));
    const key = enc.encode('str:lzf');
    let k = -1;
    for (let i = 0; i + key.length <= file.length && k < 0; i++) {
      if (key.every((b, j) => file[i + j] === b)) k = i;
    }
    assert.ok(k > 0);
    let p = k + key.length;
    assert.equal(file[p++], 0xc3, 'LZF string encoding');
    assert.equal(file[p++], 9, 'compressed length');
    assert.deepEqual([file[p], file[p + 1]], [0x40, 0xc8], 'uncompressed length 200 (14-bit)');
    p += 2;
    const input = file.subarray(p, p + 9);
    assert.deepEqual([...input], [0x01, 0x61, 0x61, 0xe0, 0xbb, 0x00, 0x01, 0x61, 0x61]);
    const out = lzfDecompress(input, 200, p);
    assert.deepEqual(out, new Uint8Array(200).fill(0x61));
  });

  it('decodes literal runs of 1..32 bytes', () => {
    assert.deepEqual(lzfDecompress(bytes(0x00, 'x'), 1, 0), bytes('x'));
    const lit32 = randomBytes(32, 5);
    assert.deepEqual(lzfDecompress(Uint8Array.of(0x1f, ...lit32), 32, 0), lit32);
    assert.deepEqual(lzfDecompress(bytes(0x02, 'abc', 0x01, 'de'), 5, 0), bytes('abcde'));
  });

  it('copies overlapping back references byte by byte (run-length)', () => {
    // "ab" then 6 bytes from distance 2 -> "abababab"
    assert.deepEqual(lzfDecompress(bytes(0x01, 'ab', 0x80, 0x01), 8, 0), bytes('abababab'));
    // distance 1, 2-byte form with max length 8
    assert.deepEqual(lzfDecompress(bytes(0x00, 'z', 0xc0, 0x00), 9, 0), bytes('zzzzzzzzz'));
    // distance 3, length 5 (overlap by 2)
    assert.deepEqual(lzfDecompress(bytes(0x02, 'abc', 0x60, 0x02), 8, 0), bytes('abcabcab'));
  });

  it('copies non-overlapping back references, including extended lengths and distance 8192', () => {
    const lit = randomBytes(8192, 77);
    // Literal runs of 32 to lay down 8192 bytes, then copy 264 bytes from distance 8192.
    const parts: number[] = [];
    for (let i = 0; i < 8192; i += 32) parts.push(0x1f, ...lit.subarray(i, i + 32));
    parts.push(0xff, 0xff, 0xff); // ctrl 0xFF: n = 7 + 255, distance (31 << 8) + 255 + 1 = 8192
    const out = lzfDecompress(Uint8Array.from(parts), 8192 + 264, 0);
    assert.deepEqual(out.subarray(0, 8192), lit);
    assert.deepEqual(out.subarray(8192), lit.subarray(0, 264));
    // distance 4 length 3: "wxyz" + "wxy"
    assert.deepEqual(lzfDecompress(bytes(0x03, 'wxyz', 0x20, 0x03), 7, 0), bytes('wxyzwxy'));
  });

  it('accepts empty input with length 0', () => {
    assert.deepEqual(lzfDecompress(new Uint8Array(0), 0, 10), new Uint8Array(0));
  });

  it('lzfMaxOutput is the exact maximum (checked against a dynamic program)', () => {
    // best[c]: most output from exactly c input bytes of a valid stream (-1: impossible).
    const N = 120;
    const best: number[] = [0];
    for (let c = 1; c <= N; c++) {
      let b = -1;
      for (let k = 1; k <= 32 && k + 1 <= c; k++) if (best[c - 1 - k] >= 0) b = Math.max(b, best[c - 1 - k] + k);
      for (const [cost, gain] of [[2, 8], [3, 264]]) {
        if (c - cost >= 0 && best[c - cost] > 0) b = Math.max(b, best[c - cost] + gain);
      }
      best.push(b);
    }
    for (let c = 0; c <= N; c++) assert.equal(lzfMaxOutput(c), Math.max(best[c], 0), `clen ${c}`);
    assert.equal(lzfMaxOutput(2), 1);
    assert.equal(lzfMaxOutput(5), 265);
    assert.equal(lzfMaxOutput(1_000_000), 1 + 333_332 * 264 + 8);
  });

  it('decodes a maximally expanding stream and rejects one byte more without allocating', () => {
    for (let c = 2; c <= 40; c++) {
      const rest = c - 2;
      const parts: number[] = [(rest % 3 === 1 ? 1 : 0), 0x61];
      if (rest % 3 === 1) parts.push(0x61);
      for (let i = 0; i < Math.floor(rest / 3); i++) parts.push(0xe0, 0xff, 0x00);
      if (rest % 3 === 2) parts.push(0xc0, 0x00);
      const input = Uint8Array.from(parts);
      assert.equal(input.length, c);
      const max = lzfMaxOutput(c);
      assert.deepEqual(lzfDecompress(input, max, 0), new Uint8Array(max).fill(0x61), `clen ${c}`);
      assertLzfError(
        () => lzfDecompress(input, max + 1, 50),
        `uncompressed length ${max + 1} is impossible for ${c} compressed bytes (at most ${max})`,
        50,
      );
    }
    assertLzfError(
      () => lzfDecompress(bytes(0x00, 'a'), 2 ** 40, 7),
      'uncompressed length 1099511627776 is impossible for 2 compressed bytes (at most 1)',
      7,
    );
    assertLzfError(() => lzfDecompress(new Uint8Array(0), 1, 3), 'uncompressed length 1 is impossible for 0 compressed bytes (at most 0)', 3);
    assertLzfError(() => lzfDecompress(bytes(0x00), 1, 3), 'uncompressed length 1 is impossible for 1 compressed byte (at most 0)', 3);
  });

  it('rejects lengths that are not non-negative integers', () => {
    assertLzfError(() => lzfDecompress(bytes(0x00, 'a'), -1, 9), 'invalid uncompressed length -1', 9);
    assertLzfError(() => lzfDecompress(bytes(0x00, 'a'), 0.5, 9), 'invalid uncompressed length 0.5', 9);
    assertLzfError(() => lzfDecompress(bytes(0x00, 'a'), NaN, 9), 'invalid uncompressed length NaN', 9);
    assertLzfError(() => lzfDecompress(bytes(0x00, 'a'), 2 ** 64, 9), 'invalid uncompressed length 18446744073709552000', 9);
  });

  it('reports output overflow at the offending control byte', () => {
    assertLzfError(
      () => lzfDecompress(bytes(0x02, 'abc'), 2, 100),
      'output overflow: literal run of 3 bytes at output position 0 exceeds the uncompressed length 2',
      100,
    );
    // ulen 0 with clen > 0
    assertLzfError(
      () => lzfDecompress(bytes(0x00, 'a'), 0, 100),
      'output overflow: literal run of 1 byte at output position 0 exceeds the uncompressed length 0',
      100,
    );
    assertLzfError(
      () => lzfDecompress(bytes(0x00, 'a', 0x20, 0x00), 3, 100),
      'output overflow: back reference of 3 bytes at output position 1 exceeds the uncompressed length 3',
      102,
    );
    // Leftover input after the expected length is reached.
    assertLzfError(
      () => lzfDecompress(bytes(0x01, 'ab', 0x00, 'c'), 2, 100),
      'output overflow: literal run of 1 byte at output position 2 exceeds the uncompressed length 2',
      103,
    );
    // Overflow is checked before the reference's validity (spec order).
    assertLzfError(
      () => lzfDecompress(bytes(0x20, 0x05), 1, 100),
      'output overflow: back reference of 3 bytes at output position 0 exceeds the uncompressed length 1',
      100,
    );
  });

  it('reports input overrun at the offending control byte', () => {
    assertLzfError(
      () => lzfDecompress(bytes(0x00, 'a', 0x05, 'b'), 7, 100),
      'input overrun: literal run of 6 bytes needs 5 more input bytes',
      102,
    );
    assertLzfError(
      () => lzfDecompress(bytes(0x00, 'a', 0x01, 'b'), 3, 100),
      'input overrun: literal run of 2 bytes needs 1 more input byte',
      102,
    );
    assertLzfError(
      () => lzfDecompress(bytes(0x01, 'ab', 0x20), 5, 100),
      'input overrun: back reference is missing its offset byte',
      103,
    );
    assertLzfError(
      () => lzfDecompress(bytes(0x01, 'ab', 0xe0), 9, 100),
      'input overrun: back reference is missing its length byte',
      103,
    );
    assertLzfError(
      () => lzfDecompress(bytes(0x01, 'ab', 0xe0, 0x00), 11, 100),
      'input overrun: back reference is missing its offset byte',
      103,
    );
  });

  it('reports back references before the start', () => {
    assertLzfError(
      () => lzfDecompress(bytes(0x00, 'a', 0x20, 0x01), 4, 100),
      'back reference before start: distance 2 at output position 1',
      102,
    );
    assertLzfError(
      () => lzfDecompress(bytes(0x20, 0x00, 0x00, 0x00), 9, 100),
      'back reference before start: distance 1 at output position 0',
      100,
    );
    assertLzfError(
      () => lzfDecompress(bytes(0x03, 'abcd', 0xff, 0x00, 0xff), 300, 100),
      'back reference before start: distance 8192 at output position 4',
      105,
    );
  });

  it('reports a short result at the end of the input', () => {
    assertLzfError(() => lzfDecompress(bytes(0x00, 'a', 0x20, 0x00), 5, 100), 'decompressed 4 bytes, expected 5', 104);
    assertLzfError(() => lzfDecompress(bytes(0x02, 'abc'), 4, 100), 'decompressed 3 bytes, expected 4', 104);
    assertLzfError(() => lzfDecompress(bytes(0x00, 'a', 0x00, 'b'), 3, 100), 'decompressed 2 bytes, expected 3', 104);
  });

  it('never throws anything but DecodeError, nor returns a wrong length, on truncated streams', () => {
    const samples = [
      enc.encode('hello hello hello hello hello world world world world!'),
      new Uint8Array(5000).fill(0x41),
      randomBytes(3000, 3, 4),
      Uint8Array.from({ length: 4000 }, (_, i) => (i * 7) % 251 < 40 ? 0 : i & 0xff),
    ];
    for (const data of samples) {
      const c = lzfCompress(data);
      assert.ok(c !== undefined);
      assert.deepEqual(lzfDecompress(c, data.length, 0), data);
      for (let k = 0; k < c.length; k++) {
        assert.throws(
          () => lzfDecompress(c.subarray(0, k), data.length, 1000),
          (e: unknown) => e instanceof DecodeError && e.code === 'rdb.lzf.invalid' && e.offset >= 1000 && e.offset <= 1000 + k,
          `prefix ${k} of ${c.length}`,
        );
      }
    }
  });

  it('never throws anything but DecodeError on corrupted streams, and any result has the claimed length', () => {
    const data = enc.encode('the quick brown fox jumps over the lazy dog; '.repeat(40));
    const c = lzfCompress(data);
    assert.ok(c !== undefined);
    let seed = 1;
    for (let trial = 0; trial < 3000; trial++) {
      const mutated = c.slice();
      const flips = 1 + (trial % 3);
      for (let f = 0; f < flips; f++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        mutated[seed % mutated.length] = seed >>> 24;
      }
      const ulen = trial % 5 === 0 ? data.length + (trial % 7) - 3 : data.length;
      try {
        const out = lzfDecompress(mutated, ulen, 0);
        assert.equal(out.length, ulen);
      } catch (e) {
        assert.ok(e instanceof DecodeError && e.code === 'rdb.lzf.invalid', String(e));
        assert.ok(e.offset >= 0 && e.offset <= mutated.length);
      }
    }
  });
});

describe('lzfCompress', () => {
  it('returns undefined for empty, tiny and incompressible input', () => {
    assert.equal(lzfCompress(new Uint8Array(0)), undefined);
    assert.equal(lzfCompress(bytes('a')), undefined);
    assert.equal(lzfCompress(bytes('abc')), undefined);
    assert.equal(lzfCompress(randomBytes(10000, 42)), undefined);
  });

  it('compresses runs with extended back references', () => {
    const c = lzfCompress(new Uint8Array(200).fill(0x61));
    assert.ok(c !== undefined);
    assert.ok(c.length <= 10, `compressed to ${c.length}`);
    assert.deepEqual(lzfDecompress(c, 200, 0), new Uint8Array(200).fill(0x61));
    const zeros = new Uint8Array(100_000);
    const z = roundTrip(zeros);
    assert.ok(z !== undefined && z.length < 100_000 / 80, `100000 zeros -> ${z?.length}`);
  });

  it('round-trips random, repetitive and mixed data of many lengths', () => {
    for (let n = 1; n <= 400; n++) {
      roundTrip(randomBytes(n, n));
      roundTrip(randomBytes(n, n + 1000, 3));
      roundTrip(new Uint8Array(n).fill(n & 0xff));
      roundTrip(enc.encode('abcdefgh'.repeat(Math.ceil(n / 8)).slice(0, n)));
    }
    const text = enc.encode('Redis RDB files store strings with LZF compression. '.repeat(500));
    assert.ok(roundTrip(text) !== undefined);
    // Repeats at distance exactly 8192 (reachable) and 8193 (not).
    for (const period of [8191, 8192, 8193, 9000]) {
      const block = randomBytes(period, period);
      const data = new Uint8Array(period * 3);
      data.set(block, 0);
      data.set(block, period);
      data.set(block, period * 2);
      const c = lzfCompress(data);
      if (period <= 8192) assert.ok(c !== undefined && c.length < period * 1.1, `period ${period}`);
      if (c !== undefined) assert.deepEqual(lzfDecompress(c, data.length, 0), data);
    }
    // A large mixed buffer.
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i += 4096) big.set(randomBytes(4096, (i >>> 12) % 17, (i >>> 12) % 5 === 0 ? 256 : 16), i);
    assert.ok(roundTrip(big) !== undefined);
  });
});

describe('LZF against redis-server 7.0.15', function () {
  before(function () {
    if (!redisAvailable()) this.skip();
  });

  it('Redis loads our compressed strings, and we decode the ones Redis writes', async () => {
    const values = [
      new Uint8Array(200).fill(0x61),
      enc.encode('hello world, hello world, hello world, hello world!'),
      enc.encode('Redis RDB files store strings with LZF compression. '.repeat(300)),
      (() => {
        const b = new Uint8Array(20000);
        for (let i = 0; i < b.length; i += 1000) b.set(randomBytes(1000, (i / 1000) % 3 + 1, 8), i);
        return b;
      })(),
    ];
    // Build an RDB (version 9) whose string values are LZF-encoded by lzfCompress.
    const body: number[] = [...enc.encode('REDIS0009'), 0xfe, 0x00];
    values.forEach((v, i) => {
      const c = lzfCompress(v);
      assert.ok(c !== undefined);
      const key = enc.encode(`k${i}`);
      body.push(0x00, ...rdbLen(key.length), ...key, 0xc3, ...rdbLen(c.length), ...rdbLen(v.length), ...c);
    });
    body.push(0xff);
    const crc = crc64(Uint8Array.from(body));
    for (let i = 0n; i < 8n; i++) body.push(Number((crc >> (8n * i)) & 0xffn));
    const dir = fs.mkdtempSync('/tmp/rpi-lzf-');
    const rdbFile = `${dir}/in.rdb`;
    fs.writeFileSync(rdbFile, Uint8Array.from(body));
    const server = await startRedis({ rdbFile });
    try {
      for (let i = 0; i < values.length; i++) {
        const got = await server.command('GET', `k${i}`);
        assert.ok(Buffer.isBuffer(got), `k${i}`);
        assert.deepEqual(new Uint8Array(got), values[i], `k${i}`);
      }
      // Now let Redis write them back with its own lzf_compress and decode that.
      const saved = new Uint8Array(fs.readFileSync(await server.save()));
      for (let i = 0; i < values.length; i++) {
        const key = enc.encode(`k${i}`);
        let p = -1;
        for (let j = 0; j + key.length + 1 < saved.length && p < 0; j++) {
          if (saved[j] === key.length && key.every((b, t) => saved[j + 1 + t] === b) && saved[j + 1 + key.length] === 0xc3) p = j + 1 + key.length + 1;
        }
        assert.ok(p > 0, `k${i} stored LZF-compressed by Redis`);
        const readLen = (): number => {
          const b = saved[p];
          if (b >> 6 === 0) return (p++, b & 0x3f);
          if (b >> 6 === 1) return (p += 2, ((b & 0x3f) << 8) | saved[p - 1]);
          assert.equal(b, 0x80);
          p += 5;
          return new DataView(saved.buffer, saved.byteOffset + p - 4, 4).getUint32(0);
        };
        const clen = readLen();
        const ulen = readLen();
        assert.equal(ulen, values[i].length);
        assert.deepEqual(lzfDecompress(saved.subarray(p, p + clen), ulen, p), values[i], `k${i}`);
      }
      const stored = new DataView(saved.buffer, saved.byteOffset + saved.length - 8, 8).getBigUint64(0, true);
      assert.equal(crc64(saved.subarray(0, saved.length - 8)), stored);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
