/**
 * A canonical, deterministic text rendering of an RDB snapshot's dataset, made
 * for line diffs: two files that hold the same data render to the same text,
 * whatever their encodings, compression, key order, LRU/LFU data or creation
 * time. Only the data is shown:
 *
 * - a header: the format and version, the key count per database (no ctime,
 *   used-mem or other AUX fields unless `aux` is set: they change on every save);
 * - function libraries sorted by name, module AUX data sorted by module;
 * - one block per key, sorted by (db, key bytes): `db0 "key" <type> [ttl <ISO>]`,
 *   then the value: strings quoted and escaped (`escapeBytes`), lists in order with
 *   their indexes, sets sorted, sorted sets sorted by member with their scores
 *   (`formatScore`), hashes sorted by field (with field TTLs), streams as entries by
 *   ID, then groups by name with their pending entries by ID and consumers by name;
 * - the problems of a damaged file, at the end.
 *
 * Long strings are wrapped (`wrap` columns of escaped text per line; a line break
 * inside quotes is never content, real newlines are escaped) and cut after
 * `maxBytes` bytes, collections after `maxElements` elements, each time with an
 * explicit marker giving the size and a CRC-64 of the whole, so that a change past
 * the cut still shows in a diff.
 *
 * Sorting needs every key: a first pass indexes (db, key, record range) with the
 * values only walked, then each record is decoded again by offset
 * (`decodeRecordAt`) in sorted order — memory holds the keys, not the values —
 * and the text is streamed out through a callback.
 */

import type { ByteSource } from '../bytes/byteSource.js';
import { Crc64 } from '../bytes/crc64.js';
import { formatScore } from '../export/resp.js';
import { formatOffset, type Problem } from '../model/problem.js';
import type { FunctionLibrary } from '../rdb/function.js';
import { decodeRecordAt, parseRdb, type AuxField, type KeyRecord, type ModuleAux, type RdbHeader } from '../rdb/parser.js';
import { formatStreamId, type ModuleItem, type RdbValue, type StreamId, type StreamValue } from '../rdb/value.js';
import { escapeBytes } from '../text/bytesText.js';

/** Options of `renderSnapshot`. */
export interface RenderOptions {
  /** Include the AUX fields (redis-ver, ctime, used-mem, …) in a block after the header. Default false. */
  aux?: boolean;
  /** Bytes shown of one string, key, member or field before it is cut. Default 4096. */
  maxBytes?: number;
  /** Elements shown of one collection (list items, members, fields, stream entries) before it is cut. Default 10000. */
  maxElements?: number;
  /** Columns of escaped text per line of a long string; 0 never wraps. Default 120. */
  wrap?: number;
  /** Show each key's on-disk encoding on its first line (differs between saves of the same data). Default false. */
  encodings?: boolean;
}

/** What a rendering found. */
export interface RenderResult {
  header?: RdbHeader;
  /** Keys rendered. */
  keys: number;
  /** False when the file is damaged (its problems are listed at the end of the text). */
  ok: boolean;
  problems: Problem[];
}

export const DEFAULT_MAX_BYTES = 4096;
export const DEFAULT_MAX_ELEMENTS = 10_000;
export const DEFAULT_WRAP = 120;

const INDENT = '  ';

interface IndexEntry {
  db: number;
  key: Uint8Array;
  start: number;
  end: number;
}

/** Byte-wise comparison (memcmp order, as Redis sorts). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Code-unit order (locale-independent, unlike localeCompare). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIds(a: StreamId, b: StreamId): number {
  return a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq !== b.seq ? (a.seq < b.seq ? -1 : 1) : 0;
}

/** A unix time in ms as ISO 8601 (UTC); the plain number when out of Date's range. */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : `${ms} ms`;
}

