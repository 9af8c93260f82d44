// The AOF reader on hand-built files: exact byte ranges, lines, DBs,
// timestamps and transactions of every command, redis-check-aof's verdict and
// ok_up_to on its quirks, and the server-side warnings.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { parseAof, type AofCommand } from '../../src/core/aof/aofParser.js';
import { planDropLastCommand, planRemoveFlush } from '../../src/core/aof/repair.js';

const cmd = (...args: (string | Buffer)[]) =>
  Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.flatMap((a) => {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
      return [Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')];
    }),
  ]);

function read(bytes: Buffer, keepArgs = true) {
  const commands: AofCommand[] = [];
  const result = parseAof(new MemorySource(bytes), { command: (c) => void commands.push(c) }, { keepArgs, fileName: 't.aof', trackLines: true });
  return { result, commands };
}

describe('AOF reader', () => {
  it('gives each command its byte range, line, DB, timestamp and transaction', () => {
    const parts = [
      Buffer.from('#TS:1700000000\r\n'),
      cmd('SELECT', '0'),
      cmd('SET', 'k', 'v'),
      cmd('SELECT', '3'),
      cmd('MULTI'),
      cmd('INCR', 'n'),
      cmd('EXEC'),
      Buffer.from('#TS:1700000005\r\n'),
      cmd('DEL', 'k'),
    ];
    const file = Buffer.concat(parts);
    const { result, commands } = read(file);
    assert.equal(result.ok, true);
    assert.equal(result.validUpTo, file.length);
    let at = 0;
    const ranges = parts.map((p) => [at, (at += p.length)]);
    assert.deepEqual(
      commands.map((c) => [c.name, c.start, c.end, c.line, c.db, c.timestampSec, c.transaction ?? null]),
      [
        ['select', ranges[1]![0], ranges[1]![1], 2, 0, 1700000000, null],
        ['set', ranges[2]![0], ranges[2]![1], 7, 0, 1700000000, null],
        ['select', ranges[3]![0], ranges[3]![1], 14, 0, 1700000000, null],
        ['multi', ranges[4]![0], ranges[4]![1], 19, 3, 1700000000, 3],
        ['incr', ranges[5]![0], ranges[5]![1], 22, 3, 1700000000, 3],
        ['exec', ranges[6]![0], ranges[6]![1], 27, 3, 1700000000, 3],
        ['del', ranges[8]![0], ranges[8]![1], 31, 3, 1700000005, null],
      ],
    );
    const set = commands[1]!;
    assert.deepEqual(set.args!.map((a) => Buffer.from(a).toString()), ['SET', 'k', 'v']);
    const r = set.argRanges!;
    assert.deepEqual([0, 2, 4].map((i) => file.subarray(r[i]!, r[i + 1]!).toString()), ['SET', 'k', 'v']);
    assert.deepEqual(result.timestamps, [
      { start: 0, seconds: 1700000000 },
      { start: ranges[7]![0], seconds: 1700000005 },
    ]);
  });

  it('counts lines through binary payloads that contain newlines', () => {
    const file = Buffer.concat([cmd('SET', 'k', Buffer.from('a\nb\r\nc')), cmd('GET', 'k')]);
    const { commands } = read(file);
    assert.deepEqual(
      commands.map((c) => c.line),
      [1, 10],
    );
  });

  it('takes an RDB preamble, then reads the tail as commands from the byte after its checksum', () => {
    const rdb = readFileSync(join(__dirname, '..', 'fixtures', 'rdb', 'ok', 'dump-7.0.15-one-key.rdb'));
    const file = Buffer.concat([rdb, cmd('SET', 'x', '1')]);
    const { result, commands } = read(file);
    assert.equal(result.ok, true);
    assert.equal(result.tailStart, rdb.length);
    assert.equal(result.preamble!.keys, 1);
    assert.deepEqual(
      commands.map((c) => [c.name, c.start]),
      [['set', 99]],
    );
  });
});

