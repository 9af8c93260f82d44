/**
 * One request in a fresh worker thread (dist/worker.js, src/worker/worker.ts):
 * what the check, repair and diff commands do off the extension host's thread.
 * A fresh worker per request keeps memory flat and makes cancellation a
 * `terminate()`.
 */

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { WorkerMessage, WorkerRequest } from '../protocol/worker.js';

/** The message that settles a request (not `ready`, `progress` or `error`). */
export type WorkerReply = Exclude<WorkerMessage, { type: 'ready' | 'progress' | 'error' }>;

/** dist/worker.js of the extension. */
export function workerPath(context: vscode.ExtensionContext): string {
  return path.join(context.extensionPath, 'dist', 'worker.js');
}

/**
 * Runs `request` in a fresh worker and resolves with the reply that settles
 * it; rejects on an error reply (its `code` kept on the Error), a worker
 * failure or exit, or cancellation (which terminates the worker).
 */
export function requestInWorker(
  workerFile: string,
  request: WorkerRequest,
  options: { onProgress?: (offset: number, size: number) => void; token?: vscode.CancellationToken } = {},
): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile);
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      sub?.dispose();
      void worker.terminate();
      f();
    };
    const sub = options.token?.onCancellationRequested(() => finish(() => reject(new vscode.CancellationError())));
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') worker.postMessage(request);
      else if (m.type === 'progress') options.onProgress?.(m.offset, m.size);
      else if (m.type === 'error') finish(() => reject(Object.assign(new Error(m.error.message), { code: m.error.code })));
      else finish(() => resolve(m));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the ${request.type} worker stopped (exit code ${code})`))));
  });
}
