// The check worker as the extension runs it: a real worker thread on the built
// dist/worker.js, speaking the protocol of src/protocol/worker.ts.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
    assert.deepEqual(seen[0], { type: 'ready', version: 1 });
    const last = seen[seen.length - 1]!;
    assert.equal(last.type, 'result');
    if (last.type !== 'result') return;
    assert.equal(last.replyTo, 7);
    const s = last.summary;
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
    const seen = await exchange({ type: 'check', id: 2, bytes });
    const last = seen[seen.length - 1]!;
    assert.ok(last.type === 'result');
    assert.equal(last.summary.result.ok, false);
    assert.deepEqual(
      last.summary.result.problems.map((p) => [p.code, p.offset]),
      [['rdb.checksum-mismatch', 8207]],
    );
  });

  it('answers an unreadable path with an error reply, not a crash', async () => {
    const seen = await exchange({ type: 'check', id: 3, path: join(ROOT, 'no-such-file.rdb') });
    const last = seen[seen.length - 1]!;
    assert.deepEqual(last.type === 'error' && [last.replyTo, last.error.code], [3, 'ENOENT']);
  });
});
