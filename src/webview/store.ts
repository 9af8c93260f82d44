/**
 * What the webview knows about the file: the overview, the current query and
 * page caches for key rows, value elements and AOF commands. Pages are asked
 * for only while their rows are drawn (`want*` during a frame, `flush` after
 * it), a few at a time, and the least recently drawn ones are dropped, so
 * memory stays bounded whatever the number of keys.
 */

import type { CommandRow, ElementRow, KeyFilter, KeyRow, Overview, ValuePage } from '../protocol/editor.js';
import type { Host } from './host.js';

export const KEY_PAGE = 200;
export const VALUE_PAGE = 200;
export const COMMAND_PAGE = 200;
/** Requests in flight at once (pages for rows scrolled past are not worth a queue). */
const MAX_IN_FLIGHT = 6;

export interface Page<T> {
  rows?: T[];
  error?: string;
  loading: boolean;
  /** Frame in which a row of the page was last drawn (for eviction). */
  used: number;
  /** `Store.epoch` when the page was fetched. */
  epoch?: number;
  retries?: number;
}

const STALE = 'stale';

class Pages<T> {
  readonly map = new Map<string, Page<T>>();
  constructor(private readonly max: number) {}

  get(k: string): Page<T> | undefined {
    return this.map.get(k);
  }

  ensure(k: string, frame: number): Page<T> {
    let p = this.map.get(k);
    if (!p) {
      p = { loading: false, used: frame };
      this.map.set(k, p);
    }
    return p;
  }

  /** Drops the least recently used loaded pages beyond `max`. */
  evict(): void {
    if (this.map.size <= this.max) return;
    const loaded = [...this.map.entries()].filter(([, p]) => !p.loading).sort((a, b) => a[1].used - b[1].used);
    for (const [k] of loaded.slice(0, this.map.size - this.max)) this.map.delete(k);
  }
}

export interface QueryState {
  id: number;
  total: number;
  counts: Map<number, number>;
  complete: boolean;
  /** Normalised filter this result answers. */
  filterKey: string;
}

/** A key's value as loaded so far. */
export interface ValueState {
  first?: ValuePage;
  error?: string;
  pages: Pages<ElementRow>;
}

interface Want {
  key: string;
  start: () => void;
}

export function filterKey(f: KeyFilter): string {
  return JSON.stringify([f.pattern ?? '', !!f.regex, !!f.ignoreCase, [...(f.types ?? [])].sort(), f.db ?? null, f.ttl ?? null, f.minSize ?? null]);
}

export function isEmptyFilter(f: KeyFilter): boolean {
  return !f.pattern && !(f.types && f.types.length) && f.db === undefined && !f.ttl && !f.minSize;
}

export class Store {
  overview: Overview | undefined;
  hexEditor = false;
  query: QueryState | undefined;
  /** Filter of the query in flight (or the last one answered). */
  filter: KeyFilter = {};
  queryInFlight = 0;
  queryError: string | undefined;
  /** Bumped on every overview update (the index grew). */
  epoch = 0;

  private keyPages = new Pages<KeyRow>(64);
  private readonly values = new Map<number, ValueState>();
  private commandPages = new Pages<CommandRow>(48);
  private frame = 0;
  private wants: Want[] = [];
  private running = 0;
  private queryGen = 0;

  /** Something arrived: redraw. */
  onChange: () => void = () => undefined;
  /** A page of key rows arrived (to re-open keys expanded before a query change). */
  onKeysPage: (section: number, from: number, rows: KeyRow[]) => void = () => undefined;
  /** A query result replaced the previous one; `sameFilter` when it refreshes the same filter. */
  onQuery: (sameFilter: boolean) => void = () => undefined;

  constructor(private readonly host: Host) {}

  get ctimeMs(): (part: number) => number | undefined {
    return (part) => this.overview?.parts.find((p) => p.id === part)?.rdb?.ctimeMs;
  }

  // ---- queries ----------------------------------------------------------------------------

