/**
 * A canonical, deterministic text rendering of a dataset, made for line diffs:
 * two inputs that hold the same data render to the same text, whatever their
 * format (an RDB snapshot, or an AOF — plain, hybrid or multi-part — replayed
 * into what redis-server would load, `src/core/aof/replay.ts`), encodings,
 * compression, key order, LRU/LFU data or creation time. Only the data is shown:
 *
 * - a header: the key count per database (the format and version, ctime,
 *   used-mem and the other AUX fields only when `aux` is set: they change on
 *   every save, and an AOF has none);
 * - function libraries sorted by name, module AUX data sorted by module;
 * - one block per key, sorted by (db, key bytes): `db0 "key" <type> [ttl <ISO>]`,
 *   then the value: strings quoted and escaped (`escapeBytes`), lists in order with
 *   their indexes, sets sorted, sorted sets sorted by member with their scores
 *   (`formatScore`), hashes sorted by field (with field TTLs), streams as entries by
 *   ID, then groups by name with their pending entries by ID and consumers by name
 *   (their seen/active times only with `aux`: an AOF does not carry them);
 * - the problems of a damaged file (or of an AOF's replay), at the end.
 *
 * Long strings are wrapped (`wrap` columns of escaped text per line; a line break
 * inside quotes is never content, real newlines are escaped) and cut after
 * `maxBytes` bytes, collections after `maxElements` elements, each time with an
 * explicit marker giving the size and a CRC-64 of the whole, so that a change past
 * the cut still shows in a diff.
 *
 * Sorting needs every key: for an RDB a first pass indexes (db, key, record
 * range) with the values only walked, then each record is decoded again by
 * offset (`decodeRecordAt`) in sorted order — memory holds the keys, not the
 * values — and the text is streamed out through a callback. An AOF is replayed
 * first and its whole dataset is held in memory, as redis-server holds it.
 */

import { replayAof, replayAofSet, type ReplayedAof } from '../aof/replay.js';
import type { LocatedKey } from '../aof/replay/dataset.js';
import type { OpenFile } from '../aof/aofSet.js';
import type { ByteSource } from '../bytes/byteSource.js';
import { Crc64 } from '../bytes/crc64.js';
import { formatScore } from '../export/resp.js';
import { detectFormat } from '../format.js';
import { formatOffset, type Problem } from '../model/problem.js';
import type { DataType } from '../rdb/constants.js';
import type { FunctionLibrary } from '../rdb/function.js';
import { decodeRecordAt, parseRdb, type AuxField, type ModuleAux, type RdbHeader } from '../rdb/parser.js';
import { hasAofPreambleMark } from '../rdb/preamble.js';
import { formatStreamId, type ModuleItem, type RdbValue, type StreamId, type StreamValue } from '../rdb/value.js';
import { escapeBytes, latin1 } from '../text/bytesText.js';
import { compareBytes } from '../bytes/compare.js';

