// The check worker as the extension runs it: a real worker thread on the built
// dist/worker.js, speaking the protocol of src/protocol/worker.ts.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerMessage, WorkerRequest } from '../../src/protocol/worker.js';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { renderAofSet, renderPersistence } from '../../src/core/diff/render.js';

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
      if (m.type === 'result' || m.type === 'error' || m.type === 'rendered') {
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

  it('renders the readable text of a file by path, of bytes handed over, and of a manifest set with a file that could not be read', async () => {
    const rendered = async (request: WorkerRequest): Promise<string> => {
      const m = (await exchange(request)).pop()!;
      assert.ok(m.type === 'rendered', JSON.stringify(m));
      return m.text;
    };
    const expected = (render: (emit: (t: string) => void) => void): string => {
      const parts: string[] = [];
      render((t) => void parts.push(t));
      return parts.join('');
    };
    const byPath = await rendered({ type: 'render', id: 8, files: [{ name: 'dump.rdb', path: FIXTURE }], manifest: false, aux: false });
    assert.equal(byPath, expected((emit) => renderPersistence(new MemorySource(readFileSync(FIXTURE)), emit, { aux: false, name: 'dump.rdb' })));
    assert.match(byPath, /^db0 "list:big" list/m);
    const aof = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n');
    const bytes = await rendered({ type: 'render', id: 9, files: [{ name: 'appendonly.aof', bytes: aof }], manifest: false, aux: true });
    assert.match(bytes, /^db0 "k" string\n {2}"v1"$/m);
    const manifest = Buffer.from('file a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type i\n');
    const set = await rendered({
      type: 'render',
      id: 10,
      files: [
        { name: 'a.manifest', bytes: manifest },
        { name: 'a.1.incr.aof', bytes: aof },
        { name: 'a.2.incr.aof', error: 'No such file or directory' },
      ],
      manifest: true,
      aux: false,
    });
    const open = (name: string): MemorySource | { error: string } => (name === 'a.1.incr.aof' ? new MemorySource(aof) : { error: 'No such file or directory' });
    assert.equal(set, expected((emit) => renderAofSet(manifest, open, emit, { aux: false })));
    assert.match(set, /a\.2\.incr\.aof/);
  });

  it('answers an unreadable path with an error reply, not a crash', async () => {
    const seen = await exchange({ type: 'check', id: 3, path: join(ROOT, 'no-such-file.rdb') });
    const last = seen[seen.length - 1]!;
    assert.deepEqual(last.type === 'error' && [last.replyTo, last.error.code], [3, 'ENOENT']);
  });
});
