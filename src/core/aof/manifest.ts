/**
 * The multi-part AOF manifest (Redis/Valkey 7.0+): its grammar and validation
 * exactly as redis `src/aof.c` `aofLoadManifestFromFile` reads it (lines via
 * `fgets` of 1025 bytes, `sdssplitargs` quoting, case-insensitive keys,
 * forward-compatible extra keys, Redis 8's `startoffset`/`endoffset`), and the
 * writer's quoting (`sdscatrepr`). See shared/spec/aof-format.md §6.
 */

import type { Problem } from '../model/problem.js';

/** AOF_MANIFEST_MAX_LINE 1024: `fgets(buf, 1025)`. */
const MAX_LINE = 1024;

/** BASE, HISTORY or INCR (`AOF_FILE_TYPE_*`). */
export type AofFileType = 'b' | 'h' | 'i';

/** One `file … seq … type …` line. */
export interface ManifestEntry {
  /** File name as bytes decoded latin1 (Redis treats it as a C string). */
  name: string;
  seq: number;
  type: AofFileType;
  /** 1-based line number, comments included. */
  line: number;
  /** Byte range of the line (without its newline). */
  start: number;
  end: number;
  /** Keys other than file/seq/type, kept for rewriting the manifest (e.g. Redis 8 `startoffset`). */
  extra: [string, string][];
}

