import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  RespError,
  redisAvailable,
  redisServerVersion,
  redisUnavailableReason,
  startRedis,
  type RedisServer,
} from '../support/redisServer.js';
import { encodeCommand } from '../support/resp.js';
import { populateAllTypes, type DatasetManifest } from '../support/datasets.js';
import { diffSnapshots, snapshotKeyCount, snapshotKeyspace, type KeyspaceSnapshot } from '../support/snapshot.js';

describe('redis test harness (real redis-server)', function () {
  this.timeout(60_000);
  const servers: RedisServer[] = [];
  let a: RedisServer;
  let manifest: DatasetManifest;
  let rdbCopy: string;
  let scratch: string;
  let snapA: KeyspaceSnapshot;

  before(async function () {
    if (!redisAvailable()) {
      console.log(`    (skipped: ${redisUnavailableReason()})`);
      this.skip();
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-harness-test-'));
    a = await startRedis();
    servers.push(a);
    manifest = await populateAllTypes(a);
    const dump = await a.save();
    rdbCopy = path.join(scratch, 'all-types.rdb');
    fs.copyFileSync(dump, rdbCopy);
    snapA = await snapshotKeyspace(a); // before later tests write more keys into `a`
  });

  after(async function () {
    for (const s of servers) await s.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs the expected server version and a modest dump', function () {
    assert.match(redisServerVersion() ?? '', /^\d+\.\d+\.\d+$/);
    const size = fs.statSync(rdbCopy).size;
    assert.ok(size > 10_000 && size < 1_000_000, `dump.rdb is ${size} bytes`);
  });

  it('the dump passes redis-check-rdb', function () {
    const checker = '/usr/bin/redis-check-rdb';
    if (!fs.existsSync(checker)) this.skip();
    const out = execFileSync(checker, [rdbCopy], { encoding: 'utf8', timeout: 20_000 });
    assert.match(out, /RDB looks OK/);
  });

  it('every dataset key has the type, encoding and TTL the manifest promises', async function () {
    if (!(redisServerVersion() ?? '').startsWith('7.0.')) this.skip(); // encodings are 7.0-specific
    const c = await a.connect();
    try {
      const problems: string[] = [];
      for (const k of manifest.keys) {
        const [, type, enc, pexp] = await c.commands([['SELECT', k.db], ['TYPE', k.key], ['OBJECT', 'ENCODING', k.key], ['PEXPIRETIME', k.key]]);
        if (type !== k.type) problems.push(`db${k.db} ${k.name}: type ${String(type)} != ${k.type}`);
        const e = Buffer.isBuffer(enc) ? enc.toString() : String(enc);
        if (e !== k.encoding) problems.push(`db${k.db} ${k.name}: encoding ${e} != ${k.encoding}`);
        if (pexp !== (k.pexpireAt ?? -1)) problems.push(`db${k.db} ${k.name}: pexpiretime ${String(pexp)} != ${k.pexpireAt ?? -1}`);
      }
      // DEBUG OBJECT's serializedlength is the RDB size of the value: it pins the string encoding.
      for (const k of manifest.keys) {
        if (!k.rdbStringEncoding) continue;
        const [, dbg, val] = await c.commands([['SELECT', k.db], ['DEBUG', 'OBJECT', k.key], ['GET', k.key]]);
        const m = /serializedlength:(\d+)/.exec(Buffer.isBuffer(dbg) ? dbg.toString() : String(dbg));
        const len = Number(m?.[1]);
        const n = Buffer.isBuffer(val) ? val.length : -1;
        const rawLen = (n < 64 ? 1 : n < 16384 ? 2 : 5) + n;
        const ok = { int8: len === 2, int16: len === 3, int32: len === 5, raw: len === rawLen, lzf: len < rawLen }[k.rdbStringEncoding];
        if (!ok) problems.push(`db${k.db} ${k.name}: serializedlength ${len} does not match ${k.rdbStringEncoding} (raw would be ${rawLen})`);
      }
      assert.deepEqual(problems, []);
      const snap = await snapshotKeyspace(a);
      assert.equal(snapshotKeyCount(snap), manifest.keys.length, 'snapshot holds exactly the manifest keys');
      assert.deepEqual(Object.keys(snap.dbs).map(Number), [0, 1, 15]);
      assert.deepEqual(snap.functions.map((f) => f.name), manifest.functionLibraries);
    } finally {
      c.close();
    }
  });

  it('snapshot covers stream details (PEL, delivery counts, empty consumers, entries-read)', async function () {
    const snap = await snapshotKeyspace(a);
    const entry = snap.dbs[0]?.['stream:nodes'];
    assert.ok(entry && entry.data.type === 'stream');
    const s = entry.data.value as Extract<typeof entry.data, { type: 'stream' }>['value'];
    assert.equal(s.length, 33);
    assert.notEqual(s.maxDeletedEntryId, '0-0');
    const g1 = s.groups.find((g) => g.name === 'g1');
    assert.ok(g1);
    assert.ok(g1.pel.some((p) => p.deliveryCount === 2), 'XCLAIM bumped a delivery count to 2');
    assert.ok(g1.pel.some((p) => p.deliveryCount === 7 && p.deliveryTime === 1_700_000_005_000), 'XCLAIM TIME/RETRYCOUNT kept');
    const carol = g1.consumers.find((c) => c.name === 'carol');
    assert.ok(carol && carol.pelCount === 0 && carol.seenTime > 1_600_000_000_000, 'seen-time is an absolute ms timestamp');
    assert.equal(s.groups.find((g) => g.name === 'g2')?.entriesRead, 7);
    const xs = snap.dbs[0]?.['stream:xsetid']?.data.value as typeof s;
    assert.equal(xs.entriesAdded, 100);
    assert.equal(xs.maxDeletedEntryId, '1750000000000-3');
    const empty = snap.dbs[0]?.['stream:trimmed-empty']?.data.value as typeof s;
    assert.equal(empty.length, 0);
    assert.equal(empty.lastGeneratedId, '3004-0');
  });

  describe('RDB round trip', function () {
    let b: RedisServer;
    let snapB: KeyspaceSnapshot;

    before(async function () {
      b = await startRedis({ rdbFile: rdbCopy });
      servers.push(b);
      snapB = await snapshotKeyspace(b);
    });

    it('a server loading the dump has an identical snapshot', function () {
      assert.ok(snapshotKeyCount(snapA) > 50);
      assert.deepEqual(diffSnapshots(snapA, snapB), []);
    });

    it('diffSnapshots reports modified values, TTLs, missing keys and stream state', async function () {
      await b.commands([
        ['SELECT', 15],
        ['HSET', 'db15:hash', 'x', 'changed'],
        ['SELECT', 0],
        ['PEXPIREAT', 'string:short', 4_102_444_800_999],
        ['DEL', Buffer.from('bin\x00key', 'latin1')],
        ['XCLAIM', 'stream:nodes', 'g1', 'carol', '0', '1700000000003-1', 'TIME', '1700000009999'],
      ]);
      const changed = await snapshotKeyspace(b);
      const diff = diffSnapshots(snapA, changed);
      const text = diff.join('\n');
      assert.match(text, /db15 "db15:hash".*"y" != "changed"/);
      assert.match(text, /db0 "string:short": pexpiretime -1 != 4102444800999/);
      assert.match(text, /db0 "bin\\x00key": only in A/);
      assert.match(text, /db0 "stream:nodes".*pel/);
      // restore the negative-test changes do not leak: re-snapshot differs, original equality is unaffected
      assert.deepEqual(diffSnapshots(snapA, snapB), []);
    });

    it('a corrupt RDB is refused and the error carries the server log', async function () {
      const bad = path.join(scratch, 'corrupt.rdb');
      const bytes = fs.readFileSync(rdbCopy);
      fs.writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await assert.rejects(startRedis({ rdbFile: bad }), (e: Error) => {
        assert.match(e.message, /exited during startup/);
        assert.match(e.message, /log tail/);
        assert.match(e.message, /Short read|RDB|rdb/);
        return true;
      });
    });
  });

  it('pipeRaw sends a raw RESP stream and reports error replies', async function () {
    const value = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x24, 0x31, 0x0d, 0x0a]);
    const stream = Buffer.concat([
      encodeCommand(['SELECT', '3']),
      encodeCommand(['SET', 'piped:binary', value]),
      encodeCommand(['RPUSH', 'piped:list', 'a', 'b']),
    ]);
    const replies = await a.pipeRaw(stream);
    assert.deepEqual(replies, ['OK', 'OK', 2]);
    const [, got] = await a.commands([['SELECT', 3], ['GET', 'piped:binary'], ['SELECT', 0]]);
    assert.ok(Buffer.isBuffer(got) && got.equals(value));
    await assert.rejects(
      a.pipeRaw(Buffer.concat([encodeCommand(['SET', 'piped:x', '1']), encodeCommand(['LPUSH', 'piped:x', 'y']), encodeCommand(['INCR', 'piped:x'])])),
      /1 error reply out of 3; first \(reply #1\): WRONGTYPE/,
    );
    await assert.rejects(a.command('NOSUCHCOMMAND'), (e: unknown) => e instanceof RespError && e.code === 'ERR');
    const [err] = await a.commands([['NOSUCHCOMMAND']]);
    assert.ok(err instanceof RespError, 'commands() returns error replies in place');
  });

  it('appendonly: true writes a multi-part AOF into the data dir', async function () {
    const s = await startRedis({ appendonly: true });
    try {
      await s.command('SET', 'aof:key', 'v');
      const aofDir = path.join(s.dir, 'appendonlydir');
      assert.ok(fs.existsSync(aofDir), 'appendonlydir exists');
      assert.ok(fs.readdirSync(aofDir).some((f) => f.endsWith('.manifest')), 'AOF manifest exists');
    } finally {
      await s.stop();
    }
  });

  it('a server the test process forgets is killed when that process exits', async function () {
    const script = "require('./test/support/redisServer.ts').startRedis().then((s) => console.log(JSON.stringify({ pid: s.pid, dir: s.tmpDir })))";
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 30_000 });
    const { pid, dir } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { pid: number; dir: string };
    assert.ok(pid > 0);
    const deadline = Date.now() + 5000;
    const alive = (): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie is dead
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, `redis-server ${pid} still running`);
    assert.equal(fs.existsSync(dir), false, 'temp dir removed');
  });

  it('stop() ends the process and removes its temp dir', async function () {
    const s = await startRedis({ config: { 'maxmemory-policy': 'allkeys-lfu' } });
    const pid = s.pid;
    const [, policy] = (await s.command('CONFIG', 'GET', 'maxmemory-policy')) as Buffer[];
    assert.equal(policy?.toString(), 'allkeys-lfu');
    await s.stop();
    assert.equal(s.running, false);
    assert.equal(fs.existsSync(s.tmpDir), false);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
