import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Crc64, crc64 } from '../../src/core/bytes/crc64.js';

const ALL_TYPES_RDB = '/work/shared/fixtures/generated/redis-7.0.15-debian/rdb/dump-7.0.15-all-types.rdb';

/** Reference: bit-by-bit reflected CRC-64/Jones in BigInt, straight from the definition. */
function referenceCrc64(bytes: Uint8Array, start = 0, end = bytes.length, init = 0n): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  let crc = init;
  for (let i = start; i < end; i++) {
    crc ^= BigInt(bytes[i]);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

/** Deterministic xorshift32 bytes. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('crc64 (CRC-64/Jones, Redis)', () => {
  it('matches the check value of "123456789"', () => {
    assert.equal(crc64(new TextEncoder().encode('123456789')), 0xe9c6d914c4b8d9can);
  });

  it('is 0 for empty input and matches single bytes', () => {
    assert.equal(crc64(new Uint8Array(0)), 0n);
    assert.equal(new Crc64().value(), 0n);
    for (let b = 0; b < 256; b++) {
      const one = Uint8Array.of(b);
      assert.equal(crc64(one), referenceCrc64(one), `byte ${b}`);
    }
  });

  it('matches the bit-by-bit reference on random data of many lengths', () => {
    for (let n = 0; n <= 600; n++) {
      const data = randomBytes(n, n * 7919 + 1);
      assert.equal(crc64(data), referenceCrc64(data), `length ${n}`);
    }
    for (const n of [1023, 1024, 1025, 4096 + 3, 65536 + 5]) {
      const data = randomBytes(n, n);
      assert.equal(crc64(data), referenceCrc64(data), `length ${n}`);
    }
  });

  it('handles misaligned starts and ends, and views with odd byteOffsets', () => {
    const backing = randomBytes(3000, 12345);
    for (let viewOffset = 0; viewOffset < 8; viewOffset++) {
      const view = backing.subarray(viewOffset);
      for (const start of [0, 1, 2, 3, 5, 7, 9, 13]) {
        for (const end of [start, start + 1, start + 7, start + 8, start + 255, start + 256, start + 257, start + 1000, view.length - 3, view.length]) {
          const d = new Crc64();
          d.update(view, start, end);
          assert.equal(d.value(), referenceCrc64(view, start, end), `view ${viewOffset} [${start}, ${end})`);
        }
      }
    }
  });

  it('is incremental: any split into updates gives the whole-buffer CRC', () => {
    const data = randomBytes(5000, 99);
    const whole = referenceCrc64(data);
    const splits: number[][] = [
      [0, 1, 2, 3, 4, 5000],
      [0, 7, 300, 301, 2048, 2049, 5000],
      [0, 256, 512, 4999, 5000],
      [0, 2500, 2500, 5000],
    ];
    for (const s of splits) {
      const d = new Crc64();
      for (let i = 0; i + 1 < s.length; i++) d.update(data, s[i], s[i + 1]);
      assert.equal(d.value(), whole, `split ${s.join(',')}`);
    }
    // Byte at a time.
    const d = new Crc64();
    for (let i = 0; i < data.length; i++) d.update(data, i, i + 1);
    assert.equal(d.value(), whole);
    // value() does not disturb the running state.
    const e = new Crc64();
    e.update(data, 0, 1000);
    assert.equal(e.value(), referenceCrc64(data, 0, 1000));
    e.update(data, 1000, 5000);
    assert.equal(e.value(), whole);
  });

  it('handles high bits in both halves (all 0xFF, all 0x00, long runs)', () => {
    for (const fill of [0x00, 0xff, 0x80, 0x01]) {
      const data = new Uint8Array(1031).fill(fill);
      assert.equal(crc64(data), referenceCrc64(data), `fill ${fill}`);
    }
  });

  it('matches the checksum Redis 7.0.15 stored in a real RDB', () => {
    const file = new Uint8Array(fs.readFileSync(ALL_TYPES_RDB));
    const body = file.subarray(0, file.length - 8);
    assert.equal(body[body.length - 1], 0xff, 'EOF opcode before the checksum');
    const stored = new DataView(file.buffer, file.byteOffset + file.length - 8, 8).getBigUint64(0, true);
    assert.notEqual(stored, 0n);
    assert.equal(crc64(body), stored);
    assert.equal(referenceCrc64(body), stored);
    // Streamed in small uneven chunks, as the cursor feeds it.
    const d = new Crc64();
    for (let p = 0; p < body.length; p += 333) d.update(body, p, Math.min(p + 333, body.length));
    assert.equal(d.value(), stored);
  });
});
