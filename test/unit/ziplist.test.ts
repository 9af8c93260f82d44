import assert from 'node:assert/strict';
import { DecodeError } from '../../src/core/bytes/decodeError.js';
import type { PackedEntry } from '../../src/core/rdb/packedEntry.js';
import { decodeZiplist } from '../../src/core/rdb/ziplist.js';

// Encoders written from spec §9.1 (redis src/ziplist.c header comment).

function le(v: bigint, bytes: number): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = 0; i < bytes; i++, x >>= 8n) out.push(Number(x & 0xffn));
  return out;
}

const text = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** Encoding+data for each ziplist encoding (no prevlen). */
const enc = {
  str6: (s: number[]): number[] => [s.length, ...s],
  str14: (s: number[]): number[] => [0x40 | (s.length >> 8), s.length & 0xff, ...s],
  str32: (s: number[]): number[] => [0x80, (s.length >>> 24) & 0xff, (s.length >> 16) & 0xff, (s.length >> 8) & 0xff, s.length & 0xff, ...s],
  int16: (v: number): number[] => [0xc0, ...le(BigInt(v), 2)],
  int32: (v: number): number[] => [0xd0, ...le(BigInt(v), 4)],
  int64: (v: bigint): number[] => [0xe0, ...le(v, 8)],
  int24: (v: number): number[] => [0xf0, ...le(BigInt(v), 3)],
  int8: (v: number): number[] => [0xfe, v & 0xff],
  imm: (v: number): number[] => [0xf1 + v],
};

interface ZlOptions {
  zllen?: number;
  zltail?: number;
  /** Entry indexes whose prevlen is written in the 5-byte form even when small. */
  bigPrevlen?: number[];
  /** Entry indexes whose prevlen is replaced by this value (same form as computed). */
  prevlenOverride?: Map<number, number>;
}

/** A ziplist from encoding+data parts; prevlen, zltail, zllen and zlbytes are computed. */
function ziplist(parts: number[][], opts: ZlOptions = {}): Uint8Array {
  const body: number[] = [];
  let prevSize = 0;
  let tail = 10;
  parts.forEach((part, i) => {
    tail = 10 + body.length;
    const prevlen = opts.prevlenOverride?.get(i) ?? prevSize;
    const big = prevSize >= 254 || prevlen >= 254 || (opts.bigPrevlen ?? []).includes(i);
    const entry = [...(big ? [0xfe, ...le(BigInt(prevlen), 4)] : [prevlen]), ...part];
    body.push(...entry);
    prevSize = entry.length;
  });
  const size = 10 + body.length + 1;
  return Uint8Array.from([
    ...le(BigInt(size), 4),
    ...le(BigInt(opts.zltail ?? tail), 4),
    ...le(BigInt(opts.zllen ?? parts.length), 2),
    ...body,
    0xff,
  ]);
}

function throwsDecode(fn: () => unknown, offset: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    assert.equal(e.code, 'rdb.ziplist.integrity');
    assert.match(e.message, message);
    assert.equal(e.offset, offset);
    return true;
  });
}

function plain(entries: PackedEntry[]): (string | number | bigint)[] {
  return entries.map((e) => (e instanceof Uint8Array ? Buffer.from(e).toString('latin1') : e));
}

