/**
 * The three forms of a diff: human text (diff-style `+`/`-`/`~` markers, keys
 * sorted by DB then bytes, binary escaped as redis-cli does, element changes
 * indented), one JSON object (lossless: bytes as `jsonBytes`), and a Markdown
 * summary for a pull-request comment. Element details come from a callback, so
 * a writer decodes one changed key at a time while it prints.
 */

import { formatScore } from '../export/resp.js';
import type { DataType } from '../rdb/constants.js';
import { escapeBytes, jsonBytes } from '../text/bytesText.js';
import type { GroupChange, GroupSummary, KeyDetails, PendingSummary } from './details.js';
import type { KeyChange, RdbDiff, TypeCounts } from './rdbDiff.js';
import { firstChanges } from './changeLog.js';

export type DetailsOf = (c: KeyChange) => KeyDetails | undefined;
export type Write = (s: string) => void;

const MARK = { added: '+', removed: '-', changed: '~' } as const;
const TYPE_ORDER: DataType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'];

function q(b: Uint8Array): string {
  return `"${escapeBytes(b)}"`;
}

/** Absolute ms as ISO time with the ms value; `none` for null. */
export function ttlText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'none';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : `${d.toISOString()} (${ms})`;
}

function fieldsText(fields: Uint8Array[]): string {
  const parts: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) parts.push(`${q(fields[i]!)}: ${q(fields[i + 1]!)}`);
  return `{${parts.join(', ')}}`;
}

function more(shown: number, total: number): string | undefined {
  return total > shown ? `… ${total - shown} more` : undefined;
}

function pendingText(p: PendingSummary): string {
  return `${p.id} (consumer ${p.consumer ? q(p.consumer) : 'none'}, deliveries ${p.deliveryCount}, delivered ${ttlText(p.deliveryTimeMs)})`;
}

function groupText(g: GroupSummary): string {
  return `${q(g.name)} (last-delivered-id ${g.lastId}, entries-read ${g.entriesRead ?? 'unknown'}, ${g.pending} pending, consumers ${g.consumers.map(q).join(', ') || 'none'})`;
}

function groupChangeLines(g: GroupChange, pad: string): string[] {
  const head: string[] = [];
  if (g.lastId) head.push(`last-delivered-id ${g.lastId.before} → ${g.lastId.after}`);
  if (g.entriesRead) head.push(`entries-read ${g.entriesRead.before ?? 'unknown'} → ${g.entriesRead.after ?? 'unknown'}`);
  const out = [`${pad}~ group ${q(g.name)}${head.length ? `: ${head.join(', ')}` : ''}`];
  const p2 = `${pad}    `;
  for (const p of g.pendingAdded) out.push(`${p2}+ pending ${pendingText(p)}`);
  for (const p of g.pendingRemoved) out.push(`${p2}- pending ${pendingText(p)}`);
  for (const p of g.pendingChanged) {
    const parts: string[] = [];
    if (p.consumer) parts.push(`consumer ${p.consumer.before ? q(p.consumer.before) : 'none'} → ${p.consumer.after ? q(p.consumer.after) : 'none'}`);
    if (p.deliveryCount) parts.push(`deliveries ${p.deliveryCount.before} → ${p.deliveryCount.after}`);
    if (p.deliveryTimeMs) parts.push(`delivered ${ttlText(p.deliveryTimeMs.before)} → ${ttlText(p.deliveryTimeMs.after)}`);
    out.push(`${p2}~ pending ${p.id}: ${parts.join(', ')}`);
  }
  for (const c of g.consumersAdded) out.push(`${p2}+ consumer ${q(c.name)} (${c.pending} pending)`);
  for (const c of g.consumersRemoved) out.push(`${p2}- consumer ${q(c.name)} (${c.pending} pending)`);
  for (const c of g.consumersChanged) {
    const parts: string[] = [];
    if (c.pending) parts.push(`pending ${[...c.pending.added.map((id) => `+${id}`), ...c.pending.removed.map((id) => `-${id}`)].join(' ')}`);
    if (c.seenTimeMs) parts.push(`seen-time ${ttlText(c.seenTimeMs.before)} → ${ttlText(c.seenTimeMs.after)}`);
    if (c.activeTimeMs) parts.push(`active-time ${ttlText(c.activeTimeMs.before)} → ${ttlText(c.activeTimeMs.after)}`);
    out.push(`${p2}~ consumer ${q(c.name)}: ${parts.join(', ')}`);
  }
  return out;
}

