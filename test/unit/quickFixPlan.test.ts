// The bytes the extension's AOF quick fixes and repair command leave
// (test/integration/aofQuickFix.test.ts checks them in a real VS Code), judged
// outside VS Code: the truncate fix (the first validUpTo bytes) equals what
// redis-check-aof --fix leaves on the same files, the other plans remove
// exactly the records they name, and applyRepairPlan (shared by the CLI's fix
// and the extension) writes the plan's bytes and a backup.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAof } from '../../src/core/aof/aofParser.js';
import { planFix, planRemoveFlush, planStripUnclosedMulti, type RepairPlan } from '../../src/core/aof/repair.js';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { applyRepairPlan } from '../../src/cli/fix.js';
import { quickFixFixtures } from '../../scripts/e2e-workspace.mjs';
import { redisAvailable, startRedis } from '../support/redisServer.js';

const CHECK_AOF = '/usr/bin/redis-check-aof';

function parse(bytes: Buffer) {
  return parseAof(new MemorySource(new Uint8Array(bytes)));
}

function applied(bytes: Buffer, plan: RepairPlan): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const r of plan.removals) {
    parts.push(bytes.subarray(at, r.start));
    at = r.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

describe('AOF quick fixes: the bytes they leave', () => {
  const fixtures = quickFixFixtures() as Record<string, Buffer>;
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quickfix-plan-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs redis-check-aof --fix (answering y) on a copy of `bytes`; returns the file afterwards. */
  function checkAofFix(name: string, bytes: Buffer): Buffer {
    const file = path.join(tmp, name.replace(/\//g, '_'));
    fs.writeFileSync(file, bytes);
    const r = spawnSync(CHECK_AOF, ['--fix', file], { encoding: 'utf8', input: 'y\n', timeout: 60_000 });
    assert.equal(r.status, 0, `redis-check-aof --fix ${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /Successfully truncated AOF/);
    return fs.readFileSync(file);
  }

  for (const name of ['aof/quickfix/truncated.aof', 'aof/quickfix/utf8-truncated.aof', 'aof/quickfix/lone-lf.aof', 'aof/quickfix/unclosed-multi.aof', 'aof/quickfix/set/appendonly.aof.1.incr.aof']) {
    it(`${name}: the first validUpTo bytes are what redis-check-aof --fix leaves`, function () {
      if (!fs.existsSync(CHECK_AOF)) this.skip();
      const bytes = fixtures[name]!;
      const r = parse(bytes);
      assert.equal(r.ok, false);
      const expected = bytes.subarray(0, r.validUpTo);
      assert.ok(expected.equals(checkAofFix(name, bytes)), 'same bytes as redis-check-aof --fix');
      const plan = planFix(path.basename(name), r);
      assert.ok('removals' in plan);
      assert.ok(applied(bytes, plan).equals(expected));
      assert.equal(parse(expected).ok, true);
    });
  }

  it('unclosed MULTI: the strip plan removes the same bytes as --fix (from the MULTI on)', () => {
    const bytes = fixtures['aof/quickfix/unclosed-multi.aof']!;
    const r = parse(bytes);
    assert.equal(r.openMulti, true);
    const plan = planStripUnclosedMulti('unclosed-multi.aof', r);
    assert.ok('removals' in plan);
    const after = applied(bytes, plan);
    assert.equal(after.toString('latin1').includes('MULTI'), false);
    assert.ok(after.equals(bytes.subarray(0, r.validUpTo)));
  });

  it('trailing FLUSHALL: the plan removes exactly the FLUSHALL record', () => {
    const bytes = fixtures['aof/quickfix/trailing-flush.aof']!;
    const r = parse(bytes);
    assert.equal(r.ok, true);
    assert.equal(r.trailingFlush?.name, 'flushall');
    const plan = planRemoveFlush('trailing-flush.aof', r, false);
    assert.ok('removals' in plan);
    const flush = Buffer.from('*1\r\n$8\r\nFLUSHALL\r\n');
    assert.ok(applied(bytes, plan).equals(bytes.subarray(0, bytes.length - flush.length)));
    const again = parse(applied(bytes, plan));
    assert.equal(again.ok, true);
    assert.equal(again.trailingFlush, undefined);
  });

  it('applyRepairPlan writes the plan on disk and backs up the original and the removed bytes', () => {
    const bytes = fixtures['aof/quickfix/lone-lf.aof']!;
    const dir = fs.mkdtempSync(path.join(tmp, 'apply-'));
    const file = path.join(dir, 'lone-lf.aof');
    fs.writeFileSync(file, bytes);
    const r = parse(bytes);
    const plan = planFix('lone-lf.aof', r);
    assert.ok('removals' in plan);
    const { backup, resultFile } = applyRepairPlan({ kind: 'aof', path: file }, plan);
    assert.equal(resultFile, file);
    assert.ok(fs.readFileSync(file).equals(bytes.subarray(0, r.validUpTo)));
    assert.ok(fs.readFileSync(path.join(backup, 'lone-lf.aof')).equals(bytes));
    assert.ok(fs.readFileSync(path.join(backup, `lone-lf.aof.removed-${r.validUpTo}-${bytes.length}`)).equals(bytes.subarray(r.validUpTo)));
    assert.equal(JSON.parse(fs.readFileSync(path.join(backup, 'redis-inspect-backup.json'), 'utf8')).kind, 'fix');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  });

  it('the files the fixes leave load in redis-server with aof-load-truncated off', async function () {
    this.timeout(60_000);
    if (!redisAvailable()) this.skip();
    const cases: [string, (b: Buffer) => Buffer][] = [
      ['aof/quickfix/truncated.aof', (b) => b.subarray(0, parse(b).validUpTo)],
      ['aof/quickfix/utf8-truncated.aof', (b) => b.subarray(0, parse(b).validUpTo)],
      ['aof/quickfix/lone-lf.aof', (b) => b.subarray(0, parse(b).validUpTo)],
      [
        'aof/quickfix/unclosed-multi.aof',
        (b) => {
          const plan = planStripUnclosedMulti('x', parse(b));
          assert.ok('removals' in plan);
          return applied(b, plan);
        },
      ],
      [
        'aof/quickfix/trailing-flush.aof',
        (b) => {
          const plan = planRemoveFlush('x', parse(b), false);
          assert.ok('removals' in plan);
          return applied(b, plan);
        },
      ],
    ];
    for (const [name, fix] of cases) {
      // The fixed bytes as the one INCR file of a set: the server loads them strictly.
      const dir = fs.mkdtempSync(path.join(tmp, 'load-'));
      fs.mkdirSync(path.join(dir, 'appendonlydir'));
      fs.writeFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), fix(fixtures[name]!));
      fs.writeFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
      const server = await startRedis({ dir, appendonly: true, config: { 'aof-load-truncated': 'no' } });
      try {
        const keys = Number(await server.command('DBSIZE'));
        assert.ok(keys > 0, `${name}: the server loaded it with ${keys} keys`);
        if (name.includes('trailing-flush')) assert.ok(keys > 0, 'the data from before the FLUSHALL is back');
      } finally {
        await server.stop();
      }
    }
  });
});