describe('decodeZiplist', () => {
  it('decodes every encoding, including int8, int24 and the immediates 0..12', () => {
    const imms = Array.from({ length: 13 }, (_, v) => enc.imm(v));
    const blob = ziplist([
      enc.str6([]),
      enc.str6(text('x'.repeat(63))),
      enc.str14(text('y'.repeat(64))),
      enc.str14(text('z'.repeat(16383))),
      enc.str32(text('w'.repeat(16384))),
      enc.int16(-32768),
      enc.int16(32767),
      enc.int32(-2147483648),
      enc.int32(2147483647),
      enc.int64(-9223372036854775808n),
      enc.int64(9223372036854775807n),
      enc.int64(2n ** 53n - 1n),
      enc.int64(-(2n ** 53n)),
      enc.int24(-8388608),
      enc.int24(8388607),
      enc.int8(-128),
      enc.int8(127),
      ...imms,
    ]);
    assert.deepEqual(plain(decodeZiplist(blob, 0)), [
      '', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(16383), 'w'.repeat(16384),
      -32768, 32767, -2147483648, 2147483647, -9223372036854775808n, 9223372036854775807n, 2 ** 53 - 1, -(2n ** 53n),
      -8388608, 8388607, -128, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });

  it('uses the 5-byte prevlen after an entry of 254 bytes or more', () => {
    const blob = ziplist([enc.str14(text('a'.repeat(252))), enc.imm(3), enc.str6(text('b'))]);
    // Entry 0 is 1 + 2 + 252 = 255 bytes; entry 1 starts with 0xFE + u32 255.
    assert.deepEqual([...blob.subarray(265, 270)], [0xfe, 255, 0, 0, 0]);
    const starts: number[] = [];
    assert.deepEqual(plain(decodeZiplist(blob, 1000, starts)), ['a'.repeat(252), 3, 'b']);
    assert.deepEqual(starts, [1010, 1265, 1271]);
  });

  it('accepts a 5-byte prevlen holding a small value, as Redis does', () => {
    const blob = ziplist([enc.imm(1), enc.imm(2)], { bigPrevlen: [1] });
    assert.deepEqual(decodeZiplist(blob, 0), [1, 2]);
  });

  it('treats any 10xxxxxx encoding byte as a 32-bit string length, as Redis does', () => {
    const blob = ziplist([[0x81, 0, 0, 0, 3, ...text('abc')]]);
    assert.deepEqual(plain(decodeZiplist(blob, 0)), ['abc']);
  });

  it('returns strings as views into the blob', () => {
    const blob = ziplist([enc.str6(text('hi'))]);
    const [s] = decodeZiplist(blob, 0) as Uint8Array[];
    assert.equal(s!.buffer, blob.buffer);
    assert.equal(s!.byteOffset, 12);
  });

  it('accepts an empty ziplist and zllen 65535', () => {
    assert.deepEqual(decodeZiplist(ziplist([]), 0), []);
    assert.deepEqual(decodeZiplist(ziplist([enc.imm(0), enc.int8(-1)], { zllen: 65535 }), 0), [0, -1]);
  });

  it('decodes a real Redis ziplist (redis-rdb-tools ziplist_with_integers.rdb, RDB 6, offset 0x24)', () => {
    const blob = new Uint8Array(
      Buffer.from(
        '550000004a000000180000f102f202f302f402f502f602f702f802f902fa02fb02fc02fd02fefe03fe0d03fe1903fec303fe3f03c0fc3f04c080c104f0ffff0005f00d00ff05f000004005e0ffffffffffffff7fff',
        'hex',
      ),
    );
    assert.deepEqual(decodeZiplist(blob, 0x24), [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -2, 13, 25, -61, 63, 16380, -16000, 65535, -65523, 4194304, 9223372036854775807n,
    ]);
  });

  describe('integrity errors', () => {
    const good = (): Uint8Array => ziplist([enc.imm(1), enc.str6(text('ab')), enc.int16(1000)]);

    it('rejects a blob shorter than 11 bytes', () => {
      throwsDecode(() => decodeZiplist(new Uint8Array(10), 7), 7, /^ziplist is 10 bytes, shorter than the 11-byte minimum/);
    });

    it('rejects zlbytes different from the blob size', () => {
      const blob = good();
      blob[0] = 99;
      throwsDecode(() => decodeZiplist(blob, 7), 7, /^zlbytes is 99 but the ziplist is 21 bytes$/);
    });

    it('rejects a missing zlend', () => {
      const blob = good();
      blob[20] = 0;
      throwsDecode(() => decodeZiplist(blob, 7), 27, /^last byte is 0x00, not the 0xFF zlend$/);
    });

    it('rejects zltail past zlend, not at the last entry, or not 10 when empty', () => {
      throwsDecode(() => decodeZiplist(ziplist([enc.imm(1)], { zltail: 13 }), 100), 104, /^zltail is 13, past zlend at 12$/);
      throwsDecode(() => decodeZiplist(ziplist([enc.imm(1), enc.imm(2)], { zltail: 10 }), 100), 104, /^zltail is 10 but the last entry starts at 12$/);
      throwsDecode(() => decodeZiplist(ziplist([], { zltail: 0 }), 100), 104, /^zltail is 0 but the ziplist is empty \(expected 10\)$/);
    });

    it('rejects a prevlen that is not the previous entry size', () => {
      throwsDecode(() => decodeZiplist(ziplist([enc.imm(1), enc.imm(2)], { prevlenOverride: new Map([[1, 3]]) }), 0), 12, /^entry 1: prevlen is 3 but the previous entry is 2 bytes$/);
      throwsDecode(() => decodeZiplist(ziplist([enc.imm(1)], { prevlenOverride: new Map([[0, 1]]) }), 0), 10, /^entry 0: prevlen is 1 but the previous entry is 0 bytes$/);
      // A 5-byte prevlen with the wrong value after a long entry.
      throwsDecode(
        () => decodeZiplist(ziplist([enc.str14(text('a'.repeat(300))), enc.imm(1)], { prevlenOverride: new Map([[1, 304]]) }), 0),
        313,
        /^entry 1: prevlen is 304 but the previous entry is 303 bytes$/,
      );
    });

    it('rejects zllen that does not match the entries', () => {
      throwsDecode(() => decodeZiplist(ziplist([enc.imm(1), enc.imm(2)], { zllen: 3 }), 0), 8, /^zllen is 3 but the ziplist holds 2 entries$/);
    });

    it('rejects every invalid encoding byte', () => {
      const invalid = [];
      for (let b = 0xc1; b <= 0xcf; b++) invalid.push(b);
      for (let b = 0xd1; b <= 0xdf; b++) invalid.push(b);
      for (let b = 0xe1; b <= 0xef; b++) invalid.push(b);
      invalid.push(0xff);
      for (const b of invalid) {
        const blob = ziplist([enc.imm(1), [b, 0, 0, 0, 0, 0, 0, 0, 0]]);
        const hex = b.toString(16).toUpperCase();
        throwsDecode(() => decodeZiplist(blob, 50), 63, new RegExp(`^entry 1: invalid encoding byte 0x${hex}$`));
      }
    });

    it('rejects an entry overrunning zlend', () => {
      const blob = ziplist([enc.imm(1), [5, 0x61, 0x62]]);
      throwsDecode(() => decodeZiplist(blob, 0), 13, /^entry 1: needs 7 bytes, only 4 left before zlend$/);
      const blob2 = ziplist([[0xe0, 1, 2, 3]]);
      throwsDecode(() => decodeZiplist(blob2, 0), 11, /^entry 0: needs 10 bytes, only 5 left before zlend$/);
      // A huge 32-bit length is rejected by arithmetic, without reading or allocating.
      const blob3 = ziplist([[0x80, 0xff, 0xff, 0xff, 0xff]]);
      throwsDecode(() => decodeZiplist(blob3, 0), 11, /^entry 0: needs 4294967301 bytes/);
    });

    it('rejects headers cut by zlend', () => {
      throwsDecode(() => decodeZiplist(ziplist([[0x40]]), 0), 11, /^entry 0: 14-bit string header needs 2 bytes, only 1 left before zlend$/);
      throwsDecode(() => decodeZiplist(ziplist([[0x80, 0, 0]]), 0), 11, /^entry 0: 32-bit string header needs 5 bytes, only 3 left before zlend$/);
      // The prevlen byte 0xFE is the first byte of the entry; only 2 more bytes before zlend.
      const blob = ziplist([enc.imm(1), enc.str6([])]);
      blob[12] = 0xfe;
      throwsDecode(() => decodeZiplist(blob, 0), 12, /^entry 1: 5-byte prevlen header needs 5 bytes, only 2 left before zlend$/);
    });

    it('rejects zlend before the last byte', () => {
      const blob = ziplist([enc.imm(1), [0x00]]);
      blob[12] = 0xff; // the second entry's prevlen byte becomes zlend
      throwsDecode(() => decodeZiplist(blob, 0), 12, /^entry 1: zlend 0xFF at \+12, before the last byte \(\+14\)$/);
    });
  });

  describe('properties', () => {
    const sample = ziplist([
      enc.imm(5), enc.str6(text('hello')), enc.int8(-3), enc.str14(text('k'.repeat(260))), enc.str32(text('abc')),
      enc.int16(-2), enc.int24(70000), enc.int32(-100000), enc.int64(1n << 60n), enc.str6(text('m')),
    ]);

    it('decodes the sample', () => {
      assert.equal(decodeZiplist(sample, 0).length, 10);
    });

    it('rejects every truncation with a DecodeError', () => {
      for (let n = 0; n < sample.length; n++) {
        assert.throws(() => decodeZiplist(sample.subarray(0, n), 0), DecodeError, `length ${n}`);
      }
    });

    it('never throws anything but DecodeError when a byte is flipped', () => {
      const blob = new Uint8Array(sample);
      for (let i = 0; i < blob.length; i++) {
        const orig = blob[i]!;
        for (const v of [orig ^ 0x01, orig ^ 0x80, orig ^ 0x40, orig ^ 0xff, 0x00, 0x7f, 0xc1, 0xe0, 0xfe, 0xff]) {
          blob[i] = v;
          try {
            decodeZiplist(blob, 0);
          } catch (e) {
            assert.ok(e instanceof DecodeError, `byte ${i} = ${v}: ${String(e)}`);
          }
        }
        blob[i] = orig;
      }
    });

    it('never throws anything but DecodeError on random bodies with a valid header', () => {
      let seed = 777;
      const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
      for (let round = 0; round < 20000; round++) {
        const size = 11 + (rand() % 40);
        const blob = new Uint8Array(size);
        for (let i = 10; i < size - 1; i++) blob[i] = rand() & (rand() & 1 ? 0xff : 0x0f);
        blob.set(le(BigInt(size), 4), 0);
        blob.set(le(BigInt(rand() % size), 4), 4);
        blob[8] = 0xff;
        blob[9] = 0xff;
        blob[size - 1] = 0xff;
        try {
          assert.ok(Array.isArray(decodeZiplist(blob, 0)));
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }
    });
  });
});
