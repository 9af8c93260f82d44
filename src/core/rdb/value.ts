/**
 * The decoded form of RDB values (redis `src/rdb.c` `rdbLoadObject`, all value
 * types of RDB 1–13 and Valkey 80). Bytes stay bytes: keys, members and values
 * are `Uint8Array`s, never assumed to be UTF-8.
 */

import type { DataType } from './constants.js';

/** A stream entry ID: two unsigned 64-bit numbers. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

/** Fields every decoded value has. */
interface ValueBase {
  /** Redis data type. */
  type: DataType;
  /** RDB type byte. */
  rdbType: number;
  /** Name of the on-disk encoding (redis-check-rdb's type name, e.g. `quicklist-v2`). */
  encoding: string;
  /** Absolute range of the value's bytes (after the key). */
  start: number;
  end: number;
  /** True when the value's payload was LZF-compressed as a whole. */
  compressed?: boolean;
  /**
   * With the `elementRanges` option: `[start, end)` of each element, flat
   * (`[s0, e0, s1, e1, …]`), parallel to the element arrays — a list item, a
   * set member, a sorted-set member with its score, a hash field with its
   * value (and TTL), a stream entry. Elements inside an LZF-compressed blob
   * get the blob's range.
   */
  elementRanges?: number[];
  /**
   * Number of elements (string: 1; hash: fields; stream: live entries). Known
   * even when a walk-only parse (`keepStrings: false`) left the element arrays empty.
   */
  count: number;
}

export interface StringValue extends ValueBase {
  type: 'string';
  /** How the string was stored: raw bytes, an integer encoding, or LZF. */
  stringEncoding: 'raw' | 'int' | 'lzf';
  /** The string's bytes; empty when the parse only walked strings (see `length`). */
  value: Uint8Array;
  /** Length of the (decompressed) string, known even when `value` was not kept. */
  length: number;
}

/** One quicklist node as stored (for display and byte ranges). */
export interface QuicklistNode {
  container: 'plain' | 'packed' | 'ziplist';
  start: number;
  end: number;
  compressed: boolean;
  count: number;
}

export interface ListValue extends ValueBase {
  type: 'list';
  items: Uint8Array[];
  nodes?: QuicklistNode[];
}

export interface SetValue extends ValueBase {
  type: 'set';
  members: Uint8Array[];
}

export interface ZsetValue extends ValueBase {
  type: 'zset';
  members: Uint8Array[];
  /** Scores, parallel to `members`. */
  scores: number[];
}

export interface HashValue extends ValueBase {
  type: 'hash';
  fields: Uint8Array[];
  values: Uint8Array[];
  /** Absolute per-field expiry in unix ms, parallel to `fields` (undefined: no TTL); only for HFE encodings. */
  fieldExpiresMs?: (number | undefined)[];
  /** True when some field has a TTL (set even when a walk-only parse kept no fields). */
  hasFieldExpires?: boolean;
  /** The `minExpire` header of HASH_METADATA / HASH_LISTPACK_EX, when present. */
  minExpireMs?: number;
}

export interface StreamEntry {
  id: StreamId;
  /** Alternating field, value. */
  fields: Uint8Array[];
}

export interface StreamPendingEntry {
  id: StreamId;
  deliveryTimeMs: number;
  deliveryCount: number;
  /** Owning consumer name, filled in from the consumers' PELs. */
  consumer?: Uint8Array;
}

export interface StreamConsumer {
  name: Uint8Array;
  seenTimeMs: number;
  /** RDB type 21+; equal to seen time for older types. */
  activeTimeMs: number;
  pending: StreamId[];
}

export interface StreamGroup {
  name: Uint8Array;
  lastId: StreamId;
  /** Logical read counter (types 19+; -1 when Redis does not know it); undefined for type 15 (Redis estimates it). */
  entriesRead?: number;
  pending: StreamPendingEntry[];
  consumers: StreamConsumer[];
}

/** Idempotent-producer data of STREAM_LISTPACKS_4 (Redis 8.6). */
export interface StreamIdmp {
  durationSeconds: number;
  maxEntries: number;
  producers: { id: Uint8Array; entries: { iid: Uint8Array; id: StreamId }[] }[];
  iidsAdded: number;
  iidsDuplicates: number;
}

export interface StreamValue extends ValueBase {
  type: 'stream';
  /** Live entries in ID order (deleted entries are counted in `deletedEntries`). */
  entries: StreamEntry[];
  deletedEntries: number;
  listpacks: number;
  length: number;
  lastId: StreamId;
  firstId?: StreamId;
  maxDeletedId?: StreamId;
  entriesAdded?: number;
  groups: StreamGroup[];
  idmp?: StreamIdmp;
}

/** One item of a module value's opcode stream (`RM_Save*`). */
export type ModuleItem =
  | { kind: 'sint'; value: bigint }
  | { kind: 'uint'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'double'; value: number }
  | { kind: 'string'; value: Uint8Array };

export interface ModuleValue extends ValueBase {
  type: 'module';
  moduleId: bigint;
  moduleName: string;
  encodingVersion: number;
  items: ModuleItem[];
}

/** Any decoded value. */
export type RdbValue = StringValue | ListValue | SetValue | ZsetValue | HashValue | StreamValue | ModuleValue;

/** Number of elements (string: 1; hash: fields; stream: live entries). */
export function valueLength(v: RdbValue): number {
  return v.count;
}

/** `ms-seq`, as Redis prints IDs. */
export function formatStreamId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}