  /** Runs the query for `filter`; resolves when its result is the current one (or a newer query superseded it). */
  async runQuery(filter: KeyFilter): Promise<void> {
    this.filter = filter;
    const gen = ++this.queryGen;
    this.queryInFlight++;
    try {
      const m = await this.host.request({ type: 'query', filter });
      if (gen !== this.queryGen) return; // a newer query was sent: this answer is stale
      const key = filterKey(filter);
      const same = !!this.query && this.query.filterKey === key;
      this.query = { id: m.queryId, total: m.total, counts: new Map(m.sections.map((s) => [s.section, s.count])), complete: m.complete, filterKey: key };
      this.queryError = undefined;
      if (same) {
        // Indexing only appends keys, so full pages of the same filter stay valid; partial ones are refetched.
        for (const [k, p] of [...this.keyPages.map]) if (p.loading || !p.rows || p.rows.length < KEY_PAGE) this.keyPages.map.delete(k);
      } else {
        this.keyPages = new Pages<KeyRow>(64);
      }
      this.onQuery(same);
    } catch (e) {
      if (gen === this.queryGen) this.queryError = (e as Error).message;
    } finally {
      this.queryInFlight--;
      this.onChange();
    }
  }

  sectionCount(section: number): number {
    return this.query?.counts.get(section) ?? 0;
  }

  // ---- frames -----------------------------------------------------------------------------

  beginFrame(): void {
    this.frame++;
    this.wants = [];
    this.pendingKeys.clear();
  }

  /** Starts the requests the frame wanted (up to the in-flight limit) and drops far pages. */
  flush(): void {
    for (const w of this.wants) {
      if (this.running >= MAX_IN_FLIGHT) break;
      w.start();
    }
    this.keyPages.evict();
    this.commandPages.evict();
    for (const v of this.values.values()) v.pages.evict();
  }

  /** Requests wanted by the last frame that are not started yet, plus those running. */
  get busy(): boolean {
    return this.running > 0 || this.queryInFlight > 0 || this.wants.some((w) => this.isPendingWant(w));
  }

  private pendingKeys = new Set<string>();
  private isPendingWant(w: Want): boolean {
    return this.pendingKeys.has(w.key);
  }

  private want(key: string, page: Page<unknown>, fetch: () => Promise<void>): void {
    page.used = this.frame;
    if (page.rows || page.loading || page.error !== undefined) return;
    if (this.wants.some((w) => w.key === key)) return;
    this.pendingKeys.add(key);
    this.wants.push({
      key,
      start: () => {
        if (page.loading || page.rows || page.error !== undefined) return;
        this.pendingKeys.delete(key);
        page.loading = true;
        this.running++;
        fetch()
          .catch((e: Error) => {
            // A reply for a query that is no longer current: asked again (a few times) if still wanted.
            if (e.message === STALE && (page.retries = (page.retries ?? 0) + 1) <= 3) return;
            page.error = e.message;
          })
          .finally(() => {
            page.loading = false;
            this.running--;
            this.onChange();
          });
      },
    });
  }

  // ---- key rows ---------------------------------------------------------------------------

  /** The key row at `pos` of `section` in the current query: the row, 'loading', or an error text. */
  keyAt(section: number, pos: number): KeyRow | { error: string } | undefined {
    const q = this.query;
    if (!q) return undefined;
    const pageNo = Math.floor(pos / KEY_PAGE);
    const k = `${section}:${pageNo}`;
    const page = this.keyPages.ensure(k, this.frame);
    const qid = q.id;
    this.want(`k${qid}:${k}`, page, async () => {
      const m = await this.host.request({ type: 'keys', queryId: qid, section, from: pageNo * KEY_PAGE, count: KEY_PAGE });
      if (this.query?.id !== qid || m.queryId !== qid) throw new Error(STALE);
      page.rows = m.rows;
      this.onKeysPage(section, m.from, m.rows);
    });
    page.used = this.frame;
    if (page.rows) return page.rows[pos - pageNo * KEY_PAGE];
    if (page.error !== undefined) return { error: page.error };
    return undefined;
  }

  /** A cached key row by id (no request), e.g. to find a key's position. */
  findCachedKey(keyId: number): { section: number; pos: number; row: KeyRow } | undefined {
    for (const [k, p] of this.keyPages.map) {
      if (!p.rows) continue;
      const i = p.rows.findIndex((r) => r.id === keyId);
      if (i >= 0) {
        const [s, pg] = k.split(':').map(Number) as [number, number];
        return { section: s, pos: pg * KEY_PAGE + i, row: p.rows[i]! };
      }
    }
    return undefined;
  }