describe("redis-check-aof's verdict and ok_up_to", () => {
  const valid = Buffer.concat([cmd('SELECT', '0'), cmd('SET', 'a', '1')]);

  it('accepts what its strtol accepts: "* 2", "$+1", "*\\r\\n" (0 arguments) and "*-1"', () => {
    for (const odd of ['* 2\r\n$3\r\nGET\r\n$+1\r\nk\r\n', '*\r\n', '*-1\r\n']) {
      const { result } = read(Buffer.concat([valid, Buffer.from(odd)]));
      assert.equal(result.ok, true, JSON.stringify(odd));
    }
    const zero = read(Buffer.concat([valid, Buffer.from('*0\r\n')]));
    assert.deepEqual(
      zero.result.problems.map((p) => [p.code, p.severity, p.offset]),
      [['aof.empty-command', 'warning', valid.length]],
    );
  });

  it('rejects a bad CRLF after a header at the header, after data at the data', () => {
    const header = read(Buffer.concat([valid, Buffer.from('*1 \r\n$4\r\nPING\r\n')]));
    assert.deepEqual([header.result.ok, header.result.validUpTo, header.result.checkerMessage, header.result.checkerOffset], [false, valid.length, 'Expected \\r\\n, got: 200d', valid.length]);
    const data = read(Buffer.concat([valid, Buffer.from('*1\r\n$4\r\nPING\n\n')]));
    assert.deepEqual([data.result.validUpTo, data.result.checkerMessage, data.result.checkerOffset], [valid.length, 'Expected \\r\\n, got: 0a0a', valid.length + 8]);
    assert.match(data.result.problems[0]!.message, /redis-server loads this anyway/);
  });

  it('prints bytes >= 0x80 as redis-check-aof does (signed chars)', () => {
    const r = read(Buffer.concat([valid, Buffer.from([0x2a, 0x31, 0x0d, 0x0a, 0x24, 0x31, 0x0d, 0x0a, 0x41, 0xff, 0xfe])]));
    assert.equal(r.result.checkerMessage, 'Expected \\r\\n, got: fffffffffffffffe');
  });

  it('puts ok_up_to at the MULTI of a broken or unclosed transaction', () => {
    const open = read(Buffer.concat([valid, cmd('MULTI'), cmd('SET', 'b', '2')]));
    assert.deepEqual([open.result.ok, open.result.validUpTo, open.result.openMulti, open.result.checkerMessage], [false, valid.length, true, 'Reached EOF before reading EXEC for MULTI']);
    const cut = Buffer.concat([valid, cmd('MULTI'), cmd('SET', 'b', '2'), cmd('EXEC')]);
    const broken = read(cut.subarray(0, cut.length - 3));
    assert.deepEqual([broken.result.validUpTo, broken.result.checkerMessage], [valid.length, 'Expected to read 6 bytes, got 3 bytes']);
    const nested = read(Buffer.concat([valid, cmd('MULTI'), cmd('multi'), cmd('EXEC')]));
    assert.deepEqual([nested.result.validUpTo, nested.result.checkerMessage], [valid.length, 'Unexpected MULTI in AOF t.aof']);
    const stray = read(Buffer.concat([valid, cmd('EXEC')]));
    assert.deepEqual([stray.result.validUpTo, stray.result.checkerMessage], [valid.length, 'Unexpected EXEC in AOF t.aof']);
  });

  it('reads a "#" line up to 1023 bytes, and the rest of a longer one as a record', () => {
    const long = Buffer.concat([valid, Buffer.from(`#${'x'.repeat(1100)}\r\n`), cmd('PING')]);
    const r = read(long);
    assert.deepEqual([r.result.ok, r.result.validUpTo, r.result.checkerMessage], [false, valid.length + 1023, 'AOF t.aof format error']);
    const truncated = read(Buffer.concat([valid, Buffer.from('#TS:17')]));
    assert.equal(truncated.result.ok, true);
  });

  it('keeps reading after damage to report every problem, without changing the verdict', () => {
    const file = Buffer.concat([valid, Buffer.from('XYZ\r\n'), cmd('SET', 'b', '2'), Buffer.from('*1\r\n$4\r\nPI')]);
    const { result, commands } = read(file);
    assert.equal(result.validUpTo, valid.length);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.offset]),
      [
        ['aof.format-error', valid.length],
        ['aof.unparsed', valid.length + 1],
        ['aof.truncated', file.length],
      ],
    );
    assert.deepEqual(
      commands.map((c) => [c.name, c.afterDamage ?? false]),
      [
        ['select', false],
        ['set', false],
        ['set', true],
      ],
    );
  });
});

describe('server-side warnings', () => {
  it('flags unknown commands and impossible arities', () => {
    const { result } = read(Buffer.concat([cmd('NOSUCHCMD', 'x'), cmd('SET', 'k'), cmd('XGROUP', 'CREATE', 'k', 'g', '$')]));
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.command]),
      [
        ['aof.unknown-command', 1],
        ['aof.bad-arity', 2],
      ],
    );
  });

  it('flags a trailing FLUSHALL, alone or as the only command of a transaction, with the range to remove', () => {
    const before = Buffer.concat([cmd('SELECT', '0'), cmd('SET', 'k', 'v')]);
    const plain = read(Buffer.concat([before, cmd('FLUSHALL')]));
    assert.deepEqual(plain.result.trailingFlush, { name: 'flushall', start: before.length, end: before.length + 18, removeStart: before.length, removeEnd: before.length + 18, db: 0 });
    assert.equal(plain.result.problems[0]!.code, 'aof.trailing-flush');
    const tx = Buffer.concat([before, cmd('MULTI'), cmd('FLUSHDB'), cmd('EXEC')]);
    const inTx = read(tx);
    assert.deepEqual([inTx.result.trailingFlush!.name, inTx.result.trailingFlush!.removeStart, inTx.result.trailingFlush!.removeEnd], ['flushdb', before.length, tx.length]);
    const followed = read(Buffer.concat([before, cmd('FLUSHALL'), cmd('SET', 'z', '1')]));
    assert.equal(followed.result.trailingFlush, undefined);
    assert.equal(followed.result.lastFlush!.commandsAfter, 1);
  });

  it('does not take a trailing FLUSHALL for a damaged last command: that repair is --remove-flush', () => {
    const before = Buffer.concat([cmd('SELECT', '0'), cmd('SET', 'k', 'v')]);
    const { result } = read(Buffer.concat([before, cmd('FLUSHALL')]));
    assert.deepEqual(result.lastCommandWarnings, []);
    assert.ok('refused' in planDropLastCommand('t.aof', result));
    const remove = planRemoveFlush('t.aof', result, false);
    assert.ok('removals' in remove);
    assert.deepEqual(remove.removals, [{ start: before.length, end: before.length + 18 }]);
    const unknown = read(Buffer.concat([before, cmd('NOSUCHCMD')]));
    const drop = planDropLastCommand('t.aof', unknown.result);
    assert.ok('removals' in drop);
    assert.deepEqual(drop.removals, [{ start: before.length, end: before.length + 19 }]);
  });
});
