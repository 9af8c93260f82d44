/**
 * Hash values: HASH (4), HASH_ZIPMAP (9), HASH_ZIPLIST (13), HASH_LISTPACK (16)
 * and the hash-field-expiration types — Redis 7.4 HASH_METADATA (24),
 * HASH_LISTPACK_EX (25) and their release-candidate forms (22, 23), and
 * Valkey 9 HASH_2 (22). Mirrors redis `src/rdb.c` `rdbLoadObject` (RDB 1–13)
 * and valkey `src/rdb.c` (RDB 80). Spec §8.4, §8.5, §9.
 */

import { DecodeError } from '../bytes/decodeError.js';
import { blobError, decodeBlob, packedRanges, readBlob } from './blob.js';
import {
  T_HASH,
  T_HASH_22,
  T_HASH_23,
  T_HASH_LISTPACK_EX,
  T_HASH_METADATA,
  T_HASH_ZIPLIST,
  T_HASH_ZIPMAP,
  checkerTypeName,
} from './constants.js';
import { findDuplicate } from './duplicates.js';
import { decodeListpack } from './listpack.js';
import { entryBytes, type PackedEntry } from './packedEntry.js';
import type { HashValue } from './value.js';
import { reportIfEmpty, type ValueContext } from './valueContext.js';
import { decodeZiplist } from './ziplist.js';
import { decodeZipmap } from './zipmap.js';

/** EB_EXPIRE_TIME_MAX (redis `src/ebuckets.h`): the largest field expiry, 2^48 − 1 ms. */
const EXPIRE_TIME_MAX = 0xffffffffffff;

function expiryError(at: number, end: number, ms: bigint | number): DecodeError {
  return new DecodeError('rdb.hash.bad-expiry', `invalid field expireAt time ${ms}`, at, end);
}

