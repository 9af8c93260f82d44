// The bounded-memory replay behind `diff` (src/core/aof/replay/dataset.ts, cold.ts, spill.ts):
// an RDB preamble left in its file and found again by offset, keys spilled past a budget and
// read back when a command touches them. It must build exactly the dataset the in-memory replay
// builds: checked here on random command streams over a real redis-server RDB as the preamble
// (every type and encoding of the 7.0.15 all-types fixture), with the keyspace commands that move
// whole DBs (SWAPDB, FLUSHDB, MOVE, COPY … DB) and budgets from 0 keys up. The spill record format
// round-trips every value shape, including those no 7.0 file holds (field TTLs, stream IDMP, modules).

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { replayAof, type ReplayedAof, type ReplayOptions } from '../../src/core/aof/replay.js';
import { encodeSpilled, MemorySpillStore, readSpilled, readSpilledKey } from '../../src/core/aof/replay/spill.js';
import { valueDigest } from '../../src/core/diff/digest.js';
import { ChangeLog, compareChanges, firstChanges } from '../../src/core/diff/changeLog.js';
import { diffSides, type KeyChange } from '../../src/core/diff/rdbDiff.js';
import { renderDataset } from '../../src/core/diff/render.js';
import { parseRdb } from '../../src/core/rdb/parser.js';
import type { RdbValue } from '../../src/core/rdb/value.js';
import { SpillFile } from '../../src/cli/spillFile.js';
import { mulberry32 } from '../support/prng.js';
import { encodeCommand, type RespArg } from '../support/resp.js';

const RDB = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'rdb', 'ok', 'dump-7.0.15-all-types.rdb'));
const NOW = 1_700_000_000_000;

function render(replay: ReplayedAof): string {
  const parts: string[] = [];
  renderDataset(replay, (t) => void parts.push(t));
  return parts.join('');
}

/** The fixture's keys by DB. */
function baseKeys(): { db: number; key: string }[] {
  const out: { db: number; key: string }[] = [];
  parseRdb(new MemorySource(RDB), { key: (k) => void out.push({ db: k.db, key: Buffer.from(k.key).toString('latin1') }) });
  return out;
}

/** Data fields only, bytes as plain arrays: what the spill format must keep (offsets, quicklist nodes and element ranges belong to the file the value came from). */
function data(v: RdbValue): unknown {
  const { start: _s, end: _e, elementRanges: _r, compressed: _c, ...rest } = v as RdbValue & { nodes?: unknown };
  delete (rest as { nodes?: unknown }).nodes;
  const plain = (x: unknown): unknown =>
    x instanceof Uint8Array ? Array.from(x) : Array.isArray(x) ? x.map(plain) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, plain(y)])) : x;
  return plain(rest);
}

