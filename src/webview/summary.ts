/**
 * The Summary view: totals, keys/expires/bytes per DB and type, size per type
 * as bars, the biggest keys (click → reveal in the tree), key prefixes as a
 * squarified treemap (bars when narrow) and, for AOFs, commands by name.
 */

import type { DataType } from '../core/rdb/constants.js';
import type { DisplayMode, SummaryView } from '../protocol/editor.js';
import { bytesText, copyText } from './bytesView.js';
import { clear, h, icon, span } from './dom.js';
import { bytes, num, percent, plural } from './format.js';
import { TYPE_ICON } from './nodes.js';
import { drawTreemap } from './treemap.js';

const TYPES: DataType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'];
/** Below this width the prefix treemap becomes bars. */
const TREEMAP_MIN_WIDTH = 480;
const TREEMAP_HEIGHT = 300;

export interface SummaryHandlers {
  revealKey(id: number): void;
  filterPrefix(prefix: string): void;
}

interface Bar {
  label: string;
  value: number;
  text: string;
  cls?: string;
  icon?: string;
}

function bars(items: Bar[], label: string): HTMLElement {
  const max = Math.max(1, ...items.map((i) => i.value));
  const box = h('div', { class: 'bars', attrs: { role: 'list', 'aria-label': label } });
  for (const it of items) {
    const fill = h('div', { class: `bar-fill ${it.cls ?? ''}`.trim() });
    fill.style.width = `${Math.max(0.5, (it.value / max) * 100)}%`;
    box.append(
      h(
        'div',
        { class: 'bar-row', attrs: { role: 'listitem', 'aria-label': `${it.label}: ${it.text}` } },
        h('span', { class: 'bar-label', title: it.label }, it.icon ? icon(it.icon, it.cls) : null, span('', it.label)),
        h('div', { class: 'bar-track' }, fill),
        span('bar-value', it.text),
      ),
    );
  }
  return box;
}

function table(head: string[], rows: (string | Node)[][], label: string, numeric: boolean[] = []): HTMLTableElement {
  const t = h('table', { class: 'grid', attrs: { 'aria-label': label } });
  const tr = h('tr');
  head.forEach((c, i) => tr.append(h('th', { text: c, class: numeric[i] ? 'num' : '', attrs: { scope: 'col' } })));
  t.append(h('thead', {}, tr));
  const body = h('tbody');
  for (const r of rows) {
    const row = h('tr');
    r.forEach((c, i) => row.append(h('td', { class: numeric[i] ? 'num' : '' }, c)));
    body.append(row);
  }
  t.append(body);
  return t;
}

function card(label: string, value: string, sub?: string): HTMLElement {
  return h('div', { class: 'card' }, span('card-value', value), span('card-label', label), sub ? span('card-sub', sub) : null);
}

export class SummaryPanel {
  readonly el: HTMLElement;
  private data: SummaryView | undefined;
  private mapBox: HTMLElement | undefined;
  private lastWidth = 0;
  private display: DisplayMode = 'text';
  status = '';

  constructor(private readonly handlers: SummaryHandlers) {
    this.el = h('div', { class: 'summary', attrs: { id: 'summary', tabindex: -1, role: 'region', 'aria-label': 'Summary' } });
    new ResizeObserver(() => {
      const w = this.el.clientWidth;
      if (this.data && Math.abs(w - this.lastWidth) > 8) this.drawPrefixes();
    }).observe(this.el);
  }

  showStatus(text: string): void {
    this.status = text;
    if (!this.data) {
      clear(this.el);
      this.el.append(h('p', { class: 'summary-status', text }));
    }
  }

