/**
 * The check every front end runs (CLI `check`, the extension's worker): one
 * streaming pass that validates the whole file and keeps only a summary —
 * header, AUX fields, function and module names, and the parse result
 * (per-DB counts, problems).
 */

import type { AofResult } from './aof/aofParser.js';
import type { AofSetResult } from './aof/aofSet.js';
import type { ByteSource } from './bytes/byteSource.js';
import { parseRdb, type RdbResult } from './rdb/parser.js';
import { lossyUtf8 } from './text/bytesText.js';

/** What a check found. */
export interface CheckSummary {
  result: RdbResult;
  /** AUX fields as text (values are informational strings in every Redis). */
  aux: { key: string; value: string; offset: number }[];
  /** `redis-ver 7.0.15` or `valkey-ver 8.0.1`, when the file says. */
  writer?: string;
  functions: string[];
  modules: string[];
}

export interface CheckOptions {
  onProgress?(offset: number, size: number): void;
  nowMs?: number;
}

/** Validates an RDB in one pass without keeping values. Never throws on bad input. */
export function checkRdb(source: ByteSource, options: CheckOptions = {}): CheckSummary {
  const aux: CheckSummary['aux'] = [];
  const functions: string[] = [];
  const modules = new Set<string>();
  let writer: string | undefined;
  const result = parseRdb(
    source,
    {
      aux(a) {
        const key = lossyUtf8(a.key);
        const value = lossyUtf8(a.value);
        aux.push({ key, value, offset: a.start });
        if (key === 'redis-ver' || key === 'valkey-ver') writer = `${key} ${value}`;
      },
      functionLibrary(f) {
        functions.push(f.name ?? '(unnamed)');
      },
      moduleAux(m) {
        modules.add(m.moduleName);
      },
      ...(options.onProgress ? { progress: options.onProgress } : {}),
    },
    { keepStrings: false, reuseBuffers: true, ...(options.nowMs !== undefined ? { nowMs: options.nowMs } : {}) },
  );
  return { result, aux, ...(writer ? { writer } : {}), functions, modules: [...modules] };
}

/** What a check of any target found: an RDB, a single AOF, or a multi-part set. */
export type CheckReport =
  | { kind: 'rdb'; summary: CheckSummary }
  | { kind: 'aof'; result: AofResult }
  | { kind: 'aof-set'; set: AofSetResult };
