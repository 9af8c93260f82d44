import assert from 'node:assert/strict';
import { DecodeError } from '../../src/core/bytes/decodeError.js';
import { decodeListpack } from '../../src/core/rdb/listpack.js';
import type { PackedEntry } from '../../src/core/rdb/packedEntry.js';

// Encoders written from spec §9.2 (redis src/listpack.c `lpEncodeBacklen` and the encoding table).

/** Backlen bytes for an encoding+data size `e`, in file order. */
function backlen(e: number): number[] {
  if (e <= 127) return [e];
  if (e < 16383) return [e >> 7, (e & 127) | 128];
  if (e < 2097151) return [e >> 14, ((e >> 7) & 127) | 128, (e & 127) | 128];
  if (e < 268435455) return [e >> 21, ((e >> 14) & 127) | 128, ((e >> 7) & 127) | 128, (e & 127) | 128];
  return [Math.floor(e / 2 ** 28), ((e >> 21) & 127) | 128, ((e >> 14) & 127) | 128, ((e >> 7) & 127) | 128, (e & 127) | 128];
}

function le(v: bigint, bytes: number): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = 0; i < bytes; i++, x >>= 8n) out.push(Number(x & 0xffn));
  return out;
}

const text = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** Encoding+data for each listpack encoding (no backlen). */
const enc = {
  uint7: (v: number): number[] => [v],
  str6: (s: number[]): number[] => [0x80 | s.length, ...s],
  int13: (v: number): number[] => {
    const u = v & 0x1fff;
    return [0xc0 | (u >> 8), u & 0xff];
  },
  str12: (s: number[]): number[] => [0xe0 | (s.length >> 8), s.length & 0xff, ...s],
  str32: (s: number[]): number[] => [0xf0, ...le(BigInt(s.length), 4), ...s],
  int16: (v: number): number[] => [0xf1, ...le(BigInt(v), 2)],
  int24: (v: number): number[] => [0xf2, ...le(BigInt(v), 3)],
  int32: (v: number): number[] => [0xf3, ...le(BigInt(v), 4)],
  int64: (v: bigint): number[] => [0xf4, ...le(v, 8)],
};

/** A whole entry: encoding+data then its backlen. */
const entry = (e: number[]): number[] => [...e, ...backlen(e.length)];

/** A listpack from raw entries (already including backlen). */
function listpackRaw(entries: ArrayLike<number>[], numElements = entries.length): Uint8Array {
  let total = 7;
  for (const e of entries) total += e.length;
  const blob = new Uint8Array(total);
  blob.set([...le(BigInt(total), 4), ...le(BigInt(numElements), 2)], 0);
  let p = 6;
  for (const e of entries) {
    blob.set(e, p);
    p += e.length;
  }
  blob[p] = 0xff;
  return blob;
}

/** A whole 32-bit-string entry of `n` bytes of 'a', built without number arrays (for megabyte sizes). */
function bigStr32Entry(n: number): Uint8Array {
  const bl = backlen(5 + n);
  const out = new Uint8Array(5 + n + bl.length).fill(0x61, 5, 5 + n);
  out.set([0xf0, ...le(BigInt(n), 4)], 0);
  out.set(bl, 5 + n);
  return out;
}

/** A listpack from encoding+data parts (backlen added). */
const listpack = (parts: number[][], numElements = parts.length): Uint8Array => listpackRaw(parts.map(entry), numElements);

function throwsDecode(fn: () => unknown, offset: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    assert.equal(e.code, 'rdb.listpack.integrity');
    assert.match(e.message, message);
    assert.equal(e.offset, offset);
    return true;
  });
}

/** Entries with strings as latin1 text, for deep equality. */
function plain(entries: PackedEntry[]): (string | number | bigint)[] {
  return entries.map((e) => (e instanceof Uint8Array ? Buffer.from(e).toString('latin1') : e));
}

