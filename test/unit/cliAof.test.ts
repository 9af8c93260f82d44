// redis-inspect on AOF inputs as a user runs it: target detection (file,
// manifest, directory, hybrid), JSON fields, log lines and usage errors.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

const cmd = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000, input: '' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('redis-inspect on AOF files', () => {
  let dir = '';
  let set = '';
  before(() => {
    if (!existsSync(CLI)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'rpi-cliaof-'));
    set = join(dir, 'appendonlydir');
    cpSync(join(ROOT, 'test', 'fixtures', 'rdb', 'ok'), join(dir, 'rdb'), { recursive: true });
    // A small multi-part set: RDB base (a real 7.0.15 dump) + two INCR files, the last one cut short.
    cpSync(join(ROOT, 'test', 'fixtures', 'rdb', 'ok', 'dump-7.0.15-one-key.rdb'), join(set, 'appendonly.aof.1.base.rdb'));
    writeFileSync(join(set, 'appendonly.aof.1.incr.aof'), `#TS:1700000000\r\n${cmd('SELECT', '0')}${cmd('SET', 'a', '1')}`);
    writeFileSync(join(set, 'appendonly.aof.2.incr.aof'), `${cmd('SELECT', '2')}${cmd('MULTI')}${cmd('INCR', 'n')}${cmd('EXEC')}${cmd('SET', 'b', '2').slice(0, -3)}`);
    writeFileSync(
      join(set, 'appendonly.aof.manifest'),
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checks a set given as its directory or its manifest, with the files array', () => {
    for (const target of [set, join(set, 'appendonly.aof.manifest')]) {
      const r = run('check', '--json', target);
      assert.equal(r.status, 1, r.stderr);
      const o = JSON.parse(r.stdout);
      assert.deepEqual([o.format, o.ok, o.damagedFile, o.validUpTo, o.keys], ['aof-multipart', false, 'appendonly.aof.2.incr.aof', 73, 1]);
      assert.deepEqual(
        o.files.map((f: Record<string, unknown>) => [f.file, f.role, f.seq, f.last, f.ok, f.size, f.validUpTo, f.format]),
        [
          ['appendonly.aof.1.base.rdb', 'base', 1, false, true, 99, 99, 'aof-hybrid'],
          ['appendonly.aof.1.incr.aof', 'incr', 1, false, true, 66, 66, 'aof'],
          ['appendonly.aof.2.incr.aof', 'incr', 2, true, false, 97, 73, 'aof'],
        ],
      );
      const p = o.problems.find((x: Record<string, unknown>) => x.severity === 'error');
      assert.deepEqual([p.code, p.file, p.offset, p.checkerOffset, p.line, p.command], ['aof.truncated', 'appendonly.aof.2.incr.aof', 97, 97, 17, 5]);
    }
  });

  it('logs every command with file, offset, length, line, DB, timestamp and transaction', () => {
    const r = run('log', '--json', set);
    assert.equal(r.status, 1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.file, l.offset, l.length, l.line, l.db, l.timestamp, l.transaction, l.command.join(' ')]),
      [
        ['appendonly.aof.1.incr.aof', 16, 23, 2, 0, 1700000000, null, 'SELECT 0'],
        ['appendonly.aof.1.incr.aof', 39, 27, 7, 0, 1700000000, null, 'SET a 1'],
        ['appendonly.aof.2.incr.aof', 0, 23, 1, 0, null, null, 'SELECT 2'],
        ['appendonly.aof.2.incr.aof', 23, 15, 6, 2, null, 1, 'MULTI'],
        ['appendonly.aof.2.incr.aof', 38, 21, 9, 2, null, 1, 'INCR n'],
        ['appendonly.aof.2.incr.aof', 59, 14, 14, 2, null, 1, 'EXEC'],
      ],
    );
    const text = run('log', set).stdout.split('\n');
    assert.equal(text[1], 'appendonly.aof.1.incr.aof:39 +27 line 7 db0 2023-11-14T22:13:20Z  SET a 1');
    assert.equal(text[3], 'appendonly.aof.2.incr.aof:23 +15 line 6 db2 tx@1  MULTI');
  });

  it('dumps the base dataset then the commands, with SELECT 0 where a new file starts', () => {
    const r = spawnSync(process.execPath, [CLI, 'dump', set]);
    assert.equal(r.status, 1);
    assert.equal(
      r.stdout.toString(),
      // The second INCR file starts with its own SELECT, so no SELECT 0 is added before it.
      cmd('SELECT', '0') + cmd('SET', 'k', 'v') + cmd('SELECT', '0') + cmd('SET', 'a', '1') + cmd('SELECT', '2') + cmd('MULTI') + cmd('INCR', 'n') + cmd('EXEC'),
    );
  });

  it('reads a file with an RDB magic and a RESP tail as a hybrid AOF whatever its name', () => {
    const hybrid = join(dir, 'snapshot.bin');
    writeFileSync(hybrid, Buffer.concat([readFileSync(join(dir, 'rdb', 'dump-7.0.15-one-key.rdb')), Buffer.from(cmd('SET', 'x', '1'))]));
    const o = JSON.parse(run('check', '--json', hybrid).stdout);
    assert.deepEqual([o.format, o.ok, o.commands, o.preamble.keys, o.preamble.end], ['aof-hybrid', true, 1, 1, 99]);
  });

  it('refuses to fix without a terminal unless --yes, and previews with --dry-run, changing nothing', () => {
    const before = readdirSync(set).sort();
    const bytes = readFileSync(join(set, 'appendonly.aof.2.incr.aof'));
    const refused = run('fix', set);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /no terminal to confirm on; rerun with --yes/);
    const dry = run('fix', '--dry-run', set);
    assert.equal(dry.status, 0);
    assert.match(dry.stdout, /This will shrink the AOF appendonly.aof.2.incr.aof from 97 bytes, with 24 bytes, to 73 bytes/);
    assert.match(dry.stdout, /removes bytes 0x49 \(73\) to 0x61 \(97\) \(24 bytes\)/);
    assert.deepEqual(readdirSync(set).sort(), before);
    assert.deepEqual(readFileSync(join(set, 'appendonly.aof.2.incr.aof')), bytes);
  });

  it('gives usage errors (exit 2) for RDB-only and AOF-only commands and conflicting repairs', () => {
    const rdb = join(dir, 'rdb', 'dump-7.0.15-all-types.rdb');
    for (const args of [
      ['fix', rdb],
      ['log', rdb],
      ['fix', '--remove-flush', '--strip-unclosed-multi', set],
      ['fix', '--with-following', set],
      ['fix', '--truncate-to-timestamp', 'soon', set],
      ['dump', '--match', 'a*', set],
      ['stats', '--format', 'csv', set],
      ['check', join(dir, 'rdb')],
    ]) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
