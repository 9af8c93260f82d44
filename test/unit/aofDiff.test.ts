// `redis-inspect diff` with AOF inputs, against the real redis-server: the every-type dataset
// (test/support/datasets.ts) is written to a server with appendonly on, rewritten (BGREWRITEAOF)
// and saved as an RDB; then known commands are applied live (they land in the INCR file) and the
// dataset is saved again. The AOF in each form Redis writes — multi-part with an RDB base
// (aof-use-rdb-preamble yes) or a RESP base (no), given as its appendonlydir or its manifest, and
// the legacy single-file hybrid and plain forms — must compare equal to the RDB of the same dataset
// (exit 0), and against the RDB saved before the live commands report exactly their changes (the
// same --json as the RDB-against-RDB diff of the two saves, itself checked in diff.test.ts). Where
// Redis's own AOF cannot carry some state (a RESP rewrite drops pending entries of deleted stream
// entries; 7.0 does not propagate a group's entries-read on XREADGROUP), the diff reports exactly
// that, and equals redis-server's own load of the same AOF.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FAR_FUTURE_MS, populateAllTypes } from '../support/datasets.js';
import { redisAvailable, redisUnavailableReason, rewriteAof, startRedis, type RedisServer } from '../support/redisServer.js';
import { encodeCommand, RespError, type RespArg } from '../support/resp.js';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { renderAofSet, renderPersistence, renderSnapshotText } from '../../src/core/diff/render.js';

const ROOT = path.join(__dirname, '..', '..');
const MANIFEST = 'appendonly.aof.manifest';

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'src', 'cli', 'cli.ts'), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// IDs of stream:nodes, as datasets.ts builds them.
const BASE = 1_700_000_000_000;
const sid = (i: number): string => (i % 5 === 4 ? `${BASE + i - 1}-1` : `${BASE + i}-0`);