  /** Loads the page holding `pos` now (not tied to a frame); resolves with the row. */
  async loadKey(section: number, pos: number): Promise<KeyRow | undefined> {
    const q = this.query;
    if (!q) return undefined;
    const pageNo = Math.floor(pos / KEY_PAGE);
    const k = `${section}:${pageNo}`;
    const page = this.keyPages.ensure(k, this.frame);
    if (!page.rows) {
      const m = await this.host.request({ type: 'keys', queryId: q.id, section, from: pageNo * KEY_PAGE, count: KEY_PAGE });
      if (this.query?.id !== q.id) return undefined;
      page.rows = m.rows;
      page.error = undefined;
      this.onKeysPage(section, m.from, m.rows);
    }
    return page.rows[pos - pageNo * KEY_PAGE];
  }

  // ---- values -----------------------------------------------------------------------------

  value(keyId: number): ValueState {
    let v = this.values.get(keyId);
    if (!v) {
      v = { pages: new Pages<ElementRow>(24) };
      this.values.set(keyId, v);
    }
    return v;
  }

  /** Forgets a collapsed key's value. */
  dropValue(keyId: number): void {
    this.values.delete(keyId);
  }

  /** The first page of a value (meta + first elements), requested when missing. */
  valueHead(keyId: number): ValuePage | { error: string } | undefined {
    const v = this.value(keyId);
    const page = v.pages.ensure('0', this.frame);
    this.want(`v${keyId}:0`, page, async () => {
      const m = await this.host.request({ type: 'value', keyId, from: 0, count: VALUE_PAGE });
      v.first = m.page;
      page.rows = m.page.rows;
    });
    if (v.first) return v.first;
    if (page.error !== undefined) return { error: page.error };
    return undefined;
  }

  /** Element `i` of a value. */
  elementAt(keyId: number, i: number): ElementRow | { error: string } | undefined {
    const v = this.value(keyId);
    const pageNo = Math.floor(i / VALUE_PAGE);
    const page = v.pages.ensure(String(pageNo), this.frame);
    this.want(`v${keyId}:${pageNo}`, page, async () => {
      const m = await this.host.request({ type: 'value', keyId, from: pageNo * VALUE_PAGE, count: VALUE_PAGE });
      if (pageNo === 0) v.first = m.page;
      page.rows = m.page.rows;
    });
    if (page.rows) {
      const from = pageNo * VALUE_PAGE;
      return page.rows.find((r) => r.index === i) ?? page.rows[i - from];
    }
    if (page.error !== undefined) return { error: page.error };
    return undefined;
  }

  // ---- commands ---------------------------------------------------------------------------

  commandAt(part: number, i: number): CommandRow | { error: string } | undefined {
    const pageNo = Math.floor(i / COMMAND_PAGE);
    const k = `${part}:${pageNo}`;
    const page = this.commandPages.ensure(k, this.frame);
    // A page fetched before this command was indexed is fetched again.
    if (page.rows && !page.rows[i - pageNo * COMMAND_PAGE] && (page.epoch ?? 0) < this.epoch) page.rows = undefined;
    this.want(`c${k}`, page, async () => {
      const epoch = this.epoch;
      const m = await this.host.request({ type: 'commands', part, from: pageNo * COMMAND_PAGE, count: COMMAND_PAGE });
      page.rows = m.rows;
      page.epoch = epoch;
    });
    if (page.rows) return page.rows[i - pageNo * COMMAND_PAGE] ?? { error: 'not available' };
    if (page.error !== undefined) return { error: page.error };
    return undefined;
  }

  /** A cached command (no request), e.g. the previous row for the DB badge. */
  cachedCommand(part: number, i: number): CommandRow | undefined {
    if (i < 0) return undefined;
    const pageNo = Math.floor(i / COMMAND_PAGE);
    return this.commandPages.get(`${part}:${pageNo}`)?.rows?.[i - pageNo * COMMAND_PAGE];
  }

  /** After a reload: everything goes. */
  resetAll(): void {
    this.query = undefined;
    this.keyPages = new Pages<KeyRow>(64);
    this.commandPages = new Pages<CommandRow>(48);
    this.values.clear();
    this.wants = [];
    this.pendingKeys.clear();
    this.queryGen++; // an answer still in flight belongs to the old data
  }

  /** Partial command pages are refetched after the index grew. */
  refreshCommandTails(): void {
    for (const [k, p] of [...this.commandPages.map]) if (!p.loading && p.rows && p.rows.length < COMMAND_PAGE) this.commandPages.map.delete(k);
  }
}
