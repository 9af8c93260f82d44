// `redis-inspect dump --format resp` of every AOF form, replayed into a fresh redis-server,
// reproduces the dataset: multi-part with an RDB base, multi-part with a RESP base, a legacy
// single-file plain AOF and a legacy hybrid AOF (RDB preamble + RESP tail). Each AOF is written
// by a real redis-server holding every type (several DBs, streams with groups and PELs, TTLs,
// functions), rewritten with BGREWRITEAOF and then written to again, so both the base and the
// INCR matter. The replay is compared with the writing server's keyspace and with what
// redis-server itself loads from the same AOF.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { populateAllTypes } from '../support/datasets.js';
import { redisAvailable, redisUnavailableReason, startRedis, type RedisServer, rewriteAof } from '../support/redisServer.js';
import { diffSnapshots, snapshotKeyCount, snapshotKeyspace, type KeyspaceSnapshot } from '../support/snapshot.js';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const MANIFEST = 'appendonly.aof.manifest';



/** Writes after the rewrite: they change keys of the base and add keys, so the INCR matters. */
async function laterWrites(r: RedisServer): Promise<void> {
  const c = await r.connect();
  try {
    const replies = await c.commands([
      ['SELECT', '0'],
      ['SET', 'string:short', 'changed after the rewrite'],
      ['DEL', 'string:empty'],
      ['RPUSH', 'list:small', 'pushed after the rewrite'],
      ['PEXPIRE', 'list:small', '900000000'],
      ['XADD', 'stream:nodes', '*', 'after', 'rewrite'],
      ['XADD', 'post:stream', '1-1', 'a', '1'],
      ['XADD', 'post:stream', '2-1', 'b', '2'],
      ['XADD', 'post:stream', '3-1', 'c', '3'],
      ['XGROUP', 'CREATE', 'post:stream', 'grp', '0'],
      ['XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '2', 'STREAMS', 'post:stream', '>'],
      ['XACK', 'post:stream', 'grp', '1-1'],
      ['ZADD', 'post:zset', '1.5', 'a', '-2', 'b'],
      ['HSET', 'post:hash', 'f', 'v', 'g', Buffer.from([0, 0xff])],
      ['MULTI'],
      ['SET', 'tx:a', '1'],
      ['INCRBY', 'tx:n', '5'],
      ['EXEC'],
      ['SELECT', '1'],
      ['SET', 'db1:post', 'x', 'EX', '800000'],
      ['SELECT', '5'],
      ['SET', 'db5:key', 'in db 5', 'PX', '700000000'],
      ['SADD', 'db5:set', '1', '2', 'three'],
      ['SELECT', '15'],
      ['SET', 'db15:post', 'y'],
    ]);
    const err = replies.find((x) => x instanceof Error);
    if (err) throw err;
  } finally {
    c.close();
  }
}

describe('dump --format resp of every AOF form, replayed into redis-server', function () {
  this.timeout(60_000);
  let scratch = '';
  let counter = 0;
  const forms: Record<'rdbBase' | 'respBase', { aofDir: string; writer: KeyspaceSnapshot }> = {} as never;

  function freshDir(name: string): string {
    const d = path.join(scratch, `${++counter}-${name}`);
    fs.mkdirSync(d);
    return d;
  }

  async function writeForm(preamble: boolean): Promise<{ aofDir: string; writer: KeyspaceSnapshot }> {
    const dataDir = freshDir(preamble ? 'writer-rdb-base' : 'writer-resp-base');
    const r = await startRedis({ dir: dataDir, appendonly: true, config: { 'aof-use-rdb-preamble': preamble ? 'yes' : 'no' } });
    try {
      await populateAllTypes(r);
      await rewriteAof(r);
      await laterWrites(r);
      const writer = await snapshotKeyspace(r);
      return { aofDir: path.join(dataDir, 'appendonlydir'), writer };
    } finally {
      await r.stop();
    }
  }

  before(async function () {
    if (!redisAvailable()) {
      console.log(`    (skipped: ${redisUnavailableReason()})`);
      this.skip();
    }
    if (!fs.existsSync(CLI)) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-aof-replay-'));
    const t0 = Date.now();
    forms.rdbBase = await writeForm(true);
    forms.respBase = await writeForm(false);
    if (process.env.RPI_VERBOSE) console.log(`writers: ${Date.now() - t0} ms`);
  });

  after(function () {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  function files(aofDir: string): { base: string; incr: string } {
    const m = fs.readFileSync(path.join(aofDir, MANIFEST), 'utf8');
    const base = /^file (\S+) seq \d+ type b$/m.exec(m)?.[1];
    const incr = [...m.matchAll(/^file (\S+) seq \d+ type i$/gm)].map((x) => x[1]!);
    assert.ok(base && incr.length === 1, `one BASE and one INCR:\n${m}`);
    return { base: path.join(aofDir, base), incr: path.join(aofDir, incr[0]!) };
  }

  function dump(target: string): Buffer {
    const r = spawnSync(process.execPath, [CLI, 'dump', '--format', 'resp', target], { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
    assert.equal(r.status, 0, `dump ${target}: ${r.stderr.toString()}`);
    assert.ok(r.stdout.length > 0);
    return r.stdout;
  }

  async function replay(bytes: Buffer): Promise<KeyspaceSnapshot> {
    const r = await startRedis();
    try {
      await r.pipeRaw(bytes);
      return await snapshotKeyspace(r);
    } finally {
      await r.stop();
    }
  }

  /** What redis-server itself loads from an appendonlydir, or from a legacy `appendonly.aof` (migrated). */
  async function redisLoads(copy: (dataDir: string) => void): Promise<KeyspaceSnapshot> {
    const d = freshDir('redis-load');
    copy(d);
    const r = await startRedis({ dir: d, appendonly: true, config: { 'aof-load-truncated': 'no' } });
    try {
      return await snapshotKeyspace(r);
    } finally {
      await r.stop();
    }
  }

  /**
   * The replay must equal what redis-server itself loads from the same AOF, and differ from the
   * writing server only where that load does too: consumer-group state that Redis's own AOF
   * commands cannot carry (a RESP rewrite's XCLAIM cannot recreate pending entries of deleted
   * stream entries; entries-read is not propagated by 7.0).
   */
  async function check(target: string, writer: KeyspaceSnapshot, copy: (dataDir: string) => void): Promise<void> {
    const replayed = await replay(dump(target));
    assert.ok(snapshotKeyCount(writer) > 50, 'the writer held the dataset');
    assert.deepEqual(Object.keys(writer.dbs).map(Number), [0, 1, 5, 15], 'several DBs');
    const loaded = await redisLoads(copy);
    assert.deepEqual(diffSnapshots(loaded, replayed, { ignoreConsumerTimes: true }), [], 'replay vs. redis-server loading the same AOF');
    const vsWriter = diffSnapshots(writer, replayed, { ignoreConsumerTimes: true, limit: 1000 });
    assert.deepEqual(vsWriter, diffSnapshots(writer, loaded, { ignoreConsumerTimes: true, limit: 1000 }), 'the replay differs from the writer exactly where redis-server\'s own load does');
    assert.deepEqual(
      vsWriter.filter((d) => !/^db\d+ "[^"]+"\.groups\[\d+\]\./.test(d)),
      [],
      'replay vs. the writing server, apart from consumer-group state the AOF itself cannot carry',
    );
  }

  it('the later writes really are in the INCR (the base alone is not the dataset)', function () {
    for (const f of Object.values(forms)) {
      const incr = fs.readFileSync(files(f.aofDir).incr).toString('latin1');
      for (const s of ['changed after the rewrite', 'post:stream', 'db5:key', 'MULTI', 'PEXPIREAT']) assert.ok(incr.includes(s), `INCR holds ${s}`);
    }
    assert.ok(fs.readFileSync(files(forms.rdbBase.aofDir).base).subarray(0, 5).equals(Buffer.from('REDIS')), 'RDB base');
    assert.match(fs.readFileSync(files(forms.respBase.aofDir).base).subarray(0, 20).toString('latin1'), /^\*2\r\n\$6\r\nSELECT|^\*/, 'RESP base');
  });

  it('multi-part set with an RDB base', async function () {
    const { aofDir, writer } = forms.rdbBase;
    await check(aofDir, writer, (d) => fs.cpSync(aofDir, path.join(d, 'appendonlydir'), { recursive: true }));
  });

  it('multi-part set with a RESP base (given as its manifest)', async function () {
    const { aofDir, writer } = forms.respBase;
    await check(path.join(aofDir, MANIFEST), writer, (d) => fs.cpSync(aofDir, path.join(d, 'appendonlydir'), { recursive: true }));
  });

  it('legacy single-file plain AOF (RESP base + INCR concatenated)', async function () {
    const { aofDir, writer } = forms.respBase;
    const { base, incr } = files(aofDir);
    const legacy = path.join(freshDir('legacy-plain'), 'appendonly.aof');
    fs.writeFileSync(legacy, Buffer.concat([fs.readFileSync(base), fs.readFileSync(incr)]));
    assert.equal(fs.readFileSync(legacy).subarray(0, 1).toString(), '*');
    await check(legacy, writer, (d) => fs.copyFileSync(legacy, path.join(d, 'appendonly.aof')));
  });

  it('legacy hybrid AOF (RDB preamble + RESP tail)', async function () {
    const { aofDir, writer } = forms.rdbBase;
    const { base, incr } = files(aofDir);
    const legacy = path.join(freshDir('legacy-hybrid'), 'appendonly.aof');
    fs.writeFileSync(legacy, Buffer.concat([fs.readFileSync(base), fs.readFileSync(incr)]));
    await check(legacy, writer, (d) => fs.copyFileSync(legacy, path.join(d, 'appendonly.aof')));
  });
});