/** Indented lines describing element changes. */
export function detailLines(d: KeyDetails, pad = '    '): string[] {
  const out: string[] = [];
  const tail = (shown: number, total: number): void => {
    const m = more(shown, total);
    if (m) out.push(`${pad}${m}`);
  };
  switch (d.type) {
    case 'string':
      out.push(`${pad}value (${d.lengthBefore} → ${d.lengthAfter} bytes): ${q(d.before)}${d.lengthBefore > d.before.length ? '…' : ''} → ${q(d.after)}${d.lengthAfter > d.after.length ? '…' : ''}`);
      break;
    case 'list': {
      out.push(`${pad}length ${d.lengthBefore} → ${d.lengthAfter}: ${d.added} added, ${d.removed} removed, ${d.changed} changed${d.note ? ` (${d.note})` : ''}`);
      for (const e of d.edits) {
        if (e.op === 'added') out.push(`${pad}+ [${e.index}] ${q(e.value)}`);
        else if (e.op === 'removed') out.push(`${pad}- [${e.index}] ${q(e.value)}`);
        else out.push(`${pad}~ [${e.index}]${e.indexBefore !== e.index ? ` (was [${e.indexBefore}])` : ''} ${q(e.before)} → ${q(e.after)}`);
      }
      tail(d.edits.length, d.added + d.removed + d.changed);
      break;
    }
    case 'set':
      out.push(`${pad}size ${d.sizeBefore} → ${d.sizeAfter}: ${d.addedCount} added, ${d.removedCount} removed`);
      for (const m of d.added) out.push(`${pad}+ ${q(m)}`);
      tail(d.added.length, d.addedCount);
      for (const m of d.removed) out.push(`${pad}- ${q(m)}`);
      tail(d.removed.length, d.removedCount);
      break;
    case 'zset':
      out.push(`${pad}size ${d.sizeBefore} → ${d.sizeAfter}: ${d.addedCount} added, ${d.removedCount} removed, ${d.changedCount} score changes`);
      for (const m of d.added) out.push(`${pad}+ ${q(m.member)} ${formatScore(m.score)}`);
      tail(d.added.length, d.addedCount);
      for (const m of d.removed) out.push(`${pad}- ${q(m.member)} ${formatScore(m.score)}`);
      tail(d.removed.length, d.removedCount);
      for (const m of d.changed) out.push(`${pad}~ ${q(m.member)} ${formatScore(m.before)} → ${formatScore(m.after)}`);
      tail(d.changed.length, d.changedCount);
      break;
    case 'hash':
      out.push(`${pad}fields ${d.sizeBefore} → ${d.sizeAfter}: ${d.addedCount} added, ${d.removedCount} removed, ${d.changedCount} changed${d.ttlChangedCount ? `, ${d.ttlChangedCount} field TTLs changed` : ''}`);
      for (const f of d.added) out.push(`${pad}+ ${q(f.field)} = ${q(f.value)}${f.ttl !== undefined ? ` (ttl ${ttlText(f.ttl)})` : ''}`);
      tail(d.added.length, d.addedCount);
      for (const f of d.removed) out.push(`${pad}- ${q(f.field)} = ${q(f.value)}`);
      tail(d.removed.length, d.removedCount);
      for (const f of d.changed) out.push(`${pad}~ ${q(f.field)}: ${q(f.before)} → ${q(f.after)}`);
      tail(d.changed.length, d.changedCount);
      for (const f of d.ttlChanged) out.push(`${pad}~ ${q(f.field)} ttl: ${ttlText(f.before)} → ${ttlText(f.after)}`);
      tail(d.ttlChanged.length, d.ttlChangedCount);
      break;
    case 'stream':
      out.push(`${pad}length ${d.lengthBefore} → ${d.lengthAfter}; entries: ${d.addedCount} added, ${d.removedCount} removed, ${d.changedCount} changed`);
      for (const m of d.meta) out.push(`${pad}~ ${m.field}: ${m.before ?? 'none'} → ${m.after ?? 'none'}`);
      for (const e of d.entriesAdded) out.push(`${pad}+ entry ${e.id} ${fieldsText(e.fields)}`);
      tail(d.entriesAdded.length, d.addedCount);
      for (const e of d.entriesRemoved) out.push(`${pad}- entry ${e.id} ${fieldsText(e.fields)}`);
      tail(d.entriesRemoved.length, d.removedCount);
      for (const e of d.entriesChanged) out.push(`${pad}~ entry ${e.id} ${fieldsText(e.before)} → ${fieldsText(e.after)}`);
      tail(d.entriesChanged.length, d.changedCount);
      for (const g of d.groupsAdded) out.push(`${pad}+ group ${groupText(g)}`);
      for (const g of d.groupsRemoved) out.push(`${pad}- group ${groupText(g)}`);
      for (const g of d.groupsChanged) out.push(...groupChangeLines(g, pad));
      break;
    case 'module':
      out.push(`${pad}${d.note}${d.moduleBefore !== d.moduleAfter ? ` (module ${d.moduleBefore} → ${d.moduleAfter})` : ''}`);
      break;
  }
  return out;
}