describe('decodeListpack', () => {
  it('decodes every encoding with exact values', () => {
    const s63 = text('x'.repeat(63));
    const s64 = text('y'.repeat(64));
    const s4095 = text('z'.repeat(4095));
    const s4096 = text('w'.repeat(4096));
    const blob = listpack([
      enc.uint7(0),
      enc.uint7(127),
      enc.str6([]),
      enc.str6(text('abc')),
      enc.str6(s63),
      enc.int13(-4096),
      enc.int13(4095),
      enc.int13(-1),
      enc.int13(128),
      enc.str12(s64),
      enc.str12(s4095),
      enc.str32(s4096),
      enc.int16(-32768),
      enc.int16(32767),
      enc.int24(-8388608),
      enc.int24(8388607),
      enc.int32(-2147483648),
      enc.int32(2147483647),
      enc.int64(-9223372036854775808n),
      enc.int64(9223372036854775807n),
      enc.int64(2n ** 53n - 1n),
      enc.int64(-(2n ** 53n - 1n)),
      enc.int64(2n ** 53n),
      enc.int64(-(2n ** 53n)),
      enc.int64(-5n),
    ]);
    assert.deepEqual(plain(decodeListpack(blob, 0)), [
      0, 127, '', 'abc', 'x'.repeat(63), -4096, 4095, -1, 128, 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096),
      -32768, 32767, -8388608, 8388607, -2147483648, 2147483647,
      -9223372036854775808n, 9223372036854775807n, 2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 53n, -(2n ** 53n), -5,
    ]);
  });

  it('decodes entries whose backlen takes 2, 3 and 4 bytes, including the 16383 threshold', () => {
    const sizes = [16382 - 5, 16383 - 5, 2097150 - 5, 2097151 - 5];
    const blob = listpackRaw(sizes.map(bigStr32Entry));
    assert.deepEqual(decodeListpack(blob, 0).map((e) => (e as Uint8Array).length), sizes);
    // 16382 → 2 bytes, 16383 → 3 bytes (lpEncodeBacklen uses `<`), 2097151 → 4 bytes.
    assert.deepEqual(sizes.map((n) => backlen(n + 5).length), [2, 3, 3, 4]);
  });

  it('returns strings as views into the blob, not copies', () => {
    const blob = listpack([enc.str6(text('hello')), enc.str12(text('q'.repeat(100)))]);
    const [a, b] = decodeListpack(blob, 0) as Uint8Array[];
    assert.equal(a!.buffer, blob.buffer);
    assert.equal(a!.byteOffset, 7);
    assert.equal(b!.byteOffset, 6 + 7 + 2);
  });

  it('reports absolute entry starts from base', () => {
    const starts: number[] = [];
    const blob = listpack([enc.uint7(1), enc.str6(text('ab')), enc.int16(1000), enc.int64(1n)]);
    decodeListpack(blob, 1000, starts);
    assert.deepEqual(starts, [1006, 1008, 1012, 1016]);
  });

  it('accepts an empty listpack and num_elements 65535', () => {
    assert.deepEqual(decodeListpack(listpack([]), 0), []);
    assert.deepEqual(decodeListpack(listpack([enc.uint7(7), enc.uint7(8)], 65535), 0), [7, 8]);
  });

  it('decodes a real Redis 7.0.15 hash listpack (DUMP of HSET h f1 v1 f2 123 f3 -5000 f4 100000 f5 9000000000 f6 "")', () => {
    const dump = Buffer.from(
      '103a3a0000000c008266310382763103826632037b0182663303f178ec0382663403f2a086010482663503f4001a71180200000009826636038001ff0a00e21aded0a9871e51',
      'hex',
    );
    // DUMP = type 16, RDB string length 0x3A (58), the listpack, then version and CRC.
    const blob = new Uint8Array(dump.subarray(2, 2 + 58));
    assert.deepEqual(plain(decodeListpack(blob, 2)), ['f1', 'v1', 'f2', 123, 'f3', -5000, 'f4', 100000, 'f5', 9000000000, 'f6', '']);
  });

  describe('integrity errors', () => {
    const good = (): Uint8Array => listpack([enc.uint7(1), enc.str6(text('ab')), enc.int16(1000)]);

    it('rejects a blob shorter than 7 bytes', () => {
      throwsDecode(() => decodeListpack(Uint8Array.from([6, 0, 0, 0, 0, 0]), 50), 50, /shorter than the 7-byte minimum/);
      throwsDecode(() => decodeListpack(new Uint8Array(0), 50), 50, /0 bytes/);
    });

    it('rejects total_bytes different from the blob size', () => {
      const blob = good();
      blob[0] = blob[0]! + 1;
      throwsDecode(() => decodeListpack(blob, 10), 10, /^total_bytes is 18 but the listpack is 17 bytes$/);
    });

    it('rejects a missing terminator', () => {
      const blob = good();
      blob[blob.length - 1] = 0xfe;
      throwsDecode(() => decodeListpack(blob, 10), 10 + blob.length - 1, /last byte is 0xFE/);
    });

    it('rejects every invalid encoding byte 0xF5..0xFE', () => {
      for (let b = 0xf5; b <= 0xfe; b++) {
        const blob = listpackRaw([entry(enc.uint7(1)), [b, 0, 0, 0, 0, 0, 0, 0, 0, 0]]);
        const hex = b.toString(16).toUpperCase();
        throwsDecode(() => decodeListpack(blob, 100), 108, new RegExp(`^entry 1: invalid encoding byte 0x${hex}$`));
      }
    });

    it('rejects a backlen with the wrong value', () => {
      const raw = [entry(enc.uint7(1)), entry(enc.str6(text('ab')))];
      raw[1]![3] = 4; // should be 3
      throwsDecode(() => decodeListpack(listpackRaw(raw), 0), 11, /^entry 1: backlen decodes to 4 over 1 byte, expected 3 over 1 byte$/);
    });

    it('rejects a backlen that is not terminated within 5 bytes', () => {
      const raw = [entry(enc.int64(-1n))];
      raw[0]![9] = 0x89; // bit 7 set: keeps reading into the data, which is all 0xFF
      throwsDecode(() => decodeListpack(listpackRaw(raw), 0), 15, /^entry 0: backlen is not terminated within 5 bytes/);
    });

    it('rejects a backlen spanning more bytes than lpEncodeBacklen writes, even when its value matches', () => {
      // int32 0: data ends in 0x00, so a backlen byte 0x85 decodes to 5 via that 0x00 (Redis would accept).
      const raw = [entry(enc.int32(0))];
      raw[0]![5] = 0x85;
      throwsDecode(() => decodeListpack(listpackRaw(raw), 0), 11, /^entry 0: backlen decodes to 5 over 2 bytes, expected 5 over 1 byte$/);
    });

    it('rejects num_elements that does not match the entries', () => {
      throwsDecode(() => decodeListpack(listpack([enc.uint7(1), enc.uint7(2)], 3), 20), 24, /^num_elements is 3 but the listpack holds 2 entries$/);
      throwsDecode(() => decodeListpack(listpack([], 1), 20), 24, /holds 0 entries/);
    });

    it('rejects an entry overrunning the terminator', () => {
      // A 6-bit string claiming 10 bytes with only 3 before the terminator.
      const blob = listpackRaw([entry(enc.uint7(1)), [0x80 | 10, 0x61, 0x62]]);
      throwsDecode(() => decodeListpack(blob, 0), 8, /^entry 1: needs 11 bytes plus a 1-byte backlen, only 3 bytes left before the terminator$/);
      // An int64 whose backlen would be the terminator.
      const blob2 = listpackRaw([enc.int64(1n)]);
      throwsDecode(() => decodeListpack(blob2, 0), 6, /^entry 0: needs 9 bytes plus a 1-byte backlen, only 9 bytes left/);
    });

    it('rejects 12-bit and 32-bit string headers cut by the terminator', () => {
      throwsDecode(() => decodeListpack(listpackRaw([[0xe0]]), 0), 6, /^entry 0: 12-bit string header needs 2 bytes, only 1 left/);
      throwsDecode(() => decodeListpack(listpackRaw([[0xf0, 1, 0]]), 0), 6, /^entry 0: 32-bit string header needs 5 bytes, only 3 left/);
      // A huge 32-bit length must not allocate or read: it is rejected by arithmetic alone.
      throwsDecode(() => decodeListpack(listpackRaw([[0xf0, 0xff, 0xff, 0xff, 0xff, 0, 0]]), 0), 6, /needs 4294967300 bytes/);
    });

    it('rejects a terminator before the last byte', () => {
      const blob = listpackRaw([entry(enc.uint7(1)), [0xff], entry(enc.uint7(2))]);
      throwsDecode(() => decodeListpack(blob, 0), 8, /^entry 1: terminator 0xFF at \+8, before the last byte \(\+11\)$/);
    });

    it('rejects a 2-byte backlen where 16383 needs 3', () => {
      const e = enc.str32(new Array<number>(16383 - 5).fill(0x62));
      const raw = [[...e, 16383 >> 7, (16383 & 127) | 128], entry(enc.uint7(1))];
      // The 3-byte backlen the decoder expects ends on the next entry's first byte (0x01).
      throwsDecode(() => decodeListpack(listpackRaw(raw), 0), 6 + 16383, /^entry 0: backlen decodes to 1 over 1 byte, expected 16383 over 3 bytes$/);
    });
  });

  describe('properties', () => {
    const sample = listpack([
      enc.uint7(5), enc.str6(text('hello')), enc.int13(-300), enc.str12(text('k'.repeat(70))), enc.str32(text('abc')),
      enc.int16(-2), enc.int24(70000), enc.int32(-100000), enc.int64(1n << 60n), enc.str12(text('m'.repeat(200))),
    ]);

    it('decodes the sample', () => {
      assert.equal(decodeListpack(sample, 0).length, 10);
    });

    it('rejects every truncation with a DecodeError', () => {
      for (let n = 0; n < sample.length; n++) {
        assert.throws(() => decodeListpack(sample.subarray(0, n), 0), DecodeError, `length ${n}`);
      }
    });

    it('never throws anything but DecodeError when a byte is flipped', () => {
      const blob = new Uint8Array(sample);
      for (let i = 0; i < blob.length; i++) {
        const orig = blob[i]!;
        for (const v of [orig ^ 0x01, orig ^ 0x80, orig ^ 0x40, orig ^ 0xff, 0x00, 0x7f, 0xf0, 0xf4, 0xfe, 0xff]) {
          blob[i] = v;
          try {
            decodeListpack(blob, 0);
          } catch (e) {
            assert.ok(e instanceof DecodeError, `byte ${i} = ${v}: ${String(e)}`);
          }
        }
        blob[i] = orig;
      }
    });

    it('never throws anything but DecodeError on random bodies with a valid header', () => {
      let seed = 12345;
      const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
      for (let round = 0; round < 20000; round++) {
        const size = 7 + (rand() % 40);
        const blob = new Uint8Array(size);
        for (let i = 6; i < size - 1; i++) blob[i] = rand();
        blob.set(le(BigInt(size), 4), 0);
        blob[4] = 0xff;
        blob[5] = 0xff;
        blob[size - 1] = 0xff;
        try {
          const out = decodeListpack(blob, 0);
          assert.ok(Array.isArray(out));
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }
    });
  });
});
