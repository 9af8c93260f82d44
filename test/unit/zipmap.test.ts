import assert from 'node:assert/strict';
import { DecodeError } from '../../src/core/bytes/decodeError.js';
import type { PackedEntry } from '../../src/core/rdb/packedEntry.js';
import { decodeZipmap } from '../../src/core/rdb/zipmap.js';

// Built from spec §9.4 (redis src/zipmap.c): zmlen, then (len, field, len, free, value, free bytes)*, 0xFF.

const text = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** A zipmap length: 1 byte below 254, else 254 + u32 LE. */
function zmLen(n: number): number[] {
  return n < 254 ? [n] : [254, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}

function zipmap(pairs: [string, string, number?][], zmlen = pairs.length): Uint8Array {
  const body = pairs.flatMap(([f, v, free = 0]) => [...zmLen(f.length), ...text(f), ...zmLen(v.length), free, ...text(v), ...new Array<number>(free).fill(0xee)]);
  return Uint8Array.from([zmlen, ...body, 0xff]);
}

function throwsDecode(fn: () => unknown, offset: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    assert.equal(e.code, 'rdb.zipmap.integrity');
    assert.match(e.message, message);
    assert.equal(e.offset, offset);
    return true;
  });
}

function plain(entries: PackedEntry[]): (string | number | bigint)[] {
  return entries.map((e) => (e instanceof Uint8Array ? Buffer.from(e).toString('latin1') : e));
}

describe('decodeZipmap', () => {
  it('decodes fields and values alternately, skipping free bytes', () => {
    const blob = zipmap([['foo', 'bar', 3], ['', 'x'], ['k', '', 1]]);
    assert.deepEqual(plain(decodeZipmap(blob, 0)), ['foo', 'bar', '', 'x', 'k', '']);
  });

  it('decodes 5-byte lengths for fields and values of 254 bytes or more', () => {
    const big = 'v'.repeat(300);
    const field = 'f'.repeat(254);
    const blob = zipmap([[field, big, 2], ['a', 'b']]);
    assert.deepEqual(plain(decodeZipmap(blob, 0)), [field, big, 'a', 'b']);
  });

  it('decodes a real Redis zipmap (redis-rdb-tools zipmap_that_doesnt_compress.rdb, RDB 3, offset 0x23)', () => {
    const blob = new Uint8Array(Buffer.from('02064d4b4431473601003205594e4e584b040046375449ff', 'hex'));
    assert.deepEqual(plain(decodeZipmap(blob, 0x23)), ['MKD1G6', '2', 'YNNXK', 'F7TI']);
  });

  it('returns views into the blob', () => {
    const blob = zipmap([['ab', 'cd']]);
    const [f, v] = decodeZipmap(blob, 0) as Uint8Array[];
    assert.equal(f!.buffer, blob.buffer);
    assert.equal(f!.byteOffset, 2);
    assert.equal(v!.byteOffset, 6);
  });

  it('accepts zmlen 254 (unknown) with any pair count', () => {
    assert.deepEqual(plain(decodeZipmap(zipmap([['a', '1'], ['b', '2']], 254), 0)), ['a', '1', 'b', '2']);
  });

  it('ignores bytes after an early terminator, as Redis does', () => {
    const blob = Uint8Array.from([1, 1, 0x61, 1, 0, 0x62, 0xff, 0x12, 0x34, 0xff]);
    assert.deepEqual(plain(decodeZipmap(blob, 0)), ['a', 'b']);
  });

  it('reads a 255 value length as a 5-byte length, as Redis does', () => {
    const blob = Uint8Array.from([1, 1, 0x61, 255, 2, 0, 0, 0, 0, 0x62, 0x63, 0xff]);
    assert.deepEqual(plain(decodeZipmap(blob, 0)), ['a', 'bc']);
  });

  describe('integrity errors', () => {
    it('rejects a blob shorter than 2 bytes', () => {
      throwsDecode(() => decodeZipmap(Uint8Array.from([0xff]), 9), 9, /^zipmap is 1 byte, shorter than the 2-byte minimum/);
    });

    it('rejects a missing terminator', () => {
      const blob = zipmap([['a', 'b']]);
      blob[blob.length - 1] = 0;
      throwsDecode(() => decodeZipmap(blob, 9), 9 + 6, /^last byte is 0x00, not the 0xFF terminator$/);
    });

    it('rejects a zmlen other than 254 that does not match the pair count, including 255', () => {
      throwsDecode(() => decodeZipmap(zipmap([['a', '1'], ['b', '2']], 3), 40), 40, /^zmlen is 3 but the zipmap holds 2 pairs \(only 254 means unknown\)$/);
      throwsDecode(() => decodeZipmap(zipmap([['a', '1']], 255), 40), 40, /^zmlen is 255 but the zipmap holds 1 pair /);
    });

    it('rejects a zipmap with no pairs', () => {
      throwsDecode(() => decodeZipmap(Uint8Array.from([0, 0xff]), 40), 40, /^zipmap holds no pairs$/);
    });

    it('rejects a field, value or free region overrunning the terminator, at the length that claims it', () => {
      // Field length 5 with 2 field bytes.
      throwsDecode(() => decodeZipmap(Uint8Array.from([1, 5, 0x61, 0x62, 0xff]), 100), 101, /^pair 0: field of 5 bytes at \+1 runs past the terminator at \+4$/);
      // Value length 3 with 1 value byte.
      throwsDecode(() => decodeZipmap(Uint8Array.from([1, 1, 0x61, 3, 0, 0x62, 0xff]), 100), 103, /^pair 0: value of 3 bytes plus 0 free bytes at \+3/);
      // Free count 9 past the end.
      throwsDecode(() => decodeZipmap(Uint8Array.from([1, 1, 0x61, 1, 9, 0x62, 0xff]), 100), 103, /^pair 0: value of 1 bytes plus 9 free bytes/);
      // 5-byte field length cut by the terminator.
      throwsDecode(() => decodeZipmap(Uint8Array.from([1, 254, 1, 0, 0xff]), 100), 101, /^pair 0: field length at \+1 runs past/);
      // Value length missing: the field ends right at the terminator.
      throwsDecode(() => decodeZipmap(Uint8Array.from([1, 1, 0x61, 0xff]), 100), 103, /^pair 0: value length and free byte at \+3/);
      // A huge 5-byte length is rejected by arithmetic alone.
      throwsDecode(() => decodeZipmap(Uint8Array.from([1, 254, 0xff, 0xff, 0xff, 0xff, 0xff]), 100), 101, /field of 4294967295 bytes/);
    });

    it('never throws anything but DecodeError when a byte is flipped or the blob truncated', () => {
      const sample = zipmap([['foo', 'bar', 2], ['x'.repeat(260), 'y', 0], ['k', 'v'.repeat(300), 1]]);
      for (let n = 0; n < sample.length; n++) {
        try {
          decodeZipmap(sample.subarray(0, n), 0);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }
      const blob = new Uint8Array(sample);
      for (let i = 0; i < blob.length; i++) {
        const orig = blob[i]!;
        for (const v of [orig ^ 0x01, orig ^ 0x80, orig ^ 0xff, 0, 253, 254, 255]) {
          blob[i] = v;
          try {
            decodeZipmap(blob, 0);
          } catch (e) {
            assert.ok(e instanceof DecodeError, String(e));
          }
        }
        blob[i] = orig;
      }
    });
  });
});
