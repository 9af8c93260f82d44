/**
 * The check worker (a Node worker thread): runs the core's one-pass check off
 * the extension host's thread, reading a local file positionally or bytes the
 * host handed over, and posts batched progress.
 */

import { parentPort } from 'node:worker_threads';
import { MemorySource, type ByteSource } from '../core/bytes/byteSource.js';
import { checkRdb } from '../core/check.js';
import { FileSource } from '../cli/fileSource.js';
import { WORKER_PROTOCOL_VERSION, type WorkerMessage, type WorkerRequest } from '../protocol/worker.js';

/** Handles one request; every request settles with a result or an error. */
export function handle(req: WorkerRequest, post: (m: WorkerMessage) => void): void {
  let source: ByteSource | undefined;
  try {
    source = 'path' in req ? new FileSource(req.path) : new MemorySource(req.bytes);
    let lastPct = -1;
    const summary = checkRdb(source, {
      onProgress(offset, size) {
        const pct = size ? Math.floor((offset / size) * 100) : 100;
        if (pct === lastPct) return;
        lastPct = pct;
        post({ type: 'progress', replyTo: req.id, offset, size });
      },
    });
    post({ type: 'result', replyTo: req.id, summary });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    post({ type: 'error', replyTo: req.id, error: { code: err.code ?? 'internal', message: err.message ?? String(e) } });
  } finally {
    if (source instanceof FileSource) source.close();
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: WorkerRequest) => handle(req, (m) => port.postMessage(m)));
  port.postMessage({ type: 'ready', version: WORKER_PROTOCOL_VERSION } satisfies WorkerMessage);
}