function typeRows(diff: RdbDiff): [DataType, TypeCounts][] {
  return TYPE_ORDER.filter((t) => diff.summary.byType[t]).map((t) => [t, diff.summary.byType[t]!]);
}

function countsText(c: TypeCounts): string {
  return `${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.unchanged} unchanged`;
}

/** Human text. */
export function writeDiffText(diff: RdbDiff, nameA: string, nameB: string, detailsOf: DetailsOf, write: Write): void {
  write(`--- ${nameA}\n+++ ${nameB}\n`);
  for (const c of diff.changes) {
    const type = c.change === 'removed' ? c.typeBefore : c.typeAfter;
    write(`${MARK[c.change]} db${c.db} ${q(c.key)} (${type}${c.change !== 'changed' && (c.ttlBefore ?? c.ttlAfter) !== null ? `, ttl ${ttlText(c.ttlBefore ?? c.ttlAfter)}` : ''})\n`);
    if (c.change !== 'changed') continue;
    const lines: string[] = [];
    if (c.typeBefore !== c.typeAfter) lines.push(`    type: ${c.typeBefore} → ${c.typeAfter}`);
    if (c.ttlBefore !== c.ttlAfter) lines.push(`    ttl: ${ttlText(c.ttlBefore)} → ${ttlText(c.ttlAfter)}`);
    const d = detailsOf(c);
    if (d) lines.push(...detailLines(d));
    if (lines.length) write(`${lines.join('\n')}\n`);
  }
  if (diff.functions) {
    for (const n of diff.functions.added) write(`+ function library ${n}\n`);
    for (const n of diff.functions.removed) write(`- function library ${n}\n`);
    for (const n of diff.functions.changed) write(`~ function library ${n} (code changed)\n`);
  }
  write(`\nSummary: ${countsText(diff.summary)}\n`);
  for (const [t, c] of typeRows(diff)) write(`  ${t.padEnd(7)} ${countsText(c)}\n`);
  if (diff.namesReadBack) write(`(${nameA} has more keys than fit in memory: names were read back from it by offset)\n`);
  write(diff.equal ? 'The files hold the same data.\n' : 'The files differ.\n');
}

function jsonScore(score: number): number | string {
  if (score === Infinity) return 'inf';
  if (score === -Infinity) return '-inf';
  if (Object.is(score, -0)) return '-0';
  return score;
}

const jb = jsonBytes;

function pendingJson(p: PendingSummary): unknown {
  return { id: p.id, consumer: p.consumer ? jb(p.consumer) : null, deliveryCount: p.deliveryCount, deliveryTime: p.deliveryTimeMs };
}

function groupJson(g: GroupSummary): unknown {
  return { name: jb(g.name), lastId: g.lastId, entriesRead: g.entriesRead, pending: g.pending, consumers: g.consumers.map(jb) };
}

function fieldsJson(fields: Uint8Array[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) out.push([jb(fields[i]!), jb(fields[i + 1]!)]);
  return out;
}

