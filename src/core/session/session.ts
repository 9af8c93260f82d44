/**
 * An editor session over one opened input — an RDB, a plain or hybrid AOF, or
 * a multi-part AOF set — built for files far larger than memory: one streaming
 * pass indexes record offsets (src/core/session/keyIndex.ts) and collects what
 * the tree's fixed part shows (header, AUX, functions, per-DB counts,
 * problems, statistics); keys, values and commands are then read back by
 * offset, one page at a time, only for what the user looks at.
 *
 * The pass calls `hooks.tick()` every few thousand records: the host answers
 * queries against the keys indexed so far there (the first rows appear long
 * before a 2 GB file is read) and can stop the pass (cancel).
 *
 * Pure (no vscode, no node:*): runs in the Node worker and, later, a web worker.
 */

import { growColumn } from '../bytes/columns.js';
import { parseAof, type AofCommand, type AofHandler, type AofResult } from '../aof/aofParser.js';
import { checkAofSet, type AofSetResult, type OpenFile } from '../aof/aofSet.js';
import { COMMANDS } from '../aof/commandTable.js';
import { parseManifest } from '../aof/manifest.js';
import type { ByteSource } from '../bytes/byteSource.js';
import { StatsCollector } from '../export/stats.js';
import { encodeCommand, keyCommands, rawValueOf } from '../export/resp.js';
import { detectFormat } from '../format.js';
import type { Problem } from '../model/problem.js';
import { checkerTypeName, dataTypeOf, type DataType } from '../rdb/constants.js';
import { decodeRecordAt, parseRdb, readRecordKey, type KeyRecord, type RdbHandler, type RdbResult } from '../rdb/parser.js';
import { hasAofPreambleMark } from '../rdb/preamble.js';
import { globMatch } from '../text/glob.js';
import { latin1 } from '../text/bytesText.js';
import type {
  CommandRow,
  IndexState,
  KeyFilter,
  KeyRow,
  Overview,
  PartView,
  ProblemView,
  SectionView,
  SummaryView,
  ValuePage,
} from '../../protocol/editor.js';
import { CommandColumns, KeyColumns, KF_DAMAGED, KF_EXPIRE, KF_FREQ, KF_IDLE } from './keyIndex.js';
import { auxView, bytesView, problemView, valuePage } from './views.js';
import { lossyUtf8 } from '../text/bytesText.js';

/** What a session opens. */
export type SessionInput =
  | { kind: 'single'; name: string; location: string; source: ByteSource }
  | { kind: 'set'; name: string; location: string; manifest: Uint8Array; open: OpenFile };

export interface IndexHooks {
  /** Called every few thousand records and on progress; returning true stops the pass (cancel). */
  tick?(): boolean | void;
}

interface Part {
  view: PartView;
  source?: ByteSource;
  firstKey: number;
  keys: number;
  commands: CommandColumns;
  /** `#TS` annotations: offsets and seconds, ascending. */
  tsOffsets: number[];
  tsSeconds: number[];
  rdbVersion: number;
  valkey: boolean;
  problems: Problem[];
  /** Bytes of the files before this one (progress over a set). */
  base: number;
}

/** A filter's result: per section, the matching key ids (undefined: all of the section). */
interface QueryResult {
  id: number;
  filter: KeyFilter;
  perSection: (Uint32Array | undefined)[];
  complete: boolean;
}

const FIRST_TICK = 1;
const TICK_EVERY = 4096;

export class InspectSession {
  readonly keys: KeyColumns;
  private readonly parts: Part[] = [];
  private readonly sections: SectionView[] = [];
  private kind: Overview['kind'] = 'rdb';
  private stats = new StatsCollector({ top: 0, maxPrefixes: 2000 });
  private readonly biggest: { id: number; size: number }[] = [];
  private readonly commandNames = new Map<string, number>();
  private readonly problems: { p: Problem; part?: number }[] = [];
  private readonly state: IndexState = { done: false, cancelled: false, offset: 0, size: 0, keys: 0, commands: 0, elapsedMs: 0 };
  private verdict: { ok: boolean; validUpTo: number; file?: string } | undefined;
  private hooks: IndexHooks = {};
  private sinceTick = 0;
  private tickEvery = FIRST_TICK;
  private stopped = false;
  private startedAt = 0;
  private readonly queries = new Map<number, QueryResult>();
  private nextQuery = 1;
  private cached: { keyId: number; record?: KeyRecord; problems: ProblemView[] } | undefined;
  private currentSection: SectionView | undefined;