function hex64(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

/** A read-only window of `source` that ends at `end` (a decoder reading one record reads no further). */
class WindowSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly inner: ByteSource,
    end: number,
  ) {
    this.size = Math.min(end, inner.size);
  }
  read(offset: number, length: number): Uint8Array {
    return this.inner.read(offset, Math.max(0, Math.min(length, this.size - offset)));
  }
}

/** Renders values as lines; every line is emitted with its trailing '\n'. */
class Writer {
  private readonly maxBytes: number;
  private readonly maxElements: number;
  private readonly wrap: number;
  private buf: string[] = [];

  constructor(
    private readonly emit: (text: string) => void,
    options: RenderOptions,
  ) {
    this.maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.maxElements = Math.max(1, options.maxElements ?? DEFAULT_MAX_ELEMENTS);
    this.wrap = Math.max(0, options.wrap ?? DEFAULT_WRAP);
  }

  line(text: string): void {
    this.buf.push(text);
  }

  flush(): void {
    if (this.buf.length) this.emit(`${this.buf.join('\n')}\n`);
    this.buf = [];
  }

  /** `"…"` on one line, cut after maxBytes with a marker (keys, members, fields). */
  inline(bytes: Uint8Array): string {
    if (bytes.length <= this.maxBytes) return `"${escapeBytes(bytes)}"`;
    return `"${escapeBytes(bytes.subarray(0, this.maxBytes))}"${this.cutMarker(bytes)}`;
  }

  private cutMarker(bytes: Uint8Array): string {
    const d = new Crc64();
    d.update(bytes, 0, bytes.length);
    return `… [cut: ${this.maxBytes} of ${bytes.length} bytes shown, crc64 ${hex64(d.value())}]`;
  }

  /**
   * Lines of `prefix"…"suffix`, wrapped every `wrap` columns of escaped text (never
   * inside an escape sequence), cut after maxBytes with a marker.
   */
  block(indent: string, prefix: string, bytes: Uint8Array, suffix = ''): void {
    const cut = bytes.length > this.maxBytes;
    const escaped = escapeBytes(cut ? bytes.subarray(0, this.maxBytes) : bytes);
    const tail = `"${cut ? this.cutMarker(bytes) : ''}${suffix}`;
    if (this.wrap === 0 || escaped.length <= this.wrap) {
      this.line(`${indent}${prefix}"${escaped}${tail}`);
      return;
    }
    const pieces: string[] = [];
    let piece = '';
    let width = 0;
    const chars = Array.from(escaped);
    for (let i = 0; i < chars.length; ) {
      let token = chars[i++]!;
      if (token === '\\') {
        const next = chars[i++] ?? '';
        token += next;
        if (next === 'x') token += (chars[i++] ?? '') + (chars[i++] ?? '');
      }
      if (width > 0 && width + token.length > this.wrap) {
        pieces.push(piece);
        piece = '';
        width = 0;
      }
      piece += token;
      width += token.length;
    }
    pieces.push(piece);
    this.line(`${indent}${prefix}"${pieces[0]!}`);
    for (let i = 1; i < pieces.length; i++) this.line(`${indent}${INDENT}${pieces[i]!}${i === pieces.length - 1 ? tail : ''}`);
  }

  /**
   * Calls `each` for the first maxElements of `count` elements; after that, one
   * marker line with the count and a CRC-64 of all the elements (`digest(i, feed)`
   * feeds element i's bytes), in the order shown.
   */
  elements(indent: string, count: number, noun: string, each: (i: number) => void, digest: (i: number, d: Crc64) => void): void {
    const shown = Math.min(count, this.maxElements);
    for (let i = 0; i < shown; i++) each(i);
    if (shown === count) return;
    const d = new Crc64();
    for (let i = 0; i < count; i++) digest(i, d);
    this.line(`${indent}… [cut: ${shown} of ${count} ${noun} shown, crc64 of all ${hex64(d.value())}]`);
  }
}

