import assert from 'node:assert/strict';
import { DecodeError } from '../../src/core/bytes/decodeError.js';
import { decodeIntset } from '../../src/core/rdb/intset.js';

// Built from spec §9.3 (redis src/intset.c): encoding u32 LE, length u32 LE, elements LE.

function le(v: bigint, bytes: number): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = 0; i < bytes; i++, x >>= 8n) out.push(Number(x & 0xffn));
  return out;
}

function intset(encoding: number, values: (number | bigint)[], length = values.length): Uint8Array {
  return Uint8Array.from([...le(BigInt(encoding), 4), ...le(BigInt(length), 4), ...values.flatMap((v) => le(BigInt(v), encoding))]);
}

function throwsDecode(fn: () => unknown, offset: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    assert.equal(e.code, 'rdb.intset.integrity');
    assert.match(e.message, message);
    assert.equal(e.offset, offset);
    return true;
  });
}

describe('decodeIntset', () => {
  it('decodes int16, int32 and int64 intsets', () => {
    assert.deepEqual(decodeIntset(intset(2, [-32768, -1, 0, 7, 32767]), 0), [-32768, -1, 0, 7, 32767]);
    assert.deepEqual(decodeIntset(intset(4, [-2147483648, -40000, 40000, 2147483647]), 0), [-2147483648, -40000, 40000, 2147483647]);
    assert.deepEqual(
      decodeIntset(intset(8, [-9223372036854775808n, -(2n ** 53n), -(2n ** 53n) + 1n, -1n, 0n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 9223372036854775807n]), 0),
      [-9223372036854775808n, -(2n ** 53n), -(2 ** 53) + 1, -1, 0, 2 ** 32, 2 ** 53 - 1, 2n ** 53n, 9223372036854775807n],
    );
  });

  it('decodes a real Redis 7.0.15 intset (DUMP of SADD s 1 5 -3 70000 5000000000)', () => {
    const dump = Buffer.from('0b300800000005000000fdffffffffffffff01000000000000000500000000000000701101000000000000f2052a010000000a00f49a5ae8c883fcb4', 'hex');
    // DUMP = type 11, RDB string length 0x30 (48), the intset, then version and CRC.
    assert.deepEqual(decodeIntset(new Uint8Array(dump.subarray(2, 50)), 2), [-3, 1, 5, 70000, 5000000000]);
  });

  it('rejects a blob shorter than the header', () => {
    throwsDecode(() => decodeIntset(new Uint8Array(7), 30), 30, /^intset is 7 bytes, shorter than its 8-byte header$/);
  });

  it('rejects an encoding other than 2, 4 or 8', () => {
    for (const enc of [0, 1, 3, 16]) {
      const blob = intset(2, [1, 2]);
      blob[0] = enc;
      throwsDecode(() => decodeIntset(blob, 30), 30, new RegExp(`^invalid encoding ${enc} \\(expected 2, 4 or 8\\)$`));
    }
  });

  it('rejects a length that does not match the blob size, without allocating for it', () => {
    throwsDecode(() => decodeIntset(intset(4, [1, 2], 3), 30), 34, /^length 3 × 4-byte elements needs 20 bytes but the intset is 16 bytes$/);
    throwsDecode(() => decodeIntset(intset(8, [1], 0xffffffff), 30), 34, /^length 4294967295 × 8-byte elements needs 34359738368 bytes/);
  });

  it('rejects an empty intset', () => {
    throwsDecode(() => decodeIntset(intset(2, []), 30), 34, /^intset is empty$/);
  });

  it('rejects unsorted and duplicate elements at the offending element', () => {
    throwsDecode(() => decodeIntset(intset(2, [1, 5, 3]), 100), 112, /^element 2 \(3\) is smaller than element 1 \(5\)/);
    throwsDecode(() => decodeIntset(intset(4, [1, 5, 5]), 100), 116, /^element 2 \(5\) is a duplicate of element 1 \(5\)/);
    throwsDecode(() => decodeIntset(intset(8, [1n, -1n]), 100), 116, /^element 1 \(-1\) is smaller than element 0 \(1\)/);
    throwsDecode(() => decodeIntset(intset(8, [2n ** 62n, 2n ** 62n]), 100), 116, /is a duplicate of element 0 \(4611686018427387904\)/);
    throwsDecode(() => decodeIntset(intset(8, [2n ** 32n + 5n, 2n ** 32n + 4n]), 100), 116, /smaller than/);
  });

  it('never throws anything but DecodeError when a byte is flipped or the blob truncated', () => {
    const sample = intset(8, [-(2n ** 40n), -3n, 0n, 2n ** 60n]);
    for (let n = 0; n < sample.length; n++) assert.throws(() => decodeIntset(sample.subarray(0, n), 0), DecodeError);
    const blob = new Uint8Array(sample);
    for (let i = 0; i < blob.length; i++) {
      const orig = blob[i]!;
      for (const v of [orig ^ 0x01, orig ^ 0x80, orig ^ 0xff, 0, 2, 4, 8, 0xff]) {
        blob[i] = v;
        try {
          decodeIntset(blob, 0);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }
      blob[i] = orig;
    }
  });
});