/** Options of `renderSnapshot`. */
export interface RenderOptions {
  /**
   * Include the metadata a reload or an AOF does not keep: the format and
   * version line, the AUX fields (redis-ver, ctime, used-mem, …) in a block
   * after the header, and consumers' seen/active times. Default false.
   */
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
  /** The RDB header (of an RDB, or of an AOF's RDB preamble or base). */
  header?: RdbHeader;
  /** What was rendered: an RDB, or an AOF replayed. */
  format?: 'rdb' | 'aof';
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

function renderStream(w: Writer, v: StreamValue, times: boolean): void {
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
      const at = times ? ` seen-at ${isoTime(c.seenTimeMs)} active-at ${isoTime(c.activeTimeMs)}` : '';
      w.line(`${in2}consumer ${w.inline(c.name)}${at} pending ${c.pending.length}`);
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

function renderValue(w: Writer, v: RdbValue, options: RenderOptions): void {
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
        // -0 renders as 0: whether Redis keeps the sign depends on the encoding alone (a listpack stores the integer 0).
        (i) => w.block(INDENT, '', v.members[order[i]!]!, ` score ${formatScore(v.scores[order[i]!]! || 0)}`),
        (i, d) => {
          feed(d, v.members[order[i]!]!);
          feed(d, ascii(formatScore(v.scores[order[i]!]! || 0)));
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
      renderStream(w, v, options.aux ?? false);
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

/** What a key's first line shows. */
interface KeyHead {
  db: number;
  key: Uint8Array;
  dataType: DataType;
  expireAtMs?: number;
  encoding: string;
}

function keyLine(w: Writer, k: KeyHead, options: RenderOptions): string {
  let s = `db${k.db} ${w.inline(k.key)} ${k.dataType}`;
  if (k.expireAtMs !== undefined) s += ` ttl ${isoTime(k.expireAtMs)}`;
  if (options.encodings) s += ` encoding ${k.encoding}`;
  return s;
}

function problemLine(p: Problem): string {
  const where = p.key ? ` (db${p.db ?? 0} key "${escapeBytes(p.key)}")` : '';
  return `${INDENT}${p.severity} ${p.code} at ${p.file ? `${p.file} ` : ''}${formatOffset(p.offset)}: ${p.message}${where}`;
}

const HEAD_LINE = '# Redis snapshot, rendered by Redis Persistence Inspector: keys sorted by database and key bytes';

function keysLine(count: number, dbs: { db: number; keys: number }[]): string {
  return `keys ${count}${dbs.length ? ` (${dbs.map((d) => `db${d.db}: ${d.keys}`).join(', ')})` : ''}`;
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
  w.line(HEAD_LINE);
  if (options.aux) w.line(header ? `format ${header.magic} RDB version ${header.version}` : 'format: not an RDB file');
  const dbs = [...result.dbs].sort((a, b) => a.db - b.db).filter((d) => d.keys > 0);
  w.line(keysLine(index.length, dbs));
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
      renderValue(w, record.value, options);
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
  return { ...(header ? { header } : {}), format: 'rdb', keys: rendered, ok: result.ok, problems };
}

/** Options of `renderDataset`: what the replayed input was, and its parse problems. */
export interface DatasetRenderOptions extends RenderOptions {
  /** The format line shown with `aux` (e.g. `AOF, multi-part: RDB base + 1 INCR`). */
  format?: string;
  /** Problems of the files read: their errors (a damaged AOF) are listed with the replay's own problems. */
  problems?: Problem[];
  /** False when the files are damaged. Default true. */
  ok?: boolean;
  /** The RDB header of the preamble or base, for the result. */
  header?: RdbHeader;
}

/**
 * Renders a dataset replayed from an AOF exactly as `renderSnapshot` renders
 * an RDB holding the same data. Keys whose value the replay could not know
 * get an `inexact` line, and the replay's problems are listed at the end.
 */
export function renderDataset(replay: ReplayedAof, emit: (text: string) => void, options: DatasetRenderOptions = {}): RenderResult {
  const w = new Writer(emit, options);
  const ks = replay.keyspace;
  const entries: { db: number; name: string; entry?: LocatedKey; key: Uint8Array }[] = [];
  ks.forEachKey((k) => void entries.push({ db: k.db, name: latin1(k.key), entry: k, key: k.key }));
  // Inexact keys the replay does not hold may exist on the server all the same: they get a block too.
  for (const [db, keys] of ks.taints) for (const t of keys.values()) if (!ks.has(db, t.key)) entries.push({ db, name: latin1(t.key), key: t.key });
  // Keys are latin1 strings (one character per byte): code-unit order is byte order.
  entries.sort((a, b) => a.db - b.db || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const perDb = new Map<number, number>();
  for (const e of entries) if (e.entry) perDb.set(e.db, (perDb.get(e.db) ?? 0) + 1);
  const held = entries.filter((e) => e.entry).length;

  w.line(HEAD_LINE);
  if (options.aux) w.line(`format ${options.format ?? 'AOF'}`);
  w.line(keysLine(held, [...perDb].sort((a, b) => a[0] - b[0]).map(([db, keys]) => ({ db, keys }))));
  w.line('');
  w.flush();

  const functions = [...ks.functions.values()].sort((a, b) => compareStrings(a.name ?? '', b.name ?? '') || compareBytes(a.code, b.code));
  for (const f of functions) {
    w.line(`function ${f.name ?? '(unnamed)'}${f.engine ? ` engine ${f.engine}` : ''}`);
    w.block(INDENT, '', f.code);
    w.line('');
    w.flush();
  }
  if (ks.functionsTaint) {
    w.line(`functions inexact: ${ks.functionsTaint.message}`);
    w.line('');
    w.flush();
  }
  for (const { db, entry, key } of entries) {
    if (!entry) {
      w.line(`db${db} ${w.inline(key)} (not in the replay; it may exist: ${ks.taintOf(db, key)?.message ?? 'unknown'})`);
      w.line('');
      w.flush();
      continue;
    }
    const value = entry.value;
    w.line(keyLine(w, { db, key: entry.key, dataType: value.type, encoding: value.encoding, ...(entry.expireAtMs !== undefined ? { expireAtMs: entry.expireAtMs } : {}) }, options));
    const taint = ks.taintOf(db, entry.key);
    if (taint) w.line(`${INDENT}! inexact: ${taint.message}`);
    renderValue(w, value, options);
    w.line('');
    w.flush();
  }
  // The files' own warnings (a trailing FLUSHALL, an unknown command…) are about the files, not the data: only their errors are listed.
  const problems = [...(options.problems ?? []).filter((p) => p.severity === 'error'), ...replay.problems];
  const ok = options.ok ?? true;
  if (problems.length) {
    w.line(`problems (${ok ? 'the file loads' : 'the file is damaged'}${replay.exact ? '' : '; some keys may differ from what redis-server loads'})`);
    for (const p of problems) w.line(problemLine(p));
    w.line('');
    w.flush();
  }
  return { ...(options.header ? { header: options.header } : {}), format: 'aof', keys: held, ok, problems };
}

/** What an input holds, by content and name: an RDB, an AOF (plain or hybrid), a manifest, or nothing known. */
export function persistenceKind(source: ByteSource, name = ''): 'rdb' | 'aof' | 'manifest' | 'unknown' {
  const format = detectFormat(source.read(0, 64));
  const lower = name.toLowerCase();
  if (format === 'manifest') return 'manifest';
  if (format === 'aof') return 'aof';
  if (format === 'empty') return lower.endsWith('.aof') ? 'aof' : 'unknown';
  if (format !== 'rdb') return 'unknown';
  if (lower.endsWith('.rdb')) return 'rdb';
  // A hybrid AOF: by name, or by its preamble's own word (AUX aof-preamble 1, Redis 4.0–6.2).
  return lower.endsWith('.aof') || hasAofPreambleMark(source) ? 'aof' : 'rdb';
}

function aofFormat(preamble: RdbHeader | undefined, what: string): string {
  return preamble ? `AOF, ${what} with an RDB version ${preamble.version} ${what === 'multi-part' ? 'base' : 'preamble'}` : `AOF, ${what}`;
}

/**
 * Renders any single-file input: an RDB as `renderSnapshot` does, an AOF
 * (plain or hybrid; `name` decides for a file with an RDB magic, as Redis
 * does) replayed with `renderDataset`.
 */
export function renderPersistence(source: ByteSource, emit: (text: string) => void, options: RenderOptions & { name?: string; nowMs?: number } = {}): RenderResult {
  if (persistenceKind(source, options.name) !== 'aof') return renderSnapshot(source, emit, options);
  const { result, replay } = replayAof(source, { ...(options.name ? { fileName: options.name } : {}), ...(options.nowMs !== undefined ? { nowMs: options.nowMs } : {}) });
  const header = result.preamble?.header;
  return renderDataset(replay, emit, {
    ...options,
    format: aofFormat(header, result.preamble ? 'hybrid' : 'plain RESP'),
    problems: result.problems,
    ok: result.ok,
    ...(header ? { header } : {}),
  });
}

/** Renders a multi-part AOF: its manifest, its files opened by name (relative to the manifest). */
export function renderAofSet(manifest: Uint8Array, open: OpenFile, emit: (text: string) => void, options: RenderOptions & { nowMs?: number } = {}): RenderResult {
  const { set, replay } = replayAofSet(manifest, open, options.nowMs !== undefined ? { nowMs: options.nowMs } : {});
  const base = set.files.find((f) => f.role === 'base');
  const header = base?.result?.preamble?.header;
  const problems = [...set.problems];
  for (const f of set.files) for (const p of f.result?.problems ?? []) problems.push(p.file === undefined ? { ...p, file: f.name } : p);
  const incr = set.files.filter((f) => f.role === 'incr').length;
  return renderDataset(replay, emit, {
    ...options,
    format: `${aofFormat(header, 'multi-part')}${base && !header ? ' (RESP base)' : ''}, ${incr} INCR file${incr === 1 ? '' : 's'}`,
    problems,
    ok: set.ok,
    ...(header ? { header } : {}),
  });
}

/** The whole rendering as one string (for small files and tests). */
export function renderSnapshotText(source: ByteSource, options: RenderOptions = {}): { text: string; result: RenderResult } {
  const parts: string[] = [];
  const result = renderSnapshot(source, (t) => void parts.push(t), options);
  return { text: parts.join(''), result };
}