  render(s: SummaryView, display: DisplayMode, kind: string, indexing: boolean): void {
    this.data = s;
    this.display = display;
    clear(this.el);
    const el = this.el;
    el.append(h('h2', { text: indexing ? 'Summary (indexing: numbers so far)' : 'Summary' }));
    const cards = h('div', { class: 'cards' }, card('keys', num(s.keys)), card('with a TTL', num(s.expires), s.keys ? percent(s.expires, s.keys) : undefined), card('serialized', bytes(s.bytes), `${num(s.bytes)} bytes`), card('databases', num(s.dbs.length)));
    if (s.commandsByName) cards.append(card('commands', num(s.commandsByName.reduce((n, c) => n + c.count, 0)), plural(s.commandsByName.length, 'name')));
    el.append(cards);

    // Per DB.
    if (s.dbs.length) {
      const present = TYPES.filter((t) => s.dbs.some((d) => (d.byType[t] ?? 0) > 0));
      el.append(h('h3', { text: 'By database' }));
      el.append(
        table(
          ['DB', 'keys', 'expires', 'bytes', ...present],
          s.dbs.map((d) => [`DB ${d.db}`, num(d.keys), num(d.expires), bytes(d.bytes), ...present.map((t) => num(d.byType[t] ?? 0))]),
          'Keys, expires and bytes per database and type',
          [false, true, true, true, ...present.map(() => true)],
        ),
      );
    }

    // Per type.
    const types = TYPES.filter((t) => s.byType[t]);
    if (types.length) {
      el.append(h('h3', { text: 'By type' }));
      const grid = h('div', { class: 'two-col' });
      grid.append(
        table(
          ['type', 'keys', 'expires', 'elements', 'bytes'],
          types.map((t) => {
            const v = s.byType[t]!;
            return [h('span', { class: `type-cell type-${t}` }, icon(TYPE_ICON[t]!), span('', t)), num(v.keys), num(v.expires), num(v.elements), bytes(v.bytes)];
          }),
          'Keys per type',
          [false, true, true, true, true],
        ),
      );
      grid.append(
        bars(
          types.map((t) => ({ label: t, value: s.byType[t]!.bytes, text: `${bytes(s.byType[t]!.bytes)} · ${percent(s.byType[t]!.bytes, s.bytes)}`, cls: `type-${t}`, icon: TYPE_ICON[t] })),
          'Serialized size per type',
        ),
      );
      el.append(h('h4', { text: 'Serialized size per type', class: 'sr-only' }), grid);
    }

    // Biggest keys.
    if (s.biggest.length) {
      el.append(h('h3', { text: `Biggest keys (${s.biggest.length})` }));
      const list = h('table', { class: 'grid biggest', attrs: { 'aria-label': 'Biggest keys' } });
      list.append(h('thead', {}, h('tr', {}, ...['key', 'type', 'DB', 'elements', 'size'].map((c, i) => h('th', { text: c, class: i >= 2 ? 'num' : '', attrs: { scope: 'col' } })))));
      const body = h('tbody');
      for (const b of s.biggest) {
        const name = bytesText(b.key, display);
        const link = h('button', { class: 'link-button mono', title: `${copyText(b.key, display)}\nReveal in the tree`, attrs: { type: 'button', 'data-id': b.id } }, name);
        link.addEventListener('click', () => this.handlers.revealKey(b.id));
        body.append(h('tr', {}, h('td', { class: 'key-cell' }, link), h('td', {}, h('span', { class: `type-cell type-${b.type}` }, icon(TYPE_ICON[b.type] ?? 'symbol-key'), span('', b.type))), h('td', { class: 'num', text: String(b.db) }), h('td', { class: 'num', text: num(b.count) }), h('td', { class: 'num', text: bytes(b.bytes) })));
      }
      list.append(body);
      el.append(list);
    }

    // Prefixes.
    if (s.prefixes.length) {
      el.append(h('h3', { text: 'Key prefixes by serialized size' }));
      if (s.prefixesTruncated) el.append(h('p', { class: 'note', text: 'Only the largest prefixes are listed.' }));
      this.mapBox = h('div', { class: 'prefix-map' });
      el.append(this.mapBox);
      this.drawPrefixes();
    } else this.mapBox = undefined;

    // Commands.
    if (s.commandsByName && s.commandsByName.length) {
      el.append(h('h3', { text: `Commands by name (${kind === 'rdb' ? '' : 'AOF'})`.replace(' ()', '') }));
      const top = s.commandsByName.slice(0, 40);
      el.append(bars(top.map((c) => ({ label: c.name.toUpperCase(), value: c.count, text: num(c.count), cls: 'cmd' })), 'Commands by name'));
      if (s.commandsByName.length > top.length) el.append(h('p', { class: 'note', text: `and ${s.commandsByName.length - top.length} more names` }));
    }
  }

  private drawPrefixes(): void {
    const s = this.data;
    const box = this.mapBox;
    if (!s || !box) return;
    clear(box);
    const width = this.el.clientWidth - 32;
    this.lastWidth = this.el.clientWidth;
    const items = s.prefixes
      .filter((p) => p.bytes > 0 || p.keys > 0)
      .slice(0, 60)
      .map((p) => ({
        label: p.prefix === '' ? '(no prefix)' : p.prefix,
        value: p.bytes || p.keys,
        detail: `${bytes(p.bytes)} · ${plural(p.keys, 'key')}`,
        onClick: () => this.handlers.filterPrefix(p.prefix),
      }));
    if (width < TREEMAP_MIN_WIDTH) {
      box.classList.remove('treemap');
      box.style.height = '';
      box.append(bars(items.map((i) => ({ label: i.label, value: i.value, text: i.detail })), 'Key prefixes'));
      return;
    }
    box.classList.add('treemap');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', 'Key prefixes treemap');
    box.style.height = `${TREEMAP_HEIGHT}px`;
    box.style.width = `${width}px`;
    drawTreemap(box, items, width, TREEMAP_HEIGHT);
  }

  get hasData(): boolean {
    return !!this.data;
  }

  get displayMode(): DisplayMode {
    return this.display;
  }
}
