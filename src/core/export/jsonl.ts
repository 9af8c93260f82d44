/**
 * One JSON object per key, lossless for binary data: every byte string is a
 * JSON string when it is valid UTF-8 and `{"base64": "…"}` otherwise (the
 * convention of shared/fixtures' expected.json files). The format is
 * documented in the README ("dump --format jsonl").
 */

import { jsonBytes } from '../text/bytesText.js';
import type { KeyRecord } from '../rdb/parser.js';
import type { FunctionLibrary } from '../rdb/function.js';
import { formatStreamId, type RdbValue } from '../rdb/value.js';

/** A JSON-safe score: numbers, or "inf" / "-inf" (JSON has no infinities). */
function jsonScore(score: number): number | string {
  if (score === Infinity) return 'inf';
  if (score === -Infinity) return '-inf';
  if (Object.is(score, -0)) return '-0';
  return score;
}

/** The JSON form of a value (see README for the shape of each type). */
export function jsonValue(v: RdbValue): unknown {
  switch (v.type) {
    case 'string':
      return jsonBytes(v.value);
    case 'list':
      return v.items.map(jsonBytes);
    case 'set':
      return v.members.map(jsonBytes);
    case 'zset':
      return v.members.map((m, i) => [jsonBytes(m), jsonScore(v.scores[i]!)]);
    case 'hash':
      return v.fields.map((f, i) => {
        const pair: unknown[] = [jsonBytes(f), jsonBytes(v.values[i]!)];
        if (v.fieldExpiresMs) pair.push(v.fieldExpiresMs[i] ?? null);
        return pair;
      });
    case 'stream':
      return {
        length: v.length,
        lastId: formatStreamId(v.lastId),
        ...(v.firstId ? { firstId: formatStreamId(v.firstId) } : {}),
        ...(v.maxDeletedId ? { maxDeletedId: formatStreamId(v.maxDeletedId) } : {}),
        ...(v.entriesAdded !== undefined ? { entriesAdded: v.entriesAdded } : {}),
        entries: v.entries.map((e) => ({
          id: formatStreamId(e.id),
          fields: pairs(e.fields),
        })),
        groups: v.groups.map((g) => ({
          name: jsonBytes(g.name),
          lastId: formatStreamId(g.lastId),
          ...(g.entriesRead !== undefined ? { entriesRead: g.entriesRead } : {}),
          pending: g.pending.map((p) => ({
            id: formatStreamId(p.id),
            consumer: p.consumer ? jsonBytes(p.consumer) : null,
            deliveryTimeMs: p.deliveryTimeMs,
            deliveryCount: p.deliveryCount,
          })),
          consumers: g.consumers.map((c) => ({
            name: jsonBytes(c.name),
            seenTimeMs: c.seenTimeMs,
            activeTimeMs: c.activeTimeMs,
            pending: c.pending.map(formatStreamId),
          })),
        })),
        ...(v.idmp
          ? {
              idmp: {
                durationSeconds: v.idmp.durationSeconds,
                maxEntries: v.idmp.maxEntries,
                producers: v.idmp.producers.map((p) => ({
                  id: jsonBytes(p.id),
                  entries: p.entries.map((e) => ({ iid: jsonBytes(e.iid), id: formatStreamId(e.id) })),
                })),
                iidsAdded: v.idmp.iidsAdded,
                iidsDuplicates: v.idmp.iidsDuplicates,
              },
            }
          : {}),
      };
    case 'module':
      return {
        module: v.moduleName,
        encodingVersion: v.encodingVersion,
        items: v.items.map((it) => {
          if (it.kind === 'string') return { string: jsonBytes(it.value) };
          if (it.kind === 'sint' || it.kind === 'uint') return { [it.kind]: it.value.toString() };
          return { [it.kind]: Number.isFinite(it.value) ? it.value : String(it.value) };
        }),
      };
  }
}

function pairs(flat: Uint8Array[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([jsonBytes(flat[i]!), jsonBytes(flat[i + 1]!)]);
  return out;
}

/** One line of `dump --format jsonl` for a key. */
export function keyJson(k: KeyRecord): string {
  const obj: Record<string, unknown> = {
    db: k.db,
    key: jsonBytes(k.key),
    type: k.dataType,
    encoding: k.encoding,
  };
  if (k.expireAtMs !== undefined) obj.expireAtMs = k.expireAtMs;
  if (k.idleSeconds !== undefined) obj.idleSeconds = k.idleSeconds;
  if (k.lfuFreq !== undefined) obj.lfuFreq = k.lfuFreq;
  obj.offset = k.start;
  obj.size = k.end - k.start;
  obj.value = jsonValue(k.value);
  return JSON.stringify(obj);
}

/** One line of `dump --format jsonl` for a function library. */
export function functionJson(f: FunctionLibrary): string {
  return JSON.stringify({
    function: f.name ?? null,
    engine: f.engine ?? null,
    offset: f.start,
    code: jsonBytes(f.code),
  });
}
