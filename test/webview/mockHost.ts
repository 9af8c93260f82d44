/**
 * A stand-in for the extension host in test/webview/harness.html: provides
 * `acquireVsCodeApi()` and answers the editor protocol (src/protocol/editor.ts)
 * from generated data (test/webview/mockData.ts), with a simulated indexing
 * pass and a little latency. URL parameters: data=small|big|aof|manifest,
 * theme=dark|light|hc, indexMs (indexing time), latency (ms per reply), hex=0.
 *
 * For tests: `window.mockHost.sent` (every message the webview posted) and
 * `window.mockHost.test(action)` (runs a TestAction, resolves with RenderedState).
 */

import type { HostMessage, KeyFilter, KeyRow, Overview, RenderedState, TestAction, ValuePage, WebviewRequest } from '../../src/protocol/editor.js';
import { globMatch } from '../../src/core/text/glob.js';
import { latin1 } from '../../src/core/text/bytesText.js';
import { DATASETS, bv, type Dataset, type MockSection } from './mockData.js';

const params = new URLSearchParams(location.search);
const dataName = params.get('data') ?? 'small';
const theme = params.get('theme') === 'light' ? 'light' : params.get('theme') === 'hc' ? 'hc' : 'dark';
const indexMs = Number(params.get('indexMs') ?? 400);
const latency = Number(params.get('latency') ?? 4);
const hexEditor = params.get('hex') !== '0';
const stateKey = `rpi-harness-state:${dataName}`;

document.documentElement.classList.add(theme);
const themeKind = { light: 'vscode-light', dark: 'vscode-dark', hc: 'vscode-high-contrast' }[theme];
document.body.classList.add(themeKind);
document.body.dataset.vscodeThemeKind = themeKind;

const make = DATASETS[dataName] ?? DATASETS.small!;
let ds: Dataset = make();
let done = false;
let cancelled = false;
let startedAt = 0;
let timer: ReturnType<typeof setInterval> | undefined;
let undo: { label: string; backup: string } | undefined;
const sent: WebviewRequest[] = [];
const queries = new Map<number, { filter: KeyFilter; perSection: (Int32Array | undefined)[] }>();
let nextQuery = 1;
let testResolve: ((s: RenderedState) => void) | undefined;

function post(m: HostMessage): void {
  const data = structuredClone(m);
  setTimeout(() => window.dispatchEvent(new MessageEvent('message', { data })), latency);
}

function overview(): Overview {
  const ov = ds.overview;
  const elapsed = done ? indexMs : Math.min(indexMs, Date.now() - startedAt);
  const frac = done && !cancelled ? 1 : indexMs > 0 ? Math.min(0.99, elapsed / indexMs) : 1;
  return {
    ...ov,
    index: { done, cancelled, offset: Math.floor(ov.size * frac), size: ov.size, keys: Math.floor(ov.keys * frac), commands: Math.floor((ds.commands ?? []).reduce((n, c) => n + c.count, 0) * frac), elapsedMs: Math.max(1, elapsed) },
    nowMs: Date.now(),
  };
}

function startIndexing(): void {
  done = indexMs <= 0;
  cancelled = false;
  startedAt = Date.now();
  if (timer) clearInterval(timer);
  if (done) return;
  timer = setInterval(() => {
    if (Date.now() - startedAt >= indexMs) {
      clearInterval(timer);
      timer = undefined;
      done = true;
      post({ type: 'overview', overview: overview() });
    } else post({ type: 'progress', index: overview().index });
  }, 60);
}

const lower = (b: Uint8Array) => b.map((c) => (c >= 0x41 && c <= 0x5a ? c + 32 : c));

