/**
 * Which Redis persistence format a file holds, from its first bytes: an RDB
 * (`REDIS`/`VALKEY` magic, shared/spec/rdb-format.md §3), an AOF (RESP `*`, or a
 * `#TS:` annotation, shared/spec/aof-format.md), or a multi-part AOF manifest
 * (`file … seq … type …` lines).
 */

/** A detected format. */
export type FileFormat = 'rdb' | 'aof' | 'manifest' | 'empty' | 'unknown';

/** Guesses the format from the first bytes of a file (64 are plenty). */
export function detectFormat(head: Uint8Array): FileFormat {
  if (head.length === 0) return 'empty';
  const text = String.fromCharCode(...head.subarray(0, Math.min(head.length, 64)));
  if (text.startsWith('REDIS') || text.startsWith('VALKEY')) return 'rdb';
  if ('REDIS'.startsWith(text) || 'VALKEY'.startsWith(text)) return 'rdb';
  if (/^\$EOF:[0-9a-f]{40}\r\n/.test(text) || /^\$\d+\r\nREDIS/.test(text)) return 'rdb';
  if (text.startsWith('*') || text.startsWith('#TS:')) return 'aof';
  if (/^(#[^\n]*\n)*\s*"?file"?\s/i.test(text)) return 'manifest';
  return 'unknown';
}