  constructor(
    private readonly input: SessionInput,
    private readonly now: () => number = () => Date.now(),
    options: { arenaBudget?: number } = {},
  ) {
    this.keys = new KeyColumns(options.arenaBudget);
  }

  /** Indexes everything (synchronously; `hooks.tick` interleaves queries and cancellation). */
  index(hooks: IndexHooks = {}): void {
    this.hooks = hooks;
    this.startedAt = this.now();
    if (this.input.kind === 'single') this.indexSingle(this.input.source, this.input.name);
    else this.indexSet(this.input.manifest, this.input.open);
    this.finish();
  }

  private tick(): boolean {
    if (this.stopped) return true;
    this.state.elapsedMs = this.now() - this.startedAt;
    if (this.hooks.tick?.()) {
      this.stopped = true;
      this.state.cancelled = true;
    }
    return this.stopped;
  }

  /** Counts a record; every few thousand, ticks. Returns false to stop the parse. */
  private counted(): boolean {
    if (++this.sinceTick < this.tickEvery) return true;
    this.sinceTick = 0;
    // 1, 2, 4, … 4096: the first records run on cold code, so the first ticks
    // (where the first rows are answered) come early (bench/editor.mjs).
    this.tickEvery = Math.min(TICK_EVERY, this.tickEvery * 2);
    return !this.tick();
  }

  private newPart(file: string, role: PartView['role'], size: number, source: ByteSource | undefined, seq?: number): Part {
    const part: Part = {
      view: { id: this.parts.length, file, role, size, loaded: role !== 'history', ok: true, validUpTo: 0, ...(seq !== undefined ? { seq } : {}) },
      ...(source ? { source } : {}),
      firstKey: this.keys.length,
      keys: 0,
      commands: new CommandColumns(),
      tsOffsets: [],
      tsSeconds: [],
      rdbVersion: 0,
      valkey: false,
      problems: [],
      base: this.state.size,
    };
    this.parts.push(part);
    return part;
  }

  private indexSingle(source: ByteSource, name: string): void {
    this.state.size = source.size;
    const format = detectFormat(source.read(0, 64));
    const asAof = name.endsWith('.aof') || (format !== 'rdb' && format !== 'empty' && !name.endsWith('.rdb')) || (format === 'rdb' && !name.endsWith('.rdb') && hasAofPreambleMark(source));
    const part = this.newPart(baseName(name), asAof ? 'aof' : 'rdb', source.size, source);
    if (!asAof) {
      this.kind = 'rdb';
      const r = parseRdb(source, this.rdbHandler(part), { keepStrings: false, reuseBuffers: true, nowMs: this.now() });
      this.endRdb(part, r);
      // Commands after the checksum make it a hybrid AOF whatever its name: read them.
      const end = r.rdbEnd;
      if (!this.stopped && end !== undefined && end < source.size && r.problems.some((p) => p.code === 'rdb.trailing-bytes')) {
        const next = source.read(end, 1)[0];
        if (next === 0x2a || next === 0x23) {
          this.reset(part);
          part.view.role = 'aof';
          this.indexAof(part, source, true);
        }
      }
      if (part.view.role === 'rdb') {
        part.view.ok = r.ok;
        part.view.validUpTo = r.validUpTo;
        this.verdict = { ok: r.ok, validUpTo: r.validUpTo };
      }
      return;
    }
    this.indexAof(part, source, true);
  }

  /** Forgets what a first reading of the part found (it is read again as an AOF). */
  private reset(part: Part): void {
    this.keys.length = part.firstKey; // only this part was read
    this.sections.length = 0;
    this.currentSection = undefined;
    this.problems.length = 0;
    part.problems.length = 0;
    part.keys = 0;
    delete part.view.rdb;
    this.biggest.length = 0;
    this.stats = new StatsCollector({ top: 0, maxPrefixes: 2000 });
  }