function matcher(f: KeyFilter, section: MockSection): ((i: number) => boolean) | undefined {
  const tests: ((i: number) => boolean)[] = [];
  if (f.types && f.types.length) tests.push((i) => f.types!.includes(section.key(i).type));
  if (f.minSize) tests.push((i) => section.key(i).size >= f.minSize!);
  if (f.ttl) {
    const now = Date.now();
    const ctime = ds.overview.parts.find((p) => p.id === section.view.part)?.rdb?.ctimeMs ?? now;
    tests.push((i) => {
      const at = section.key(i).expireAtMs;
      if (f.ttl === 'none') return at === undefined;
      if (at === undefined) return false;
      if (f.ttl === 'has') return true;
      if (f.ttl === 'expired-now') return at <= now;
      return at <= ctime;
    });
  }
  if (f.pattern) {
    if (f.regex) {
      const re = new RegExp(f.pattern, f.ignoreCase ? 'i' : '');
      tests.push((i) => re.test(latin1(section.key(i).name)));
    } else {
      const p = new TextEncoder().encode(f.pattern);
      const pat = f.ignoreCase ? lower(p) : p;
      tests.push((i) => globMatch(pat, f.ignoreCase ? lower(section.key(i).name) : section.key(i).name));
    }
  }
  return tests.length ? (i) => tests.every((t) => t(i)) : undefined;
}

function runQuery(f: KeyFilter): Extract<HostMessage, { type: 'queryResult' }> & { seq: number } {
  const id = nextQuery++;
  const perSection: (Int32Array | undefined)[] = [];
  const counts: { section: number; count: number }[] = [];
  let total = 0;
  for (const s of ds.sections) {
    if (f.db !== undefined && s.view.db !== f.db) {
      perSection.push(new Int32Array(0));
      counts.push({ section: s.view.id, count: 0 });
      continue;
    }
    const m = matcher(f, s);
    if (!m) {
      perSection.push(undefined);
      counts.push({ section: s.view.id, count: s.view.keys });
      total += s.view.keys;
      continue;
    }
    const ids: number[] = [];
    for (let i = 0; i < s.view.keys; i++) if (m(i)) ids.push(i);
    perSection.push(Int32Array.from(ids));
    counts.push({ section: s.view.id, count: ids.length });
    total += ids.length;
  }
  queries.set(id, { filter: f, perSection });
  return { type: 'queryResult', seq: 0, queryId: id, total, sections: counts, complete: done };
}

function keyRow(s: MockSection, i: number): KeyRow {
  const k = s.key(i);
  const start = s.offset(i);
  const row: KeyRow = { id: s.view.firstKey + i, section: s.view.id, key: bv(k.name, 1024), type: k.type, encoding: k.encoding, count: k.count, start, end: start + k.size, part: s.view.part };
  if (k.expireAtMs !== undefined) row.expireAtMs = k.expireAtMs;
  if (k.idleSeconds !== undefined) row.idleSeconds = k.idleSeconds;
  if (k.lfuFreq !== undefined) row.lfuFreq = k.lfuFreq;
  if (k.damaged) row.damaged = true;
  return row;
}

function findKey(id: number): { s: MockSection; i: number } | undefined {
  const s = ds.sections.find((x) => id >= x.view.firstKey && id < x.view.firstKey + x.view.keys);
  return s ? { s, i: id - s.view.firstKey } : undefined;
}

function valuePage(keyId: number, from: number, count: number): ValuePage {
  const f = findKey(keyId);
  if (!f) throw new Error(`no key ${keyId}`);
  const k = f.s.key(f.i);
  const start = f.s.offset(f.i);
  const total = k.type === 'string' ? 1 : k.count;
  const rows = [];
  for (let i = from; i < Math.min(total, from + count); i++) rows.push(k.element(i, start + 6 + k.name.length));
  const page: ValuePage = { keyId, type: k.type, encoding: k.encoding, total, from, rows, problems: [], start: start + 6 + k.name.length, end: start + k.size };
  if (k.stream) page.stream = k.stream;
  if (k.module) page.module = k.module;
  if (k.damaged) page.problems = ds.overview.problems.filter((p) => p.keyId === keyId);
  return page;
}

