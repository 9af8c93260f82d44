/**
 * Turning decoded records into what the editor shows (src/protocol/editor.ts):
 * bytes as `BytesView` (base64, cut to a limit), AUX fields read meaningfully,
 * value pages of any type. Pure: runs in the worker session, later in a web worker.
 */

import type { Problem } from '../model/problem.js';
import type { AuxField } from '../rdb/parser.js';
import type { RdbValue, StreamId } from '../rdb/value.js';
import { formatStreamId } from '../rdb/value.js';
import { base64, lossyUtf8 } from '../text/bytesText.js';
import type { AuxView, BytesView, ElementRow, ProblemView, StreamMetaView, ValuePage } from '../../protocol/editor.js';

/** Bytes cut to `limit` (the full length is kept). */
export function bytesView(b: Uint8Array, limit = 4096): BytesView {
  if (b.length <= limit) return { b64: base64(b), length: b.length };
  return { b64: base64(b.subarray(0, limit)), length: b.length, truncated: true };
}

const latin1Encoder = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
};

/** A short text as a BytesView. */
export function textView(s: string): BytesView {
  return bytesView(latin1Encoder(s));
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** An AUX field with a readable rendering of the values Redis writes. */
export function auxView(a: AuxField): AuxView {
  const name = lossyUtf8(a.key);
  const text = lossyUtf8(a.value);
  let display = text;
  const n = /^-?\d+$/.test(text) ? Number(text) : undefined;
  switch (name) {
    case 'ctime':
      if (n !== undefined) display = `${new Date(n * 1000).toISOString()} (${text})`;
      break;
    case 'used-mem':
      if (n !== undefined) display = `${mb(n)} (${text} bytes)`;
      break;
    case 'aof-base':
      display = text === '1' ? 'yes: this RDB is the base of a multi-part AOF' : text === '0' ? 'no' : text;
      break;
    case 'aof-preamble':
      display = text === '1' ? 'yes: written as the preamble of an AOF' : text === '0' ? 'no' : text;
      break;
    case 'repl-id':
      display = `replication id ${text}`;
      break;
    case 'repl-offset':
      display = n !== undefined ? `replication offset ${text}` : text;
      break;
    case 'repl-stream-db':
      display = `replication stream DB ${text}`;
      break;
    case 'redis-bits':
      display = `${text}-bit`;
      break;
    case 'lua':
      display = `${a.value.length} bytes of Lua script`;
      break;
  }
  return { name, value: bytesView(a.value, 1024), display, start: a.start, end: a.end };
}

/** A problem as the editor shows it. */
export function problemView(p: Problem, part?: number, keyId?: number): ProblemView {
  const v: ProblemView = { severity: p.severity, code: p.code, message: p.message, offset: p.offset };
  if (p.end !== undefined) v.end = p.end;
  if (p.file !== undefined) v.file = p.file;
  if (part !== undefined) v.part = part;
  if (p.phase !== undefined) v.phase = p.phase;
  if (p.key !== undefined) v.key = bytesView(p.key, 256);
  if (p.db !== undefined) v.db = p.db;
  if (p.line !== undefined && p.line > 0) v.line = p.line;
  if (p.command !== undefined) v.command = p.command;
  if (keyId !== undefined) v.keyId = keyId;
  return v;
}

function id(s: StreamId): string {
  return formatStreamId(s);
}

/** The element range of element `i` (flat ranges), or the value's. */
function rangeOf(v: RdbValue, i: number): [number, number] {
  const r = v.elementRanges;
  if (r && r.length >= 2 * i + 2) return [r[2 * i]!, r[2 * i + 1]!];
  return [v.start, v.end];
}

/** Elements `from … from+count` of a decoded value (cut to `limit` bytes each). */
export function valuePage(keyId: number, v: RdbValue, from: number, count: number, problems: ProblemView[], limit = 16384): ValuePage {
  const page: ValuePage = { keyId, type: v.type, encoding: v.encoding, total: 0, from, rows: [], problems, start: v.start, end: v.end };
  const push = (i: number, row: Omit<ElementRow, 'index' | 'start' | 'end'>) => {
    const [start, end] = rangeOf(v, i);
    page.rows.push({ index: i, start, end, ...row });
  };
  const to = (n: number) => Math.min(n, from + count);
  switch (v.type) {
    case 'string':
      page.total = 1;
      if (from === 0) page.rows.push({ index: 0, start: v.start, end: v.end, value: bytesView(v.value, limit) });
      break;
    case 'list':
      page.total = v.items.length;
      for (let i = from; i < to(v.items.length); i++) push(i, { value: bytesView(v.items[i]!, limit) });
      break;
    case 'set':
      page.total = v.members.length;
      for (let i = from; i < to(v.members.length); i++) push(i, { value: bytesView(v.members[i]!, limit) });
      break;
    case 'zset':
      page.total = v.members.length;
      for (let i = from; i < to(v.members.length); i++) push(i, { value: bytesView(v.members[i]!, limit), score: v.scores[i]! });
      break;
    case 'hash':
      page.total = v.fields.length;
      for (let i = from; i < to(v.fields.length); i++) {
        const ttl = v.fieldExpiresMs?.[i];
        push(i, { value: bytesView(v.fields[i]!, limit), fieldValue: bytesView(v.values[i]!, limit), ...(ttl !== undefined ? { ttlMs: ttl } : {}) });
      }
      break;
    case 'stream': {
      page.total = v.entries.length;
      for (let i = from; i < to(v.entries.length); i++) {
        const e = v.entries[i]!;
        push(i, { id: id(e.id), fields: e.fields.map((f) => bytesView(f, limit)) });
      }
      page.stream = streamMeta(v);
      break;
    }
    case 'module':
      page.total = v.items.length;
      page.module = { name: v.moduleName, encodingVersion: v.encodingVersion };
      for (let i = from; i < to(v.items.length); i++) {
        const it = v.items[i]!;
        push(i, it.kind === 'string' ? { kind: it.kind, value: bytesView(it.value, limit) } : { kind: it.kind, value: textView(String(it.value)) });
      }
      break;
  }
  return page;
}

function compareId(a: StreamId, b: StreamId): number {
  return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

/** A stream's metadata, groups, consumers and pending entries (at most 1000 pending per group). */
function streamMeta(v: Extract<RdbValue, { type: 'stream' }>): StreamMetaView {
  const meta: StreamMetaView = {
    length: v.length,
    lastId: id(v.lastId),
    deletedEntries: v.deletedEntries,
    listpacks: v.listpacks,
    groups: v.groups.map((g) => {
      const lag = g.entriesRead !== undefined && g.entriesRead >= 0 && v.entriesAdded !== undefined ? v.entriesAdded - g.entriesRead : undefined;
      return {
        name: bytesView(g.name, 256),
        lastId: id(g.lastId),
        ...(g.entriesRead !== undefined ? { entriesRead: g.entriesRead } : {}),
        ...(lag !== undefined && compareId(g.lastId, v.lastId) <= 0 ? { lag } : {}),
        pendingTotal: g.pending.length,
        pending: g.pending.slice(0, 1000).map((p) => ({
          id: id(p.id),
          ...(p.consumer ? { consumer: bytesView(p.consumer, 256) } : {}),
          deliveryTimeMs: p.deliveryTimeMs,
          deliveryCount: p.deliveryCount,
        })),
        consumers: g.consumers.map((c) => ({ name: bytesView(c.name, 256), seenTimeMs: c.seenTimeMs, activeTimeMs: c.activeTimeMs, pending: c.pending.length })),
      };
    }),
  };
  if (v.firstId) meta.firstId = id(v.firstId);
  if (v.maxDeletedId) meta.maxDeletedId = id(v.maxDeletedId);
  if (v.entriesAdded !== undefined) meta.entriesAdded = v.entriesAdded;
  return meta;
}