  private indexAof(part: Part, source: ByteSource, last: boolean): AofResult {
    const r = parseAof(source, this.aofHandler(part), { fileName: part.view.file, lastFile: last, rdb: { keepStrings: false, reuseBuffers: true, nowMs: this.now() } });
    this.kind = r.preamble ? 'hybrid' : 'aof';
    if (r.preamble) this.endRdb(part, r.preamble);
    part.view.aof = { tailStart: r.tailStart, commands: part.commands.length, annotations: r.annotations, ...(r.lastTimestampSec !== undefined ? { lastTimestampSec: r.lastTimestampSec } : {}) };
    part.view.ok = r.ok;
    part.view.validUpTo = r.validUpTo;
    if (this.input.kind === 'single') this.verdict = { ok: r.ok, validUpTo: r.validUpTo };
    return r;
  }

  private indexSet(manifestBytes: Uint8Array, open: OpenFile): void {
    this.kind = 'manifest';
    const manifest = parseManifest(manifestBytes);
    const byName = new Map<string, Part>();
    // Sizes first, for one progress bar over the whole set.
    const opened = new Map<string, ByteSource | { error: string }>();
    const openOnce: OpenFile = (name) => {
      let s = opened.get(name);
      if (!s) opened.set(name, (s = open(name)));
      return s;
    };
    let total = 0;
    if (manifest.ok) {
      for (const e of manifest.entries) {
        if (e.type === 'h') continue;
        const s = openOnce(e.name);
        if (!('error' in s)) total += s.size;
      }
    }
    this.state.size = total;
    const set: AofSetResult = checkAofSet(
      manifestBytes,
      openOnce,
      (file) => {
        const s = openOnce(file.name);
        const part = this.newPart(file.name, file.role, 'error' in s ? 0 : s.size, 'error' in s ? undefined : s, file.entry.seq);
        if ('error' in s) part.view.error = s.error;
        byName.set(file.name, part);
        return this.stopped ? { command: () => false, rdb: { key: () => false, aux: () => false } } : this.aofHandler(part);
      },
      { rdb: { keepStrings: false, reuseBuffers: true, nowMs: this.now() } },
    );
    for (const f of set.files) {
      const part = byName.get(f.name) ?? this.newPart(f.name, f.role, 0, undefined, f.entry.seq);
      if (f.openError) part.view.error = f.openError;
      const r = f.result;
      if (r) {
        if (r.preamble) this.endRdb(part, r.preamble);
        part.view.aof = { tailStart: r.tailStart, commands: part.commands.length, annotations: r.annotations, ...(r.lastTimestampSec !== undefined ? { lastTimestampSec: r.lastTimestampSec } : {}) };
        part.view.ok = r.ok;
        part.view.validUpTo = r.validUpTo;
        if (r.preamble && r.tailStart >= r.size) delete part.view.aof;
      } else part.view.ok = false;
    }
    for (const e of manifest.entries) if (e.type === 'h') this.newPart(e.name, 'history', 0, undefined, e.seq);
    for (const p of set.problems) this.problems.push({ p: { ...p, file: p.file ?? this.input.name } });
    const damaged = set.damaged;
    this.verdict = damaged?.result
      ? { ok: false, validUpTo: damaged.result.validUpTo, file: damaged.name }
      : { ok: set.ok, validUpTo: set.ok ? 0 : (set.problems[0]?.offset ?? 0), ...(set.ok ? {} : { file: damaged?.name ?? this.input.name }) };
  }

  private rdbHandler(part: Part): RdbHandler {
    return {
      header: (h) => {
        part.rdbVersion = h.version;
        part.valkey = h.magic === 'VALKEY';
        part.view.rdb = { magic: h.magic, version: h.version, start: h.start, checksum: 'not read yet', aux: [], functions: [], modules: [] };
      },
      aux: (a) => {
        const v = auxView(a);
        const rdb = part.view.rdb!;
        rdb.aux.push(v);
        if (v.name === 'ctime') {
          const s = Number(latin1(a.value));
          if (Number.isFinite(s)) rdb.ctimeMs = s * 1000;
        }
      },
      selectDb: (db, start) => {
        this.currentSection = this.newSection(part, db, start);
      },
      resizeDb: (db, keys, expires) => {
        const s = this.currentSection;
        if (s && s.db === db && s.part === part.view.id) {
          s.resizeKeys = keys;
          s.resizeExpires = expires;
        }
      },
      functionLibrary: (f) => {
        part.view.rdb!.functions.push({ name: f.name ?? '(unnamed)', ...(f.engine ? { engine: f.engine } : {}), code: bytesView(f.code, 65536), start: f.start, end: f.end });
      },
      moduleAux: (m) => {
        part.view.rdb!.modules.push({ module: m.moduleName, encodingVersion: m.encodingVersion, when: m.when, items: m.items.length, start: m.start, end: m.end });
      },
      key: (k) => {
        this.addKey(part, k);
        return this.counted();
      },
      problem: (p) => {
        part.problems.push(p);
      },
      progress: (offset) => {
        this.state.offset = part.base + offset;
        if (this.tick()) return;
      },
    };
  }

