/**
 * Problems are data: every defect the core finds in a file is reported as a
 * `Problem` with a stable dotted code, a severity, an absolute byte offset and
 * the context redis-check-rdb prints (phase, key, type) — see `redis-check-rdb.c`
 * `rdbCheckError` and shared/spec/rdb-format.md §15–16.
 */

/** How bad a problem is: `error` makes the file invalid, the others do not. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * What the reader was doing when the problem was found, named as
 * redis-check-rdb names it in "While doing: <phase>" (plus `read-aux` etc.).
 */
export type Phase =
  | 'start'
  | 'read-type'
  | 'read-expire'
  | 'read-key'
  | 'read-object-value'
  | 'check-sum'
  | 'read-len'
  | 'read-aux'
  | 'read-module-aux'
  | 'read-functions'
  | 'read-resp'
  | 'read-manifest';

/** One defect found in a file. Offsets are absolute file offsets, `end` exclusive. */
export interface Problem {
  /** Stable dotted code, e.g. `rdb.truncated`, `rdb.listpack.integrity`. */
  code: string;
  severity: Severity;
  /** Absolute offset of the first byte the problem is about (file size for "ended too early"). */
  offset: number;
  /** Exclusive end of the byte range concerned, when known. */
  end?: number;
  /** Human message without the offset prefix; `formatProblem` adds it. */
  message: string;
  phase?: Phase;
  /** Key being read, as raw bytes (keys are binary-safe). */
  key?: Uint8Array;
  /** Database of that key. */
  db?: number;
  /** RDB value type byte being read, when known. */
  type?: number;
  /**
   * The offset redis-check-rdb prints in "[offset N]" (or redis-check-aof in
   * "0x…:") for the same defect: where its reader stood, which is not always
   * where the bad byte is. Kept to compare with their transcripts.
   */
  checkerOffset?: number;
  /** File of a multi-part set the problem is in (its manifest name). */
  file?: string;
  /** 1-based line of the offending record (AOF). */
  line?: number;
  /** 1-based number of the offending command in its file (AOF). */
  command?: number;
}

/** `0x1F (31)`: offsets lead messages in hex and decimal. */
export function formatOffset(offset: number): string {
  return `0x${offset.toString(16).toUpperCase()} (${offset})`;
}