describe('AOF replay in bounded memory (spill and read back)', () => {
  it('the spill record format round-trips every key of the all-types fixture, and shapes no 7.0 file holds', () => {
    const store = new MemorySpillStore();
    const written: { key: Uint8Array; expireAtMs?: number; value: RdbValue; at: number }[] = [];
    parseRdb(new MemorySource(RDB), {
      key: (k) => void written.push({ key: k.key, ...(k.expireAtMs !== undefined ? { expireAtMs: k.expireAtMs } : {}), value: k.value, at: store.append(encodeSpilled(k.key, k.expireAtMs, k.value)) }),
    });
    const base = { rdbType: 0, encoding: 'x', start: 0, end: 0 };
    const id = (ms: bigint, seq: bigint): { ms: bigint; seq: bigint } => ({ ms, seq });
    const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');
    const synthetic: RdbValue[] = [
      { ...base, type: 'hash', count: 3, fields: [b('a'), b('b'), b('c')], values: [b('1'), b(''), b('\u00ff\u0000')], fieldExpiresMs: [undefined, 1234.0, 9e15], hasFieldExpires: true, minExpireMs: 1234 },
      { ...base, type: 'zset', count: 3, members: [b('n'), b('z'), b('i')], scores: [-0, Infinity, -Infinity] },
      {
        ...base,
        type: 'stream',
        count: 1,
        entries: [{ id: id(18446744073709551615n, 3n), fields: [b('f'), b('v')] }],
        deletedEntries: 2,
        listpacks: 1,
        length: 1,
        lastId: id(18446744073709551615n, 3n),
        firstId: id(5n, 0n),
        maxDeletedId: id(4n, 9n),
        entriesAdded: 3,
        groups: [
          { name: b('g1'), lastId: id(1n, 1n), pending: [{ id: id(18446744073709551615n, 3n), deliveryTimeMs: 77, deliveryCount: 2, consumer: b('c') }], consumers: [{ name: b('c'), seenTimeMs: 10, activeTimeMs: 11, pending: [id(18446744073709551615n, 3n)] }] },
          { name: b('g2'), lastId: id(0n, 0n), entriesRead: 5, pending: [{ id: id(4n, 9n), deliveryTimeMs: 1, deliveryCount: 1 }], consumers: [] },
        ],
        idmp: { durationSeconds: 60, maxEntries: 100, iidsAdded: 4, iidsDuplicates: 1, producers: [{ id: b('p'), entries: [{ iid: b('i1'), id: id(5n, 0n) }] }] },
      },
      {
        ...base,
        type: 'module',
        count: 1,
        moduleId: 0x3fffffffffffffffn,
        moduleName: 'ReJSON-RL',
        encodingVersion: 3,
        items: [
          { kind: 'sint', value: -(2n ** 63n) },
          { kind: 'uint', value: 2n ** 64n - 1n },
          { kind: 'float', value: 1.5 },
          { kind: 'double', value: -0 },
          { kind: 'string', value: b('\u0000json') },
        ],
      },
      { ...base, type: 'string', count: 1, stringEncoding: 'int', value: b('-42'), length: 3 },
    ];
    synthetic.forEach((value, i) => written.push({ key: b(`synthetic:${i}`), value, at: store.append(encodeSpilled(b(`synthetic:${i}`), i === 0 ? 5e12 : undefined, value)), ...(i === 0 ? { expireAtMs: 5e12 } : {}) }));
    assert.ok(written.length > 25);
    for (const w of written) {
      const r = readSpilled(store.source, w.at);
      const name = Buffer.from(w.key).toString('latin1');
      assert.deepEqual(Buffer.from(r.key), Buffer.from(w.key), name);
      assert.deepEqual(Buffer.from(readSpilledKey(store.source, w.at)), Buffer.from(w.key), name);
      assert.equal(r.expireAtMs, w.expireAtMs, name);
      assert.deepEqual(data(r.value), data(w.value), name);
      assert.deepEqual(valueDigest(r.value), valueDigest(w.value), name);
    }
    // -0 survives (a skiplist keeps it; the digest alone would not tell).
    const zset = readSpilled(store.source, written.find((w) => Buffer.from(w.key).toString() === 'synthetic:1')!.at).value as Extract<RdbValue, { type: 'zset' }>;
    assert.ok(Object.is(zset.scores[0], -0));
  });

  it("the CLI's spill file: appends read back across its write buffer and the file, at any offset; its folder goes on close", () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-spill-'));
    try {
      const spill = new SpillFile(parent, 100);
      const rnd = mulberry32(7);
      const records: { at: number; bytes: Buffer }[] = [];
      for (let i = 0; i < 400; i++) {
        const bytes = Buffer.alloc(1 + Math.floor(rnd() * (i % 50 === 0 ? 3000 : 120)), i & 0xff);
        records.push({ at: spill.append(bytes), bytes });
      }
      assert.equal(spill.source.size, records.reduce((n, r) => n + r.bytes.length, 0));
      assert.ok(spill.onDisk, 'the buffer was written out');
      if (process.platform !== 'win32') assert.deepEqual(fs.readdirSync(parent), [], 'the open file is already unlinked');
      // In order (the forward window), then at random (small reads), then straddling records.
      for (const r of records) assert.deepEqual(Buffer.from(spill.source.read(r.at, r.bytes.length)), r.bytes);
      for (let i = 0; i < 400; i++) {
        const r = records[Math.floor(rnd() * records.length)]!;
        assert.deepEqual(Buffer.from(spill.source.read(r.at, r.bytes.length)), r.bytes);
      }
      const all = Buffer.concat(records.map((r) => r.bytes));
      for (let i = 0; i < 200; i++) {
        const at = Math.floor(rnd() * all.length);
        const n = Math.floor(rnd() * 5000);
        assert.deepEqual(Buffer.from(spill.source.read(at, n)), all.subarray(at, at + n));
      }
      spill.close();
      assert.deepEqual(fs.readdirSync(parent), []);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('a diff killed while it spills to disk leaves nothing in the temp folder (the spill file is unlinked while open)', async function () {
    if (process.platform !== 'linux') this.skip();
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-spill-kill-'));
    try {
      const file = path.join(tmp, 'many.aof');
      const value = 'v'.repeat(100);
      const parts: Buffer[] = [];
      for (let i = 0; i < 400_000; i++) parts.push(encodeCommand(['SET', `key:${i}`, value]));
      fs.writeFileSync(file, Buffer.concat(parts));
      const root = path.join(__dirname, '..', '..');
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'src', 'cli', 'cli.ts'), 'diff', '--max-keys-in-memory', '1000', file, file], {
        cwd: root,
        env: { ...process.env, TMPDIR: tmp },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // The spill file, seen through the child's descriptors: open, and already deleted.
      const spillFd = (): string | undefined => {
        try {
          return fs
            .readdirSync(`/proc/${child.pid}/fd`)
            .map((fd) => {
              try {
                return fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`);
              } catch {
                return '';
              }
            })
            .find((l) => l.includes('redis-inspect-spill-'));
        } catch {
          return undefined;
        }
      };
      const started = Date.now();
      let seen: string | undefined;
      while (!(seen = spillFd()) && child.exitCode === null && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
      assert.ok(seen, 'the diff spilled to disk before it was killed');
      assert.match(seen, /\(deleted\)$/);
      assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('redis-inspect-spill-')), []);
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      assert.deepEqual(fs.readdirSync(tmp).filter((f) => f !== 'many.aof' && !f.startsWith('tsx-')), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('random commands over an RDB preamble: the same dataset, problems and rendering whatever the budget (0 to 50 keys in memory)', function () {
    this.timeout(120_000);
    const keys = baseKeys();
    assert.ok(keys.some((k) => k.db === 3), 'the fixture has keys outside DB 0');
    const names = [...new Set(keys.map((k) => k.key)), 'new:a', 'new:b', 'new:c', 'new:d'];
    for (let seed = 1; seed <= 24; seed++) {
      const rnd = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const key = (): string => pick(names);
      const db = (): string => pick(['0', '1', '3']);
      const cmds: RespArg[][] = [];
      for (let i = 0; i < 160; i++) {
        const r = rnd();
        if (r < 0.08) cmds.push(['SELECT', db()]);
        else if (r < 0.14) cmds.push(['DEL', key()]);
        else if (r < 0.2) cmds.push(['RENAME', key(), key()]);
        else if (r < 0.24) cmds.push(['RENAMENX', key(), key()]);
        else if (r < 0.29) cmds.push(['COPY', key(), key(), 'DB', db(), ...(rnd() < 0.5 ? ['REPLACE'] : [])]);
        else if (r < 0.34) cmds.push(['MOVE', key(), db()]);
        else if (r < 0.37) cmds.push(['SWAPDB', db(), db()]);
        else if (r < 0.385) cmds.push(['FLUSHDB']);
        else if (r < 0.42) cmds.push(['PEXPIREAT', key(), String(NOW + Math.floor(rnd() * 1e6))]);
        else if (r < 0.45) cmds.push(['PERSIST', key()]);
        else if (r < 0.5) cmds.push(['SET', key(), `v${i}`]);
        else if (r < 0.54) cmds.push(['APPEND', key(), `+${i}`]);
        else if (r < 0.58) cmds.push(['INCR', key()]);
        else if (r < 0.63) cmds.push(['RPUSH', key(), `e${i}`, `f${i}`]);
        else if (r < 0.66) cmds.push(['LPOP', key()]);
        else if (r < 0.7) cmds.push(['SADD', key(), `m${i % 7}`]);
        else if (r < 0.73) cmds.push(['SREM', key(), `m${i % 7}`, 'member-1']);
        else if (r < 0.77) cmds.push(['ZADD', key(), String(i % 5), `z${i % 4}`]);
        else if (r < 0.8) cmds.push(['ZINCRBY', key(), '1.5', `z${i % 4}`]);
        else if (r < 0.85) cmds.push(['HSET', key(), `h${i % 6}`, `${i}`]);
        else if (r < 0.88) cmds.push(['HDEL', key(), `h${i % 6}`, 'field-1']);
        else if (r < 0.92) cmds.push(['XADD', key(), `${NOW + i}-0`, 'f', `${i}`]);
        else if (r < 0.95) cmds.push(['XTRIM', key(), 'MAXLEN', '2']);
        else if (r < 0.98) cmds.push(['MULTI'], ['SET', key(), 'in-multi'], ['RENAME', key(), key()], ['EXEC']);
        else cmds.push(['FLUSHALL']);
      }
      const aof = Buffer.concat([RDB, ...cmds.map(encodeCommand)]);
      const inMemory = replayAof(new MemorySource(aof), { nowMs: NOW }).replay;
      const expected = render(inMemory);
      for (const hotKeys of [0, 1, 2, 5, 50]) {
        const options: ReplayOptions = { nowMs: NOW, spill: new MemorySpillStore(), hotKeys };
        const layered = replayAof(new MemorySource(aof), options).replay;
        const what = `seed ${seed}, ${hotKeys} keys in memory`;
        assert.equal(layered.located, true);
        assert.equal(layered.keyspace.inMemory, 0, `${what}: everything is spilled at the end`);
        assert.equal(layered.keyspace.size, inMemory.keyspace.size, what);
        assert.deepEqual(layered.problems.map((p) => p.message), inMemory.problems.map((p) => p.message), what);
        assert.equal(render(layered), expected, what);
        const d = diffSides({ kind: 'replayed', replay: inMemory }, { kind: 'replayed', replay: layered });
        assert.ok(d.ok && d.diff.equal, `${what}: the diff engine finds them equal`);
        if (hotKeys === 0) assert.ok(layered.keyspace.readBack > 0, `${what}: keys were read back`);
      }
    }
  });

  it('the byte budget: big values are spilled though few keys are held, and a collection commands keep growing is weighed as it grows but not re-read each time', () => {
    const cmds: RespArg[][] = [];
    for (let i = 0; i < 200; i++) cmds.push(['SET', `big:${i}`, Buffer.alloc(10_000, i)]);
    for (let i = 0; i < 3000; i++) cmds.push(['RPUSH', 'growing', `item-${i}`]);
    for (let i = 0; i < 20; i++) cmds.push(['HSET', `h:${i}`, ...Array.from({ length: 100 }, (_, j) => [`f${j}`, `v${j}`]).flat()]);
    const aof = Buffer.concat(cmds.map(encodeCommand));
    const inMemory = replayAof(new MemorySource(aof), { nowMs: NOW }).replay;
    const ks = replayAof(new MemorySource(aof), { nowMs: NOW, spill: new MemorySpillStore(), hotKeys: 1_000_000, hotBytes: 64 << 10 }).replay.keyspace;
    // 2 MB of strings through a 64 KiB budget: nearly all spilled; 3,000 pushes onto one list: it stays (the newest key), read back at most a few times.
    assert.ok(ks.spilled >= 190, `spilled ${ks.spilled}`);
    assert.ok(ks.readBack <= 5, `read back ${ks.readBack}`);
    const layered = replayAof(new MemorySource(aof), { nowMs: NOW, spill: new MemorySpillStore(), hotKeys: 1_000_000, hotBytes: 64 << 10 }).replay;
    assert.equal(render(layered), render(inMemory));
  });

  it('a diff of a spilled replay reads key names and values back by locator (names not kept in memory)', () => {
    const cmds: RespArg[][] = [['SET', 'str:plain', 'changed'], ['DEL', 'list:big'], ['SET', 'brand:new', 'x'], ['SWAPDB', '0', '3']];
    const aof = Buffer.concat([RDB, ...cmds.map(encodeCommand)]);
    const layered = replayAof(new MemorySource(aof), { nowMs: NOW, spill: new MemorySpillStore(), hotKeys: 0 }).replay;
    const inMemory = replayAof(new MemorySource(aof), { nowMs: NOW }).replay;
    const rdb = { kind: 'rdb' as const, source: new MemorySource(RDB) };
    const bounded = diffSides({ kind: 'replayed', replay: layered }, rdb, { namesLimit: 0 });
    const held = diffSides({ kind: 'replayed', replay: inMemory }, rdb);
    assert.ok(bounded.ok && held.ok);
    assert.equal(bounded.diff.namesReadBack, true);
    assert.equal(held.diff.namesReadBack, false);
    const strip = (cs: typeof held.diff.changes): unknown => [...cs].map(({ aStart: _a, bStart: _b, ...c }) => ({ ...c, key: Buffer.from(c.key).toString('latin1') }));
    assert.deepEqual(strip(bounded.diff.changes), strip(held.diff.changes));
    // SWAPDB 0 3 moved every key: A (the replay) has DB 0's keys in DB 3 and the other way round.
    const of = (kind: string): string[] => [...bounded.diff.changes].filter((c) => c.change === kind).map((c) => `${c.db}:${Buffer.from(c.key).toString('latin1')}`);
    assert.ok(of('removed').includes('3:str:plain') && of('removed').includes('3:brand:new') && of('removed').includes('0:db3:key'), of('removed').join(' '));
    assert.ok(!of('removed').includes('3:list:big') && of('added').includes('0:list:big') && of('added').includes('3:db3:key'), of('added').join(' '));
  });
});

describe('diff changes in bounded memory (sorted runs on a spill store)', () => {
  it('merges spilled runs into the order of an in-memory sort: binary and long keys, every field, re-iterable', () => {
    const rnd = mulberry32(11);
    const types = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'] as const;
    const changes: KeyChange[] = [];
    for (let i = 0; i < 3000; i++) {
      const len = i % 500 === 0 ? 70_000 + i : Math.floor(rnd() * 12);
      // Random bytes (many shared prefixes), made unique by the index at the end: a diff never lists a key twice.
      const key = new Uint8Array(len + 2);
      for (let j = 0; j < len; j++) key[j] = Math.floor(rnd() * (i % 3 ? 4 : 256));
      key[len] = i >> 8;
      key[len + 1] = i & 0xff;
      const kind = (['added', 'removed', 'changed'] as const)[i % 3]!;
      changes.push({
        db: Math.floor(rnd() * 3),
        key,
        change: kind,
        typeBefore: kind === 'added' ? null : types[i % 7]!,
        typeAfter: kind === 'removed' ? null : types[(i + 1) % 7]!,
        ttlBefore: i % 4 ? null : 1_700_000_000_000 + i,
        ttlAfter: i % 5 ? null : 4e12 + 0.5,
        valueChanged: i % 2 === 0,
        ...(kind !== 'added' ? { aStart: i * 1000 } : {}),
        ...(kind !== 'removed' ? { bStart: 2 ** 45 * 3 + i } : {}),
      });
    }
    const expected = [...changes].sort(compareChanges);
    for (const runSize of [1, 7, 1000, 5000]) {
      const log = new ChangeLog(new MemorySpillStore(), runSize);
      for (const c of changes) log.push(c);
      const list = log.finish();
      assert.equal(list.length, changes.length);
      assert.equal(Array.isArray(list), runSize >= changes.length, `runSize ${runSize}: spilled only past one run`);
      for (let pass = 0; pass < 2; pass++) assert.deepEqual([...list], expected, `runSize ${runSize}, pass ${pass}`);
      assert.deepEqual(firstChanges(list, 5), expected.slice(0, 5));
    }
    // Without a spill store everything stays in memory, sorted.
    const held = new ChangeLog(undefined, 1);
    for (const c of changes) held.push(c);
    assert.deepEqual(held.finish(), expected);
  });
});