  private aofHandler(part: Part): AofHandler {
    const rdb = this.rdbHandler(part);
    delete rdb.problem; // the AOF result carries the preamble's problems too
    return {
      rdb,
      command: (c: AofCommand) => {
        part.commands.add(c.start, c.end, c.db, c.transaction, !!c.afterDamage);
        this.state.commands++;
        this.commandNames.set(c.name, (this.commandNames.get(c.name) ?? 0) + 1);
        return this.counted();
      },
      annotation: (a) => {
        if (a.timestampSec !== undefined) {
          part.tsOffsets.push(a.start);
          part.tsSeconds.push(a.timestampSec);
        }
      },
      problem: (p) => {
        part.problems.push(p);
      },
      progress: (offset) => {
        this.state.offset = part.base + offset;
        this.tick();
      },
    };
  }

  private newSection(part: Part, db: number, start: number): SectionView {
    const s: SectionView = { id: this.sections.length, part: part.view.id, db, start, firstKey: this.keys.length, keys: 0, expires: 0 };
    this.sections.push(s);
    return s;
  }

  private addKey(part: Part, k: KeyRecord): void {
    let s = this.currentSection;
    if (!s || s.part !== part.view.id || s.db !== k.db || s.firstKey + s.keys !== this.keys.length) s = this.currentSection = this.newSection(part, k.db, k.start);
    const id = this.keys.add(k.start, k.end, k.rdbType, k.value.count, k.key, k.expireAtMs, k.idleSeconds, k.lfuFreq);
    s.keys++;
    part.keys++;
    this.state.keys++;
    if (k.expireAtMs !== undefined) s.expires++;
    this.stats.add(k);
    const size = k.end - k.start;
    const top = this.biggest;
    if (top.length < 20 || size > top[top.length - 1]!.size) {
      top.push({ id, size });
      top.sort((a, b) => b.size - a.size || a.id - b.id);
      if (top.length > 20) top.pop();
    }
  }

  private endRdb(part: Part, r: RdbResult): void {
    // The record the parse failed in never reached the handler: list it as a
    // damaged key (from the end of the last good record to the bad byte), so
    // the tree shows the damage where it is.
    const bad = r.ok || this.stopped ? undefined : r.problems.find((p) => p.severity === 'error' && p.key !== undefined && p.offset >= r.validUpTo);
    if (bad && bad.key) {
      let s = this.currentSection;
      const db = bad.db ?? s?.db ?? 0;
      if (!s || s.part !== part.view.id || s.db !== db || s.firstKey + s.keys !== this.keys.length) s = this.currentSection = this.newSection(part, db, r.validUpTo);
      const end = Math.min(part.view.size || Number.MAX_SAFE_INTEGER, Math.max(bad.end ?? 0, bad.offset + 1));
      const id = this.keys.add(r.validUpTo, end, bad.type ?? 0, 0, bad.key);
      this.keys.markDamaged(id);
      s.keys++;
      part.keys++;
      this.state.keys++;
    }
    const rdb = part.view.rdb;
    if (rdb) {
      rdb.checksum = r.checksum;
      if (r.rdbEnd !== undefined) rdb.end = r.rdbEnd;
    }
  }

  private finish(): void {
    this.state.done = true;
    this.state.elapsedMs = this.now() - this.startedAt;
    for (const part of this.parts) {
      for (const p of part.problems) {
        this.problems.push({ p: this.input.kind === 'set' ? { ...p, file: p.file ?? part.view.file } : p, part: part.view.id });
        const id = this.keyContaining(part, p.offset);
        if (id >= 0) this.keys.markDamaged(id);
      }
    }
    if (this.stopped && this.verdict) {
      // A cancelled pass has no verdict past what it read.
      this.verdict = { ok: this.verdict.ok, validUpTo: this.verdict.validUpTo, ...(this.verdict.file ? { file: this.verdict.file } : {}) };
    }
    for (const q of this.queries.values()) q.complete = false;
  }

  private keyContaining(part: Part, offset: number): number {
    return this.keys.containing(part.firstKey, part.firstKey + part.keys, offset);
  }

