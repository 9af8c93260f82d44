/**
 * The check worker (a Node worker thread): runs the core's one-pass checks off
 * the extension host's thread — RDB, single AOF or multi-part set, decided by
 * content as the CLI decides — reading local files positionally or bytes the
 * host handed over, and posts batched progress.
 */

import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { parseAof } from '../core/aof/aofParser.js';
import { checkAofSet } from '../core/aof/aofSet.js';
import { MemorySource, type ByteSource } from '../core/bytes/byteSource.js';
import { checkRdb, type CheckReport } from '../core/check.js';
import { detectFormat } from '../core/format.js';
import { FileSource } from '../cli/fileSource.js';
import { openInDir, resolveTarget } from '../cli/target.js';
import { WORKER_PROTOCOL_VERSION, type WorkerMessage, type WorkerRequest } from '../protocol/worker.js';

function checkSource(source: ByteSource, name: string, asAof: boolean, onProgress: (offset: number, size: number) => void): CheckReport {
  if (asAof) return { kind: 'aof', result: parseAof(source, { progress: onProgress }, { fileName: name }) };
  return { kind: 'rdb', summary: checkRdb(source, { onProgress }) };
}

/** Handles one request; every request settles with a result or an error. */
export function handle(req: WorkerRequest, post: (m: WorkerMessage) => void): void {
  const opened: FileSource[] = [];
  let lastPct = -1;
  const onProgress = (offset: number, size: number) => {
    const pct = size ? Math.floor((offset / size) * 100) : 100;
    if (pct === lastPct) return;
    lastPct = pct;
    post({ type: 'progress', replyTo: req.id, offset, size });
  };
  try {
    let report: CheckReport;
    if ('path' in req) {
      const target = resolveTarget(req.path);
      if (target.kind === 'multipart') {
        report = { kind: 'aof-set', set: checkAofSet(new Uint8Array(fs.readFileSync(target.manifestPath)), openInDir(target.dir, opened)) };
      } else {
        const src = new FileSource(req.path);
        opened.push(src);
        report = checkSource(src, req.path, target.kind === 'aof' || hasRespTail(src), onProgress);
      }
    } else {
      const src = new MemorySource(req.bytes);
      const format = detectFormat(req.bytes.subarray(0, 64));
      report = checkSource(src, req.name, req.name.endsWith('.aof') || (format !== 'rdb' && !req.name.endsWith('.rdb')) || hasRespTail(src), onProgress);
    }
    post({ type: 'result', replyTo: req.id, report });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    post({ type: 'error', replyTo: req.id, error: { code: err.code ?? 'internal', message: err.message ?? String(e) } });
  } finally {
    for (const s of opened) s.close();
  }
}

/** An RDB followed by RESP is a hybrid AOF whatever its name. */
function hasRespTail(source: ByteSource): boolean {
  const head = source.read(0, 6);
  if (!String.fromCharCode(...head).startsWith('REDIS') && String.fromCharCode(...head) !== 'VALKEY') return false;
  const r = checkRdb(source);
  const end = r.result.rdbEnd;
  if (end === undefined || end >= source.size) return false;
  const next = source.read(end, 1)[0];
  return next === 0x2a || next === 0x23;
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: WorkerRequest) => handle(req, (m) => port.postMessage(m)));
  port.postMessage({ type: 'ready', version: WORKER_PROTOCOL_VERSION } satisfies WorkerMessage);
}
