/**
 * URIs of the readable renderings: `redis-snapshot:<path of the file>.txt?<encoded
 * URI of the file>` — an RDB, an AOF (plain or hybrid) or a multi-part manifest. The wrapped URI may have any scheme (file, git, vscode-remote…);
 * the path only gives the editor a name (`dump.rdb.txt`, plain text). The fragment
 * `git-head` asks for the HEAD version of a `file:` URI through the git CLI (when
 * the git extension is not available); `aux` includes the AUX fields.
 */

import * as vscode from 'vscode';

export const SNAPSHOT_SCHEME = 'redis-snapshot';

export interface SnapshotUriOptions {
  /** The committed (HEAD) version of the wrapped `file:` URI, read with `git show`. */
  gitHead?: boolean;
  /** Include the AUX block (redis-ver, ctime, used-mem…). */
  aux?: boolean;
}

/** The rendering's URI of `original`. */
export function toSnapshotUri(original: vscode.Uri, options: SnapshotUriOptions = {}): vscode.Uri {
  const flags = [options.gitHead ? 'git-head' : '', options.aux ? 'aux' : ''].filter(Boolean).join(',');
  return vscode.Uri.from({
    scheme: SNAPSHOT_SCHEME,
    path: `${original.path || '/snapshot'}.txt`,
    query: encodeURIComponent(original.toString()),
    fragment: flags,
  });
}

/** The wrapped URI and options of a rendering's URI (undefined when it is not one). */
export function fromSnapshotUri(uri: vscode.Uri): { original: vscode.Uri; options: SnapshotUriOptions } | undefined {
  if (uri.scheme !== SNAPSHOT_SCHEME || !uri.query) return undefined;
  let original: vscode.Uri;
  try {
    original = vscode.Uri.parse(decodeURIComponent(uri.query), true);
  } catch {
    return undefined;
  }
  const flags = new Set(uri.fragment.split(','));
  return { original, options: { ...(flags.has('git-head') ? { gitHead: true } : {}), ...(flags.has('aux') ? { aux: true } : {}) } };
}

/** True for paths of RDB files (`.rdb`, any case). */
export function isRdbPath(path: string): boolean {
  return path.toLowerCase().endsWith('.rdb');
}

/** True for paths of AOF files (`.aof`, any case): plain, hybrid, or a base/incr file of a set. */
export function isAofPath(path: string): boolean {
  return path.toLowerCase().endsWith('.aof');
}

/** True for paths of multi-part AOF manifests (`.manifest`, any case). */
export function isManifestPath(path: string): boolean {
  return path.toLowerCase().endsWith('.manifest');
}

/** True for any input the rendering reads: an RDB, an AOF or a manifest. */
export function isSnapshotPath(path: string): boolean {
  return isRdbPath(path) || isAofPath(path) || isManifestPath(path);
}
