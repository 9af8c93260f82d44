/**
 * Messages of the custom editor (STYLE.md §2): webview ⇄ extension host, and
 * extension host ⇄ the editor's worker session (src/worker/editorSession.ts),
 * which holds the index. Pure types and a few pure helpers, so the webview
 * bundle, the worker and the host share one definition.
 *
 * Bytes cross every boundary as `BytesView` (base64 + the full length), never
 * as decoded text: keys and values are binary and hostile, and the webview
 * decides how to show them (text, escaped, hex, JSON) and escapes what it shows.
 */

import type { DataType } from '../core/rdb/constants.js';
import type { Severity } from '../core/model/problem.js';

/** Bumped on any incompatible change. */
export const EDITOR_PROTOCOL_VERSION = 1;

/** Bytes as base64; `length` is the full length, `truncated` when `b64` holds only the first bytes. */
export interface BytesView {
  b64: string;
  length: number;
  truncated?: boolean;
}

/** A problem found in the file(s), as the editor shows it. */
export interface ProblemView {
  severity: Severity;
  code: string;
  message: string;
  /** Absolute offset in `file` (or in the only file). */
  offset: number;
  end?: number;
  /** Multi-part sets: manifest name of the file (the manifest itself: its own name). */
  file?: string;
  /** Part the problem belongs to (see `PartView.id`); absent for the manifest. */
  part?: number;
  phase?: string;
  key?: BytesView;
  db?: number;
  /** AOF: 1-based line and command number. */
  line?: number;
  command?: number;
  /** Index of the key (`KeyRow.id`) whose record contains the offset, when known. */
  keyId?: number;
}

/** An AUX field with a readable rendering (`ctime` as an ISO date, `used-mem` in MB, …). */
export interface AuxView {
  name: string;
  value: BytesView;
  /** Human reading of the value, e.g. "2024-05-01T10:00:00.000Z (1714557600)". */
  display: string;
  start: number;
  end: number;
}

export interface FunctionView {
  name: string;
  engine?: string;
  /** The library's code (first 64 KiB). */
  code: BytesView;
  start: number;
  end: number;
}

export interface ModuleAuxView {
  module: string;
  encodingVersion: number;
  when: number;
  items: number;
  start: number;
  end: number;
}

/**
 * A run of keys with the same part and database, in file order (an RDB has
 * one per SELECTDB). Key ids `firstKey … firstKey + keys − 1` belong to it.
 */
export interface SectionView {
  id: number;
  part: number;
  db: number;
  /** Offset of the SELECTDB opcode (or of the first key). */
  start: number;
  firstKey: number;
  /** Keys indexed so far in this section. */
  keys: number;
  expires: number;
  /** The RESIZEDB hint that follows the SELECTDB, when the file has one. */
  resizeKeys?: number;
  resizeExpires?: number;
}

/** The RDB inside a part (an RDB file, or the preamble of a hybrid AOF / RDB base). */
export interface RdbPartView {
  magic: 'REDIS' | 'VALKEY';
  version: number;
  start: number;
  /** End of the RDB (after its checksum), when the parse got there. */
  end?: number;
  checksum: string;
  aux: AuxView[];
  /** `ctime` AUX in ms, when present: TTLs are shown relative to it too. */
  ctimeMs?: number;
  functions: FunctionView[];
  modules: ModuleAuxView[];
}

/** The RESP part of a part (a plain AOF, or the tail of a hybrid one). */
export interface AofPartView {
  /** Offset where commands start. */
  tailStart: number;
  /** Commands indexed so far. */
  commands: number;
  annotations: number;
  lastTimestampSec?: number;
}

/** One file of what is open: the file itself, or a file of a multi-part set (base, incr, history). */
export interface PartView {
  id: number;
  /** File name (the manifest's name for a set). */
  file: string;
  role: 'rdb' | 'aof' | 'base' | 'incr' | 'history';
  seq?: number;
  size: number;
  /** History files are listed by the manifest but not loaded (not indexed). */
  loaded: boolean;
  ok: boolean;
  /** redis-check-rdb / redis-check-aof's last valid offset in this file. */
  validUpTo: number;
  rdb?: RdbPartView;
  aof?: AofPartView;
  /** Why the file could not be read. */
  error?: string;
}

/** A repair the AOF can have (src/core/aof/repair.ts), as the editor offers it. */
export interface RepairView {
  /** Index to send back in `repair`. */
  index: number;
  kind: string;
  label: string;
  file: string;
  /** Byte ranges removed, in `file`. */
  removals: { start: number; end: number }[];
  bytesRemoved: number;
  commandsRemoved?: number;
  removesDamage?: boolean;
  dropFiles: string[];
  summary: string;
}

