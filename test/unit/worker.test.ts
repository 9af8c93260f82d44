// The check worker as the extension runs it: a real worker thread on the built
// dist/worker.js, speaking the protocol of src/protocol/worker.ts.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerMessage, WorkerRequest } from '../../src/protocol/worker.js';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(ROOT, 'dist', 'worker.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'rdb', 'ok', 'dump-7.0.15-all-types.rdb');

/** Sends one request after `ready` and collects every message until the reply. */
function exchange(request: WorkerRequest): Promise<WorkerMessage[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER);
    const seen: WorkerMessage[] = [];
    worker.on('message', (m: WorkerMessage) => {
      seen.push(m);
      if (m.type === 'ready') worker.postMessage(request);
      if (m.type === 'result' || m.type === 'error') {
        void worker.terminate();
        resolve(seen);
      }
    });
    worker.on('error', reject);
  });
}

describe('check worker', () => {
  before(() => {
    if (!existsSync(WORKER)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  });

  it('checks a local file by path: ready, progress, then one result', async () => {
    const seen = await exchange({ type: 'check', id: 7, path: FIXTURE });
    assert.deepEqual(seen[0], { type: 'ready', version: 2 });
    const last = seen[seen.length - 1]!;
    assert.equal(last.type, 'result');
    if (last.type !== 'result') return;
    assert.equal(last.replyTo, 7);
    assert.equal(last.report.kind, 'rdb');
    if (last.report.kind !== 'rdb') return;
    const s = last.report.summary;
    assert.equal(s.result.ok, true);
    assert.equal(s.result.keys, 25);
    assert.equal(s.writer, 'redis-ver 7.0.15');
    assert.deepEqual(
      s.result.dbs.map((d) => [d.db, d.keys, d.expires, d.resizeKeys]),
      [
        [0, 23, 1, 23],
        [3, 2, 0, 2],
      ],
    );
    assert.deepEqual(s.functions, ['mylib']);
    const progress = seen.filter((m) => m.type === 'progress');
    assert.ok(progress.length >= 1);
    assert.ok(progress.every((m) => m.type === 'progress' && m.replyTo === 7 && m.size === 8215));
  });

  it('checks bytes handed over (non-file URIs) with the same verdict and problems as data', async () => {
    const bytes = new Uint8Array(readFileSync(join(ROOT, 'test', 'fixtures', 'rdb', 'err', 'rdb-crc-mismatch.rdb')));
    const seen = await exchange({ type: 'check', id: 2, bytes, name: 'dump.rdb' });
    const last = seen[seen.length - 1]!;
    assert.ok(last.type === 'result' && last.report.kind === 'rdb');
    assert.equal(last.report.summary.result.ok, false);
    assert.deepEqual(
      last.report.summary.result.problems.map((p) => [p.code, p.offset]),
      [['rdb.checksum-mismatch', 8207]],
    );
  });

  it('checks an AOF by content and a multi-part set by its manifest', async () => {
    const aof = Buffer.from('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n');
    const single = (await exchange({ type: 'check', id: 4, bytes: aof, name: 'appendonly.aof' })).pop()!;
    assert.ok(single.type === 'result' && single.report.kind === 'aof');
    assert.deepEqual([single.report.result.ok, single.report.result.validUpTo, single.report.result.commands], [false, 23, 1]);
    const dir = mkdtempSync(join(tmpdir(), 'rpi-worker-'));
    try {
      writeFileSync(join(dir, 'a.1.incr.aof'), aof.subarray(0, 23));
      writeFileSync(join(dir, 'a.manifest'), 'file a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type i\n');
      const set = (await exchange({ type: 'check', id: 5, path: join(dir, 'a.manifest') })).pop()!;
      assert.ok(set.type === 'result' && set.report.kind === 'aof-set');
      assert.deepEqual(
        set.report.set.files.map((f) => [f.name, f.result?.ok ?? null, f.openError ?? null]),
        [
          ['a.1.incr.aof', true, null],
          ['a.2.incr.aof', null, 'No such file or directory'],
        ],
      );
      assert.equal(set.report.set.ok, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers an unreadable path with an error reply, not a crash', async () => {
    const seen = await exchange({ type: 'check', id: 3, path: join(ROOT, 'no-such-file.rdb') });
    const last = seen[seen.length - 1]!;
    assert.deepEqual(last.type === 'error' && [last.replyTo, last.error.code], [3, 'ENOENT']);
  });
});
