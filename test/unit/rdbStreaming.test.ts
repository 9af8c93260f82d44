// Streaming, lazy decoding and hostile input: the parser must give the same
// answer whatever the chunk size and however short the source's reads, decode
// one key from its byte range alone, and turn every truncation, flipped byte
// and forged length into problems — never an exception or a huge allocation.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySource, type ByteSource } from '../../src/core/bytes/byteSource.js';
import { keyJson } from '../../src/core/export/jsonl.js';
import { decodeRecordAt, parseRdb, type KeyRecord } from '../../src/core/rdb/parser.js';

const OK = join(__dirname, '..', 'fixtures', 'rdb', 'ok');
const FILES = ['dump-7.0.15-all-types.rdb', 'dump-7.0.15-compressed-quicklist.rdb', 'dump-7.0.15-nocompress.rdb', 'dump-7.0.15-lru.rdb'];

/** A source that never returns more than `max` bytes per read, like a slow stream. */
class StingySource implements ByteSource {
  readonly size: number;
  reads = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly max: number,
  ) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    this.reads++;
    return this.bytes.slice(offset, Math.min(offset + Math.min(length, this.max), this.size));
  }
}

function collect(source: ByteSource, chunkSize?: number, reuseBuffers = false) {
  const keys: string[] = [];
  const result = parseRdb(source, { key: (k) => void keys.push(keyJson(k)) }, { ...(chunkSize ? { chunkSize } : {}), reuseBuffers });
  return { keys, result };
}

describe('streaming RDB parse', () => {
  for (const file of FILES) {
    it(`${file}: same keys, problems and checksum for every chunk size and read size`, () => {
      const bytes = new Uint8Array(readFileSync(join(OK, file)));
      const reference = collect(new MemorySource(bytes));
      assert.equal(reference.result.ok, true);
      for (const [chunk, max] of [
        [1, 1],
        [3, 2],
        [7, 1000],
        [64, 5],
        [4096, 4096],
        [1 << 20, 13],
      ] as const) {
        for (const reuse of [false, true]) {
          const got = collect(new StingySource(bytes, max), chunk, reuse);
          assert.deepEqual(got.keys, reference.keys, `chunk ${chunk}, reads of ${max}, reuse ${reuse}`);
          assert.equal(got.result.checksum, 'ok');
          assert.deepEqual(got.result.problems, reference.result.problems);
          assert.equal(got.result.validUpTo, bytes.length);
        }
      }
    });
  }

  it('a walk-only check in one reused window gives the same verdict for every chunk and read size', () => {
    for (const file of [...FILES, '../err/rdb-listpack-bad-entry.rdb', '../err/rdb-intset-unsorted.rdb', '../err/rdb-lzf-corrupt.rdb']) {
      const bytes = new Uint8Array(readFileSync(join(OK, file)));
      const summary = (r: ReturnType<typeof parseRdb>) => JSON.stringify([r.ok, r.keys, r.expires, r.validUpTo, r.checksum, r.problems.map((p) => [p.code, p.offset, p.key ? Buffer.from(p.key).toString('latin1') : null])]);
      const reference = summary(parseRdb(new MemorySource(bytes), {}, { keepStrings: false }));
      for (const [chunk, max] of [
        [7, 3],
        [64, 1000],
        [300, 17],
      ] as const) {
        const got = summary(parseRdb(new StingySource(bytes, max), {}, { keepStrings: false, reuseBuffers: true, chunkSize: chunk }));
        assert.equal(got, reference, `${file}: chunk ${chunk}, reads of ${max}`);
      }
    }
  });

  it('reads a large file in bounded windows, never the whole file at once', () => {
    const bytes = new Uint8Array(readFileSync(join(OK, 'dump-7.0.15-all-types.rdb')));
    let largest = 0;
    const source: ByteSource = {
      size: bytes.length,
      read(offset, length) {
        largest = Math.max(largest, length);
        return bytes.subarray(offset, offset + length);
      },
    };
    parseRdb(source, {}, { chunkSize: 512 });
    // The largest single field in this file is the 1.6 KB hash listpack; no read covers the file.
    assert.ok(largest < 2048, `largest read ${largest}`);
  });
});

