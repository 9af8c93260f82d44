/**
 * Human-readable forms of problems and results, shared by the CLI, the
 * extension's output channel and the worker: offsets lead, in hex and decimal.
 */

import type { AofResult } from './aof/aofParser.js';
import { formatOffset, type Problem } from './model/problem.js';
import { checkerTypeName } from './rdb/constants.js';
import { escapeBytes } from './text/bytesText.js';

/** `'key'` with non-printable bytes escaped as redis-cli does. */
export function keyText(key: Uint8Array | undefined): string {
  return key ? `'${escapeBytes(key)}'` : '';
}

/** The context line of a problem: key, type, DB, phase, redis-check-rdb's offset. */
export function problemContext(p: Problem): string {
  const ctx: string[] = [];
  if (p.key) ctx.push(`key ${keyText(p.key)}`);
  if (p.type !== undefined) ctx.push(`type ${p.type} (${checkerTypeName(p.type)})`);
  if (p.db !== undefined && p.key) ctx.push(`DB ${p.db}`);
  // AOF problems carry line and command numbers instead of a loader phase.
  if (p.phase && p.phase !== 'read-resp' && p.phase !== 'read-manifest') ctx.push(`while doing ${p.phase}`);
  if (p.checkerOffset !== undefined && p.checkerOffset !== p.offset) {
    ctx.push(p.phase === 'read-resp' ? `redis-check-aof reports 0x${p.checkerOffset.toString(16)}` : `redis-check-rdb reports offset ${p.checkerOffset}`);
  }
  return ctx.join(', ');
}

/** Two lines: `<severity> at 0x1F (31) [code]: message` (with file, line and command when known), then the context. */
export function formatProblem(p: Problem): string {
  const where = [p.file, p.line !== undefined ? `line ${p.line}` : undefined, p.command !== undefined ? `command ${p.command}` : undefined].filter(Boolean);
  const head = `${p.severity} at ${formatOffset(p.offset)}${where.length ? `, ${where.join(', ')}` : ''} [${p.code}]: ${p.message}`;
  const ctx = problemContext(p);
  return ctx ? `${head}\n    ${ctx}` : head;
}

function describeAof(r: AofResult): string {
  if (!r.preamble) return 'plain AOF (RESP)';
  return `hybrid AOF: RDB version ${r.preamble.header?.version} preamble (${r.tailStart} bytes, ${r.preamble.keys} keys) + RESP tail`;
}

/**
 * The human report of one AOF file: what it is, each problem, redis-check-aof's
 * own words, and where the valid part ends. `role` (BASE/INCR) names the file
 * on each problem, as in a multi-part set.
 */
export function aofFileReport(name: string, r: AofResult, role?: string): string[] {
  const lines = [`${role ? `${role} ` : ''}${name}: ${describeAof(r)}, ${r.size} bytes, ${r.commands} commands${r.annotations ? `, ${r.annotations} annotations` : ''}`];
  for (const p of r.problems) lines.push(formatProblem(role ? { ...p, file: p.file ?? name } : p));
  if (r.checkerMessage) {
    lines.push(`    redis-check-aof: "${r.checkerOffset !== undefined && !r.preambleDamaged ? `0x${r.checkerOffset.toString(16)}: ` : ''}${r.checkerMessage}"`);
  }
  if (r.size === 0) lines.push(`    AOF ${name} is empty`);
  else if (!r.ok && !r.preambleDamaged) lines.push(`    valid up to ${formatOffset(r.validUpTo)} (redis-check-aof ok_up_to): ${r.size - r.validUpTo} bytes after it`);
  return lines;
}

/** The last line of a single-file AOF check. */
export function aofVerdict(r: AofResult, name: string): string {
  if (r.ok) return 'AOF is valid';
  if (r.preambleDamaged) return 'AOF is DAMAGED in its RDB preamble: redis-check-aof --fix cannot repair that';
  return `AOF is DAMAGED: \`redis-inspect fix ${name}\` truncates it to ${r.validUpTo} bytes, as redis-check-aof --fix does`;
}