  /** The state of the pass. */
  indexState(): IndexState {
    return { ...this.state, elapsedMs: this.state.done ? this.state.elapsedMs : this.now() - this.startedAt };
  }

  overview(): Overview {
    const problems: ProblemView[] = [];
    const all = this.state.done ? this.problems : [...this.problems, ...this.parts.flatMap((part) => part.problems.map((p) => ({ p, part: part.view.id })))];
    for (const { p, part } of all.slice(0, 5000)) {
      const pt = part !== undefined ? this.parts[part] : undefined;
      const id = pt ? this.keyContaining(pt, p.offset) : -1;
      problems.push(problemView(p, part, id >= 0 ? id : undefined));
    }
    for (const part of this.parts) if (part.view.aof) part.view.aof.commands = part.commands.length;
    const hasError = all.some((x) => x.p.severity === 'error');
    const verdict = this.verdict ?? { ok: !hasError, validUpTo: this.state.offset };
    return {
      name: this.input.name,
      location: this.input.location,
      kind: this.kind,
      size: this.state.size,
      parts: this.parts.map((p) => structuredCloneView(p.view)),
      sections: this.sections.map((s) => ({ ...s })),
      keys: this.keys.length,
      problems,
      ok: verdict.ok,
      validUpTo: verdict.validUpTo,
      ...(verdict.file ? { validUpToFile: verdict.file } : {}),
      index: this.indexState(),
      nowMs: this.now(),
    };
  }

  /** Key bytes (a copy). */
  keyBytes(id: number): Uint8Array {
    const a = this.keys.arenaKey(id);
    if (a) return a.slice();
    const part = this.partOfKey(id);
    if (!part.source) return new Uint8Array(0);
    try {
      return readRecordKey(part.source, this.keys.start(id), part.rdbVersion, part.valkey);
    } catch {
      return new Uint8Array(0);
    }
  }