describe('lazy decoding of one key from its offset', () => {
  it('decodes every key of the all-types file alone, with the same value and byte range', () => {
    const bytes = new Uint8Array(readFileSync(join(OK, 'dump-7.0.15-all-types.rdb')));
    const source = new MemorySource(bytes);
    const keys: KeyRecord[] = [];
    parseRdb(source, { key: (k) => void keys.push(k) });
    assert.equal(keys.length, 25);
    for (const k of keys) {
      const { record, problems } = decodeRecordAt(source, k.start, { version: 10, valkey: false, db: k.db });
      assert.deepEqual(problems, []);
      assert.ok(record);
      assert.equal(keyJson(record), keyJson(k));
      assert.deepEqual([record.start, record.typeOffset, record.valueStart, record.end], [k.start, k.typeOffset, k.valueStart, k.end]);
      assert.deepEqual([record.value.start, record.value.end], [k.value.start, k.value.end]);
    }
  });

  it('gives every element its byte range: inside its value, in order, holding its bytes', () => {
    for (const file of ['dump-7.0.15-nocompress.rdb', 'dump-7.0.15-all-types.rdb']) {
      const bytes = new Uint8Array(readFileSync(join(OK, file)));
      const source = new MemorySource(bytes);
      const keys: KeyRecord[] = [];
      parseRdb(source, { key: (k) => void keys.push(k) });
      let checked = 0;
      for (const k of keys) {
        const { record } = decodeRecordAt(source, k.start, { version: 10, valkey: false, db: k.db });
        const v = record!.value;
        if (v.type === 'string' || v.type === 'module') continue;
        const r = v.elementRanges!;
        assert.equal(r.length, v.count * 2, `${Buffer.from(k.key)}: one range per element`);
        const elements: Uint8Array[] =
          v.type === 'list' ? v.items : v.type === 'set' ? v.members : v.type === 'zset' ? v.members : v.type === 'hash' ? v.fields : v.entries.map((e) => e.fields[1]!);
        for (let i = 0; i < r.length; i += 2) {
          const [s, e] = [r[i]!, r[i + 1]!];
          assert.ok(v.start <= s && s < e && e <= v.end, `${Buffer.from(k.key)}[${i / 2}]: [${s}, ${e}) inside [${v.start}, ${v.end})`);
          if (i > 0) assert.ok(s >= r[i - 2]! && (s >= r[i - 1]! || s === r[i - 2]!), 'in order (elements of one compressed blob share its range)');
          const el = elements[i / 2]!;
          // In the file saved without compression, raw and packed strings appear verbatim (integers are stored as numbers).
          if (file === 'dump-7.0.15-nocompress.rdb' && el.length >= 2 && !/^-?\d+$/.test(Buffer.from(el).toString('latin1'))) {
            assert.ok(Buffer.from(bytes.subarray(s, e)).includes(Buffer.from(el)), `${Buffer.from(k.key)}[${i / 2}] holds its bytes`);
            checked++;
          }
        }
      }
      if (file === 'dump-7.0.15-nocompress.rdb') assert.ok(checked > 500, `${file}: ${checked} elements checked against their bytes`);
    }
  });

  it('reports, with the file offset, a record that is damaged', () => {
    const bytes = new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'rdb', 'err', 'rdb-listpack-bad-entry.rdb')));
    const source = new MemorySource(bytes);
    // hash:lp's record starts at 462 (see the fixtures test: validUpTo of this file).
    const { record, problems } = decodeRecordAt(source, 462, { version: 10, valkey: false });
    assert.equal(record, undefined);
    assert.deepEqual(
      problems.map((p) => [p.code, p.offset, p.checkerOffset, Buffer.from(p.key!).toString()]),
      [['rdb.listpack.integrity', 481, 499, 'hash:lp']],
    );
  });
});

describe('hostile input', () => {
  const base = new Uint8Array(readFileSync(join(OK, 'dump-7.0.15-all-types.rdb')));

  it('every truncation is a problem at or before the cut, never an exception', () => {
    for (let cut = 0; cut < base.length; cut++) {
      const r = parseRdb(new MemorySource(base.subarray(0, cut)), {}, { keepStrings: false });
      assert.equal(r.ok, false, `cut ${cut}`);
      const first = r.problems.find((p) => p.severity === 'error')!;
      assert.ok(first.offset <= cut, `cut ${cut}: problem at ${first.offset}`);
      assert.ok(r.validUpTo <= cut, `cut ${cut}: validUpTo ${r.validUpTo}`);
      assert.ok(!r.problems.some((p) => p.code === 'internal.error'), `cut ${cut}: ${JSON.stringify(r.problems[0])}`);
    }
  });

  it('every flipped byte is caught (by the structure or the CRC), never an exception', () => {
    for (let at = 0; at < base.length; at++) {
      const b = base.slice();
      b[at] = b[at]! ^ 0x5a;
      const r = parseRdb(new MemorySource(b), {}, { keepStrings: false });
      assert.equal(r.ok, false, `byte ${at}`);
      assert.ok(!r.problems.some((p) => p.code === 'internal.error'), `byte ${at}: ${JSON.stringify(r.problems)}`);
    }
  });

  it('a forged string length of 2^40 costs nothing and is reported at its offset', () => {
    // REDIS0010, SELECTDB 0, a string key whose value claims 2^40 bytes (64-bit length form).
    const file = Buffer.concat([
      Buffer.from('REDIS0010'),
      Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x6b, 0x81, 0, 0, 0x01, 0, 0, 0, 0, 0]),
      Buffer.from('abc'),
    ]);
    const before = process.memoryUsage().arrayBuffers;
    const r = parseRdb(new MemorySource(file));
    assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.code, p.offset, Buffer.from(p.key!).toString(), p.phase]),
      [['rdb.truncated', 26, 'k', 'read-object-value']],
    );
    assert.match(r.problems[0]!.message, /needed 1099511627776 bytes, 3 left/);
  });

  it('a forged LZF uncompressed length is refused before allocating', () => {
    // A string value C3 <clen 3> <ulen 2^31> and 3 bytes of data.
    const file = Buffer.concat([
      Buffer.from('REDIS0010'),
      Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x6b, 0xc3, 0x03, 0x80, 0x80, 0, 0, 0, 0x00, 0x61, 0x62]),
    ]);
    const r = parseRdb(new MemorySource(file));
    assert.equal(r.ok, false);
    assert.equal(r.problems[0]!.code, 'rdb.lzf.invalid');
    assert.match(r.problems[0]!.message, /^Invalid LZF compressed string in string value: uncompressed length 2147483648 is impossible/);
  });

  it('a forged element count larger than the file is refused before looping', () => {
    // A set (type 2) claiming 2^32-1 members.
    const file = Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([0xfe, 0x00, 0x02, 0x01, 0x73, 0x80, 0xff, 0xff, 0xff, 0xff, 0x01, 0x61])]);
    const r = parseRdb(new MemorySource(file));
    assert.deepEqual(
      r.problems.map((p) => [p.code, p.offset]),
      [['rdb.bad-length', 14]],
    );
    assert.match(r.problems[0]!.message, /set size 4294967295 cannot fit in the 2 bytes left/);
  });
});
