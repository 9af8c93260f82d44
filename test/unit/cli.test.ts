// The redis-inspect CLI as a user runs it: the built dist/cli.js, real files,
// exact output fields and exit statuses.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const OK = join(ROOT, 'test', 'fixtures', 'rdb', 'ok');
const ERR = join(ROOT, 'test', 'fixtures', 'rdb', 'err');

function run(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('redis-inspect CLI', () => {
  let dir = '';
  before(() => {
    if (!existsSync(CLI)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'rpi-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('check', () => {
    it('reports a valid file with exit 0 and the JSON fields of the contract', () => {
      const r = run('check', '--json', join(OK, 'dump-7.0.15-all-types.rdb'));
      assert.equal(r.status, 0, r.stderr);
      const o = JSON.parse(r.stdout);
      assert.deepEqual(
        { file: o.file, format: o.format, version: o.version, ok: o.ok, size: o.size, validUpTo: o.validUpTo, keys: o.keys, expires: o.expires, problems: o.problems },
        { file: join(OK, 'dump-7.0.15-all-types.rdb'), format: 'rdb', version: 10, ok: true, size: 8215, validUpTo: 8215, keys: 25, expires: 1, problems: [] },
      );
      assert.equal(o.checksum, 'ok');
    });

    it('reports damage with exit 1, offset, key, type and phase', () => {
      const r = run('check', '--json', join(ERR, 'rdb-listpack-bad-entry.rdb'));
      assert.equal(r.status, 1);
      const o = JSON.parse(r.stdout);
      assert.equal(o.ok, false);
      assert.deepEqual(
        o.problems.map((p: Record<string, unknown>) => [p.severity, p.code, p.offset, p.key, p.phase, p.type, p.checkerOffset]),
        [['error', 'rdb.listpack.integrity', 481, 'hash:lp', 'read-object-value', 16, 499]],
      );
      assert.match(o.problems[0].message, /^Hash listpack integrity check failed: /);
    });

    it('prints offsets in hex and decimal, the key, the phase and the counts in human output', () => {
      const r = run('check', join(ERR, 'rdb-truncated-half.rdb'));
      assert.equal(r.status, 1);
      assert.match(r.stdout, /error at 0x100B \(4107\) \[rdb\.truncated\]: unexpected end of data reading zset member/);
      assert.match(r.stdout, /key 'zset:skiplist', type 5 \(zset-v2\), DB 0, while doing read-object-value, redis-check-rdb reports offset 4103/);
      assert.match(r.stdout, /valid up to 0xBAE \(2990\)/);
      assert.match(r.stdout, /20 keys, 1 expires, 0 already expired\nRDB is DAMAGED\n$/);
    });

    it('exits 2 for usage and I/O errors, never with a stack trace', () => {
      for (const args of [[], ['check'], ['check', join(dir, 'missing.rdb')], ['frobnicate', 'x'], ['check', '--bogus', 'x'], ['check', dir]]) {
        const r = run(...args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      }
    });

    it('handles empty and tiny files as data', () => {
      const empty = join(dir, 'empty.rdb');
      writeFileSync(empty, '');
      const r = run('check', '--json', empty);
      assert.equal(r.status, 1);
      assert.equal(JSON.parse(r.stdout).problems[0].code, 'rdb.truncated');
      const junk = join(dir, 'junk.rdb');
      writeFileSync(junk, 'hello world, not an rdb');
      assert.equal(JSON.parse(run('check', '--json', junk).stdout).problems[0].code, 'rdb.bad-magic');
    });
  });

  describe('dump', () => {
    it('prints RESP commands with SELECT, values, PEXPIREAT and FUNCTION LOAD', () => {
      const r = spawnSync(process.execPath, [CLI, 'dump', join(OK, 'dump-7.0.15-all-types.rdb')], { timeout: 60000 });
      assert.equal(r.status, 0, String(r.stderr));
      const out = r.stdout.toString('latin1');
      assert.ok(out.startsWith('*4\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$7\r\nREPLACE\r\n'), out.slice(0, 80));
      assert.ok(out.includes('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'));
      assert.ok(out.includes('*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n'));
      assert.ok(out.includes('*3\r\n$3\r\nSET\r\n$10\r\nstr:binary\r\n$11\r\nbin\x00\x01\xfe\xffdata\r\n'));
      assert.ok(out.includes('*3\r\n$9\r\nPEXPIREAT\r\n$12\r\nstr:expiring\r\n$13\r\n4102444800000\r\n'));
      assert.ok(out.includes('$4\r\nZADD\r\n$7\r\nzset:lp\r\n'));
    });

    it('filters by --db, --type and --match and writes lossless JSON lines', () => {
      const r = run('dump', '--format', 'jsonl', '--db', '0', '--type', 'string', '--match', 'str:[bu]*', join(OK, 'dump-7.0.15-all-types.rdb'));
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const byKey = (a: unknown[], b: unknown[]) => String(a[1]).localeCompare(String(b[1]));
      assert.deepEqual(lines.map((l) => [l.db, l.key, l.type, l.value]).sort(byKey), [
        [0, 'str:bigint', 'string', '12345678901'],
        [0, 'str:binary', 'string', { base64: 'YmluAAH+/2RhdGE=' }],
        [0, 'str:utf8', 'string', 'héllo wörld ✓'],
      ]);
      const db3 = run('dump', '--format', 'jsonl', '--db', '3', join(OK, 'dump-7.0.15-all-types.rdb'));
      assert.equal(db3.status, 0);
      assert.deepEqual(
        db3.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((l) => [l.db, l.key, l.value]).sort(byKey),
        [
          [3, 'db3:hash', [['a', '1']]],
          [3, 'db3:key', 'in db 3'],
        ],
      );
    });

    it('writes to -o and exits 1 with the partial dataset for a damaged file', () => {
      const out = join(dir, 'partial.resp');
      const r = run('dump', '-o', out, join(ERR, 'rdb-truncated-half.rdb'));
      assert.equal(r.status, 1);
      assert.match(r.stderr, /is damaged; the output covers the records before 0xBAE \(2990\)/);
      const text = readFileSync(out, 'latin1');
      assert.ok(text.includes('str:plain'));
      assert.ok(!text.includes('zset:skiplist'));
    });
  });

  describe('stats', () => {
    it('prints JSON with per-DB, per-type, biggest keys and prefixes', () => {
      const r = run('stats', '--format', 'json', '--top', '3', join(OK, 'dump-7.0.15-all-types.rdb'));
      assert.equal(r.status, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.equal(s.keys, 25);
      assert.deepEqual(
        s.dbs.map((d: { db: number; keys: number; expires: number }) => [d.db, d.keys, d.expires]),
        [
          [0, 23, 1],
          [3, 2, 0],
        ],
      );
      assert.equal(s.byType.string.keys, 11);
      assert.equal(s.byType.stream.keys, 2);
      assert.equal(s.biggest.length, 3);
      assert.ok(s.biggest[0].size >= s.biggest[1].size && s.biggest[1].size >= s.biggest[2].size);
      const sum = Object.values(s.byType as Record<string, { bytes: number }>).reduce((a, t) => a + t.bytes, 0);
      assert.equal(sum, s.bytes);
      const prefixes = Object.fromEntries(s.prefixes.map((p: { prefix: string; keys: number }) => [p.prefix, p.keys]));
      assert.deepEqual(prefixes, { 'str:*': 10, 'list:*': 3, 'set:*': 3, 'zset:*': 2, 'hash:*': 3, 'stream:*': 2, 'db3:*': 2 });
    });

    it('writes redis-rdb-tools memory-report CSV columns', () => {
      const r = run('stats', '--format', 'csv', join(OK, 'dump-7.0.15-all-types.rdb'));
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines[0], 'database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry');
      assert.equal(lines.length, 26);
      const expiring = lines.find((l) => l.includes(',str:expiring,'))!;
      assert.match(expiring, /^0,string,str:expiring,\d+,string,1,11,2100-01-01T00:00:00\.000000$/);
      const intset = lines.find((l) => l.includes(',set:intset,'))!;
      assert.match(intset, /^0,set,set:intset,\d+,intset,6,5,$/);
    });
  });
});
