/**
 * The custom editor's worker (one per opened document): holds the session's
 * index (src/core/session/session.ts) off the extension host's thread and
 * answers the webview's page requests. Indexing is one synchronous pass; every
 * few thousand records it drains the request port with `receiveMessageOnPort`
 * and answers against the keys indexed so far — so the first rows of a 2 GB
 * file show long before the pass ends — and it stops on `cancel`.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { MemorySource, type ByteSource } from '../core/bytes/byteSource.js';
import { clipboardText, InspectSession, type SessionInput as CoreInput } from '../core/session/session.js';
import { FileSource } from '../cli/fileSource.js';
import { openInDir, resolveTarget } from '../cli/target.js';
import { EDITOR_PROTOCOL_VERSION, type SessionMessage, type SessionReply, type SessionRequest } from '../protocol/editor.js';

const port = (workerData as { port?: MessagePort } | undefined)?.port;

let session: InspectSession | undefined;
let cancelled = false;
const opened: FileSource[] = [];
/** Overviews at most every 100 ms while indexing (the first one at once). */
const OVERVIEW_EVERY_MS = 100;
let lastOverview = 0;

function post(m: SessionMessage): void {
  port!.postMessage(m);
}

function reply(id: number, body: SessionReply): void {
  post({ type: 'reply', replyTo: id, body });
}

function open(req: Extract<SessionRequest, { type: 'open' }>): CoreInput {
  const input = req.input;
  if (input.kind === 'bytes') {
    if (input.files) {
      const files = input.files;
      return { kind: 'set', name: input.name, location: input.name, manifest: input.bytes, open: (n) => (files[n] ? new MemorySource(files[n]) : { error: 'not readable through the workspace file system' }) };
    }
    return { kind: 'single', name: input.name, location: input.name, source: new MemorySource(input.bytes) };
  }
  const target = resolveTarget(input.path);
  if (target.kind === 'multipart') {
    return { kind: 'set', name: path.basename(target.manifestPath), location: input.path, manifest: new Uint8Array(fs.readFileSync(target.manifestPath)), open: openInDir(target.dir, opened) };
  }
  const src: ByteSource = new FileSource(input.path);
  opened.push(src as FileSource);
  return { kind: 'single', name: path.basename(input.path), location: input.path, source: src };
}

/** Answers one request (while indexing too). */
function handle(req: SessionRequest): void {
  if (req.type === 'cancel') {
    cancelled = true;
    return;
  }
  try {
    if (req.type === 'open') {
      session = new InspectSession(open(req), () => Date.now());
      reply(req.id, { type: 'opened' });
      const s = session;
      s.index({
        tick() {
          // Answer what the webview asked meanwhile, against the keys indexed so far.
          for (let m = receiveMessageOnPort(port!); m; m = receiveMessageOnPort(port!)) handle(m.message as SessionRequest);
          const now = Date.now();
          if (now - lastOverview >= OVERVIEW_EVERY_MS) {
            lastOverview = now;
            post({ type: 'overview', overview: s.overview() });
          }
          return cancelled;
        },
      });
      post({ type: 'overview', overview: s.overview() });
      return;
    }
    if (!session) throw new Error('no file is open');
    switch (req.type) {
      case 'query':
        reply(req.id, { type: 'queryResult', ...session.query(req.filter) });
        break;
      case 'keys':
        reply(req.id, { type: 'keys', rows: session.keyRows(req.queryId, req.section, req.from, req.count) });
        break;
      case 'value':
        reply(req.id, { type: 'value', page: session.value(req.keyId, req.from, req.count) });
        break;
      case 'valueBytes': {
        const bytes = session.copy(req.keyId, req.what);
        reply(req.id, { type: 'bytes', bytes, text: clipboardText(bytes) });
        break;
      }
      case 'commands':
        reply(req.id, { type: 'commands', rows: session.commandRows(req.part, req.from, req.count) });
        break;
      case 'summary':
        reply(req.id, { type: 'summary', summary: session.summary() });
        break;
      case 'keyAt': {
        const keyId = session.keyAt(req.part, req.offset);
        reply(req.id, { type: 'keyAt', ...(keyId !== undefined ? { keyId } : {}) });
        break;
      }
    }
  } catch (e) {
    post({ type: 'error', replyTo: req.id, message: e instanceof Error ? e.message : String(e) });
  }
}

if (port) {
  port.on('message', (m: SessionRequest) => handle(m));
  post({ type: 'ready', version: EDITOR_PROTOCOL_VERSION });
}

process.on('exit', () => {
  for (const s of opened) s.close();
});