/** Feeds bytes with an 8-byte length prefix (so that element boundaries count). */
function feed(d: Crc64, bytes: Uint8Array): void {
  const len = new Uint8Array(8);
  let n = bytes.length;
  for (let i = 0; i < 8; i++) {
    len[i] = n % 256;
    n = Math.floor(n / 256);
  }
  d.update(len, 0, 8);
  d.update(bytes, 0, bytes.length);
}

const encoder = new TextEncoder();
const ascii = (s: string): Uint8Array => encoder.encode(s);

/** Indexes of `items` sorted by their bytes. */
function sortedOrder(items: Uint8Array[]): number[] {
  return items.map((_, i) => i).sort((a, b) => compareBytes(items[a]!, items[b]!) || a - b);
}

function moduleItem(w: Writer, indent: string, it: ModuleItem): void {
  if (it.kind === 'string') w.block(indent, 'string ', it.value);
  else if (it.kind === 'sint' || it.kind === 'uint') w.line(`${indent}${it.kind} ${it.value}`);
  else w.line(`${indent}${it.kind} ${formatScore(it.value)}`);
}

function renderStream(w: Writer, v: StreamValue): void {
  const meta = [`length ${v.length}`, `last-id ${formatStreamId(v.lastId)}`];
  if (v.firstId) meta.push(`first-id ${formatStreamId(v.firstId)}`);
  if (v.maxDeletedId) meta.push(`max-deleted-id ${formatStreamId(v.maxDeletedId)}`);
  if (v.entriesAdded !== undefined) meta.push(`entries-added ${v.entriesAdded}`);
  w.line(`${INDENT}${meta.join(', ')}`);
  const entries = [...v.entries].sort((a, b) => compareIds(a.id, b.id));
  const in2 = INDENT + INDENT;
  w.elements(
    INDENT,
    entries.length,
    'entries',
    (i) => {
      const e = entries[i]!;
      w.line(`${INDENT}entry ${formatStreamId(e.id)}`);
      for (let f = 0; f + 1 < e.fields.length; f += 2) w.block(in2, `${w.inline(e.fields[f]!)} = `, e.fields[f + 1]!);
    },
    (i, d) => {
      const e = entries[i]!;
      feed(d, ascii(formatStreamId(e.id)));
      for (const f of e.fields) feed(d, f);
    },
  );
  const groups = [...v.groups].sort((a, b) => compareBytes(a.name, b.name));
  for (const g of groups) {
    w.line(
      `${INDENT}group ${w.inline(g.name)} last-delivered-id ${formatStreamId(g.lastId)}${g.entriesRead !== undefined ? ` entries-read ${g.entriesRead}` : ''}`,
    );
    const pel = [...g.pending].sort((a, b) => compareIds(a.id, b.id));
    w.elements(
      in2,
      pel.length,
      'pending entries',
      (i) => {
        const p = pel[i]!;
        w.line(
          `${in2}pending ${formatStreamId(p.id)} consumer ${p.consumer ? w.inline(p.consumer) : '(none)'} deliveries ${p.deliveryCount} delivered-at ${isoTime(p.deliveryTimeMs)}`,
        );
      },
      (i, d) => {
        const p = pel[i]!;
        feed(d, ascii(`${formatStreamId(p.id)} ${p.deliveryCount} ${p.deliveryTimeMs}`));
        feed(d, p.consumer ?? new Uint8Array(0));
      },
    );
    const consumers = [...g.consumers].sort((a, b) => compareBytes(a.name, b.name));
    for (const c of consumers) {
      w.line(`${in2}consumer ${w.inline(c.name)} seen-at ${isoTime(c.seenTimeMs)} active-at ${isoTime(c.activeTimeMs)} pending ${c.pending.length}`);
    }
  }
  if (v.idmp) {
    const m = v.idmp;
    w.line(`${INDENT}idmp duration ${m.durationSeconds}s max-entries ${m.maxEntries} iids-added ${m.iidsAdded} iids-duplicates ${m.iidsDuplicates}`);
    for (const p of [...m.producers].sort((a, b) => compareBytes(a.id, b.id))) {
      w.line(`${in2}producer ${w.inline(p.id)}`);
      for (const e of [...p.entries].sort((a, b) => compareBytes(a.iid, b.iid))) w.line(`${in2}${INDENT}${w.inline(e.iid)} -> ${formatStreamId(e.id)}`);
    }
  }
}