  private partOfKey(id: number): Part {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.parts[mid]!.firstKey <= id) lo = mid;
      else hi = mid - 1;
    }
    // Parts without keys share a firstKey: take the one that has the key.
    let p = lo;
    while (p > 0 && this.parts[p]!.keys === 0 && this.parts[p]!.firstKey === id) p--;
    while (p < this.parts.length - 1 && id >= this.parts[p]!.firstKey + this.parts[p]!.keys) p++;
    return this.parts[p]!;
  }

  private sectionOf(id: number): SectionView | undefined {
    let lo = 0;
    let hi = this.sections.length - 1;
    let best: SectionView | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.sections[mid]!;
      if (s.firstKey <= id) {
        if (id < s.firstKey + s.keys) return s;
        best = s;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best && id < best.firstKey + best.keys ? best : undefined;
  }

  /** Runs a filter over the keys indexed so far. Throws on an invalid regular expression. */
  query(filter: KeyFilter): { queryId: number; total: number; sections: { section: number; count: number }[]; complete: boolean } {
    const id = this.nextQuery++;
    const match = this.matcher(filter);
    const perSection: (Uint32Array | undefined)[] = [];
    const counts: { section: number; count: number }[] = [];
    let total = 0;
    for (const s of this.sections) {
      if (filter.db !== undefined && s.db !== filter.db) {
        perSection.push(new Uint32Array(0));
        counts.push({ section: s.id, count: 0 });
        continue;
      }
      if (!match) {
        perSection.push(undefined);
        counts.push({ section: s.id, count: s.keys });
        total += s.keys;
        continue;
      }
      let ids = new Uint32Array(Math.min(s.keys, 1024));
      let n = 0;
      for (let k = s.firstKey; k < s.firstKey + s.keys; k++) {
        if (!match(k)) continue;
        ids = growColumn(ids, n + 1);
        ids[n++] = k;
      }
      perSection.push(ids.subarray(0, n));
      counts.push({ section: s.id, count: n });
      total += n;
    }
    // Keep the latest few queries (the webview asks pages of the current one).
    this.queries.set(id, { id, filter, perSection, complete: this.state.done });
    for (const old of this.queries.keys()) if (old < id - 8) this.queries.delete(old);
    return { queryId: id, total, sections: counts, complete: this.state.done };
  }

  /** A predicate over key ids, or undefined when the filter keeps every key. */
  private matcher(f: KeyFilter): ((id: number) => boolean) | undefined {
    const tests: ((id: number) => boolean)[] = [];
    if (f.types && f.types.length > 0 && f.types.length < 7) {
      const want = new Set<string>(f.types);
      tests.push((id) => {
        const part = this.partOfKey(id);
        return want.has(dataTypeOf(this.keys.rdbType(id), part.valkey) ?? 'unknown');
      });
    }
    if (f.minSize !== undefined && f.minSize > 0) {
      const min = f.minSize;
      tests.push((id) => this.keys.size(id) >= min);
    }
    if (f.ttl) {
      const ttl = f.ttl;
      const now = this.now();
      tests.push((id) => {
        const at = this.keys.expireAtMs(id);
        if (ttl === 'none') return at === undefined;
        if (at === undefined) return false;
        if (ttl === 'has') return true;
        if (ttl === 'expired-now') return at <= now;
        const ctime = this.partOfKey(id).view.rdb?.ctimeMs;
        return at <= (ctime ?? now);
      });
    }
    if (f.pattern !== undefined && f.pattern !== '' && !(f.pattern === '*' && !f.regex)) {
      const lower = (b: Uint8Array) => {
        const out = new Uint8Array(b.length);
        for (let i = 0; i < b.length; i++) {
          const c = b[i]!;
          out[i] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
        }
        return out;
      };
      if (f.regex) {
        const re = new RegExp(f.pattern, f.ignoreCase ? 'i' : '');
        tests.push((id) => re.test(latin1(this.keyView(id))));
      } else {
        // The pattern is typed text: UTF-8 bytes, as redis-cli sends it.
        let pattern = new TextEncoder().encode(f.pattern);
        if (f.ignoreCase) pattern = lower(pattern);
        const prefix = literalPrefixPattern(pattern);
        if (prefix && !f.ignoreCase) {
          // `user:*`: a byte comparison, no glob machinery (10M keys in a fraction of the time).
          tests.push((id) => {
            const inArena = this.keys.arenaHasPrefix(id, prefix);
            if (inArena !== undefined) return inArena;
            const key = this.keyBytes(id);
            if (key.length < prefix.length) return false;
            for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
            return true;
          });
        } else {
          tests.push((id) => {
            const key = this.keyView(id);
            return globMatch(pattern, f.ignoreCase ? lower(key) : key);
          });
        }
      }
    }
    if (tests.length === 0) return undefined;
    if (tests.length === 1) return tests[0];
    return (id) => tests.every((t) => t(id));
  }

  /** Key bytes without copying when in the arena. */
  private keyView(id: number): Uint8Array {
    return this.keys.arenaKey(id) ?? this.keyBytes(id);
  }

  /** Rows `from … from+count` of a section under a query. */
  keyRows(queryId: number, section: number, from: number, count: number): KeyRow[] {
    const q = this.queries.get(queryId);
    if (!q) throw new Error(`the results of filter ${queryId} were dropped (newer filters replaced them): filter again`);
    const s = this.sections[section];
    if (!s) return [];
    const ids = q.perSection[section];
    const n = ids ? ids.length : s.keys;
    const rows: KeyRow[] = [];
    for (let i = from; i < Math.min(n, from + count); i++) rows.push(this.keyRow(ids ? ids[i]! : s.firstKey + i, s));
    return rows;
  }

  keyRow(id: number, s = this.sectionOf(id)): KeyRow {
    const part = this.partOfKey(id);
    const t = this.keys.rdbType(id);
    const flags = this.keys.flagsOf(id);
    const row: KeyRow = {
      id,
      section: s?.id ?? 0,
      key: bytesView(this.keyView(id), 1024),
      type: dataTypeOf(t, part.valkey) ?? 'unknown',
      encoding: checkerTypeName(t, part.valkey),
      count: this.keys.count(id),
      start: this.keys.start(id),
      end: this.keys.end(id),
      part: part.view.id,
    };
    if (flags & KF_EXPIRE) row.expireAtMs = this.keys.expireAtMs(id)!;
    if (flags & KF_IDLE) row.idleSeconds = this.keys.lru(id)!;
    if (flags & KF_FREQ) row.lfuFreq = this.keys.lru(id)!;
    if (flags & KF_DAMAGED) row.damaged = true;
    return row;
  }

  private decoded(keyId: number): { record?: KeyRecord; problems: ProblemView[] } {
    if (this.cached?.keyId === keyId) return this.cached;
    const part = this.partOfKey(keyId);
    const s = this.sectionOf(keyId);
    if (!part.source) return { problems: [] };
    const r = decodeRecordAt(part.source, this.keys.start(keyId), { version: part.rdbVersion, valkey: part.valkey, ...(s ? { db: s.db } : {}) });
    const problems = r.problems.map((p) => problemView(p, part.view.id, keyId));
    this.cached = { keyId, ...(r.record ? { record: r.record } : {}), problems };
    return this.cached;
  }

  /** A page of a key's value (the record is decoded once and kept while its pages are read). */
  value(keyId: number, from: number, count: number): ValuePage {
    if (keyId < 0 || keyId >= this.keys.length) throw new Error(`no key ${keyId}`);
    const { record, problems } = this.decoded(keyId);
    if (!record) return { keyId, type: 'unknown', encoding: checkerTypeName(this.keys.rdbType(keyId)), total: 0, from, rows: [], problems, start: this.keys.start(keyId), end: this.keys.end(keyId) };
    return valuePage(keyId, record.value, from, count, problems);
  }

  /** The whole key, value (string: its bytes; other types: one element per line) or RESP commands recreating it. */
  copy(keyId: number, what: 'key' | 'value' | 'resp'): Uint8Array {
    if (what === 'key') return this.keyBytes(keyId);
    const { record } = this.decoded(keyId);
    if (!record) throw new Error('the record does not decode (see its problem)');
    if (what === 'resp') {
      const part = this.partOfKey(keyId);
      const chunks: Uint8Array[] = [];
      const src = part.source!;
      const out = keyCommands(record, (c) => chunks.push(encodeCommand(c)), () => rawValueOf((o, l) => src.read(o, l), record, part.rdbVersion));
      if (out.skipped) throw new Error(out.skipped);
      return concat(chunks);
    }
    const v = record.value;
    const lines: Uint8Array[] = [];
    const nl = new Uint8Array([0x0a]);
    const tab = new Uint8Array([0x09]);
    const enc = new TextEncoder();
    switch (v.type) {
      case 'string':
        return v.value;
      case 'list':
        for (const x of v.items) lines.push(x, nl);
        break;
      case 'set':
        for (const x of v.members) lines.push(x, nl);
        break;
      case 'zset':
        v.members.forEach((m, i) => lines.push(m, tab, enc.encode(String(v.scores[i])), nl));
        break;
      case 'hash':
        v.fields.forEach((f, i) => lines.push(f, tab, v.values[i]!, nl));
        break;
      case 'stream':
        for (const e of v.entries) {
          lines.push(enc.encode(`${e.id.ms}-${e.id.seq}`));
          for (const f of e.fields) lines.push(tab, f);
          lines.push(nl);
        }
        break;
      case 'module':
        for (const it of v.items) lines.push(it.kind === 'string' ? it.value : enc.encode(String(it.value)), nl);
        break;
    }
    return concat(lines);
  }

  /** Commands `from … from+count` of a part. */
  commandRows(partId: number, from: number, count: number): CommandRow[] {
    const part = this.parts[partId];
    if (!part?.source) return [];
    const cols = part.commands;
    const rows: CommandRow[] = [];
    for (let i = from; i < Math.min(cols.length, from + count); i++) {
      const start = cols.start(i);
      const end = cols.end(i);
      // Indexed records are well formed: read the arguments directly (a parse of
      // the record alone would apply transaction rules to a lone EXEC).
      const args = commandArgs(part.source.read(start, Math.min(end - start, COMMAND_READ_LIMIT)));
      const name = args[0] ? latin1(args[0].bytes).toLowerCase() : '';
      const row: CommandRow = {
        part: partId,
        index: i,
        start,
        end,
        name,
        argc: args.argc,
        args: args.slice(0, 16).map((a) => ({ ...bytesView(a.bytes, 256), ...(a.length > a.bytes.length ? { length: a.length, truncated: true } : {}) })),
        db: cols.db(i),
      };
      const tx = cols.transaction(i);
      if (tx !== undefined) row.transaction = tx;
      if (cols.afterDamage(i)) row.afterDamage = true;
      const ts = latestBefore(part.tsOffsets, part.tsSeconds, start);
      if (ts !== undefined) row.timestampSec = ts;
      if (name && !Object.prototype.hasOwnProperty.call(COMMANDS, name)) row.warning = `unknown command '${name}'`;
      rows.push(row);
    }
    return rows;
  }

  /** The key whose record contains `offset` in a part, if any. */
  keyAt(partId: number, offset: number): number | undefined {
    const part = this.parts[partId];
    if (!part) return undefined;
    const id = this.keyContaining(part, offset);
    return id >= 0 ? id : undefined;
  }

  summary(): SummaryView {
    const st = this.stats.result();
    const sum: SummaryView = {
      keys: st.keys,
      expires: st.expires,
      bytes: st.bytes,
      dbs: st.dbs.map((d) => ({ db: d.db, keys: d.keys, expires: d.expires, bytes: d.bytes, byType: Object.fromEntries(Object.entries(d.byType).map(([t, s]) => [t, s.keys])) as Partial<Record<DataType, number>> })),
      byType: st.byType,
      biggest: this.biggest.map(({ id, size }) => {
        const s = this.sectionOf(id);
        const part = this.partOfKey(id);
        return { id, key: bytesView(this.keyView(id), 256), type: dataTypeOf(this.keys.rdbType(id), part.valkey) ?? 'string', bytes: size, count: this.keys.count(id), db: s?.db ?? 0 };
      }),
      prefixes: st.prefixes.slice(0, 200),
      prefixesTruncated: st.prefixesTruncated || st.prefixes.length > 200,
    };
    if (this.commandNames.size) sum.commandsByName = [...this.commandNames].map(([name, count]) => ({ name: name || '(empty)', count })).sort((a, b) => b.count - a.count);
    return sum;
  }

  /** Memory the index holds (bytes). */
  indexBytes(): number {
    return this.keys.bytes() + this.parts.reduce((n, p) => n + p.commands.bytes(), 0);
  }
}

