/**
 * Key-space statistics of an RDB: keys and expires per DB and type, serialized
 * bytes per type, the biggest keys and a key-prefix breakdown, plus the
 * per-key rows of redis-rdb-tools' memory report (its CSV columns, with sizes
 * that are honestly the serialized sizes in the file, not memory estimates).
 */

import type { DataType } from '../rdb/constants.js';
import type { KeyRecord } from '../rdb/parser.js';
import type { RdbValue } from '../rdb/value.js';
import { latin1 } from '../text/bytesText.js';

/** Counters for one data type. */
export interface TypeStats {
  keys: number;
  expires: number;
  /** Serialized bytes of the records (expire/idle/freq opcodes, type, key and value). */
  bytes: number;
  elements: number;
}

/** Counters for one database. */
export interface DbStats {
  db: number;
  keys: number;
  expires: number;
  bytes: number;
  byType: Partial<Record<DataType, TypeStats>>;
}

/** One key in the "biggest keys" list or a CSV row. */
export interface KeyRow {
  db: number;
  key: Uint8Array;
  type: DataType;
  encoding: string;
  /** Serialized size of the record in bytes. */
  size: number;
  elements: number;
  largestElement: number;
  expireAtMs?: number;
  offset: number;
}

/** A key-prefix group. */
export interface PrefixStats {
  prefix: string;
  keys: number;
  bytes: number;
}

/** Everything `stats` reports. */
export interface KeyspaceStats {
  keys: number;
  expires: number;
  bytes: number;
  dbs: DbStats[];
  byType: Partial<Record<DataType, TypeStats>>;
  biggest: KeyRow[];
  prefixes: PrefixStats[];
  /** True when distinct prefixes exceeded the cap and the rest were folded into "(other)". */
  prefixesTruncated: boolean;
}

export interface StatsOptions {
  /** How many biggest keys to keep. */
  top?: number;
  /** Prefix separator (default ":"). */
  separator?: string;
  /** How many separator-delimited levels form a prefix (default 1). */
  prefixDepth?: number;
  /** Most distinct prefixes tracked before folding into "(other)". */
  maxPrefixes?: number;
}

/** The element count and largest element length of a value (redis-rdb-tools' `num_elements`, `len_largest_element`). */
export function elementStats(v: RdbValue): { elements: number; largest: number } {
  // Element lengths need the elements: parse with keepStrings for exact figures.
  let largest = 0;
  const max = (arr: Uint8Array[]) => {
    for (const b of arr) if (b.length > largest) largest = b.length;
  };
  switch (v.type) {
    case 'string':
      return { elements: 1, largest: v.length };
    case 'list':
      max(v.items);
      break;
    case 'set':
      max(v.members);
      break;
    case 'zset':
      max(v.members);
      break;
    case 'hash':
      max(v.fields);
      max(v.values);
      break;
    case 'stream':
      for (const e of v.entries) max(e.fields);
      break;
    case 'module':
      break;
  }
  return { elements: v.count, largest };
}

function bump(map: Partial<Record<DataType, TypeStats>>, t: DataType, size: number, expires: boolean, elements: number): void {
  let s = map[t];
  if (!s) map[t] = s = { keys: 0, expires: 0, bytes: 0, elements: 0 };
  s.keys++;
  s.bytes += size;
  s.elements += elements;
  if (expires) s.expires++;
}

/** Accumulates statistics key by key, in bounded memory. */
export class StatsCollector {
  private readonly top: number;
  private readonly separator: string;
  private readonly depth: number;
  private readonly maxPrefixes: number;
  private readonly dbs = new Map<number, DbStats>();
  private readonly byType: Partial<Record<DataType, TypeStats>> = {};
  private readonly biggest: KeyRow[] = [];
  private minBiggest = 0;
  private readonly prefixes = new Map<string, PrefixStats>();
  private prefixesTruncated = false;
  private keys = 0;
  private expires = 0;
  private bytes = 0;

  constructor(options: StatsOptions = {}) {
    this.top = options.top ?? 10;
    this.separator = options.separator ?? ':';
    this.depth = options.prefixDepth ?? 1;
    this.maxPrefixes = options.maxPrefixes ?? 10000;
  }

