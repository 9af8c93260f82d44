/**
 * What the user pointed the CLI at: an RDB file, a single AOF (plain or with
 * an RDB preamble), or a multi-part AOF given as its manifest or its
 * `appendonlydir`. Decided by content, as Redis does, except that a `.rdb`
 * name is always an RDB and a `.aof` name keeps a file with an RDB preamble an AOF.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ByteSource } from '../core/bytes/byteSource.js';
import { looksLikeManifest } from '../core/aof/manifest.js';
import { hasAofPreambleMark } from '../core/rdb/preamble.js';
import { FileSource } from './fileSource.js';

export type Target =
  | { kind: 'rdb'; path: string }
  | { kind: 'aof'; path: string }
  | { kind: 'multipart'; manifestPath: string; dir: string };

/** An error for the user (exit status 2), not a crash. */
export class TargetError extends Error {
  readonly code = 'ETARGET';
}

/** Resolves a path given on the command line. */
export function resolveTarget(p: string): Target {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    const manifests = fs.readdirSync(p).filter((f) => f.endsWith('.manifest') && !f.startsWith('temp-'));
    if (manifests.length === 0) throw new TargetError(`${p}: no *.manifest file in this directory (is it an appendonlydir?)`);
    if (manifests.length > 1) throw new TargetError(`${p}: several manifests (${manifests.join(', ')}): name the one to use`);
    return { kind: 'multipart', manifestPath: path.join(p, manifests[0]!), dir: p };
  }
  const fd = fs.openSync(p, 'r');
  const head = Buffer.alloc(Math.min(st.size, 4096));
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (looksLikeManifest(head)) return { kind: 'multipart', manifestPath: p, dir: path.dirname(p) };
  // A `.rdb` name is an RDB whatever it holds (an empty or garbled dump.rdb is a damaged RDB, not an empty AOF).
  if (p.endsWith('.rdb')) return { kind: 'rdb', path: p };
  const magic = head.subarray(0, 6).toString('latin1');
  const rdbMagic = magic.startsWith('REDIS') || magic === 'VALKEY' || /^\$(EOF:|\d)/.test(magic);
  if (!rdbMagic) return { kind: 'aof', path: p };
  if (p.endsWith('.aof')) return { kind: 'aof', path: p };
  return { kind: 'rdb', path: p };
}

/**
 * Resolves the target as the commands do. A file with an RDB magic is a hybrid
 * AOF whatever its name when its preamble says so (AUX `aof-preamble 1`,
 * written by Redis 4.0–6.2 for every preamble): that needs only the AUX fields
 * at the top, not a pass over the file. (`check` also notices RESP after the
 * checksum of a file read as an RDB and re-reads it as an AOF.)
 */
export function resolveOrHybrid(p: string): Target {
  const target = resolveTarget(p);
  if (target.kind !== 'rdb' || p.endsWith('.rdb')) return target;
  const src = new FileSource(p);
  let preamble: boolean;
  try {
    preamble = hasAofPreambleMark(src);
  } finally {
    src.close();
  }
  return preamble ? { kind: 'aof', path: p } : target;
}

/** Opens files of a multi-part set relative to its directory, as redis-check-aof does. */
export function openInDir(dir: string, opened: FileSource[]): (name: string) => ByteSource | { error: string } {
  return (name) => {
    try {
      const src = new FileSource(path.join(dir, name));
      opened.push(src);
      return src;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { error: err.code === 'ENOENT' ? 'No such file or directory' : err.message };
    }
  };
}
