// The editor's session (src/core/session): one indexing pass, then pages of
// keys, values and commands read back by offset — checked against the
// fixtures' known contents (written by redis-server 7.0.15).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { InspectSession, type SessionInput } from '../../src/core/session/session.js';
import { openInDir, resolveTarget } from '../../src/cli/target.js';
import type { BytesView, KeyRow } from '../../src/protocol/editor.js';

const FIX = path.join(__dirname, '..', 'fixtures');
const ALL_TYPES = path.join(FIX, 'rdb', 'ok', 'dump-7.0.15-all-types.rdb');
const NOW = Date.UTC(2026, 10, 22);

const text = (b: BytesView | undefined) => (b ? Buffer.from(b.b64, 'base64').toString('latin1') : undefined);

function single(file: string, options = {}): InspectSession {
  return new InspectSession({ kind: 'single', name: file, location: file, source: new MemorySource(new Uint8Array(fs.readFileSync(file))) }, () => NOW, options);
}

function set(file: string): InspectSession {
  const t = resolveTarget(file);
  assert.equal(t.kind, 'multipart');
  const input: SessionInput = { kind: 'set', name: path.basename((t as { manifestPath: string }).manifestPath), location: file, manifest: new Uint8Array(fs.readFileSync((t as { manifestPath: string }).manifestPath)), open: openInDir((t as { dir: string }).dir, []) };
  return new InspectSession(input, () => NOW);
}

function allRows(s: InspectSession, filter = {}): KeyRow[] {
  const q = s.query(filter);
  return q.sections.flatMap(({ section, count }) => s.keyRows(q.queryId, section, 0, count));
}