  /** The row of one key (also used for CSV output). */
  static row(k: KeyRecord): KeyRow {
    const { elements, largest } = elementStats(k.value);
    const row: KeyRow = {
      db: k.db,
      key: k.key,
      type: k.dataType,
      encoding: k.encoding,
      size: k.end - k.start,
      elements,
      largestElement: largest,
      offset: k.start,
    };
    if (k.expireAtMs !== undefined) row.expireAtMs = k.expireAtMs;
    return row;
  }

  add(k: KeyRecord): KeyRow {
    const row = StatsCollector.row(k);
    const expires = k.expireAtMs !== undefined;
    this.keys++;
    this.bytes += row.size;
    if (expires) this.expires++;
    let db = this.dbs.get(k.db);
    if (!db) this.dbs.set(k.db, (db = { db: k.db, keys: 0, expires: 0, bytes: 0, byType: {} }));
    db.keys++;
    db.bytes += row.size;
    if (expires) db.expires++;
    bump(db.byType, row.type, row.size, expires, row.elements);
    bump(this.byType, row.type, row.size, expires, row.elements);
    this.addBiggest(row);
    this.addPrefix(k.key, row.size);
    return row;
  }

  private addBiggest(row: KeyRow): void {
    if (this.top <= 0) return;
    if (this.biggest.length < this.top) {
      this.biggest.push({ ...row, key: row.key.slice() });
      this.minBiggest = Math.min(...this.biggest.map((r) => r.size));
      return;
    }
    if (row.size <= this.minBiggest) return;
    let minIndex = 0;
    for (let i = 1; i < this.biggest.length; i++) if (this.biggest[i]!.size < this.biggest[minIndex]!.size) minIndex = i;
    this.biggest[minIndex] = { ...row, key: row.key.slice() };
    this.minBiggest = Math.min(...this.biggest.map((r) => r.size));
  }

  private addPrefix(key: Uint8Array, size: number): void {
    let cut = -1;
    let text: string;
    if (this.separator.length === 1 && this.separator.charCodeAt(0) < 0x80) {
      // One ASCII byte: find it in the bytes and make a string of the prefix
      // only (converting every whole key was a third of the editor's indexing time).
      const sep = this.separator.charCodeAt(0);
      let from = 0;
      for (let d = 0; d < this.depth; d++) {
        const i = key.indexOf(sep, from);
        if (i < 0) break;
        cut = i + 1;
        from = cut;
      }
      text = cut < 0 ? '' : latin1(key.subarray(0, cut));
    } else {
      text = latin1(key);
      let from = 0;
      for (let d = 0; d < this.depth; d++) {
        const i = text.indexOf(this.separator, from);
        if (i < 0) break;
        cut = i + this.separator.length;
        from = cut;
      }
    }
    let prefix = cut < 0 ? '(no prefix)' : `${text.slice(0, cut)}*`;
    let p = this.prefixes.get(prefix);
    if (!p) {
      if (this.prefixes.size >= this.maxPrefixes) {
        this.prefixesTruncated = true;
        prefix = '(other)';
        p = this.prefixes.get(prefix);
      }
      if (!p) this.prefixes.set(prefix, (p = { prefix, keys: 0, bytes: 0 }));
    }
    p.keys++;
    p.bytes += size;
  }

  result(): KeyspaceStats {
    return {
      keys: this.keys,
      expires: this.expires,
      bytes: this.bytes,
      dbs: [...this.dbs.values()].sort((a, b) => a.db - b.db),
      byType: this.byType,
      biggest: [...this.biggest].sort((a, b) => b.size - a.size || a.offset - b.offset),
      prefixes: [...this.prefixes.values()].sort((a, b) => b.bytes - a.bytes || a.prefix.localeCompare(b.prefix)),
      prefixesTruncated: this.prefixesTruncated,
    };
  }
}

/** redis-rdb-tools' expiry column: naive ISO 8601 with microseconds, in UTC. */
export function rdbToolsExpiry(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1000');
}