function renderValue(w: Writer, v: RdbValue): void {
  switch (v.type) {
    case 'string':
      w.block(INDENT, '', v.value);
      return;
    case 'list':
      w.elements(
        INDENT,
        v.items.length,
        'items',
        (i) => w.block(INDENT, `[${i}] `, v.items[i]!),
        (i, d) => feed(d, v.items[i]!),
      );
      return;
    case 'set': {
      const order = sortedOrder(v.members);
      w.elements(
        INDENT,
        order.length,
        'members',
        (i) => w.block(INDENT, '', v.members[order[i]!]!),
        (i, d) => feed(d, v.members[order[i]!]!),
      );
      return;
    }
    case 'zset': {
      const order = sortedOrder(v.members);
      w.elements(
        INDENT,
        order.length,
        'members',
        (i) => w.block(INDENT, '', v.members[order[i]!]!, ` score ${formatScore(v.scores[order[i]!]!)}`),
        (i, d) => {
          feed(d, v.members[order[i]!]!);
          feed(d, ascii(formatScore(v.scores[order[i]!]!)));
        },
      );
      return;
    }
    case 'hash': {
      const order = sortedOrder(v.fields);
      const ttl = (j: number): number | undefined => v.fieldExpiresMs?.[j];
      w.elements(
        INDENT,
        order.length,
        'fields',
        (i) => {
          const j = order[i]!;
          const t = ttl(j);
          w.block(INDENT, `${w.inline(v.fields[j]!)} = `, v.values[j]!, t !== undefined ? ` ttl ${isoTime(t)}` : '');
        },
        (i, d) => {
          const j = order[i]!;
          feed(d, v.fields[j]!);
          feed(d, v.values[j]!);
          feed(d, ascii(String(ttl(j) ?? '')));
        },
      );
      return;
    }
    case 'stream':
      renderStream(w, v);
      return;
    case 'module':
      w.line(`${INDENT}module ${v.moduleName} encver ${v.encodingVersion}`);
      w.elements(
        INDENT,
        v.items.length,
        'items',
        (i) => moduleItem(w, INDENT, v.items[i]!),
        (i, d) => {
          const it = v.items[i]!;
          feed(d, ascii(it.kind));
          feed(d, it.kind === 'string' ? it.value : ascii(String(it.value)));
        },
      );
      return;
  }
}

function keyLine(w: Writer, k: KeyRecord, options: RenderOptions): string {
  let s = `db${k.db} ${w.inline(k.key)} ${k.dataType}`;
  if (k.expireAtMs !== undefined) s += ` ttl ${isoTime(k.expireAtMs)}`;
  if (options.encodings) s += ` encoding ${k.encoding}`;
  return s;
}

function problemLine(p: Problem): string {
  const where = p.key ? ` (db${p.db ?? 0} key "${escapeBytes(p.key)}")` : '';
  return `${INDENT}${p.severity} ${p.code} at ${formatOffset(p.offset)}: ${p.message}${where}`;
}

/**
 * Renders the snapshot in `source` (see the file comment), handing the text to
 * `emit` in pieces of whole lines. Never throws on bad input: what could be
 * decoded is rendered and the problems are listed at the end.
 */