export interface Manifest {
  base?: ManifestEntry;
  history: ManifestEntry[];
  incr: ManifestEntry[];
  /** Every entry in file order. */
  entries: ManifestEntry[];
  /** Lines read, comments included. */
  lines: number;
  /** The first fatal problem (Redis stops at it), if any. */
  problems: Problem[];
  ok: boolean;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * Redis's `sdssplitargs` on a C string (`line` ends at its first NUL):
 * returns the tokens, or undefined for unbalanced quotes.
 */
export function splitArgs(line: string): string[] | undefined {
  const nul = line.indexOf('\0');
  const s = nul >= 0 ? line.slice(0, nul) : line;
  const out: string[] = [];
  let p = 0;
  const at = (i: number) => (i < s.length ? s.charCodeAt(i) : 0);
  for (;;) {
    while (p < s.length && isSpace(at(p))) p++;
    if (p >= s.length) return out;
    let inq = false;
    let insq = false;
    let done = false;
    let cur = '';
    while (!done) {
      const c = at(p);
      if (inq) {
        if (c === 0x5c && at(p + 1) === 0x78 && isHex(at(p + 2)) && isHex(at(p + 3))) {
          cur += String.fromCharCode(parseInt(s.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === 0x5c && at(p + 1)) {
          p++;
          const e = s[p]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === 0x22) {
          if (at(p + 1) && !isSpace(at(p + 1))) return undefined;
          done = true;
        } else if (!c) {
          return undefined;
        } else {
          cur += s[p];
        }
      } else if (insq) {
        if (c === 0x5c && at(p + 1) === 0x27) {
          p++;
          cur += "'";
        } else if (c === 0x27) {
          if (at(p + 1) && !isSpace(at(p + 1))) return undefined;
          done = true;
        } else if (!c) {
          return undefined;
        } else {
          cur += s[p];
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === 0x22) {
        inq = true;
      } else if (c === 0x27) {
        insq = true;
      } else {
        cur += s[p];
      }
      if (p < s.length) p++;
    }
    out.push(cur);
  }
}

/** `atoll`: leading spaces, sign, digits; garbage reads as 0. */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Parses a manifest's bytes as Redis does; the first fatal problem stops it, as in Redis. */
export function parseManifest(bytes: Uint8Array): Manifest {
  const m: Manifest = { history: [], incr: [], entries: [], lines: 0, problems: [], ok: true };
  const fail = (code: string, message: string, line: number, start: number, end: number, text: string) => {
    m.ok = false;
    m.problems.push({
      code,
      severity: 'error',
      offset: start,
      end,
      message: `${message} (manifest line ${line}: '${text}')`,
      phase: 'read-manifest',
    });
  };
  let pos = 0;
  let maxIncrSeq = 0;
  while (pos < bytes.length) {
    // fgets(buf, 1025): up to and including '\n', at most 1024 bytes.
    const limit = Math.min(bytes.length, pos + MAX_LINE);
    let nl = -1;
    for (let i = pos; i < limit; i++) {
      if (bytes[i] === 0x0a) {
        nl = i;
        break;
      }
    }
    const lineEnd = nl >= 0 ? nl + 1 : limit;
    const start = pos;
    let raw = '';
    for (let i = pos; i < lineEnd; i++) raw += String.fromCharCode(bytes[i]!);
    pos = lineEnd;
    m.lines++;
    const line = m.lines;
    if (raw.startsWith('#')) continue;
    const trimmed = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const contentEnd = nl >= 0 ? nl : lineEnd;
    if (nl < 0) {
      fail(
        'manifest.line-too-long',
        lineEnd === bytes.length && lineEnd - start < MAX_LINE
          ? 'The AOF manifest file contains too long line: the last line has no newline at its end'
          : 'The AOF manifest file contains too long line',
        line,
        start,
        contentEnd,
        trimmed,
      );
      return m;
    }
    if (trimmed.length === 0) {
      fail('manifest.invalid-format', 'Invalid AOF manifest file format: empty line', line, start, contentEnd, trimmed);
      return m;
    }
    const args = splitArgs(trimmed);
    if (!args) {
      fail('manifest.invalid-format', 'Invalid AOF manifest file format: unbalanced quotes', line, start, contentEnd, trimmed);
      return m;
    }
    if (args.length < 6 || args.length % 2 !== 0) {
      fail('manifest.invalid-format', `Invalid AOF manifest file format: ${args.length} tokens (expected key/value pairs for file, seq and type)`, line, start, contentEnd, trimmed);
      return m;
    }
    let name: string | undefined;
    let seq = 0;
    let type: string | undefined;
    const extra: [string, string][] = [];
    for (let i = 0; i < args.length; i += 2) {
      const key = args[i]!.toLowerCase();
      const value = args[i + 1]!;
      if (key === 'file') {
        const cname = value.includes('\0') ? value.slice(0, value.indexOf('\0')) : value;
        name = cname;
        if (cname.includes('/') || cname.includes('\\')) {
          fail('manifest.path-in-name', "File can't be a path, just a filename", line, start, contentEnd, trimmed);
          return m;
        }
      } else if (key === 'seq') {
        seq = atoll(value);
      } else if (key === 'type') {
        type = value.length ? value[0] : '\0';
      } else {
        extra.push([args[i]!, value]);
      }
    }
    if (!name || !seq || !type || type === '\0') {
      const missing = !name ? 'file name' : !seq ? 'a non-zero seq' : 'type';
      fail('manifest.invalid-format', `Invalid AOF manifest file format: missing ${missing}`, line, start, contentEnd, trimmed);
      return m;
    }
    const entry: ManifestEntry = { name, seq, type: type as AofFileType, line, start, end: contentEnd, extra };
    if (type === 'b') {
      if (m.base) {
        fail('manifest.duplicate-base', 'Found duplicate base file information', line, start, contentEnd, trimmed);
        return m;
      }
      m.base = entry;
    } else if (type === 'h') {
      m.history.push(entry);
    } else if (type === 'i') {
      if (seq <= maxIncrSeq) {
        fail('manifest.non-monotonic-seq', 'Found a non-monotonic sequence number', line, start, contentEnd, trimmed);
        return m;
      }
      maxIncrSeq = seq;
      m.incr.push(entry);
    } else {
      fail('manifest.unknown-type', `Unknown AOF file type '${type}'`, line, start, contentEnd, trimmed);
      return m;
    }
    m.entries.push(entry);
  }
  if (m.lines === 0) {
    m.ok = false;
    m.problems.push({ code: 'manifest.empty', severity: 'error', offset: 0, message: 'Found an empty AOF manifest', phase: 'read-manifest' });
  }
  return m;
}

/** The files Redis loads, in order: the BASE, then the INCR files (HISTORY files are never loaded). */
export function loadOrder(m: Manifest): ManifestEntry[] {
  return [...(m.base ? [m.base] : []), ...m.incr];
}

/** `sdscatrepr` quoting for a file name, used only when `sdsneedsrepr` says so. */
export function quoteName(name: string): string {
  let needs = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x07 || c === 0x08 || c < 0x20 || c >= 0x7f || isSpace(c)) needs = true;
  }
  if (!needs) return name;
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    const c = name.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** One manifest line as Redis writes it (`aofInfoFormat`), extra keys kept. */
export function formatEntry(e: ManifestEntry): string {
  const extra = e.extra.map(([k, v]) => ` ${k} ${quoteName(v)}`).join('');
  return `file ${quoteName(e.name)} seq ${e.seq} type ${e.type}${extra}\n`;
}

/**
 * redis-check-aof's test for "is this a manifest" (7.2+ rule): the first line
 * that is not a comment starts with `file`. A 0-byte file is not a manifest.
 */
export function looksLikeManifest(head: Uint8Array): boolean {
  let pos = 0;
  while (pos < head.length) {
    let nl = head.indexOf(0x0a, pos);
    if (nl < 0) nl = head.length;
    if (head[pos] !== 0x23) {
      return head[pos] === 0x66 && head[pos + 1] === 0x69 && head[pos + 2] === 0x6c && head[pos + 3] === 0x65;
    }
    pos = nl + 1;
  }
  return false;
}
