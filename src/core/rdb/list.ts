/**
 * List values: LIST (1, linked list), LIST_ZIPLIST (10), LIST_QUICKLIST (14,
 * ziplist nodes) and LIST_QUICKLIST_2 (18, PACKED listpack / PLAIN nodes) —
 * redis `src/rdb.c` `rdbLoadObject`, RDB 1–13. Spec §8.2, §9.5.
 */

import { DecodeError } from '../bytes/decodeError.js';
import { blobError, decodeBlob, packedRanges, readBlob, type Blob } from './blob.js';
import { QUICKLIST_PACKED, QUICKLIST_PLAIN, T_LIST, T_LIST_QUICKLIST, T_LIST_ZIPLIST, checkerTypeName } from './constants.js';
import { countListpack, decodeListpack } from './listpack.js';
import { entryBytes, type PackedEntry } from './packedEntry.js';
import type { ListValue, QuicklistNode } from './value.js';
import { reportIfEmpty, type ValueContext } from './valueContext.js';
import { decodeZiplist } from './ziplist.js';

function pushEntries(ctx: ValueContext, value: ListValue, entries: PackedEntry[], blob?: Blob, starts?: number[]): void {
  value.count += entries.length;
  if (blob && starts && value.elementRanges) packedRanges(blob, starts, 1, value.elementRanges);
  if (!ctx.keepStrings) return;
  for (let i = 0; i < entries.length; i++) value.items.push(entryBytes(entries[i]!));
}

/** Decodes a list value of RDB type 1, 10, 14 or 18 starting at the reader's position. */
export function decodeList(ctx: ValueContext, type: number, start: number): ListValue {
  const r = ctx.r;
  const items: Uint8Array[] = [];
  const value: ListValue = { type: 'list', rdbType: type, encoding: checkerTypeName(type), start, end: start, items, count: 0 };
  const ranges: number[] | undefined = ctx.elementRanges ? (value.elementRanges = []) : undefined;
  const starts = (): number[] | undefined => (ranges ? [] : undefined);
  if (type === T_LIST) {
    const n = r.count('list length');
    for (let i = 0; i < n; i++) {
      const at = r.c.offset;
      if (ctx.keepStrings) items.push(r.string('list element'));
      else r.skipString('list element');
      ranges?.push(at, r.c.offset);
    }
    value.count = n;
  } else if (type === T_LIST_ZIPLIST) {
    const blob = readBlob(r, 'list ziplist', !ctx.keepStrings);
    value.compressed = blob.compressed;
    const st = starts();
    pushEntries(ctx, value, decodeBlob(blob, 'List ziplist integrity check failed', decodeZiplist, st), blob, st);
  } else {
    const nodes: QuicklistNode[] = [];
    value.nodes = nodes;
    const n = r.count('quicklist node count', 2);
    for (let i = 0; i < n; i++) {
      if (type === T_LIST_QUICKLIST) {
        const blob = readBlob(r, `quicklist node ${i}`, !ctx.keepStrings);
        if (blob.bytes.length === 0) throw blobError(blob, 'rdb.quicklist.integrity', `quicklist node ${i} is an empty string`);
        const st = starts();
        const entries = decodeBlob(blob, 'Ziplist integrity check failed', decodeZiplist, st);
        nodes.push({ container: 'ziplist', start: blob.start, end: blob.end, compressed: blob.compressed, count: entries.length });
        pushEntries(ctx, value, entries, blob, st);
        continue;
      }
      const containerAt = r.c.offset;
      const container = r.len('quicklist node container');
      if (container !== QUICKLIST_PLAIN && container !== QUICKLIST_PACKED) {
        throw new DecodeError(
          'rdb.quicklist.integrity',
          `Quicklist integrity check failed: node ${i} has container ${container} (expected 1 PLAIN or 2 PACKED)`,
          containerAt,
          r.c.offset,
        );
      }
      const blob = readBlob(r, `quicklist node ${i}`, !ctx.keepStrings);
      if (container === QUICKLIST_PLAIN) {
        nodes.push({ container: 'plain', start: containerAt, end: blob.end, compressed: blob.compressed, count: 1 });
        if (ctx.keepStrings) items.push(blob.bytes);
        ranges?.push(blob.start, blob.end);
        value.count++;
        continue;
      }
      if (blob.bytes.length === 0) throw blobError(blob, 'rdb.quicklist.integrity', `quicklist node ${i} is an empty string`);
      if (!ctx.keepStrings && !ranges) {
        // Walk-only fast path: a list's elements need no uniqueness check, so the
        // node is validated and counted without decoding a single entry.
        const count = decodeBlob(blob, 'Listpack integrity check failed', countListpack);
        nodes.push({ container: 'packed', start: containerAt, end: blob.end, compressed: blob.compressed, count });
        value.count += count;
        continue;
      }
      const st = starts();
      const entries = decodeBlob(blob, 'Listpack integrity check failed', decodeListpack, st);
      nodes.push({ container: 'packed', start: containerAt, end: blob.end, compressed: blob.compressed, count: entries.length });
      pushEntries(ctx, value, entries, blob, st);
    }
  }
  value.end = r.c.offset;
  reportIfEmpty(ctx, value, 'list');
  return value;
}