export function renderSnapshot(source: ByteSource, emit: (text: string) => void, options: RenderOptions = {}): RenderResult {
  const w = new Writer(emit, options);
  const index: IndexEntry[] = [];
  const aux: AuxField[] = [];
  const functions: FunctionLibrary[] = [];
  const moduleAux: ModuleAux[] = [];
  let header: RdbHeader | undefined;

  // Pass 1: the index (values only walked).
  const result = parseRdb(
    source,
    {
      header: (h) => void (header = h),
      aux: (a) => void (options.aux && aux.push({ ...a, key: a.key.slice(), value: a.value.slice() })),
      functionLibrary: (f) => void functions.push(f),
      moduleAux: (m) => void moduleAux.push(m),
      key: (k) => void index.push({ db: k.db, key: k.key.slice(), start: k.start, end: k.end }),
    },
    { keepStrings: false, verifyChecksum: true, detectDuplicateKeys: false, reuseBuffers: true },
  );
  const problems = [...result.problems];

  // Header.
  w.line(`# Redis snapshot, rendered by Redis Persistence Inspector: keys sorted by database and key bytes`);
  if (header) w.line(`format ${header.magic} RDB version ${header.version}`);
  else w.line('format: not an RDB file');
  const dbs = [...result.dbs].sort((a, b) => a.db - b.db).filter((d) => d.keys > 0);
  w.line(`keys ${index.length}${dbs.length ? ` (${dbs.map((d) => `db${d.db}: ${d.keys}`).join(', ')})` : ''}`);
  if (options.aux && aux.length) {
    w.line('');
    w.line('aux');
    aux.sort((a, b) => compareBytes(a.key, b.key) || compareBytes(a.value, b.value));
    for (const a of aux) w.block(INDENT, `${w.inline(a.key)} = `, a.value);
  }
  w.line('');
  w.flush();

  for (const f of [...functions].sort((a, b) => compareStrings(a.name ?? '', b.name ?? '') || compareBytes(a.code, b.code))) {
    w.line(`function ${f.name ?? '(unnamed)'}${f.engine ? ` engine ${f.engine}` : ''}`);
    w.block(INDENT, '', f.code);
    w.line('');
    w.flush();
  }
  if (moduleAux.length) {
    // Pass 1 skipped their strings: read them again, keeping strings (only files written with modules).
    moduleAux.length = 0;
    parseRdb(source, { moduleAux: (m) => void moduleAux.push(m) }, { verifyChecksum: false, detectDuplicateKeys: false });
  }
  for (const m of [...moduleAux].sort((a, b) => compareStrings(a.moduleName, b.moduleName) || a.when - b.when || a.start - b.start)) {
    w.line(`module-aux ${m.moduleName} encver ${m.encodingVersion} when ${m.when}`);
    for (const it of m.items) moduleItem(w, INDENT, it);
    w.line('');
    w.flush();
  }

  // Pass 2: each record by offset, in sorted order.
  index.sort((a, b) => a.db - b.db || compareBytes(a.key, b.key) || a.start - b.start);
  const version = header?.version ?? 0;
  const valkey = header?.magic === 'VALKEY';
  let rendered = 0;
  for (const entry of index) {
    const { record, problems: recordProblems } = decodeRecordAt(new WindowSource(source, entry.end), entry.start, { version, valkey, db: entry.db });
    if (record) {
      w.line(keyLine(w, record, options));
      renderValue(w, record.value);
      rendered++;
    } else {
      w.line(`db${entry.db} ${w.inline(entry.key)} (could not be decoded again)`);
      for (const p of recordProblems) w.line(problemLine(p));
    }
    w.line('');
    w.flush();
  }

  if (problems.length) {
    w.line(`problems (${result.ok ? 'the file loads' : 'the file is damaged'})`);
    for (const p of problems) w.line(problemLine(p));
    w.line('');
    w.flush();
  }
  return { ...(header ? { header } : {}), keys: rendered, ok: result.ok, problems };
}

/** The whole rendering as one string (for small files and tests). */
export function renderSnapshotText(source: ByteSource, options: RenderOptions = {}): { text: string; result: RenderResult } {
  const parts: string[] = [];
  const result = renderSnapshot(source, (t) => void parts.push(t), options);
  return { text: parts.join(''), result };
}
