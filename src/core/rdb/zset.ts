/**
 * Sorted-set values: ZSET (3, ASCII scores), ZSET_2 (5, binary scores),
 * ZSET_ZIPLIST (12) and ZSET_LISTPACK (17) — redis `src/rdb.c`
 * `rdbLoadObject`, RDB 1–13. Spec §8.3, §9.1, §9.2.
 */

import { DecodeError } from '../bytes/decodeError.js';
import { blobError, decodeBlob, packedRanges, readBlob } from './blob.js';
import { T_ZSET, T_ZSET_2, T_ZSET_ZIPLIST, checkerTypeName } from './constants.js';
import { findDuplicate } from './duplicates.js';
import { decodeListpack } from './listpack.js';
import { entryBytes, type PackedEntry } from './packedEntry.js';
import { strtodPrefix } from './reader.js';
import type { ZsetValue } from './value.js';
import { reportIfEmpty, type ValueContext } from './valueContext.js';
import { decodeZiplist } from './ziplist.js';

/** A packed score as Redis reads it (`zzlGetScore`): integers as is, text through strtod. */
function packedScore(e: PackedEntry): { value: number; whole: boolean } {
  if (typeof e === 'number') return { value: e, whole: true };
  if (typeof e === 'bigint') return { value: Number(e), whole: true };
  let s = '';
  for (let i = 0; i < e.length; i++) s += String.fromCharCode(e[i]!);
  return strtodPrefix(s);
}

/**
 * Whether `b` is plain decimal text, `[-](digits[.digits]|.digits)[(e|E)[+|-]digits]`,
 * as Redis writes scores ("%.17g"): strtod reads all of it and it is never NaN,
 * so `packedScore` would find it whole. Lets a walk-only check, which needs no
 * score values, skip building a string per score; anything else takes `packedScore`.
 */
function isPlainDecimal(b: Uint8Array): boolean {
  const n = b.length;
  let i = b[0] === 0x2d ? 1 : 0;
  let digits = 0;
  for (; i < n && b[i]! >= 0x30 && b[i]! <= 0x39; i++) digits++;
  if (i < n && b[i] === 0x2e) {
    i++;
    let fraction = 0;
    for (; i < n && b[i]! >= 0x30 && b[i]! <= 0x39; i++) fraction++;
    if (fraction === 0) return false;
    digits += fraction;
  }
  if (digits === 0) return false;
  if (i === n) return true;
  if (b[i] !== 0x65 && b[i] !== 0x45) return false;
  i++;
  if (b[i] === 0x2b || b[i] === 0x2d) i++;
  if (i === n) return false;
  while (i < n && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  return i === n;
}

/** Decodes a sorted-set value of RDB type 3, 5, 12 or 17. */
export function decodeZset(ctx: ValueContext, type: number, start: number): ZsetValue {
  const r = ctx.r;
  const members: Uint8Array[] = [];
  const scores: number[] = [];
  const value: ZsetValue = { type: 'zset', rdbType: type, encoding: checkerTypeName(type), start, end: start, members, scores, count: 0 };
  const ranges: number[] | undefined = ctx.elementRanges ? (value.elementRanges = []) : undefined;
  if (type === T_ZSET || type === T_ZSET_2) {
    const n = r.count('zset size', 2);
    for (let i = 0; i < n; i++) {
      const memberAt = r.c.offset;
      members.push(r.string('zset member'));
      const at = r.c.offset;
      const score = type === T_ZSET_2 ? r.c.f64le('zset score') : r.oldDouble('zset score');
      if (Number.isNaN(score)) {
        throw new DecodeError('rdb.zset.nan-score', 'Zset with NAN score detected', at, r.c.offset);
      }
      scores.push(score);
      ranges?.push(memberAt, r.c.offset);
    }
    value.count = n;
    value.end = r.c.offset;
    if (findDuplicate(members, 0, 1) >= 0) {
      ctx.report({ code: 'rdb.duplicate-member', severity: 'error', offset: start, end: value.end, message: 'Duplicate zset fields detected' });
    }
  } else {
    const blob = readBlob(r, type === T_ZSET_ZIPLIST ? 'zset ziplist' : 'zset listpack', !ctx.keepStrings);
    value.compressed = blob.compressed;
    const label = type === T_ZSET_ZIPLIST ? 'Zset ziplist integrity check failed' : 'Zset listpack integrity check failed';
    const starts: number[] | undefined = ranges ? [] : undefined;
    const entries = decodeBlob(blob, label, type === T_ZSET_ZIPLIST ? decodeZiplist : decodeListpack, starts);
    if (ranges && starts) packedRanges(blob, starts, 2, ranges);
    if (entries.length % 2 !== 0) throw blobError(blob, 'rdb.zset.integrity', `${label}: odd number of elements (${entries.length})`);
    if (findDuplicate(entries, 0, 2) >= 0) throw blobError(blob, 'rdb.zset.integrity', `${label}: duplicate members`);
    for (let i = 0; i < entries.length; i += 2) {
      if (!ctx.keepStrings) {
        const e = entries[i + 1]!;
        if (!(e instanceof Uint8Array) || isPlainDecimal(e)) continue;
      }
      const { value: score, whole } = packedScore(entries[i + 1]!);
      // Redis's integrity check does not look at scores and strtod never fails:
      // a malformed score loads as its numeric prefix (or 0), so this is a warning.
      if (!whole || Number.isNaN(score)) {
        ctx.report({
          code: 'rdb.zset.bad-score',
          severity: 'warning',
          offset: blob.start,
          end: blob.end,
          message: `score of element ${i / 2} is not a well-formed number; Redis reads it as ${score}`,
        });
      }
      if (!ctx.keepStrings) continue;
      members.push(entryBytes(entries[i]!));
      scores.push(score);
    }
    value.count = entries.length / 2;
    value.end = r.c.offset;
  }
  reportIfEmpty(ctx, value, 'sorted set');
  return value;
}