/** Commands applied after the rewrite: every one of them has to be replayed from the INCR file. */
const LIVE: RespArg[][] = [
  ['SELECT', '0'],
  ['SET', 'string:short', 'changed after the rewrite'],
  ['INCRBY', 'string:counter', '10'],
  ['INCRBYFLOAT', 'string:float', '1.1'],
  ['APPEND', 'string:appended', 'xyz'],
  ['SETRANGE', 'string:len20', '3', 'RANGE'],
  ['GETDEL', 'string:empty'],
  ['RENAME', 'string:zero', 'string:renamed'],
  ['MOVE', 'string:int8', '3'],
  ['DEL', 'set:int-lookalikes'],
  ['SET', 'set:int-lookalikes', 'now a string'],
  ['RPUSH', 'list:small', 'pushed'],
  ['LINSERT', 'list:small', 'BEFORE', 'b', 'inserted'],
  ['LPOP', 'list:big', '2'],
  ['BLPOP', 'list:big', '0'],
  ['LSET', 'list:big', '10', 'changed-10'],
  ['LTRIM', 'list:listpack-encodings', '0', '10'],
  ['LMOVE', 'list:small', 'list:moved', 'LEFT', 'RIGHT'],
  ['PEXPIRE', 'list:small', '900000000'],
  ['SADD', 'set:hashtable', 'new-member'],
  ['SREM', 'set:hashtable', 'a'],
  ['SPOP', 'set:many-ints', '3'],
  ['SINTERSTORE', 'set:inter', 'set:intset16', 'set:intset32'],
  ['ZADD', 'zset:listpack', '99', 'new'],
  ['ZREM', 'zset:listpack', 'zero'],
  ['ZINCRBY', 'zset:skiplist-entries', '100', 'member:000'],
  ['ZPOPMIN', 'zset:skiplist-value'],
  ['ZUNIONSTORE', 'zset:union', '2', 'zset:listpack', 'set:hashtable', 'WEIGHTS', '2', '0.5'],
  ['HSET', 'hash:listpack', 'newfield', 'nv'],
  ['HDEL', 'hash:listpack', 'name'],
  ['HINCRBY', 'hash:hashtable-entries', 'f0', '5'],
  ['HINCRBYFLOAT', 'hash:listpack', 'int', '0.5'],
  ['COPY', 'hash:listpack', 'hash:copy'],
  ['XADD', 'stream:nodes', '*', 'after', 'rewrite'],
  ['XDEL', 'stream:nodes', sid(41)],
  ['XCLAIM', 'stream:nodes', 'g1', 'bob', '0', sid(4)],
  ['XACK', 'stream:nodes', 'g1', sid(5)],
  ['XADD', 'post:stream', '1-1', 'a', '1'],
  ['XADD', 'post:stream', '2-1', 'b', '2'],
  ['XADD', 'post:stream', 'MAXLEN', '~', '1', '3-1', 'c', '3'],
  ['XGROUP', 'CREATE', 'post:stream', 'grp', '0'],
  ['XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '2', 'NOACK', 'STREAMS', 'post:stream', '>'],
  ['XGROUP', 'CREATECONSUMER', 'post:stream', 'grp', 'bob'],
  ['PERSIST', 'ttl:hash'],
  ['PEXPIREAT', 'ttl:string-sec', String(FAR_FUTURE_MS + 500)],
  ['EXPIRE', 'ttl:zset', '-1'],
  ['MULTI'],
  ['SET', 'tx:a', '1'],
  ['INCRBY', 'tx:n', '5'],
  ['EXEC'],
  ['FUNCTION', 'LOAD', "#!lua name=rpi_lib3\nredis.register_function('rpi_three', function() return 3 end)"],
  ['SELECT', '1'],
  ['SET', 'db1:post', 'x', 'EX', '800000'],
  ['SELECT', '5'],
  ['SADD', 'db5:set', '1', '2', 'three'],
  ['SELECT', '15'],
  ['FLUSHDB'],
];

/** What the RDB-against-RDB diff of the saves before and after LIVE reports (diff.test.ts checks that engine). */
const CHANGED: [number, string, string][] = [
  [0, 'hash:copy', 'added'],
  [0, 'hash:hashtable-entries', 'changed'],
  [0, 'hash:listpack', 'changed'],
  [0, 'list:big', 'changed'],
  [0, 'list:listpack-encodings', 'changed'],
  [0, 'list:moved', 'added'],
  [0, 'list:small', 'changed'],
  [0, 'post:stream', 'added'],
  [0, 'set:hashtable', 'changed'],
  [0, 'set:int-lookalikes', 'changed'],
  [0, 'set:inter', 'added'],
  [0, 'set:many-ints', 'changed'],
  [0, 'stream:nodes', 'changed'],
  [0, 'string:appended', 'changed'],
  [0, 'string:counter', 'changed'],
  [0, 'string:empty', 'removed'],
  [0, 'string:float', 'changed'],
  [0, 'string:int8', 'removed'],
  [0, 'string:len20', 'changed'],
  [0, 'string:renamed', 'added'],
  [0, 'string:short', 'changed'],
  [0, 'string:zero', 'removed'],
  [0, 'ttl:hash', 'changed'],
  [0, 'ttl:string-sec', 'changed'],
  [0, 'ttl:zset', 'removed'],
  [0, 'tx:a', 'added'],
  [0, 'tx:n', 'added'],
  [0, 'zset:listpack', 'changed'],
  [0, 'zset:skiplist-entries', 'changed'],
  [0, 'zset:skiplist-value', 'changed'],
  [0, 'zset:union', 'added'],
  [1, 'db1:post', 'added'],
  [3, 'string:int8', 'added'],
  [5, 'db5:set', 'added'],
  [15, 'db15:hash', 'removed'],
  [15, 'db15:list', 'removed'],
  [15, 'db15:ttl', 'removed'],
  [15, 'same-name-in-several-dbs', 'removed'],
];

interface Form {
  /** The appendonlydir after LIVE. */
  aofDir: string;
  /** Saves before and after LIVE. */
  before: string;
  after: string;
}

describe('diff with AOF inputs: an RDB and the AOF of the same dataset compare equal (real redis-server)', function () {
  this.timeout(180_000);
  let scratch = '';
  const forms = {} as Record<'rdbBase' | 'respBase', Form>;

  async function live(r: RedisServer): Promise<void> {
    const c = await r.connect();
    try {
      const replies = await c.commands(LIVE);
      const err = replies.find((x) => x instanceof RespError);
      if (err) throw err;
    } finally {
      c.close();
    }
  }

  async function writeForm(preamble: boolean): Promise<Form> {
    const name = preamble ? 'rdb-base' : 'resp-base';
    const dir = path.join(scratch, name);
    const r = await startRedis({ dir, appendonly: true, config: { 'aof-use-rdb-preamble': preamble ? 'yes' : 'no' } });
    try {
      await populateAllTypes(r);
      await rewriteAof(r);
      const before = path.join(scratch, `${name}-before.rdb`);
      fs.copyFileSync(await r.save(), before);
      await live(r);
      const after = path.join(scratch, `${name}-after.rdb`);
      fs.copyFileSync(await r.save(), after);
      return { aofDir: path.join(dir, 'appendonlydir'), before, after };
    } finally {
      await r.stop();
    }
  }

  function files(aofDir: string): { base: string; incr: string } {
    const m = fs.readFileSync(path.join(aofDir, MANIFEST), 'utf8');
    const base = /^file (\S+) seq \d+ type b$/m.exec(m)![1]!;
    const incr = /^file (\S+) seq \d+ type i$/m.exec(m)![1]!;
    return { base: path.join(aofDir, base), incr: path.join(aofDir, incr) };
  }

  /** A legacy single-file AOF: the BASE and the INCR concatenated (what pre-7.0 Redis wrote). */
  function legacy(form: Form, name: string): string {
    const { base, incr } = files(form.aofDir);
    const file = path.join(scratch, name);
    fs.writeFileSync(file, Buffer.concat([fs.readFileSync(base), fs.readFileSync(incr)]));
    return file;
  }

  /** What redis-server itself loads from a copy of the appendonlydir, saved as an RDB. */
  async function redisLoads(aofDir: string, name: string): Promise<string> {
    const dir = path.join(scratch, name);
    fs.cpSync(aofDir, path.join(dir, 'appendonlydir'), { recursive: true });
    const r = await startRedis({ dir, appendonly: true, config: { 'aof-load-truncated': 'no' } });
    try {
      const out = path.join(scratch, `${name}.rdb`);
      fs.copyFileSync(await r.save(), out);
      return out;
    } finally {
      await r.stop();
    }
  }

  function json(...args: string[]): { status: number; o: Record<string, never> & { equal: boolean; changes: { db: number; key: string; change: string }[]; summary: { unchanged: number } } } {
    const r = cli('diff', '--json', ...args);
    assert.ok(r.status === 0 || r.status === 1, `diff ${args.join(' ')} → ${r.status}: ${r.stderr}`);
    return { status: r.status, o: JSON.parse(r.stdout) };
  }

  /** A diff's changes without consumers' seen/active times (and consumer changes left with nothing else). */
function withoutConsumerTimes(changes: unknown): unknown {
  return JSON.parse(JSON.stringify(changes), (k, v: unknown) => {
    if (k === 'seenTime' || k === 'activeTime') return undefined;
    if (k === 'changed' && Array.isArray(v)) return v.filter((c) => !(c && typeof c === 'object' && 'name' in c && Object.keys(c).length === 1));
    return v;
  });
}

const changeList = (o: { changes: { db: number; key: string; change: string }[] }): [number, string, string][] => o.changes.map((c) => [c.db, c.key, c.change]);

  before(async function () {
    if (!redisAvailable()) {
      console.log(`    (skipped: ${redisUnavailableReason()})`);
      this.skip();
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-aof-diff-'));
    forms.rdbBase = await writeForm(true);
    forms.respBase = await writeForm(false);
  });

  after(() => {
    if (scratch && !process.env.KEEP_TMP) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the INCR files really hold the live commands (as Redis propagates them)', () => {
    for (const f of Object.values(forms)) {
      const incr = fs.readFileSync(files(f.aofDir).incr).toString('latin1');
      for (const s of ['changed after the rewrite', 'XCLAIM', 'PXAT', 'MULTI', 'SETRANGE', 'zunionstore']) assert.ok(incr.toLowerCase().includes(s.toLowerCase()), `INCR holds ${s}`);
      assert.ok(!/\bBLPOP\b/i.test(incr) && /\bLPOP\b/i.test(incr), 'BLPOP is written as LPOP');
    }
    assert.equal(fs.readFileSync(files(forms.rdbBase.aofDir).base).subarray(0, 5).toString(), 'REDIS');
    assert.equal(fs.readFileSync(files(forms.respBase.aofDir).base).subarray(0, 1).toString(), '*');
  });

  it('multi-part AOF with an RDB base (appendonlydir and manifest) equals the RDB saved at the same time: exit 0, both ways', () => {
    const { aofDir, after } = forms.rdbBase;
    for (const [a, b] of [
      [after, aofDir],
      [path.join(aofDir, MANIFEST), after],
    ] as const) {
      const { status, o } = json(a, b);
      assert.equal(status, 0, JSON.stringify(o.changes).slice(0, 2000));
      assert.equal(o.equal, true);
      assert.deepEqual(o.changes, []);
      assert.ok(o.summary.unchanged > 70);
    }
    const text = cli('diff', after, aofDir);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /The files hold the same data\.\n$/);
  });

  it('the legacy hybrid form (RDB preamble + RESP tail in one file) equals it too, and equals the multi-part set', () => {
    const { aofDir, after } = forms.rdbBase;
    const hybrid = legacy(forms.rdbBase, 'legacy-hybrid.aof');
    assert.equal(json(after, hybrid).status, 0);
    assert.equal(json(hybrid, aofDir).status, 0);
  });

  it('against the RDB saved before the live commands, exactly their changes: the same --json as the RDB-against-RDB diff', () => {
    const { aofDir, before, after } = forms.rdbBase;
    const rdbs = json(before, after);
    assert.equal(rdbs.status, 1);
    assert.deepEqual(changeList(rdbs.o), CHANGED);
    const aof = json(before, aofDir);
    assert.equal(aof.status, 1);
    assert.deepEqual(changeList(aof.o), CHANGED);
    // Consumers' seen/active times are left out when a side is an AOF: drop them from the RDB diff to compare.
    assert.deepEqual(withoutConsumerTimes(aof.o.changes), withoutConsumerTimes(rdbs.o.changes));
    assert.deepEqual(aof.o.functions, { added: ['rpi_lib3'], removed: [], changed: [] });
    const by = new Map(aof.o.changes.map((c: { db: number; key: string }) => [`${c.db}:${c.key}`, c as unknown as Record<string, unknown>]));
    const d = (k: string): Record<string, unknown> => by.get(`0:${k}`)!.details as Record<string, unknown>;
    assert.deepEqual(d('string:short'), { type: 'string', lengthBefore: 11, lengthAfter: 25, before: 'hello world', after: 'changed after the rewrite', truncated: false });
    assert.deepEqual(d('string:float'), { type: 'string', lengthBefore: 4, lengthAfter: 4, before: '3.14', after: '4.24', truncated: false });
    assert.deepEqual((d('set:hashtable') as { added: string[]; removed: string[] }).added, ['new-member']);
    assert.equal(by.get('0:ttl:string-sec')!.ttlAfter, FAR_FUTURE_MS + 500);
    assert.equal(by.get('0:set:int-lookalikes')!.typeAfter, 'string');
  });

  it('in bounded memory (--max-keys-in-memory 0: every key spilled, names read back): the same --json for every AOF form', () => {
    const { aofDir, before } = forms.rdbBase;
    const spilled = (...args: string[]): { status: number; stdout: string; stderr: string } => cli('diff', '--json', '--max-keys-in-memory', '0', '--max-key-names', '0', ...args);
    const targets = [aofDir, legacy(forms.rdbBase, 'legacy-hybrid-spilled.aof'), forms.respBase.aofDir];
    for (const target of targets) {
      for (const [a, b] of [
        [before, target],
        [target, before],
      ] as const) {
        const held = cli('diff', '--json', a, b);
        const bounded = spilled(a, b);
        assert.equal(bounded.status, held.status, bounded.stderr);
        assert.equal(bounded.status, 1);
        const o = JSON.parse(bounded.stdout) as { namesReadBack: boolean };
        assert.equal(o.namesReadBack, true);
        assert.deepEqual({ ...o, namesReadBack: false }, JSON.parse(held.stdout), `${a} → ${b}`);
      }
    }
  });

  it('with a RESP base, the diff shows exactly what Redis\'s own AOF cannot carry, and equals redis-server\'s load of that AOF', async () => {
    const { aofDir, after } = forms.respBase;
    const { status, o } = json(after, aofDir);
    assert.equal(status, 1);
    assert.deepEqual(changeList(o), [[0, 'stream:nodes', 'changed']]);
    const groups = (o.changes[0] as unknown as { details: { groups: { changed: { name: string; pending: { removed: { id: string; consumer: string }[]; added: unknown[]; changed: unknown[] } }[] } } }).details.groups;
    assert.deepEqual(
      groups.changed.map((g) => [g.name, g.pending.removed.map((p) => [p.id, p.consumer]), g.pending.added, g.pending.changed]),
      [['g1', [[sid(0), 'alice']], [], []]],
      'XCLAIM cannot recreate the pending entry of a deleted stream entry',
    );
    const loaded = await redisLoads(aofDir, 'resp-base-loaded');
    for (const target of [aofDir, legacy(forms.respBase, 'legacy-plain.aof')]) {
      const same = json(loaded, target);
      assert.equal(same.status, 0, JSON.stringify(same.o.changes).slice(0, 2000));
    }
    // And redis-server's own load differs from the writer exactly as our replay does (besides the consumers' seen-times it resets).
    const own = json(after, loaded).o;
    assert.deepEqual(withoutConsumerTimes(own.changes.filter((c) => c.key === 'stream:nodes')), withoutConsumerTimes(o.changes));
    for (const c of own.changes.filter((x) => x.key !== 'stream:nodes')) {
      const d = (c as unknown as { details: { meta: unknown[]; groups: { added: unknown[]; removed: unknown[]; changed: Record<string, { added: unknown[]; removed: unknown[]; changed: Record<string, unknown>[] }>[] } } }).details;
      assert.deepEqual([d.meta, d.groups.added, d.groups.removed], [[], [], []], c.key);
      for (const g of d.groups.changed) {
        assert.deepEqual([g.pending!.added, g.pending!.removed, g.pending!.changed, g.consumers!.added, g.consumers!.removed], [[], [], [], [], []], c.key);
        for (const k of g.consumers!.changed) assert.deepEqual(Object.keys(k).filter((x) => x !== 'name' && x !== 'seenTime' && x !== 'activeTime'), [], `${c.key}: only consumers' seen-times differ`);
      }
    }
  });

  it('XREADGROUP without NOACK: Redis 7.0 writes XCLAIM … LASTID, which does not carry entries-read; the diff says so, as redis-server\'s own load does', async () => {
    const dir = path.join(scratch, 'xreadgroup');
    const r = await startRedis({ dir, appendonly: true });
    let rdb: string;
    try {
      await r.commands([
        ['XADD', 's', '1-1', 'a', '1'],
        ['XADD', 's', '2-1', 'b', '2'],
        ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>'],
      ]);
      rdb = path.join(scratch, 'xreadgroup.rdb');
      fs.copyFileSync(await r.save(), rdb);
    } finally {
      await r.stop();
    }
    const aofDir = path.join(dir, 'appendonlydir');
    const { o } = json(rdb, aofDir);
    const g = (o.changes[0] as unknown as { details: { groups: { changed: { entriesRead?: unknown; pending: { changed: unknown[] } }[] } } }).details.groups.changed[0]!;
    assert.deepEqual(g.entriesRead, { before: 1, after: -1 });
    assert.deepEqual(g.pending.changed, []);
    const loaded = await redisLoads(aofDir, 'xreadgroup-loaded');
    assert.equal(json(loaded, aofDir).status, 0);
  });

  it("`dump --format resp` of an RDB, read back as an AOF, equals it (RESTORE of the stream whose pending entries refer to deleted entries)", () => {
    const { after } = forms.respBase;
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'src', 'cli', 'cli.ts'), 'dump', '--format', 'resp', after], { cwd: ROOT, maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr.toString());
    const dumped = path.join(scratch, 'dumped.aof');
    fs.writeFileSync(dumped, r.stdout);
    assert.ok(r.stdout.includes(Buffer.from('RESTORE')), 'the stream is restored from its DUMP payload');
    const { status, o } = json(after, dumped);
    assert.equal(status, 0, JSON.stringify(o.changes).slice(0, 2000));
  });

  it('an AOF and the RDB of the same dataset render identically (the readable diff of VS Code)', async () => {
    const { aofDir, after } = forms.rdbBase;
    const rdbText = renderSnapshotText(new MemorySource(fs.readFileSync(after))).text;
    const parts: string[] = [];
    renderAofSet(fs.readFileSync(path.join(aofDir, MANIFEST)), (f) => new MemorySource(fs.readFileSync(path.join(aofDir, f))), (t) => void parts.push(t));
    assert.equal(parts.join(''), rdbText);
    const hybrid: string[] = [];
    renderPersistence(new MemorySource(fs.readFileSync(legacy(forms.rdbBase, 'render-hybrid.aof'))), (t) => void hybrid.push(t), { name: 'render-hybrid.aof' });
    assert.equal(hybrid.join(''), rdbText);
    // A RESP base renders as redis-server loads it.
    const loaded = await redisLoads(forms.respBase.aofDir, 'resp-render-loaded');
    const plain: string[] = [];
    renderPersistence(new MemorySource(fs.readFileSync(legacy(forms.respBase, 'render-plain.aof'))), (t) => void plain.push(t), { name: 'render-plain.aof' });
    assert.equal(plain.join(''), renderSnapshotText(new MemorySource(fs.readFileSync(loaded))).text);
  });

  it('an AOF command the replay cannot model: exit 2 naming it, unless --db/--match leave its keys out', () => {
    const { aofDir, after } = forms.rdbBase;
    const copy = path.join(scratch, 'with-pfadd');
    fs.cpSync(aofDir, copy, { recursive: true });
    fs.appendFileSync(files(copy).incr, '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$5\r\nPFADD\r\n$3\r\nhll\r\n$1\r\na\r\n');
    const r = cli('diff', after, copy);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /B \(.*with-pfadd\) cannot be compared exactly: its replay cannot model a command that changes the keys compared/);
    assert.match(r.stderr, /\[replay\.unsupported\]: cannot replay PFADD: HyperLogLog updates are not modelled .* key "hll" may differ/);
    assert.match(r.stderr, /appendonly\.aof\.\d+\.incr\.aof/);
    const filtered = cli('diff', '--match', 'string:*', after, copy);
    assert.equal(filtered.status, 0, filtered.stderr);
    assert.equal(cli('diff', '--db', '1', after, copy).status, 0);
  });

  it('an AOF with relative times (EXPIRE, SETEX of a pre-7.0 file) equals itself: both sides resolve them against one clock', () => {
    // Enough commands that replaying A takes some milliseconds before B starts.
    const commands: RespArg[][] = [['SETEX', 'early', '100', 'v']];
    for (let i = 0; i < 30_000; i++) commands.push(['SET', `k${i}`, 'v']);
    commands.push(['EXPIRE', 'k0', '100'], ['PEXPIRE', 'k1', '5000']);
    const file = path.join(scratch, 'relative.aof');
    fs.writeFileSync(file, Buffer.concat(commands.map(encodeCommand)));
    const r = cli('diff', file, file);
    assert.equal(r.status, 0, r.stdout.slice(0, 2000));
  });

  it('a damaged AOF: exit 2 naming the file and the offset', () => {
    const { aofDir, after } = forms.rdbBase;
    const copy = path.join(scratch, 'truncated');
    fs.cpSync(aofDir, copy, { recursive: true });
    const incr = files(copy).incr;
    const bytes = fs.readFileSync(incr);
    fs.writeFileSync(incr, bytes.subarray(0, bytes.length - 3));
    const r = cli('diff', after, copy);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /B \(.*truncated\) is damaged at 0x[0-9A-F]+ \(\d+\) in appendonly\.aof\.\d+\.incr\.aof: cannot diff it/);
  });
});