/** Decodes a hash value of RDB type 4, 9, 13, 16, 22–25. */
export function decodeHash(ctx: ValueContext, type: number, start: number): HashValue {
  const r = ctx.r;
  const c = r.c;
  const fields: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  const value: HashValue = {
    type: 'hash',
    rdbType: type,
    encoding: checkerTypeName(type, r.valkey),
    start,
    end: start,
    fields,
    values,
    count: 0,
  };
  const ranges: number[] | undefined = ctx.elementRanges ? (value.elementRanges = []) : undefined;
  if (type === T_HASH) {
    const n = r.count('hash size', 2);
    for (let i = 0; i < n; i++) {
      const at = c.offset;
      fields.push(r.string('hash field'));
      values.push(r.string('hash value'));
      ranges?.push(at, c.offset);
    }
  } else if (type === T_HASH_22 && r.valkey) {
    // Valkey HASH_2: field, value, signed 8-byte LE expiry, -1 = none.
    const expires: (number | undefined)[] = [];
    value.fieldExpiresMs = expires;
    const n = r.count('hash size', 10);
    for (let i = 0; i < n; i++) {
      const fieldAt = c.offset;
      fields.push(r.string('hash field'));
      values.push(r.string('hash value'));
      const at = c.offset;
      const ms = c.i64le('field expiry');
      if (ms < -1n || ms > BigInt(EXPIRE_TIME_MAX)) throw expiryError(at, c.offset, ms);
      expires.push(ms === -1n ? undefined : Number(ms));
      ranges?.push(fieldAt, c.offset);
    }
  } else if (type === T_HASH_METADATA || type === T_HASH_22) {
    const expires: (number | undefined)[] = [];
    value.fieldExpiresMs = expires;
    let minExpire = 0;
    if (type === T_HASH_METADATA) {
      minExpire = Number(c.i64le('minimum field expiry'));
      value.minExpireMs = minExpire;
    }
    const n = r.count('hash size', 3);
    for (let i = 0; i < n; i++) {
      const at = c.offset;
      const ttl = r.len('field TTL');
      const ttlEnd = c.offset;
      fields.push(r.string('hash field'));
      values.push(r.string('hash value'));
      ranges?.push(at, c.offset);
      if (ttl === 0) {
        expires.push(undefined);
        continue;
      }
      // 7.4 GA stores ttl relative to minExpire (+1 so that 0 means "none"); the RC stored it absolute.
      const ms = type === T_HASH_METADATA ? ttl + minExpire - 1 : ttl;
      if (ms < 0 || ms > EXPIRE_TIME_MAX) throw expiryError(at, ttlEnd, ms);
      expires.push(ms);
    }
  } else {
    const label =
      type === T_HASH_ZIPMAP
        ? 'Zipmap integrity check failed'
        : type === T_HASH_ZIPLIST
          ? 'Hash ziplist integrity check failed'
          : 'Hash listpack integrity check failed';
    if (type === T_HASH_LISTPACK_EX) value.minExpireMs = Number(c.i64le('minimum field expiry'));
    const blob = readBlob(r, checkerTypeName(type), !ctx.keepStrings);
    value.compressed = blob.compressed;
    let entries: PackedEntry[];
    const starts: number[] | undefined = ranges && type !== T_HASH_ZIPMAP ? [] : undefined;
    if (type === T_HASH_ZIPMAP) entries = decodeBlob(blob, label, decodeZipmap);
    else if (type === T_HASH_ZIPLIST) entries = decodeBlob(blob, label, decodeZiplist, starts);
    else entries = decodeBlob(blob, label, decodeListpack, starts);
    const withTtl = type === T_HASH_LISTPACK_EX || type === T_HASH_23;
    const stride = withTtl ? 3 : 2;
    if (ranges) {
      // Zipmap entries carry no offsets: each pair gets the blob's range.
      if (starts) packedRanges(blob, starts, stride, ranges);
      else for (let i = 0; i + 1 < entries.length; i += 2) ranges.push(blob.start, blob.end);
    }
    if (entries.length % stride !== 0) {
      throw blobError(blob, 'rdb.hash.integrity', `${label}: ${entries.length} elements is not a multiple of ${stride}`);
    }
    if (findDuplicate(entries, 0, stride) >= 0) {
      throw blobError(blob, 'rdb.hash.integrity', `${label}: duplicate fields`);
    }
    const expires: (number | undefined)[] | undefined = withTtl ? [] : undefined;
    if (expires) value.fieldExpiresMs = expires;
    let sawNoTtl = false;
    let lastTtl = 0;
    const keep = ctx.keepStrings;
    for (let i = 0; i < entries.length; i += stride) {
      if (keep) {
        fields.push(entryBytes(entries[i]!));
        values.push(entryBytes(entries[i + 1]!));
      }
      if (!expires) continue;
      const t = entries[i + 2]!;
      if (t instanceof Uint8Array) throw blobError(blob, 'rdb.hash.integrity', `${label}: expiry of field ${i / 3} is not an integer`);
      const ms = Number(t);
      if (ms < 0 || ms > EXPIRE_TIME_MAX) throw blobError(blob, 'rdb.hash.bad-expiry', `${label}: invalid field expireAt time ${t}`);
      // Fields with a TTL come first, in non-decreasing order, then those without (`_lpEntryValidation`).
      if (ms === 0) sawNoTtl = true;
      else if (sawNoTtl || ms < lastTtl) throw blobError(blob, 'rdb.hash.integrity', `${label}: field TTLs out of order`);
      else lastTtl = ms;
      if (keep) expires.push(ms === 0 ? undefined : ms);
      else if (ms !== 0) value.hasFieldExpires = true;
    }
    value.count = entries.length / stride;
  }
  value.end = c.offset;
  if (type === T_HASH || type === T_HASH_METADATA || type === T_HASH_22) value.count = fields.length;
  if (value.fieldExpiresMs?.some((x) => x !== undefined)) value.hasFieldExpires = true;
  if (type === T_HASH || type === T_HASH_METADATA || type === T_HASH_22) {
    if (findDuplicate(fields, 0, 1) >= 0) {
      ctx.report({ code: 'rdb.duplicate-member', severity: 'error', offset: start, end: value.end, message: 'Duplicate hash fields detected' });
    }
  }
  reportIfEmpty(ctx, value, 'hash');
  return value;
}
