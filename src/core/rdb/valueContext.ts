/**
 * What a value decoder needs besides the reader: where to report problems that
 * do not stop parsing (duplicates, empty values, NaN scores — Redis refuses to
 * load them, but the bytes around them are intact), and whether to keep string
 * payloads (a check only needs to walk them).
 */

import type { Problem } from '../model/problem.js';
import type { RdbReader } from './reader.js';

/** Shared state of one value decode. */
export interface ValueContext {
  r: RdbReader;
  /** Keep string values' bytes (false: walk them only, as a check does). */
  keepStrings: boolean;
  /** Record each element's byte range (`elementRanges` on values). */
  elementRanges?: boolean;
  /** Reports a problem that does not stop the parse; offsets absolute. */
  report(p: Omit<Problem, 'phase' | 'key' | 'db' | 'type'>): void;
}

/**
 * Reports an empty collection: redis-check-rdb rejects the file, the server
 * skips the key with a notice (`rdbLoadObject`: "skipping empty key").
 */
export function reportIfEmpty(ctx: ValueContext, value: { count: number; start: number; end: number }, what: string): void {
  if (value.count !== 0) return;
  ctx.report({
    code: 'rdb.empty-key',
    severity: 'error',
    offset: value.start,
    end: value.end,
    message: `empty ${what}: redis-server skips such keys on load and redis-check-rdb rejects the file`,
  });
}
