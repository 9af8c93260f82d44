/**
 * The first file's keys, in bounded memory: per key its DB, type, 64-bit value
 * digest, TTL and record offset in typed arrays (about 40 bytes a key), found
 * through an open-addressing table on a 64-bit digest of (DB, key name). Key
 * names are kept in one byte arena while there are at most `namesLimit` keys
 * (and `namesBytesLimit` bytes of names); past that the arena is dropped and
 * names are read back from the file by offset when a report needs them.
 */

import { growColumn } from '../bytes/columns.js';

import type { DataType } from '../rdb/constants.js';
import type { Digest64 } from './hash.js';

export const TYPE_CODES: DataType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'];


export interface KeyIndexOptions {
  /** Keep key names in memory up to this many keys (default 4,000,000). */
  namesLimit?: number;
  /** …and up to this many bytes of names (default 512 MiB). */
  namesBytesLimit?: number;
}

export class KeyIndex {
  count = 0;
  db = new Int32Array(0);
  type = new Uint8Array(0);
  digestHi = new Int32Array(0);
  digestLo = new Int32Array(0);
  /** Absolute expiry in ms, NaN for none. */
  expire = new Float64Array(0);
  /** Offset of the record (its first opcode), for `decodeRecordAt`. */
  start = new Float64Array(0);
  seen = new Uint8Array(0);
  private keyHi = new Int32Array(0);
  private keyLo = new Int32Array(0);
  /** Slot → entry index + 1 (0: empty). */
  private slots = new Int32Array(1 << 10);
  private mask = (1 << 10) - 1;
  private arena: Uint8Array | null = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private nameAt = new Float64Array(0);
  private nameLen = new Int32Array(0);
  private readonly namesLimit: number;
  private readonly namesBytesLimit: number;

  constructor(options: KeyIndexOptions = {}) {
    this.namesLimit = options.namesLimit ?? 4_000_000;
    this.namesBytesLimit = options.namesBytesLimit ?? 512 << 20;
  }

  /** True while key names are held in memory. */
  get hasNames(): boolean {
    return this.arena !== null;
  }

  add(db: number, key: Uint8Array, keyDigest: Digest64, type: DataType, digest: Digest64, expire: number | undefined, start: number): number {
    const i = this.count++;
    const n = this.count;
    this.db = growColumn(this.db, n);
    this.type = growColumn(this.type, n);
    this.digestHi = growColumn(this.digestHi, n);
    this.digestLo = growColumn(this.digestLo, n);
    this.expire = growColumn(this.expire, n);
    this.start = growColumn(this.start, n);
    this.seen = growColumn(this.seen, n);
    this.keyHi = growColumn(this.keyHi, n);
    this.keyLo = growColumn(this.keyLo, n);
    this.db[i] = db;
    this.type[i] = TYPE_CODES.indexOf(type);
    this.digestHi[i] = digest.hi;
    this.digestLo[i] = digest.lo;
    this.expire[i] = expire ?? NaN;
    this.start[i] = start;
    this.keyHi[i] = keyDigest.hi;
    this.keyLo[i] = keyDigest.lo;
    if (this.arena) {
      if (n > this.namesLimit || this.arenaUsed + key.length > this.namesBytesLimit) {
        this.arena = null;
        this.nameAt = new Float64Array(0);
        this.nameLen = new Int32Array(0);
      } else {
        this.arena = growColumn(this.arena, this.arenaUsed + key.length);
        this.arena.set(key, this.arenaUsed);
        this.nameAt = growColumn(this.nameAt, n);
        this.nameLen = growColumn(this.nameLen, n);
        this.nameAt[i] = this.arenaUsed;
        this.nameLen[i] = key.length;
        this.arenaUsed += key.length;
      }
    }
    if (n * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    this.insert(i);
    return i;
  }

  private insert(i: number): void {
    let s = this.keyHi[i]! & this.mask;
    while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    this.slots[s] = i + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < this.count; i++) this.insert(i);
  }

  /** The stored name of entry `i`, or undefined once names were dropped. */
  name(i: number): Uint8Array | undefined {
    if (!this.arena) return undefined;
    const at = this.nameAt[i]!;
    return this.arena.slice(at, at + this.nameLen[i]!);
  }

  /**
   * Entry of (db, key) not yet matched, or -1. With names in memory the match
   * is exact; without, a 64-bit key digest match is taken (callers verify it
   * against the file when they read the record anyway).
   */
  find(db: number, key: Uint8Array, keyDigest: Digest64): number {
    let s = keyDigest.hi & this.mask;
    for (;;) {
      const e = this.slots[s]!;
      if (e === 0) return -1;
      const i = e - 1;
      if (this.keyHi[i] === keyDigest.hi && this.keyLo[i] === keyDigest.lo && this.db[i] === db && !this.seen[i] && this.sameName(i, key)) return i;
      s = (s + 1) & this.mask;
    }
  }

  private sameName(i: number, key: Uint8Array): boolean {
    if (!this.arena) return true;
    const len = this.nameLen[i]!;
    if (len !== key.length) return false;
    const at = this.nameAt[i]!;
    for (let j = 0; j < len; j++) if (this.arena[at + j] !== key[j]) return false;
    return true;
  }
}
