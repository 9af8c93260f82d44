// `redis-inspect diff` against the real redis-server: a dataset of every type saved as A, a known
// set of changes applied and saved as B; the diff must report exactly those changes. (AOF inputs:
// aofDiff.test.ts.)

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { parseRdb } from '../../src/core/rdb/parser.js';
import { valueChanges, type ListDetails } from '../../src/core/diff/details.js';
import { diffRdb } from '../../src/core/diff/rdbDiff.js';
import { populateAllTypes, FAR_FUTURE_MS } from '../support/datasets.js';
import { redisAvailable, redisUnavailableReason, startRedis, type RedisServer } from '../support/redisServer.js';

const ROOT = join(__dirname, '..', '..');

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src', 'cli', 'cli.ts'), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// IDs of stream:nodes, as datasets.ts builds them.
const BASE = 1_700_000_000_000;
const sid = (i: number): string => (i % 5 === 4 ? `${BASE + i - 1}-1` : `${BASE + i}-0`);

describe('diff: semantic key-level diff of two RDB files (real redis-server)', function () {
  let server: RedisServer | undefined;
  let dir = '';
  let A = '';
  let A2 = '';
  let B = '';

  before(async function () {
    if (!redisAvailable()) {
      console.log(`    skipped: ${redisUnavailableReason()}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'rpi-diff-'));
    server = await startRedis();
    await populateAllTypes(server);
    A = join(dir, 'a.rdb');
    copyFileSync(await server.save(), A);
    // The same data re-saved after a reload, without string compression: other bytes, same data.
    await server.command('DEBUG', 'RELOAD');
    await server.command('CONFIG', 'SET', 'rdbcompression', 'no');
    A2 = join(dir, 'a2.rdb');
    copyFileSync(await server.save(), A2);
    await server.command('CONFIG', 'SET', 'rdbcompression', 'yes');

    const s = 'stream:nodes';
    const replies = await server.commands([
      ['SET', 'string:short', 'hello redis'],
      ['LPOP', 'list:big'],
      ['LSET', 'list:big', '10', 'changed-10'],
      ['RPUSH', 'list:big', 'tail-new'],
      ['SADD', 'set:hashtable', 'new-member'],
      ['SREM', 'set:hashtable', 'a'],
      ['ZADD', 'zset:listpack', '99', 'new'],
      ['ZREM', 'zset:listpack', 'zero'],
      ['ZADD', 'zset:listpack', '2.5', 'one-and-half'],
      ['ZINCRBY', 'zset:skiplist-entries', '100', 'member:000'],
      ['HSET', 'hash:listpack', 'newfield', 'nv', 'int', '54321'],
      ['HDEL', 'hash:listpack', 'name'],
      ['HSET', 'hash:hashtable-entries', 'f1', 'changed'],
      ['XADD', s, '1800000000000-0', 'sensor', 'new'],
      ['XDEL', s, sid(40)],
      ['XGROUP', 'CREATE', s, 'g4', '0'],
      ['XACK', s, 'g1', sid(4)],
      ['XCLAIM', s, 'g1', 'alice', '0', sid(5)],
      ['PEXPIREAT', 'string:float', String(FAR_FUTURE_MS + 500)],
      ['PERSIST', 'ttl:string-sec'],
      ['PEXPIREAT', 'ttl:list', String(FAR_FUTURE_MS + 1999)],
      ['RENAME', 'string:zero', 'string:renamed'],
      ['DEL', 'set:int-lookalikes'],
      ['SET', 'set:int-lookalikes', 'now a string'],
      ['DEL', 'hash:hashtable-value'],
      ['SELECT', '5'],
      ['SET', 'newdb:key', 'v'],
      ['SELECT', '0'],
    ]);
    for (const r of replies) assert.ok(!(r instanceof Error), String(r));
    B = join(dir, 'b.rdb');
    copyFileSync(await server.save(), B);
  });

  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports exactly the changes made, with element-level details (--json, exit 1)', () => {
    const r = cli('diff', '--json', A, B);
    assert.equal(r.status, 1, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.a, A);
    assert.equal(o.b, B);
    assert.equal(o.equal, false);
    const expected: [number, string, string, string | null, string | null][] = [
      [0, 'hash:hashtable-entries', 'changed', 'hash', 'hash'],
      [0, 'hash:hashtable-value', 'removed', 'hash', null],
      [0, 'hash:listpack', 'changed', 'hash', 'hash'],
      [0, 'list:big', 'changed', 'list', 'list'],
      [0, 'set:hashtable', 'changed', 'set', 'set'],
      [0, 'set:int-lookalikes', 'changed', 'set', 'string'],
      [0, 'stream:nodes', 'changed', 'stream', 'stream'],
      [0, 'string:float', 'changed', 'string', 'string'],
      [0, 'string:renamed', 'added', null, 'string'],
      [0, 'string:short', 'changed', 'string', 'string'],
      [0, 'string:zero', 'removed', 'string', null],
      [0, 'ttl:list', 'changed', 'list', 'list'],
      [0, 'ttl:string-sec', 'changed', 'string', 'string'],
      [0, 'zset:listpack', 'changed', 'zset', 'zset'],
      [0, 'zset:skiplist-entries', 'changed', 'zset', 'zset'],
      [5, 'newdb:key', 'added', null, 'string'],
    ];
    assert.deepEqual(
      o.changes.map((c: Record<string, unknown>) => [c.db, c.key, c.change, c.typeBefore, c.typeAfter]),
      expected,
    );
    assert.deepEqual(
      { added: o.summary.added, removed: o.summary.removed, changed: o.summary.changed },
      { added: 2, removed: 2, changed: 12 },
    );
    assert.deepEqual(o.summary.byType.string, { added: 2, removed: 1, changed: 4, unchanged: o.summary.byType.string.unchanged });
    assert.deepEqual(o.functions, { added: [], removed: [], changed: [] });
    const by = new Map<string, typeof o>(o.changes.map((c: typeof o) => [`${c.db}:${c.key}`, c]));
    const d = (k: string): typeof o => by.get(`0:${k}`)!.details;

    assert.deepEqual(d('string:short'), { type: 'string', lengthBefore: 11, lengthAfter: 11, before: 'hello world', after: 'hello redis', truncated: false });
    assert.deepEqual(d('list:big'), {
      type: 'list',
      lengthBefore: 3000,
      lengthAfter: 3000,
      method: 'diff',
      added: 1,
      removed: 1,
      changed: 1,
      edits: [
        { op: 'removed', index: 0, value: 'item:00000:0' },
        { op: 'changed', index: 10, indexBefore: 11, before: `item:00011:${(11 * 7919) % 10007}`, after: 'changed-10' },
        { op: 'added', index: 2999, value: 'tail-new' },
      ],
      truncated: false,
    });
    assert.deepEqual(d('set:hashtable'), { type: 'set', sizeBefore: 7, sizeAfter: 7, added: ['new-member'], removed: ['a'], addedCount: 1, removedCount: 1, truncated: false });
    const z = d('zset:listpack');
    assert.deepEqual([z.added, z.removed, z.changed], [[{ member: 'new', score: 99 }], [{ member: 'zero', score: 0 }], [{ member: 'one-and-half', before: 1.5, after: 2.5 }]]);
    assert.deepEqual(d('zset:skiplist-entries').changed, [{ member: 'member:000', before: -25, after: 75 }]);
    const h = d('hash:listpack');
    assert.deepEqual([h.added, h.removed, h.changed, h.ttlChanged], [
      [{ field: 'newfield', value: 'nv' }],
      [{ field: 'name', value: 'redis' }],
      [{ field: 'int', before: '12345', after: '54321' }],
      [],
    ]);
    assert.deepEqual(d('hash:hashtable-entries').changed, [{ field: 'f1', before: 'value-1', after: 'changed' }]);

    const st = d('stream:nodes');
    assert.deepEqual(st.entries.added, [{ id: '1800000000000-0', fields: [['sensor', 'new']] }]);
    assert.deepEqual(st.entries.removed.map((e: { id: string }) => e.id), [sid(40)]);
    assert.deepEqual(st.entries.changed, []);
    assert.deepEqual(
      st.meta.map((m: { field: string }) => m.field),
      ['last-id', 'max-deleted-id', 'entries-added'],
    );
    assert.deepEqual(st.meta.find((m: { field: string }) => m.field === 'last-id'), { field: 'last-id', before: sid(44), after: '1800000000000-0' });
    assert.deepEqual(st.meta.find((m: { field: string }) => m.field === 'entries-added'), { field: 'entries-added', before: '45', after: '46' });
    assert.deepEqual(st.groups.added.map((g: { name: string; lastId: string; pending: number }) => [g.name, g.lastId, g.pending]), [['g4', '0-0', 0]]);
    assert.deepEqual(st.groups.removed, []);
    assert.equal(st.groups.changed.length, 1);
    const g1 = st.groups.changed[0];
    assert.equal(g1.name, 'g1');
    assert.equal(g1.lastId, undefined);
    assert.deepEqual(g1.pending.added, []);
    assert.deepEqual(g1.pending.removed.map((p: { id: string; consumer: string }) => [p.id, p.consumer]), [[sid(4), 'alice']]);
    assert.equal(g1.pending.changed.length, 1);
    assert.equal(g1.pending.changed[0].id, sid(5));
    assert.deepEqual(g1.pending.changed[0].consumer, { before: 'bob', after: 'alice' });
    assert.deepEqual(g1.pending.changed[0].deliveryCount, { before: 1, after: 2 });
    assert.deepEqual(
      g1.consumers.changed.map((c: { name: string; pending: unknown }) => [c.name, c.pending]),
      [
        ['alice', { added: [sid(5)], removed: [sid(4)] }],
        ['bob', { added: [], removed: [sid(5)] }],
      ],
    );
    assert.deepEqual([g1.consumers.added, g1.consumers.removed], [[], []]);

    // TTLs, type change, rename, deletion, other DB.
    const ttl = (k: string): [unknown, unknown, unknown] => [by.get(`0:${k}`)!.ttlBefore, by.get(`0:${k}`)!.ttlAfter, by.get(`0:${k}`)!.details];
    assert.deepEqual(ttl('string:float'), [null, FAR_FUTURE_MS + 500, null]);
    assert.deepEqual(ttl('ttl:string-sec'), [FAR_FUTURE_MS, null, null]);
    assert.deepEqual(ttl('ttl:list'), [FAR_FUTURE_MS + 999, FAR_FUTURE_MS + 1999, null]);
    assert.equal(d('set:int-lookalikes'), null);
    assert.equal(by.get('5:newdb:key')!.details, null);
  });

  it('finds the same data equal: A vs A, and A vs a re-saved copy with other bytes (exit 0)', () => {
    assert.notDeepEqual(readFileSync(A), readFileSync(A2));
    for (const other of [A, A2]) {
      const r = cli('diff', '--json', A, other);
      assert.equal(r.status, 0, r.stderr + r.stdout.slice(0, 2000));
      const o = JSON.parse(r.stdout);
      assert.equal(o.equal, true);
      assert.deepEqual(o.changes, []);
      assert.deepEqual([o.summary.added, o.summary.removed, o.summary.changed], [0, 0, 0]);
      assert.ok(o.summary.unchanged > 50);
    }
    const t = cli('diff', A, A2);
    assert.equal(t.status, 0);
    assert.match(t.stdout, /The files hold the same data\.\n$/);
  });

  it('gives the same answer when key names do not fit in memory (--max-key-names 0: read back by offset)', () => {
    const normal = JSON.parse(cli('diff', '--json', A, B).stdout);
    const r = cli('diff', '--json', '--max-key-names', '0', A, B);
    assert.equal(r.status, 1, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.namesReadBack, true);
    assert.deepEqual(o.changes, normal.changes);
    assert.deepEqual(o.summary, normal.summary);
  });

  it('filters with --db and --match', () => {
    const r = cli('diff', '--json', '--db', '5', A, B);
    assert.equal(r.status, 1);
    const o = JSON.parse(r.stdout);
    assert.deepEqual(o.changes.map((c: { key: string }) => c.key), ['newdb:key']);
    assert.deepEqual([o.summary.added, o.summary.removed, o.summary.changed, o.summary.unchanged], [1, 0, 0, 0]);
    assert.equal(o.functions, null);
    const m = JSON.parse(cli('diff', '--json', '--match', 'string:*', A, B).stdout);
    assert.deepEqual(m.changes.map((c: { key: string; change: string }) => [c.key, c.change]), [
      ['string:float', 'changed'],
      ['string:renamed', 'added'],
      ['string:short', 'changed'],
      ['string:zero', 'removed'],
    ]);
    assert.deepEqual(Object.keys(m.summary.byType), ['string']);
    const none = cli('diff', '--db', '1', '--db', '15', A, B);
    assert.equal(none.status, 0, none.stdout);
  });

  it('prints text with markers and indented element changes, and a Markdown summary with the counts', () => {
    const t = cli('diff', A, B);
    assert.equal(t.status, 1);
    assert.match(t.stdout, new RegExp(`^--- ${A}\\n\\+\\+\\+ ${B}\\n`));
    assert.match(t.stdout, /\n~ db0 "list:big" \(list\)\n {4}length 3000 → 3000: 1 added, 1 removed, 1 changed\n {4}- \[0\] "item:00000:0"\n {4}~ \[10\] \(was \[11\]\) "item:00011:\d+" → "changed-10"\n {4}\+ \[2999\] "tail-new"\n/);
    assert.match(t.stdout, /\n- db0 "string:zero" \(string\)\n/);
    assert.match(t.stdout, /\n\+ db5 "newdb:key" \(string\)\n/);
    assert.match(t.stdout, /\n~ db0 "set:int-lookalikes" \(string\)\n {4}type: set → string\n/);
    assert.match(t.stdout, /\n {4}ttl: none → 2100-01-01T00:00:00\.500Z \(4102444800500\)\n/);
    assert.match(t.stdout, /\n {4}~ group "g1"\n {8}- pending /);
    assert.match(t.stdout, /\nSummary: 2 added, 2 removed, 12 changed, \d+ unchanged\n/);
    assert.match(t.stdout, /The files differ\.\n$/);

    const md = cli('diff', '--markdown', '--limit', '3', A, B);
    assert.equal(md.status, 1);
    assert.match(md.stdout, /\*\*16 keys differ\*\*/);
    assert.match(md.stdout, /\| type \| added \| removed \| changed \| unchanged \|\n/);
    assert.match(md.stdout, /\| \*\*total\*\* \| \*\*2\*\* \| \*\*2\*\* \| \*\*12\*\* \| \*\*\d+\*\* \|\n/);
    assert.match(md.stdout, /#### First 3 of 16 changed keys\n\n- `~` db0 `hash:hashtable-entries` changed \(hash\): 0 fields added, 0 removed, 1 changed\n/);
    assert.match(md.stdout, /… and 13 more/);
  });

  it('exits 2 naming the damaged input and the offset, and for usage errors; reads an AOF', () => {
    const bytes = readFileSync(B);
    const bad = join(dir, 'bad.rdb');
    writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const expected = parseRdb(new MemorySource(readFileSync(bad)), {}).problems.find((p) => p.severity === 'error')!;
    const r = cli('diff', A, bad);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`B \\(${bad}\\) is damaged at 0x${expected.offset.toString(16).toUpperCase()} \\(${expected.offset}\\)`));
    assert.match(r.stderr, /\[rdb\.truncated\]/);
    const ra = cli('diff', '--json', bad, B);
    assert.equal(ra.status, 2);
    assert.match(ra.stderr, /A \(.*bad\.rdb\) is damaged at 0x/);

    const aof = join(dir, 'appendonly.aof');
    writeFileSync(aof, '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
    // An AOF is replayed (test/unit/aofDiff.test.ts covers every form).
    const ar = cli('diff', '--json', '--match', 'k', A, aof);
    assert.equal(ar.status, 1, ar.stderr);
    assert.deepEqual(JSON.parse(ar.stdout).changes.map((c: { key: string; change: string }) => [c.key, c.change]), [['k', 'added']]);

    for (const args of [['diff'], ['diff', A], ['diff', A, B, B], ['diff', '--json', '--markdown', A, B], ['diff', '--db', 'x', A, B], ['diff', A, join(dir, 'missing.rdb')]]) {
      const u = cli(...args);
      assert.equal(u.status, 2, `${args.join(' ')}: ${u.stderr}`);
      assert.doesNotMatch(u.stderr, /\n\s+at /);
    }
  });

  it('core: list edit scripts are consistent (random lists), and a huge edit count falls back to index-wise', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const list = (items: string[]) => ({ type: 'list' as const, rdbType: 18, encoding: 'quicklist-v2', start: 0, end: 0, count: items.length, items: items.map((s) => Buffer.from(s)) });
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(30) }, () => String(rand(6)));
      const b = Array.from({ length: rand(30) }, () => String(rand(6)));
      const d = valueChanges(list(a), list(b)) as ListDetails;
      const keptA = a.filter((_, i) => !d.edits.some((e) => (e.op === 'removed' && e.index === i) || (e.op === 'changed' && e.indexBefore === i)));
      const keptB = b.filter((_, i) => !d.edits.some((e) => (e.op === 'added' && e.index === i) || (e.op === 'changed' && e.index === i)));
      assert.deepEqual(keptA, keptB, `${a} / ${b}`);
      assert.equal(b.length, a.length + d.added - d.removed);
    }
    const big = Array.from({ length: 100 }, (_, i) => `x${i}`);
    const d = valueChanges(list(big), list(big.map((s) => `${s}!`)), { maxListEdits: 10 }) as ListDetails;
    assert.equal(d.method, 'index');
    assert.equal(d.changed, 100);
    assert.match(d.note!, /position by position/);
  });

  it('core: diffRdb on memory sources agrees with the CLI', () => {
    const out = diffRdb(new MemorySource(readFileSync(A)), new MemorySource(readFileSync(B)));
    assert.ok(out.ok);
    assert.equal(out.diff.changes.length, 16);
    assert.equal(out.diff.namesReadBack, false);
  });
});
