/**
 * The key-level diff view: what changed between two snapshots (RDB or AOF),
 * key by key, with each change's before and after side by side — added,
 * removed and changed keys, counts per type, a filter by name, change and
 * type. Fed with the JSON of `redis-inspect diff --json`
 * (src/protocol/diffView.ts). Every text goes through `textContent`
 * (src/webview/dom.ts): key names and values are hostile.
 */

import { escapeBytes, fromBase64 } from '../../core/text/bytesText.js';
import type { DiffChangeJson, DiffHostMessage, DiffJson, DiffRenderedState, DiffTestAction, DiffViewMessage, JsonBytes } from '../../protocol/diffView.js';
import { clear, h, icon, span, textButton } from '../dom.js';
import { dateTime, num } from '../format.js';

interface VsCodeApi {
  postMessage(m: DiffViewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

/** Rows drawn at first, and added by "Show more". */
const PAGE = 300;

const CHANGE_ICON: Record<DiffChangeJson['change'], [string, string]> = {
  added: ['diff-added', 'added'],
  removed: ['diff-removed', 'removed'],
  changed: ['diff-modified', 'changed'],
};

/** Bytes of the JSON as a one-line text: control and non-UTF-8 bytes escaped as redis-cli does. */
function jb(v: JsonBytes | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return escapeBytes(new TextEncoder().encode(v));
  const bytes = fromBase64(v.base64);
  return bytes ? escapeBytes(bytes) : '(bytes)';
}

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

function ttl(ms: number | null): string {
  return ms === null ? 'no TTL' : `TTL ${dateTime(ms)}`;
}

function score(s: unknown): string {
  return typeof s === 'number' ? String(s) : String(s);
}

/** One line on one side of the before/after table. */
type Line = { text: string; cls?: string };

/** The before (A) and after (B) lines of a change. */
function sides(c: DiffChangeJson): { before: Line[]; after: Line[]; notes: string[] } {
  const before: Line[] = [];
  const after: Line[] = [];
  const notes: string[] = [];
  const rem = (text: string) => before.push({ text, cls: 'removed' });
  const add = (text: string) => after.push({ text, cls: 'added' });
  const pair = (b: string, a: string) => {
    before.push({ text: b, cls: 'changed' });
    after.push({ text: a, cls: 'changed' });
  };
  if (c.change === 'added') {
    add(`${c.typeAfter} key added${c.ttlAfter !== null ? `, ${ttl(c.ttlAfter)}` : ''}`);
    return { before, after, notes };
  }
  if (c.change === 'removed') {
    rem(`${c.typeBefore} key removed`);
    return { before, after, notes };
  }
  if (c.typeBefore !== c.typeAfter) pair(`type ${c.typeBefore}`, `type ${c.typeAfter}`);
  if (c.ttlBefore !== c.ttlAfter) pair(ttl(c.ttlBefore), ttl(c.ttlAfter));
  const d = c.details as Record<string, unknown> | null;
  if (!d) return { before, after, notes };
  const arr = (x: unknown) => (Array.isArray(x) ? (x as Record<string, unknown>[]) : []);
  switch (d.type) {
    case 'string':
      pair(`${jb(d.before as JsonBytes)}`, `${jb(d.after as JsonBytes)}`);
      notes.push(`${num(Number(d.lengthBefore))} → ${num(Number(d.lengthAfter))} bytes`);
      break;
    case 'list':
      for (const e of arr(d.edits)) {
        if (e.op === 'added') add(`[${e.index}] ${jb(e.value as JsonBytes)}`);
        else if (e.op === 'removed') rem(`[${e.index}] ${jb(e.value as JsonBytes)}`);
        else pair(`[${e.indexBefore}] ${jb(e.before as JsonBytes)}`, `[${e.index}] ${jb(e.after as JsonBytes)}`);
      }
      notes.push(`length ${num(Number(d.lengthBefore))} → ${num(Number(d.lengthAfter))}: ${d.added} added, ${d.removed} removed, ${d.changed} replaced`);
      if (d.note) notes.push(String(d.note));
      break;
    case 'set':
      for (const m of (d.removed as JsonBytes[]) ?? []) rem(jb(m));
      for (const m of (d.added as JsonBytes[]) ?? []) add(jb(m));
      notes.push(`${num(Number(d.sizeBefore))} → ${num(Number(d.sizeAfter))} members: ${d.addedCount} added, ${d.removedCount} removed`);
      break;
    case 'zset':
      for (const m of arr(d.removed)) rem(`${jb(m.member as JsonBytes)}  (score ${score(m.score)})`);
      for (const m of arr(d.changed)) pair(`${jb(m.member as JsonBytes)}  (score ${score(m.before)})`, `${jb(m.member as JsonBytes)}  (score ${score(m.after)})`);
      for (const m of arr(d.added)) add(`${jb(m.member as JsonBytes)}  (score ${score(m.score)})`);
      notes.push(`${num(Number(d.sizeBefore))} → ${num(Number(d.sizeAfter))} members: ${d.addedCount} added, ${d.removedCount} removed, ${d.changedCount} re-scored`);
      break;
    case 'hash':
      for (const f of arr(d.removed)) rem(`${jb(f.field as JsonBytes)} = ${jb(f.value as JsonBytes)}`);
      for (const f of arr(d.changed)) pair(`${jb(f.field as JsonBytes)} = ${jb(f.before as JsonBytes)}`, `${jb(f.field as JsonBytes)} = ${jb(f.after as JsonBytes)}`);
      for (const f of arr(d.ttlChanged)) pair(`${jb(f.field as JsonBytes)}: ${ttl((f.before as number | null) ?? null)}`, `${jb(f.field as JsonBytes)}: ${ttl((f.after as number | null) ?? null)}`);
      for (const f of arr(d.added)) add(`${jb(f.field as JsonBytes)} = ${jb(f.value as JsonBytes)}${f.ttl !== undefined ? `  (${ttl(f.ttl as number)})` : ''}`);
      notes.push(`${num(Number(d.sizeBefore))} → ${num(Number(d.sizeAfter))} fields: ${d.addedCount} added, ${d.removedCount} removed, ${d.changedCount} changed`);
      break;
    case 'stream': {
      const entries = (d.entries ?? {}) as Record<string, unknown>;
      const fields = (f: unknown) => (Array.isArray(f) ? (f as [JsonBytes, JsonBytes][]).map(([k, v]) => `${jb(k)}=${jb(v)}`).join(' ') : '');
      for (const e of arr(entries.removed)) rem(`${e.id} ${fields(e.fields)}`);
      for (const e of arr(entries.changed)) pair(`${e.id} ${fields(e.before)}`, `${e.id} ${fields(e.after)}`);
      for (const e of arr(entries.added)) add(`${e.id} ${fields(e.fields)}`);
      const groups = (d.groups ?? {}) as Record<string, unknown>;
      for (const g of arr(groups.removed)) rem(`group ${jb(g.name as JsonBytes)}`);
      for (const g of arr(groups.added)) add(`group ${jb(g.name as JsonBytes)}`);
      for (const g of arr(groups.changed)) {
        const name = jb(g.name as JsonBytes);
        const ch = (k: string) => g[k] as { before: unknown; after: unknown } | undefined;
        for (const k of ['lastId', 'entriesRead']) {
          const v = ch(k);
          if (v) pair(`group ${name} ${k} ${String(v.before)}`, `group ${name} ${k} ${String(v.after)}`);
        }
        const pending = (g.pending ?? {}) as Record<string, unknown>;
        for (const p of arr(pending.removed)) rem(`group ${name} pending ${p.id}`);
        for (const p of arr(pending.added)) add(`group ${name} pending ${p.id}`);
        for (const p of arr(pending.changed)) {
          const side = (k: 'before' | 'after') => {
            const parts = [`group ${name} pending ${String(p.id)}`];
            const owner = p.consumer as { before: JsonBytes | null; after: JsonBytes | null } | undefined;
            if (owner) parts.push(`owner ${owner[k] === null ? '(none)' : jb(owner[k])}`);
            const time = p.deliveryTime as { before: number; after: number } | undefined;
            if (time) parts.push(`delivered ${dateTime(time[k])}`);
            const count = p.deliveryCount as { before: number; after: number } | undefined;
            if (count) parts.push(`${count[k]} deliveries`);
            return parts.join(', ');
          };
          pair(side('before'), side('after'));
        }
        const consumers = (g.consumers ?? {}) as Record<string, unknown>;
        for (const x of arr(consumers.removed)) rem(`group ${name} consumer ${jb(x.name as JsonBytes)}`);
        for (const x of arr(consumers.added)) add(`group ${name} consumer ${jb(x.name as JsonBytes)}`);
        for (const x of arr(consumers.changed)) pair(`group ${name} consumer ${jb(x.name as JsonBytes)}`, `group ${name} consumer ${jb(x.name as JsonBytes)} (changed)`);
      }
      // The stream's own fields: length, last-id, max-deleted-id, entries-added.
      for (const m of arr(d.meta)) pair(`${String(m.field)} ${String(m.before)}`, `${String(m.field)} ${String(m.after)}`);
      notes.push(`length ${num(Number(d.lengthBefore))} → ${num(Number(d.lengthAfter))}`);
      break;
    }
    case 'module':
      pair(String(d.moduleBefore ?? ''), String(d.moduleAfter ?? ''));
      if (d.note) notes.push(String(d.note));
      break;
  }
  if (d.truncated) notes.push('more element changes than shown (the CLI lists them all: redis-inspect diff --json)');
  return { before, after, notes };
}

class DiffView {
  private diff: DiffJson | undefined;
  private shownChanges = 0;
  private totalChanges = 0;
  private readonly root = h('div', { class: 'diff-view' });
  private readonly head = h('div', { class: 'diff-head' });
  private readonly summary = h('div', { class: 'diff-summary', attrs: { id: 'diff-summary' } });
  private readonly list = h('div', { class: 'diff-list', attrs: { id: 'diff-list', role: 'list' } });
  private readonly count = h('span', { class: 'diff-count', attrs: { id: 'diff-count', role: 'status' } });
  private readonly text = h('input', { class: 'diff-filter', attrs: { id: 'diff-filter', type: 'search', placeholder: 'Filter keys (text in the name)', 'aria-label': 'Filter keys' } });
  private readonly change = h('select', { attrs: { id: 'diff-change', 'aria-label': 'Change' } });
  private readonly type = h('select', { attrs: { id: 'diff-type', 'aria-label': 'Type' } });
  private limit = PAGE;
  private readonly expanded = new Set<number>();

  constructor() {
    for (const [v, l] of [['all', 'All changes'], ['added', 'Added'], ['removed', 'Removed'], ['changed', 'Changed']]) this.change.append(h('option', { text: l, attrs: { value: v } }));
    this.text.addEventListener('input', () => this.refilter());
    this.change.addEventListener('change', () => this.refilter());
    this.type.addEventListener('change', () => this.refilter());
    const bar = h('div', { class: 'diff-filterbar' }, icon('filter'), this.text, this.change, this.type, this.count, textButton('Refresh', () => this.post({ type: 'refresh' }), 'secondary', 'refresh'));
    this.root.append(this.head, this.summary, bar, this.list);
    document.getElementById('app')!.append(this.root);
    const saved = vscode.getState() as { text?: string; change?: string; type?: string } | undefined;
    if (saved) {
      this.text.value = saved.text ?? '';
      this.change.value = saved.change ?? 'all';
    }
    this.head.append(span('diff-progress', 'Comparing…'));
  }

  post(m: DiffViewMessage): void {
    vscode.postMessage(m);
  }

  receive(m: DiffHostMessage): void {
    switch (m.type) {
      case 'progress':
        clear(this.head);
        this.head.append(icon('loading', 'codicon-modifier-spin'), span('diff-progress', m.message));
        break;
      case 'failed':
        clear(this.head);
        clear(this.summary);
        clear(this.list);
        this.head.append(icon('error', 'sev-error'), span('diff-error', m.failure.message));
        break;
      case 'diff':
        this.diff = m.diff;
        this.shownChanges = m.shown;
        this.totalChanges = m.total;
        this.render();
        break;
      case 'test':
        void this.test(m.action);
        break;
    }
  }

  private render(): void {
    const d = this.diff!;
    clear(this.head);
    const s = d.summary;
    const differing = s.added + s.removed + s.changed;
    this.head.append(
      h('span', { class: 'diff-names' }, span('diff-name', baseName(d.a), d.a), icon('arrow-right'), span('diff-name', baseName(d.b), d.b)),
      d.equal
        ? h('span', { class: 'verdict ok', attrs: { id: 'diff-verdict' } }, icon('pass'), span('', 'Same data'))
        : h('span', { class: 'verdict bad', attrs: { id: 'diff-verdict' } }, icon('diff'), span('', `${num(differing)} ${differing === 1 ? 'key differs' : 'keys differ'}`)),
    );
    clear(this.summary);
    const table = h('table', { class: 'diff-counts' });
    table.append(h('tr', {}, ...['type', 'added', 'removed', 'changed', 'unchanged'].map((t) => h('th', { text: t }))));
    const types = Object.keys(s.byType).sort();
    for (const t of types) {
      const c = s.byType[t]!;
      table.append(h('tr', {}, h('td', { text: t }), h('td', { class: 'added', text: num(c.added) }), h('td', { class: 'removed', text: num(c.removed) }), h('td', { class: 'changed', text: num(c.changed) }), h('td', { text: num(c.unchanged) })));
    }
    table.append(h('tr', { class: 'total' }, h('td', { text: 'all' }), h('td', { class: 'added', text: num(s.added) }), h('td', { class: 'removed', text: num(s.removed) }), h('td', { class: 'changed', text: num(s.changed) }), h('td', { text: num(s.unchanged) })));
    this.summary.append(table);
    const f = d.functions;
    if (f && f.added.length + f.removed.length + f.changed.length > 0) {
      this.summary.append(h('div', { class: 'diff-functions', text: `Function libraries: ${[...f.added.map((n) => `+${n}`), ...f.removed.map((n) => `-${n}`), ...f.changed.map((n) => `~${n}`)].join(', ')}` }));
    }
    const current = this.type.value;
    clear(this.type);
    this.type.append(h('option', { text: 'All types', attrs: { value: '' } }));
    for (const t of types) this.type.append(h('option', { text: t, attrs: { value: t } }));
    this.type.value = types.includes(current) ? current : '';
    const saved = vscode.getState() as { type?: string } | undefined;
    if (saved?.type && types.includes(saved.type)) this.type.value = saved.type;
    this.refilter();
  }

  private matches(): { c: DiffChangeJson; i: number }[] {
    const d = this.diff;
    if (!d) return [];
    const text = this.text.value.toLowerCase();
    const change = this.change.value;
    const type = this.type.value;
    const out: { c: DiffChangeJson; i: number }[] = [];
    d.changes.forEach((c, i) => {
      if (change !== 'all' && c.change !== change) return;
      if (type && c.typeAfter !== type && c.typeBefore !== type) return;
      if (text && !jb(c.key).toLowerCase().includes(text)) return;
      out.push({ c, i });
    });
    return out;
  }

  private refilter(): void {
    vscode.setState({ text: this.text.value, change: this.change.value, type: this.type.value });
    this.limit = PAGE;
    this.drawList();
  }

  private drawList(): void {
    clear(this.list);
    const all = this.matches();
    const cut = this.shownChanges < this.totalChanges ? ` (the first ${num(this.shownChanges)} of ${num(this.totalChanges)} changed keys are listed)` : '';
    this.count.textContent = `${num(all.length)} ${all.length === 1 ? 'key' : 'keys'}${cut}`;
    if (this.diff?.equal) this.list.append(h('div', { class: 'diff-empty', text: 'The two datasets hold the same keys, values and TTLs.' }));
    for (const { c, i } of all.slice(0, this.limit)) this.list.append(this.row(c, i));
    if (all.length > this.limit) {
      this.list.append(
        textButton(`Show ${num(Math.min(PAGE, all.length - this.limit))} more`, () => {
          this.limit += PAGE;
          this.drawList();
        }, 'secondary diff-more'),
      );
    }
  }

  private row(c: DiffChangeJson, i: number): HTMLElement {
    const [ic, label] = CHANGE_ICON[c.change];
    const key = jb(c.key);
    const type = c.typeBefore === c.typeAfter || !c.typeBefore || !c.typeAfter ? (c.typeAfter ?? c.typeBefore ?? '') : `${c.typeBefore} → ${c.typeAfter}`;
    const open = this.expanded.has(i);
    const headEl = h(
      'div',
      { class: 'diff-row-head', attrs: { role: 'button', tabindex: 0, 'aria-expanded': open ? 'true' : 'false', 'aria-label': `${label} ${key}, DB ${c.db}, ${type}` } },
      icon(open ? 'chevron-down' : 'chevron-right', 'twistie'),
      icon(ic, `change-${c.change}`),
      span('diff-key mono', key, key),
      span('diff-db', `DB ${c.db}`),
      span(`diff-type type-${c.typeAfter ?? c.typeBefore}`, type),
      span('diff-label', label),
    );
    const el = h('div', { class: `diff-row change-${c.change}`, attrs: { role: 'listitem', 'data-change': c.change } }, headEl);
    const toggle = () => {
      if (this.expanded.has(i)) this.expanded.delete(i);
      else this.expanded.add(i);
      el.replaceWith(this.row(c, i));
    };
    headEl.addEventListener('click', toggle);
    headEl.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      }
    });
    if (open) {
      const { before, after, notes } = sides(c);
      const col = (title: string, lines: Line[], side: 'a' | 'b') => {
        const box = h('div', { class: `diff-side side-${side}` }, h('div', { class: 'diff-side-title' }, span('', title), textButton('Show in inspector', () => this.post({ type: 'reveal', side, key: typeof c.key === 'string' ? c.key : '' }), 'link')));
        if (lines.length === 0) box.append(h('div', { class: 'diff-line none', text: '—' }));
        for (const l of lines) box.append(h('div', { class: `diff-line mono ${l.cls ?? ''}`, text: l.text, title: l.text }));
        return box;
      };
      el.append(h('div', { class: 'diff-sides' }, col(`Before — ${baseName(this.diff!.a)}`, before, 'a'), col(`After — ${baseName(this.diff!.b)}`, after, 'b')));
      for (const n of notes) el.append(h('div', { class: 'diff-note', text: n }));
    }
    return el;
  }

  private async test(a: DiffTestAction): Promise<void> {
    if (a.kind === 'filter') {
      if (a.text !== undefined) this.text.value = a.text;
      if (a.change !== undefined) this.change.value = a.change;
      if (a.type !== undefined) this.type.value = a.type;
      this.refilter();
    } else if (a.kind === 'expandAll') {
      for (const { i } of this.matches().slice(0, this.limit)) this.expanded.add(i);
      this.drawList();
    }
    await new Promise<void>((r) => requestAnimationFrame(() => r()));
    const state: DiffRenderedState = {
      summary: Array.from(this.root.querySelectorAll('#diff-verdict, .diff-counts tr, .diff-functions')).map((e) =>
        (e.tagName === 'TR' ? Array.from(e.children).map((c) => c.textContent ?? '').join(' ') : (e.textContent ?? '')).replace(/\s+/g, ' ').trim(),
      ),
      // "<head> | before: l1 ; l2 | after: l1 ; l2 | note" (sides only when expanded).
      rows: Array.from(this.list.querySelectorAll('.diff-row')).map((e) => {
        const t = (x: Element) => (x.textContent ?? '').replace(/\s+/g, ' ').trim();
        const parts = [t(e.querySelector('.diff-row-head')!)];
        if (e.querySelector('.diff-sides')) {
          parts.push(`before: ${Array.from(e.querySelectorAll('.side-a .diff-line'), t).join(' ; ')}`);
          parts.push(`after: ${Array.from(e.querySelectorAll('.side-b .diff-line'), t).join(' ; ')}`);
        }
        for (const n of Array.from(e.querySelectorAll('.diff-note'))) parts.push(t(n));
        return parts.join(' | ');
      }),
      shown: this.shownChanges,
      total: this.totalChanges,
    };
    this.post({ type: 'rendered', state });
  }
}

const view = new DiffView();
window.addEventListener('message', (e: MessageEvent<DiffHostMessage>) => view.receive(e.data));
view.post({ type: 'ready' });