/** The JSON form of element details (bytes as `jsonBytes`, scores as numbers or "inf"/"-inf"/"-0"). */
export function detailsJson(d: KeyDetails): Record<string, unknown> {
  switch (d.type) {
    case 'string':
      return { type: 'string', lengthBefore: d.lengthBefore, lengthAfter: d.lengthAfter, before: jb(d.before), after: jb(d.after), truncated: d.truncated };
    case 'list':
      return {
        type: 'list',
        lengthBefore: d.lengthBefore,
        lengthAfter: d.lengthAfter,
        method: d.method,
        added: d.added,
        removed: d.removed,
        changed: d.changed,
        edits: d.edits.map((e) =>
          e.op === 'changed' ? { op: e.op, index: e.index, indexBefore: e.indexBefore, before: jb(e.before), after: jb(e.after) } : { op: e.op, index: e.index, value: jb(e.value) },
        ),
        truncated: d.truncated,
        ...(d.note ? { note: d.note } : {}),
      };
    case 'set':
      return { type: 'set', sizeBefore: d.sizeBefore, sizeAfter: d.sizeAfter, added: d.added.map(jb), removed: d.removed.map(jb), addedCount: d.addedCount, removedCount: d.removedCount, truncated: d.truncated };
    case 'zset':
      return {
        type: 'zset',
        sizeBefore: d.sizeBefore,
        sizeAfter: d.sizeAfter,
        added: d.added.map((m) => ({ member: jb(m.member), score: jsonScore(m.score) })),
        removed: d.removed.map((m) => ({ member: jb(m.member), score: jsonScore(m.score) })),
        changed: d.changed.map((m) => ({ member: jb(m.member), before: jsonScore(m.before), after: jsonScore(m.after) })),
        addedCount: d.addedCount,
        removedCount: d.removedCount,
        changedCount: d.changedCount,
        truncated: d.truncated,
      };
    case 'hash':
      return {
        type: 'hash',
        sizeBefore: d.sizeBefore,
        sizeAfter: d.sizeAfter,
        added: d.added.map((f) => ({ field: jb(f.field), value: jb(f.value), ...(f.ttl !== undefined ? { ttl: f.ttl } : {}) })),
        removed: d.removed.map((f) => ({ field: jb(f.field), value: jb(f.value) })),
        changed: d.changed.map((f) => ({ field: jb(f.field), before: jb(f.before), after: jb(f.after) })),
        ttlChanged: d.ttlChanged.map((f) => ({ field: jb(f.field), before: f.before, after: f.after })),
        addedCount: d.addedCount,
        removedCount: d.removedCount,
        changedCount: d.changedCount,
        ttlChangedCount: d.ttlChangedCount,
        truncated: d.truncated,
      };
    case 'stream':
      return {
        type: 'stream',
        lengthBefore: d.lengthBefore,
        lengthAfter: d.lengthAfter,
        meta: d.meta,
        entries: {
          added: d.entriesAdded.map((e) => ({ id: e.id, fields: fieldsJson(e.fields) })),
          removed: d.entriesRemoved.map((e) => ({ id: e.id, fields: fieldsJson(e.fields) })),
          changed: d.entriesChanged.map((e) => ({ id: e.id, before: fieldsJson(e.before), after: fieldsJson(e.after) })),
          addedCount: d.addedCount,
          removedCount: d.removedCount,
          changedCount: d.changedCount,
        },
        groups: {
          added: d.groupsAdded.map(groupJson),
          removed: d.groupsRemoved.map(groupJson),
          changed: d.groupsChanged.map((g) => ({
            name: jb(g.name),
            ...(g.lastId ? { lastId: g.lastId } : {}),
            ...(g.entriesRead ? { entriesRead: g.entriesRead } : {}),
            pending: {
              added: g.pendingAdded.map(pendingJson),
              removed: g.pendingRemoved.map(pendingJson),
              changed: g.pendingChanged.map((p) => ({
                id: p.id,
                ...(p.consumer ? { consumer: { before: p.consumer.before ? jb(p.consumer.before) : null, after: p.consumer.after ? jb(p.consumer.after) : null } } : {}),
                ...(p.deliveryCount ? { deliveryCount: p.deliveryCount } : {}),
                ...(p.deliveryTimeMs ? { deliveryTime: p.deliveryTimeMs } : {}),
              })),
            },
            consumers: {
              added: g.consumersAdded.map((c) => ({ name: jb(c.name), pending: c.pending })),
              removed: g.consumersRemoved.map((c) => ({ name: jb(c.name), pending: c.pending })),
              changed: g.consumersChanged.map((c) => ({
                name: jb(c.name),
                ...(c.pending ? { pending: c.pending } : {}),
                ...(c.seenTimeMs ? { seenTime: c.seenTimeMs } : {}),
                ...(c.activeTimeMs ? { activeTime: c.activeTimeMs } : {}),
              })),
            },
          })),
        },
        truncated: d.truncated,
      };
    case 'module':
      return { type: 'module', moduleBefore: d.moduleBefore, moduleAfter: d.moduleAfter, note: d.note };
  }
}