/** Indexing state. */
export interface IndexState {
  done: boolean;
  cancelled: boolean;
  /** Bytes read so far, over all parts, and the total. */
  offset: number;
  size: number;
  keys: number;
  commands: number;
  /** Milliseconds since indexing started (or it took). */
  elapsedMs: number;
}

/** Everything the tree's fixed part needs; sent again as indexing goes on. */
export interface Overview {
  /** The opened file's name and full path (or URI). */
  name: string;
  location: string;
  kind: 'rdb' | 'aof' | 'hybrid' | 'manifest';
  size: number;
  parts: PartView[];
  sections: SectionView[];
  /** Total keys indexed (sum of sections). */
  keys: number;
  problems: ProblemView[];
  /** The verdict redis-check-rdb / redis-check-aof gives. */
  ok: boolean;
  /** Valid up to this offset of `validUpToFile` (a set: the damaged file). */
  validUpTo: number;
  validUpToFile?: string;
  index: IndexState;
  /** The time the overview was made (for "expired now"). */
  nowMs: number;
}

/** Which keys to list. Every field optional: an empty filter matches every key. */
export interface KeyFilter {
  /** Glob (Redis KEYS syntax, binary-safe) or, with `regex`, a JavaScript regular expression over the key as latin1. */
  pattern?: string;
  regex?: boolean;
  /** Case-insensitive match. */
  ignoreCase?: boolean;
  types?: DataType[];
  db?: number;
  ttl?: 'none' | 'has' | 'expired-at-save' | 'expired-now';
  /** Minimum serialized size in bytes (the record's byte range). */
  minSize?: number;
}

/** A key row (everything cheap to show; the value is decoded on expansion). */
export interface KeyRow {
  id: number;
  section: number;
  key: BytesView;
  type: DataType | 'unknown';
  /** redis-check-rdb's encoding name (`hash-listpack`, `quicklist-v2`, …). */
  encoding: string;
  expireAtMs?: number;
  idleSeconds?: number;
  lfuFreq?: number;
  /** Elements (string: 1, hash: fields, stream: live entries), when the record decodes. */
  count?: number;
  /** Record range (opcodes before the type byte included). */
  start: number;
  end: number;
  /** The part's file, for a set. */
  part: number;
  /** A problem lies inside the record. */
  damaged?: boolean;
}

/** One element of a collection, or the string itself. */
export interface ElementRow {
  index: number;
  start: number;
  end: number;
  /** list item, set member, zset member, hash field, string value, stream entry id (text). */
  value?: BytesView;
  score?: number;
  /** hash: the field's value. */
  fieldValue?: BytesView;
  /** hash: field TTL (unix ms). */
  ttlMs?: number;
  /** stream: entry id and its field/value pairs. */
  id?: string;
  fields?: BytesView[];
  /** module: item kind and its value as text. */
  kind?: string;
}

export interface StreamGroupView {
  name: BytesView;
  lastId: string;
  entriesRead?: number;
  lag?: number;
  pending: { id: string; consumer?: BytesView; deliveryTimeMs: number; deliveryCount: number }[];
  pendingTotal: number;
  consumers: { name: BytesView; seenTimeMs: number; activeTimeMs: number; pending: number }[];
}

export interface StreamMetaView {
  length: number;
  lastId: string;
  firstId?: string;
  maxDeletedId?: string;
  entriesAdded?: number;
  deletedEntries: number;
  listpacks: number;
  groups: StreamGroupView[];
}

/** A page of a key's value. */
export interface ValuePage {
  keyId: number;
  type: DataType | 'unknown';
  encoding: string;
  /** Elements in all (the string: 1). */
  total: number;
  from: number;
  rows: ElementRow[];
  stream?: StreamMetaView;
  module?: { name: string; encodingVersion: number };
  /** Decoding problems of this record (the key row is then marked). */
  problems: ProblemView[];
  /** Value range (after the key). */
  start: number;
  end: number;
}

/** One AOF command row. */
export interface CommandRow {
  part: number;
  index: number;
  start: number;
  end: number;
  line?: number;
  name: string;
  argc: number;
  /** The first arguments (name included), each cut to 256 bytes. */
  args: BytesView[];
  db: number;
  timestampSec?: number;
  /** Index of the MULTI of the transaction the command is in. */
  transaction?: number;
  afterDamage?: boolean;
  /** Flagged: unknown command, impossible arity, trailing FLUSH, … */
  warning?: string;
}

export interface SummaryView {
  keys: number;
  expires: number;
  bytes: number;
  dbs: { db: number; keys: number; expires: number; bytes: number; byType: Partial<Record<DataType, number>> }[];
  byType: Partial<Record<DataType, { keys: number; expires: number; bytes: number; elements: number }>>;
  biggest: { id: number; key: BytesView; type: DataType; bytes: number; count: number; db: number }[];
  prefixes: { prefix: string; keys: number; bytes: number }[];
  prefixesTruncated: boolean;
  /** AOF: commands by name. */
  commandsByName?: { name: string; count: number }[];
}

