/**
 * Set values: SET (2, hashtable), SET_INTSET (11) and SET_LISTPACK (20) —
 * redis `src/rdb.c` `rdbLoadObject`, RDB 1–13. Spec §8.2, §9.2, §9.3.
 */

import { blobError, decodeBlob, packedRanges, readBlob } from './blob.js';
import { T_SET, T_SET_INTSET, checkerTypeName } from './constants.js';
import { findDuplicate } from './duplicates.js';
import { countIntset, decodeIntset } from './intset.js';
import { decodeListpack } from './listpack.js';
import { entryBytes } from './packedEntry.js';
import type { SetValue } from './value.js';
import { reportIfEmpty, type ValueContext } from './valueContext.js';

/** Decodes a set value of RDB type 2, 11 or 20. */
export function decodeSet(ctx: ValueContext, type: number, start: number): SetValue {
  const r = ctx.r;
  const members: Uint8Array[] = [];
  const value: SetValue = { type: 'set', rdbType: type, encoding: checkerTypeName(type), start, end: start, members, count: 0 };
  const ranges: number[] | undefined = ctx.elementRanges ? (value.elementRanges = []) : undefined;
  if (type === T_SET) {
    const n = r.count('set size');
    // Members are kept even when walking: the duplicate check needs them.
    for (let i = 0; i < n; i++) {
      const at = r.c.offset;
      members.push(r.string('set member'));
      ranges?.push(at, r.c.offset);
    }
    value.count = n;
    value.end = r.c.offset;
    const dup = findDuplicate(members, 0, 1);
    if (dup >= 0) {
      ctx.report({ code: 'rdb.duplicate-member', severity: 'error', offset: start, end: value.end, message: `Duplicate set members detected (member ${dup})` });
    }
  } else {
    const blob = readBlob(r, type === T_SET_INTSET ? 'intset' : 'set listpack', !ctx.keepStrings);
    value.compressed = blob.compressed;
    if (type === T_SET_INTSET && !ctx.keepStrings && !ranges) {
      // Walk-only fast path: an intset's validation already proves its members
      // unique (strictly ascending), so only the count is needed.
      value.count = decodeBlob(blob, 'Intset integrity check failed', countIntset);
      value.end = r.c.offset;
      reportIfEmpty(ctx, value, 'set');
      return value;
    }
    const starts: number[] | undefined = ranges && type !== T_SET_INTSET ? [] : undefined;
    const entries =
      type === T_SET_INTSET
        ? decodeBlob(blob, 'Intset integrity check failed', decodeIntset)
        : decodeBlob(blob, 'Set listpack integrity check failed', decodeListpack, starts);
    if (ranges) {
      if (starts) packedRanges(blob, starts, 1, ranges);
      else {
        // Intset: an 8-byte header, then fixed-width elements.
        const width = entries.length ? (blob.bytes.length - 8) / entries.length : 0;
        for (let i = 0; i < entries.length; i++) {
          if (blob.compressed) ranges.push(blob.start, blob.end);
          else ranges.push(blob.base + 8 + i * width, blob.base + 8 + (i + 1) * width);
        }
      }
    }
    if (type !== T_SET_INTSET && findDuplicate(entries, 0, 1) >= 0) {
      throw blobError(blob, 'rdb.listpack.integrity', 'Set listpack integrity check failed: duplicate members');
    }
    value.count = entries.length;
    if (ctx.keepStrings) for (let i = 0; i < entries.length; i++) members.push(entryBytes(entries[i]!));
    value.end = r.c.offset;
  }
  reportIfEmpty(ctx, value, 'set');
  return value;
}
