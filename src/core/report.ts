/**
 * Human-readable forms of problems and results, shared by the CLI, the
 * extension's output channel and the worker: offsets lead, in hex and decimal.
 */

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