/** Webview → host. `seq` answers come back with the same `seq`. */
export type WebviewRequest =
  | { type: 'ready' }
  | { type: 'query'; seq: number; filter: KeyFilter }
  | { type: 'keys'; seq: number; queryId: number; section: number; from: number; count: number }
  | { type: 'value'; seq: number; keyId: number; from: number; count: number }
  | { type: 'commands'; seq: number; part: number; from: number; count: number }
  | { type: 'summary'; seq: number }
  | { type: 'cancelIndex' }
  | { type: 'reload' }
  | { type: 'copy'; what: 'key' | 'value' | 'resp' | 'offset' | 'text'; keyId?: number; offset?: number; text?: string }
  | { type: 'revealOffset'; offset: number; part?: number }
  | { type: 'repair'; index: number }
  | { type: 'undoRepair' }
  | { type: 'openProblems' }
  /** Test hook: the webview reports what it rendered (see `RenderedState`). */
  | { type: 'rendered'; state: RenderedState };

/** Host → webview. */
export type HostMessage =
  | { type: 'init'; overview: Overview; hexEditor: boolean; restore?: unknown }
  | { type: 'overview'; overview: Overview }
  | { type: 'progress'; index: IndexState }
  | { type: 'queryResult'; seq: number; queryId: number; total: number; sections: { section: number; count: number }[]; complete: boolean }
  | { type: 'keys'; seq: number; queryId: number; section: number; from: number; rows: KeyRow[] }
  | { type: 'value'; seq: number; page: ValuePage }
  | { type: 'commands'; seq: number; part: number; from: number; rows: CommandRow[] }
  | { type: 'summary'; seq: number; summary: SummaryView }
  | { type: 'repairs'; repairs: RepairView[]; undo?: { label: string; backup: string } }
  | { type: 'error'; seq?: number; message: string }
  /** Test hook: run an action as the user would, then answer with `rendered`. */
  | { type: 'test'; action: TestAction };

/** What the tests ask the webview to do (the same code paths as clicks and keys). */
export type TestAction =
  | { kind: 'snapshot' }
  | { kind: 'filter'; filter: KeyFilter }
  | { kind: 'expandKey'; keyId: number }
  | { kind: 'expandPath'; path: string }
  | { kind: 'scrollTo'; row: number }
  | { kind: 'view'; view: 'tree' | 'summary' }
  | { kind: 'display'; mode: DisplayMode }
  | { kind: 'nextMatch'; back?: boolean };

export type DisplayMode = 'text' | 'escaped' | 'hex' | 'json';

/** What the webview reports having rendered (test hook; the DOM is also read directly by the runner). */
export interface RenderedState {
  view: 'tree' | 'summary';
  /** Text of the rows in the DOM, top to bottom. */
  rows: string[];
  totalRows: number;
  matchCount?: number;
  selected?: string;
  indexing: boolean;
}

/** Host → worker session. */
export type SessionRequest =
  | { type: 'open'; id: number; input: SessionInput; nowMs: number }
  | { type: 'cancel' }
  | { type: 'query'; id: number; filter: KeyFilter }
  | { type: 'keys'; id: number; queryId: number; section: number; from: number; count: number }
  | { type: 'value'; id: number; keyId: number; from: number; count: number }
  | { type: 'valueBytes'; id: number; keyId: number; what: 'key' | 'value' | 'resp' }
  | { type: 'commands'; id: number; part: number; from: number; count: number }
  | { type: 'summary'; id: number }
  | { type: 'keyAt'; id: number; part: number; offset: number };

/** What the session opens: a local file or set (the worker reads it positionally), or bytes the host read. */
export type SessionInput =
  | { kind: 'path'; path: string }
  /** Bytes the host read (other URI schemes); with `files`, `bytes` is a manifest and `files` its files by manifest name. */
  | { kind: 'bytes'; name: string; bytes: Uint8Array; files?: Record<string, Uint8Array> };

/** Worker session → host. */
export type SessionMessage =
  | { type: 'ready'; version: number }
  /** Sent as soon as the first rows are indexed, then as indexing goes on (at most every 100 ms), and at the end. */
  | { type: 'overview'; overview: Overview }
  | { type: 'reply'; replyTo: number; body: SessionReply }
  | { type: 'error'; replyTo?: number; message: string };

export type SessionReply =
  | { type: 'opened' }
  | { type: 'queryResult'; queryId: number; total: number; sections: { section: number; count: number }[]; complete: boolean }
  | { type: 'keys'; rows: KeyRow[] }
  | { type: 'value'; page: ValuePage }
  | { type: 'bytes'; bytes: Uint8Array; text?: string }
  | { type: 'commands'; rows: CommandRow[] }
  | { type: 'summary'; summary: SummaryView }
  | { type: 'keyAt'; keyId?: number };
