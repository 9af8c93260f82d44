/**
 * Checking a multi-part AOF (Redis/Valkey 7.0+) as redis-check-aof does
 * (redis `src/redis-check-aof.c` `checkMultiPartAof`; shared/spec/aof-format.md
 * §6–7): manifest first, then the BASE and INCR files in load order, the
 * verdict and `ok_up_to` of the first invalid file, and which file a fix may
 * touch (only the last one loaded).
 */

import type { ByteSource } from '../bytes/byteSource.js';
import type { Problem } from '../model/problem.js';
import { parseAof, type AofHandler, type AofParseOptions, type AofResult } from './aofParser.js';
import { loadOrder, parseManifest, type Manifest, type ManifestEntry } from './manifest.js';

/** Opens a file of the set by its manifest name; `error` is the OS's message. */
export type OpenFile = (name: string) => ByteSource | { error: string };

/** One file of a set, in load order. */
export interface AofSetFile {
  name: string;
  entry: ManifestEntry;
  role: 'base' | 'incr';
  /** The last file loaded: the only one redis-check-aof --fix may truncate. */
  last: boolean;
  /** Absent when the file could not be opened. */
  result?: AofResult;
  openError?: string;
  /** False for files after the first invalid one: redis-check-aof stops there, we read them anyway. */
  checkedByRedis: boolean;
}

export interface AofSetResult {
  manifest: Manifest;
  files: AofSetFile[];
  /** redis-check-aof's verdict for the whole set. */
  ok: boolean;
  /** The first invalid file (or the manifest's problem when it is the manifest). */
  damaged?: AofSetFile;
  /** Manifest and open problems (file problems are on each file's result). */
  problems: Problem[];
}

/** Per-file callbacks: the handler for each file, chosen by the caller. */
export type HandlerFor = (file: AofSetFile) => AofHandler;

/** Checks a manifest and its files; never throws on bad input. */
export function checkAofSet(
  manifestBytes: Uint8Array,
  open: OpenFile,
  handlerFor: HandlerFor = () => ({}),
  options: AofParseOptions = {},
): AofSetResult {
  const manifest = parseManifest(manifestBytes);
  const set: AofSetResult = { manifest, files: [], ok: manifest.ok, problems: [...manifest.problems] };
  if (!manifest.ok) return set;
  const order = loadOrder(manifest);
  order.forEach((entry, i) => {
    set.files.push({
      name: entry.name,
      entry,
      role: entry.type === 'b' ? 'base' : 'incr',
      last: i === order.length - 1,
      checkedByRedis: true,
    });
  });
  let failed = false;
  for (const file of set.files) {
    file.checkedByRedis = !failed;
    const source = open(file.name);
    if ('error' in source) {
      file.openError = source.error;
      set.problems.push({
        code: 'aof.cannot-open',
        severity: 'error',
        offset: file.entry.start,
        end: file.entry.end,
        message: `Cannot open file ${file.name}: ${source.error} (listed at manifest line ${file.entry.line}); redis-server refuses to start ("Unable to obtain the AOF file … length")`,
        phase: 'read-manifest',
      });
      if (!failed) {
        failed = true;
        set.ok = false;
        set.damaged = file;
      }
      continue;
    }
    file.result = parseAof(source, handlerFor(file), { ...options, fileName: file.name, lastFile: file.last });
    if (!file.result.ok && !failed) {
      failed = true;
      set.ok = false;
      set.damaged = file;
    }
  }
  return set;
}