/** One JSON object, written change by change (the changes array is never built as one string). */
export function writeDiffJson(diff: RdbDiff, nameA: string, nameB: string, detailsOf: DetailsOf, write: Write): void {
  const head = { a: nameA, b: nameB, equal: diff.equal, summary: diff.summary, functions: diff.functions, namesReadBack: diff.namesReadBack };
  const text = JSON.stringify(head);
  write(`${text.slice(0, -1)},"changes":[`);
  let i = 0;
  for (const c of diff.changes) {
    const d = detailsOf(c);
    const o = {
      db: c.db,
      key: jb(c.key),
      change: c.change,
      typeBefore: c.typeBefore,
      typeAfter: c.typeAfter,
      ttlBefore: c.ttlBefore,
      ttlAfter: c.ttlAfter,
      details: d ? detailsJson(d) : null,
    };
    write(`${i ? ',' : ''}${JSON.stringify(o)}`);
    i++;
  }
  write(']}\n');
}

/** A key inside a Markdown code span (backticks in it get a longer fence). */
function mdCode(s: string): string {
  if (!s.includes('`')) return `\`${s}\``;
  return `\`\` ${s} \`\``;
}

/** A one-line summary of a change, for Markdown. */
function shortDetails(c: KeyChange, d: KeyDetails | undefined): string {
  if (c.change === 'added') return `added (${c.typeAfter}${c.ttlAfter !== null ? `, TTL ${ttlText(c.ttlAfter)}` : ''})`;
  if (c.change === 'removed') return `removed (${c.typeBefore})`;
  const parts: string[] = [];
  if (c.typeBefore !== c.typeAfter) parts.push(`type ${c.typeBefore} → ${c.typeAfter}`);
  if (c.ttlBefore !== c.ttlAfter) parts.push(`TTL ${ttlText(c.ttlBefore)} → ${ttlText(c.ttlAfter)}`);
  if (d) {
    switch (d.type) {
      case 'string':
        parts.push(`value ${d.lengthBefore} → ${d.lengthAfter} bytes`);
        break;
      case 'list':
        parts.push(`${d.added} added, ${d.removed} removed, ${d.changed} changed (length ${d.lengthBefore} → ${d.lengthAfter})`);
        break;
      case 'set':
        parts.push(`${d.addedCount} added, ${d.removedCount} removed`);
        break;
      case 'zset':
        parts.push(`${d.addedCount} added, ${d.removedCount} removed, ${d.changedCount} score changes`);
        break;
      case 'hash':
        parts.push(`${d.addedCount} fields added, ${d.removedCount} removed, ${d.changedCount} changed${d.ttlChangedCount ? `, ${d.ttlChangedCount} field TTLs` : ''}`);
        break;
      case 'stream':
        parts.push(
          `${d.addedCount} entries added, ${d.removedCount} removed; groups ${d.groupsAdded.length} added, ${d.groupsRemoved.length} removed, ${d.groupsChanged.length} changed`,
        );
        break;
      case 'module':
        parts.push('module value changed');
        break;
    }
  }
  return `changed (${c.typeAfter}): ${parts.join('; ')}`;
}

/** A Markdown summary for a pull-request comment: counts table, then the first `limit` changed keys. */
export function writeDiffMarkdown(diff: RdbDiff, nameA: string, nameB: string, detailsOf: DetailsOf, write: Write, limit = 50): void {
  const s = diff.summary;
  write(`### Redis backup diff\n\n${mdCode(nameA)} → ${mdCode(nameB)}: ${diff.equal ? '**same data**' : `**${s.added + s.removed + s.changed} keys differ**`}\n\n`);
  write('| type | added | removed | changed | unchanged |\n|---|--:|--:|--:|--:|\n');
  for (const [t, c] of typeRows(diff)) write(`| ${t} | ${c.added} | ${c.removed} | ${c.changed} | ${c.unchanged} |\n`);
  write(`| **total** | **${s.added}** | **${s.removed}** | **${s.changed}** | **${s.unchanged}** |\n`);
  const f = diff.functions;
  if (f && f.added.length + f.removed.length + f.changed.length > 0) {
    write(`\nFunction libraries: ${[...f.added.map((n) => `+${n}`), ...f.removed.map((n) => `-${n}`), ...f.changed.map((n) => `~${n}`)].join(', ')}\n`);
  }
  if (diff.changes.length === 0) return;
  const shown = firstChanges(diff.changes, limit);
  write(`\n#### ${shown.length < diff.changes.length ? `First ${shown.length} of ${diff.changes.length} changed keys` : 'Changed keys'}\n\n`);
  for (const c of shown) write(`- \`${MARK[c.change]}\` db${c.db} ${mdCode(escapeBytes(c.key))} ${shortDetails(c, detailsOf(c))}\n`);
  if (shown.length < diff.changes.length) write(`\n… and ${diff.changes.length - shown.length} more (run \`redis-inspect diff\` for all).\n`);
}