/** Bytes of a record read to show its arguments (a 512 MB SET shows its first bytes). */
const COMMAND_READ_LIMIT = 64 * 1024;

/** The arguments of one RESP record (cut where the read ends; `length` is each one's full length). */
function commandArgs(b: Uint8Array): { bytes: Uint8Array; length: number }[] & { argc: number } {
  const out = [] as unknown as { bytes: Uint8Array; length: number }[] & { argc: number };
  out.argc = 0;
  let at = 0;
  const line = (): number | undefined => {
    const nl = b.indexOf(0x0a, at);
    if (nl < 0) return undefined;
    const n = Number(latin1(b.subarray(at + 1, nl - 1 >= at + 1 && b[nl - 1] === 0x0d ? nl - 1 : nl)));
    at = nl + 1;
    return Number.isFinite(n) ? n : undefined;
  };
  if (b[0] !== 0x2a) return out;
  const argc = line();
  if (argc === undefined) return out;
  out.argc = argc;
  for (let i = 0; i < argc && at < b.length; i++) {
    if (b[at] !== 0x24) break;
    const len = line();
    if (len === undefined) break;
    out.push({ bytes: b.subarray(at, Math.min(b.length, at + len)), length: len });
    at += len + 2;
  }
  return out;
}

/** For a glob `literal*` (no other special character), the literal bytes; else undefined. */
function literalPrefixPattern(p: Uint8Array): Uint8Array | undefined {
  if (p.length === 0 || p[p.length - 1] !== 0x2a) return undefined;
  for (let i = 0; i < p.length - 1; i++) {
    const c = p[i]!;
    if (c === 0x2a || c === 0x3f || c === 0x5b || c === 0x5c) return undefined; // * ? [ \
  }
  return p.subarray(0, p.length - 1);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function latestBefore(offsets: number[], seconds: number[], at: number): number | undefined {
  let lo = 0;
  let hi = offsets.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! < at) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 ? seconds[best] : undefined;
}

function baseName(name: string): string {
  const i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return i >= 0 ? name.slice(i + 1) : name;
}

/** A copy of a part view that later indexing does not change under the receiver. */
function structuredCloneView(v: PartView): PartView {
  return {
    ...v,
    ...(v.rdb ? { rdb: { ...v.rdb, aux: v.rdb.aux.slice(), functions: v.rdb.functions.slice(), modules: v.rdb.modules.slice() } } : {}),
    ...(v.aof ? { aof: { ...v.aof } } : {}),
  };
}

/** Text for the clipboard: UTF-8 when the bytes are, else latin1 (every byte one character). */
export function clipboardText(b: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return latin1(b);
  }
}

export { lossyUtf8 };