function handle(m: WebviewRequest): void {
  try {
    switch (m.type) {
      case 'ready': {
        startIndexing();
        let restore: unknown;
        try {
          restore = JSON.parse(sessionStorage.getItem(stateKey) ?? 'null');
        } catch {
          restore = undefined;
        }
        post({ type: 'init', overview: overview(), hexEditor, ...(restore ? { restore } : {}) });
        if (ds.repairs) post({ type: 'repairs', repairs: ds.repairs, ...(undo ? { undo } : {}) });
        break;
      }
      case 'query':
        try {
          post({ ...runQuery(m.filter), seq: m.seq });
        } catch (e) {
          post({ type: 'error', seq: m.seq, message: (e as Error).message });
        }
        break;
      case 'keys': {
        const q = queries.get(m.queryId);
        const s = ds.sections.find((x) => x.view.id === m.section);
        if (!q || !s) {
          post({ type: 'error', seq: m.seq, message: `unknown query ${m.queryId} or section ${m.section}` });
          break;
        }
        const ids = q.perSection[ds.sections.indexOf(s)];
        const n = ids ? ids.length : s.view.keys;
        const rows: KeyRow[] = [];
        for (let i = m.from; i < Math.min(n, m.from + m.count); i++) rows.push(keyRow(s, ids ? ids[i]! : i));
        post({ type: 'keys', seq: m.seq, queryId: m.queryId, section: m.section, from: m.from, rows });
        break;
      }
      case 'value':
        post({ type: 'value', seq: m.seq, page: valuePage(m.keyId, m.from, m.count) });
        break;
      case 'commands': {
        const c = ds.commands?.find((x) => x.part === m.part);
        const rows = [];
        if (c) for (let i = m.from; i < Math.min(c.count, m.from + m.count); i++) rows.push(c.row(i));
        post({ type: 'commands', seq: m.seq, part: m.part, from: m.from, rows });
        break;
      }
      case 'summary':
        post({ type: 'summary', seq: m.seq, summary: ds.summary() });
        break;
      case 'cancelIndex':
        if (!done) {
          if (timer) clearInterval(timer);
          timer = undefined;
          done = true;
          cancelled = true;
          post({ type: 'overview', overview: overview() });
        }
        break;
      case 'reload':
        ds = make();
        queries.clear();
        startIndexing();
        post({ type: 'init', overview: overview(), hexEditor });
        if (ds.repairs) post({ type: 'repairs', repairs: ds.repairs, ...(undo ? { undo } : {}) });
        break;
      case 'repair':
        undo = { label: `Undo “${ds.repairs?.[m.index]?.label ?? 'repair'}”`, backup: `${ds.overview.name}.bak` };
        post({ type: 'repairs', repairs: ds.repairs ?? [], undo });
        break;
      case 'undoRepair':
        undo = undefined;
        post({ type: 'repairs', repairs: ds.repairs ?? [] });
        break;
      case 'rendered':
        testResolve?.(m.state);
        testResolve = undefined;
        break;
      default:
        // copy, revealOffset, openProblems: recorded in `sent` only.
        break;
    }
  } catch (e) {
    post({ type: 'error', ...('seq' in m ? { seq: m.seq } : {}), message: (e as Error).message });
  }
}

let state: unknown;
try {
  state = JSON.parse(sessionStorage.getItem(stateKey) ?? 'null') ?? undefined;
} catch {
  state = undefined;
}

const api = {
  postMessage(m: unknown): void {
    const msg = structuredClone(m) as WebviewRequest;
    sent.push(msg);
    setTimeout(() => handle(msg), latency);
  },
  getState(): unknown {
    return state;
  },
  setState(s: unknown): void {
    state = s;
    sessionStorage.setItem(stateKey, JSON.stringify(s));
  },
};

let acquired = false;
const w = window as unknown as Record<string, unknown>;
w.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi can only be called once');
  acquired = true;
  return api;
};

w.mockHost = {
  sent,
  dataset: dataName,
  /** Runs a test action in the webview; resolves with what it rendered. */
  test(action: TestAction): Promise<RenderedState> {
    return new Promise((resolve) => {
      testResolve = resolve;
      post({ type: 'test', action });
    });
  },
  /** Sends any host message. */
  send(m: HostMessage): void {
    post(m);
  },
  get indexingDone(): boolean {
    return done;
  },
  clearState(): void {
    sessionStorage.removeItem(stateKey);
    state = undefined;
  },
};
