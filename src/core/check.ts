/**
 * The check every front end runs (CLI `check`, the extension's worker): one
 * streaming pass that validates the whole file and keeps only a summary —
 * header, AUX fields, per-DB counts, function and module names, problems.
 */

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
  dbs: { db: number; keys: number; expires: number; resizeKeys?: number; resizeExpires?: number }[];
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
  const dbs = new Map<number, CheckSummary['dbs'][number]>();
  const functions: string[] = [];
  const modules = new Set<string>();
  let writer: string | undefined;
  const dbOf = (db: number) => {
    let d = dbs.get(db);
    if (!d) dbs.set(db, (d = { db, keys: 0, expires: 0 }));
    return d;
  };
  let currentDb = 0;
  const result = parseRdb(
    source,
    {
      aux(a) {
        const key = lossyUtf8(a.key);
        const value = lossyUtf8(a.value);
        aux.push({ key, value, offset: a.start });
        if (key === 'redis-ver' || key === 'valkey-ver') writer = `${key} ${value}`;
      },
      selectDb(db) {
        currentDb = db;
      },
      resizeDb(db, keys, expires) {
        const d = dbOf(db);
        d.resizeKeys = keys;
        d.resizeExpires = expires;
      },
      functionLibrary(f) {
        functions.push(f.name ?? '(unnamed)');
      },
      moduleAux(m) {
        modules.add(m.moduleName);
      },
      ...(options.onProgress ? { progress: options.onProgress } : {}),
    },
    { keepStrings: false, ...(options.nowMs !== undefined ? { nowMs: options.nowMs } : {}) },
  );
  void currentDb;
  return { result, aux, ...(writer ? { writer } : {}), dbs: [...dbs.values()].sort((a, b) => a.db - b.db), functions, modules: [...modules] };
}