describe('editor session', () => {
  it('indexes an RDB: header, AUX read meaningfully, functions, sections with RESIZEDB, every key', () => {
    const s = single(ALL_TYPES);
    s.index();
    const o = s.overview();
    assert.equal(o.kind, 'rdb');
    assert.equal(o.ok, true);
    assert.equal(o.validUpTo, 8215);
    assert.equal(o.keys, 25);
    const rdb = o.parts[0]!.rdb!;
    assert.equal(rdb.version, 10);
    assert.equal(rdb.checksum, 'ok');
    assert.deepEqual(rdb.aux.map((a) => `${a.name}=${a.display}`), ['redis-ver=7.0.15', 'redis-bits=64-bit', 'ctime=2026-11-22T01:39:19.000Z (1795311559)', 'used-mem=1.45 MB (1523672 bytes)', 'aof-base=no']);
    assert.equal(rdb.ctimeMs, 1795311559000);
    assert.deepEqual(rdb.functions.map((f) => [f.name, f.engine, f.start, f.end]), [['mylib', 'lua', 80, 172]]);
    assert.deepEqual(o.sections.map((x) => [x.db, x.keys, x.expires, x.resizeKeys, x.resizeExpires]), [[0, 23, 1, 23, 1], [3, 2, 0, 2, 0]]);
    const rows = allRows(s);
    assert.equal(rows.length, 25);
    const byName = new Map(rows.map((r) => [text(r.key), r]));
    assert.deepEqual(['str:expiring', 'list:small', 'set:intset', 'hash:lp'].map((k) => [byName.get(k)!.type, byName.get(k)!.encoding, byName.get(k)!.count]), [
      ['string', 'string', 1],
      ['list', 'quicklist-v2', 7],
      ['set', 'set-intset', 6],
      ['hash', 'hash-listpack', 3],
    ]);
    assert.equal(byName.get('str:expiring')!.expireAtMs, 4102444800000);
    assert.equal(byName.get('str:plain')!.expireAtMs, undefined);
    // Byte ranges: every record starts where the previous ended (inside a section).
    const db0 = rows.filter((r) => r.section === 0);
    for (let i = 1; i < db0.length; i++) assert.equal(db0[i]!.start, db0[i - 1]!.end);
  });

  it('decodes values lazily, in pages, with element byte ranges', () => {
    const s = single(ALL_TYPES);
    s.index();
    const byName = new Map(allRows(s).map((r) => [text(r.key), r]));
    const list = s.value(byName.get('list:small')!.id, 0, 200);
    assert.deepEqual(list.rows.map((r) => text(r.value)), ['a', 'b', 'c', '1', '2', '300', '-7']);
    const big = byName.get('list:big')!;
    const page = s.value(big.id, 100, 3);
    assert.equal(page.total, big.count);
    assert.deepEqual(page.rows.map((r) => [r.index, text(r.value)]), [[100, 'item-101'], [101, 'item-102'], [102, 'item-103']]);
    const hash = s.value(byName.get('hash:lp')!.id, 0, 10);
    assert.deepEqual(hash.rows.map((r) => [text(r.value), text(r.fieldValue)]), [['f1', 'v1'], ['f2', '2'], ['f3', '']]);
    for (const r of hash.rows) assert.ok(r.start >= hash.start && r.end <= hash.end && r.start < r.end, `element range ${r.start}-${r.end}`);
    const bin = s.value(byName.get('str:binary')!.id, 0, 1);
    assert.deepEqual([...Buffer.from(bin.rows[0]!.value!.b64, 'base64')], [...Buffer.from('YmluAAH+/2RhdGE=', 'base64')]);
    const stream = allRows(s).find((r) => r.type === 'stream' && (r.count ?? 0) > 0)!;
    const sp = s.value(stream.id, 0, 50);
    assert.ok(sp.stream, 'stream metadata');
    assert.equal(sp.rows.length, sp.total);
    assert.match(sp.rows[0]!.id!, /^\d+-\d+$/);
  });

  it('filters: glob, regex, case, type, DB, TTL and size', () => {
    const s = single(ALL_TYPES);
    s.index();
    const names = (f: object) => allRows(s, f).map((r) => text(r.key)).sort();
    assert.deepEqual(names({ pattern: 'set:*' }), ['set:ht', 'set:intset', 'set:intset64']);
    // Literal prefixes take a byte comparison; anything else the glob matcher: same answers.
    assert.deepEqual(names({ pattern: 'set:int*' }), names({ pattern: 'set:in[t]*' }));
    assert.deepEqual(names({ pattern: 'set:int*' }), ['set:intset', 'set:intset64']);
    assert.deepEqual(names({ pattern: 'str:int8*' }), ['str:int8']);
    assert.deepEqual(names({ pattern: 'nothing*' }), []);
    assert.equal(names({ pattern: '*' }).length, 25);
    assert.deepEqual(names({ pattern: 'SET:INT*', ignoreCase: true }), ['set:intset', 'set:intset64']);
    assert.deepEqual(names({ pattern: '^str:int\\d+$', regex: true }), ['str:int16', 'str:int32', 'str:int8']);
    assert.deepEqual(names({ types: ['zset'] }).length, 2);
    assert.deepEqual(names({ ttl: 'has' }), ['str:expiring']);
    assert.equal(names({ ttl: 'none' }).length, 24);
    assert.deepEqual(names({ ttl: 'expired-now' }), []);
    assert.equal(names({ db: 3 }).length, 2);
    const big = allRows(s, { minSize: 1000 });
    assert.ok(big.length > 0 && big.every((r) => r.end - r.start >= 1000));
    const q = s.query({ pattern: 'str:*', db: 0 });
    assert.equal(q.total, 10);
    assert.deepEqual(q.sections.map((x) => x.count), [10, 0]);
    assert.throws(() => s.query({ pattern: '(', regex: true }));
    // Old filters' results are dropped: their pages are refused, never answered unfiltered.
    const first = s.query({ pattern: 'set:*' }).queryId;
    for (let i = 0; i < 9; i++) s.query({ pattern: `x${i}` });
    assert.throws(() => s.keyRows(first, 0, 0, 10), /dropped/);
  });

  it('reads key names back from the file past the arena budget', () => {
    const s = single(ALL_TYPES, { arenaBudget: 40 });
    s.index();
    assert.ok(s.keys.arenaKeys > 0 && s.keys.arenaKeys < 25, `arena holds ${s.keys.arenaKeys} keys`);
    const a = allRows(s).map((r) => text(r.key));
    const b = (() => {
      const t = single(ALL_TYPES);
      t.index();
      return allRows(t).map((r) => text(r.key));
    })();
    assert.deepEqual(a, b);
    assert.deepEqual(allRows(s, { pattern: 'zset:*' }).length, 2);
  });

  it('answers queries and cancels during the pass (tick)', () => {
    const s = single(ALL_TYPES);
    const seen: number[] = [];
    s.index({
      tick() {
        seen.push(s.query({}).total);
        return true; // cancel at the first tick
      },
    });
    assert.equal(seen.length, 1);
    assert.ok(seen[0]! > 0 && seen[0]! < 25, `partial index: ${seen[0]}`);
    const o = s.overview();
    assert.equal(o.index.cancelled, true);
    assert.equal(o.keys, seen[0]);
  });

  it('copies a key, a value and the RESP commands that recreate it', () => {
    const s = single(ALL_TYPES);
    s.index();
    const byName = new Map(allRows(s).map((r) => [text(r.key), r]));
    const id = byName.get('str:expiring')!.id;
    assert.equal(Buffer.from(s.copy(id, 'key')).toString(), 'str:expiring');
    assert.equal(Buffer.from(s.copy(id, 'value')).toString(), 'will expire');
    assert.equal(Buffer.from(s.copy(id, 'resp')).toString(), '*3\r\n$3\r\nSET\r\n$12\r\nstr:expiring\r\n$11\r\nwill expire\r\n*3\r\n$9\r\nPEXPIREAT\r\n$12\r\nstr:expiring\r\n$13\r\n4102444800000\r\n');
    assert.equal(Buffer.from(s.copy(byName.get('hash:lp')!.id, 'value')).toString(), 'f1\tv1\nf2\t2\nf3\t\n');
  });

  it('summarises: per DB and type, biggest keys with ids, prefixes', () => {
    const s = single(ALL_TYPES);
    s.index();
    const sum = s.summary();
    assert.equal(sum.keys, 25);
    assert.equal(sum.expires, 1);
    assert.deepEqual(sum.dbs.map((d) => [d.db, d.keys]), [[0, 23], [3, 2]]);
    assert.equal(sum.byType.string!.keys, 11);
    const first = sum.biggest[0]!;
    assert.equal(s.keyRow(first.id).end - s.keyRow(first.id).start, first.bytes);
    assert.ok(sum.biggest.every((b, i) => i === 0 || sum.biggest[i - 1]!.bytes >= b.bytes));
    assert.deepEqual(sum.prefixes.find((p) => p.prefix === 'str:*')?.keys, 10);
  });

  it('indexes a hybrid AOF: preamble keys, then the tail as commands with DB and transaction', () => {
    const s = single(path.join(FIX, 'aof', 'err', 'aof-hybrid-truncated-tail.aof'));
    s.index();
    const o = s.overview();
    assert.equal(o.kind, 'hybrid');
    assert.equal(o.ok, false);
    assert.equal(o.validUpTo, 8730);
    assert.equal(o.keys, 25);
    const part = o.parts[0]!;
    assert.equal(part.aof!.tailStart, part.rdb!.end);
    assert.equal(part.aof!.commands, 15);
    const rows = s.commandRows(0, 0, 15);
    assert.deepEqual(
      rows.map((r) => [r.index, r.start, r.db, r.transaction ?? null, r.args.map(text).join(' ')]),
      [
        [0, 8215, 0, null, 'SELECT 0'],
        [1, 8238, 0, null, 'set after:rewrite 1'],
        [2, 8278, 0, null, 'incr after:rewrite'],
        [3, 8312, 0, 3, 'MULTI'],
        [4, 8327, 0, 3, 'SET tx:a 1'],
        [5, 8357, 0, 3, 'INCRBY tx:a 41'],
        [6, 8391, 0, 3, 'LPUSH tx:list x y'],
        [7, 8433, 0, 3, 'EXEC'],
        [8, 8447, 0, null, 'SELECT 3'],
        [9, 8470, 3, null, 'set db3:after x'],
        [10, 8505, 3, null, 'SELECT 0'],
        [11, 8528, 0, null, 'PEXPIREAT after:rewrite 1795411572873'],
        [12, 8587, 0, null, 'del str:plain'],
        [13, 8615, 0, null, 'hset hash:lp f4 v4'],
        [14, 8658, 0, null, 'xadd stream:s1 1795311572922-0 late entry'],
      ],
    );
    assert.deepEqual(rows.map((r) => r.name).slice(0, 4), ['select', 'set', 'incr', 'multi']);
    assert.equal(rows[0]!.start, part.aof!.tailStart);
    assert.equal(o.problems[0]!.code, 'aof.truncated');
    assert.equal(o.problems[0]!.offset, 8758);
  });

  it('marks a transaction and flags an unclosed MULTI at its offset', () => {
    const s = single(path.join(FIX, 'aof', 'err', 'aof-unclosed-multi.aof'));
    s.index();
    const o = s.overview();
    assert.equal(o.kind, 'aof');
    assert.equal(o.validUpTo, 84);
    const rows = s.commandRows(0, 0, 10);
    const multi = rows.find((r) => r.name === 'multi')!;
    assert.equal(multi.start, 84);
    for (const r of rows.filter((x) => x.start >= 84)) assert.equal(r.transaction, multi.index);
    assert.equal(o.problems[0]!.code, 'aof.unclosed-multi');
  });

  it('indexes a multi-part set: load order, history listed but not loaded, damage in the right file', () => {
    const ok = set(path.join(FIX, 'aof', 'ok', 'multipart-with-history'));
    ok.index();
    const o = ok.overview();
    assert.equal(o.kind, 'manifest');
    assert.equal(o.ok, true);
    assert.deepEqual(o.parts.map((p) => [p.file, p.role, p.loaded]), [
      ['appendonly.aof.3.base.rdb', 'base', true],
      ['appendonly.aof.3.incr.aof', 'incr', true],
      ['appendonly.aof.2.incr.aof', 'history', false],
      ['appendonly.aof.2.base.rdb', 'history', false],
      ['appendonly.aof.1.incr.aof', 'history', false],
      ['appendonly.aof.1.base.rdb', 'history', false],
    ]);
    assert.equal(o.keys, 2);
    const bad = set(path.join(FIX, 'aof', 'err', 'mp-nonlast-incr-truncated'));
    bad.index();
    const b = bad.overview();
    assert.equal(b.ok, false);
    assert.equal(b.validUpToFile, 'appendonly.aof.2.incr.aof');
    assert.equal(b.validUpTo, 443);
    assert.equal(b.problems[0]!.file, 'appendonly.aof.2.incr.aof');
    assert.equal(b.problems[0]!.part, 1);
    assert.deepEqual(b.parts.map((p) => p.aof?.commands), [57, 14, 1]);
  });

  it('never throws on a damaged RDB: the problem points at the key whose record holds it', () => {
    const bytes = new Uint8Array(fs.readFileSync(ALL_TYPES));
    const good = single(ALL_TYPES);
    good.index();
    const target = allRows(good, { pattern: 'hash:lp' })[0]!;
    const damaged = bytes.slice();
    damaged[target.end - 2] ^= 0xff; // inside the listpack
    const s = new InspectSession({ kind: 'single', name: 'x.rdb', location: 'x.rdb', source: new MemorySource(damaged) }, () => NOW);
    s.index();
    const o = s.overview();
    assert.equal(o.ok, false);
    const p = o.problems.find((x) => x.severity === 'error')!;
    assert.ok(p.offset >= target.start && p.offset < target.end, `problem at ${p.offset} inside ${target.start}-${target.end}`);
    assert.equal(p.keyId, target.id);
    const row = allRows(s, { pattern: 'hash:lp' })[0]!;
    assert.equal(row.damaged, true);
    assert.ok(s.value(row.id, 0, 10).problems.length > 0);
  });
});
