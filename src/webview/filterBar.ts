/**
 * The filter bar: key pattern (glob, or regex), case-insensitive toggle, type
 * chips, DB, TTL and minimum size. `onChange` fires on every edit (the app
 * debounces); Enter/F3 and Shift+Enter/Shift+F3 ask for the next/previous match.
 */

import type { DataType } from '../core/rdb/constants.js';
import type { KeyFilter } from '../protocol/editor.js';
import { h, icon, iconButton, span } from './dom.js';
import { parseSize } from './format.js';
import { TYPE_ICON } from './nodes.js';

export const ALL_TYPES: DataType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'];

/** The controls' state as persisted (raw texts, so a half-typed size survives). */
export interface FilterUi {
  pattern: string;
  regex: boolean;
  ignoreCase: boolean;
  types: DataType[];
  db: number | null;
  ttl: '' | NonNullable<KeyFilter['ttl']>;
  minSize: string;
}

export const EMPTY_UI: FilterUi = { pattern: '', regex: false, ignoreCase: false, types: [], db: null, ttl: '', minSize: '' };

const TTL_OPTIONS: [FilterUi['ttl'], string][] = [
  ['', 'Any TTL'],
  ['none', 'No TTL'],
  ['has', 'Has a TTL'],
  ['expired-at-save', 'Expired at save'],
  ['expired-now', 'Expired now'],
];

export class FilterBar {
  readonly el: HTMLElement;
  readonly pattern: HTMLInputElement;
  private readonly regexBtn: HTMLButtonElement;
  private readonly caseBtn: HTMLButtonElement;
  private readonly typeBtns = new Map<DataType, HTMLButtonElement>();
  private readonly db: HTMLSelectElement;
  private readonly ttl: HTMLSelectElement;
  private readonly minSize: HTMLInputElement;
  readonly count: HTMLElement;
  private readonly patternBox: HTMLElement;
  private readonly message: HTMLElement;
  private dbs: number[] = [];
  private state: FilterUi = { ...EMPTY_UI };

  onChange: (immediate: boolean) => void = () => undefined;
  onNext: (back: boolean) => void = () => undefined;

  constructor() {
    this.pattern = h('input', {
      class: 'pattern-input',
      attrs: { type: 'text', id: 'filter-pattern', placeholder: 'Filter keys (glob: user:*)', 'aria-label': 'Key pattern', spellcheck: 'false', autocomplete: 'off' },
    });
    this.regexBtn = this.toggle('regex', 'Use Regular Expression (Alt+R)', () => (this.state.regex = !this.state.regex));
    this.caseBtn = this.toggle('case-sensitive', 'Case-Insensitive Match (Alt+C)', () => (this.state.ignoreCase = !this.state.ignoreCase));
    this.message = h('div', { class: 'input-message', attrs: { role: 'alert' } });
    this.patternBox = h('div', { class: 'input-box pattern-box' }, icon('filter', 'input-icon'), this.pattern, this.regexBtn, this.caseBtn, this.message);

    const chips = h('div', { class: 'type-chips', attrs: { role: 'group', 'aria-label': 'Types' } });
    for (const t of ALL_TYPES) {
      const b = h('button', { class: `chip type-${t}`, title: `Only ${t} keys (toggle)`, attrs: { type: 'button', 'aria-pressed': 'false', 'data-type': t } }, icon(TYPE_ICON[t]!), span('chip-label', t));
      b.addEventListener('click', () => {
        const on = !this.state.types.includes(t);
        this.state.types = on ? [...this.state.types, t] : this.state.types.filter((x) => x !== t);
        this.sync();
        this.onChange(true);
      });
      this.typeBtns.set(t, b);
      chips.append(b);
    }

    this.db = h('select', { class: 'select', attrs: { id: 'db', 'aria-label': 'Database' } });
    this.db.addEventListener('change', () => {
      this.state.db = this.db.value === '' ? null : Number(this.db.value);
      this.onChange(true);
    });
    this.ttl = h('select', { class: 'select', attrs: { id: 'ttl', 'aria-label': 'TTL' } });
    for (const [v, label] of TTL_OPTIONS) this.ttl.append(h('option', { text: label, attrs: { value: v } }));
    this.ttl.addEventListener('change', () => {
      this.state.ttl = this.ttl.value as FilterUi['ttl'];
      this.onChange(true);
    });
    this.minSize = h('input', { class: 'size-input', attrs: { type: 'text', id: 'min-size', placeholder: 'Min size (10k, 2MB)', 'aria-label': 'Minimum serialized size', spellcheck: 'false', autocomplete: 'off' } });
    this.minSize.addEventListener('input', () => {
      this.state.minSize = this.minSize.value;
      this.validateSize();
      this.onChange(false);
    });

    this.count = h('span', { class: 'match-count', attrs: { id: 'match-count', 'aria-live': 'polite' } });
    const prev = iconButton('arrow-up', 'Previous Match (Shift+Enter, Shift+F3)', () => this.onNext(true));
    const next = iconButton('arrow-down', 'Next Match (Enter, F3)', () => this.onNext(false));
    const clearBtn = iconButton('clear-all', 'Clear Filter', () => {
      this.set({ ...EMPTY_UI });
      this.onChange(true);
      this.pattern.focus();
    });

    this.pattern.addEventListener('input', () => {
      this.state.pattern = this.pattern.value;
      this.validatePattern();
      this.onChange(false);
    });
    const keys = (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === 'F3') {
        e.preventDefault();
        this.onNext(e.shiftKey);
      } else if (e.altKey && (e.key === 'r' || e.key === 'R')) {
        e.preventDefault();
        this.regexBtn.click();
      } else if (e.altKey && (e.key === 'c' || e.key === 'C')) {
        e.preventDefault();
        this.caseBtn.click();
      } else if (e.key === 'Escape' && this.pattern.value) {
        e.preventDefault();
        this.pattern.value = '';
        this.state.pattern = '';
        this.validatePattern();
        this.onChange(true);
      }
    };
    this.pattern.addEventListener('keydown', keys);
    this.minSize.addEventListener('keydown', keys);

    this.el = h(
      'div',
      { class: 'filterbar', attrs: { role: 'search', 'aria-label': 'Filter keys' } },
      h('div', { class: 'filter-group search-group' }, this.patternBox, this.count, prev, next, clearBtn),
      h('div', { class: 'filter-group' }, chips, this.db, this.ttl, this.minSize),
    );
    this.sync();
  }

  private toggle(name: string, label: string, flip: () => void): HTMLButtonElement {
    const b = h('button', { class: 'icon-button toggle', title: label, attrs: { type: 'button', 'aria-label': label, 'aria-pressed': 'false' } }, icon(name));
    b.addEventListener('click', () => {
      flip();
      this.sync();
      this.validatePattern();
      this.onChange(true);
    });
    return b;
  }

  private validatePattern(): boolean {
    let msg = '';
    if (this.state.regex && this.state.pattern) {
      try {
        new RegExp(this.state.pattern);
      } catch (e) {
        msg = (e as Error).message;
      }
    }
    this.setMessage(msg);
    return !msg;
  }

  private validateSize(): boolean {
    const v = parseSize(this.state.minSize);
    const bad = v !== undefined && Number.isNaN(v);
    this.minSize.classList.toggle('invalid', bad);
    this.minSize.setAttribute('aria-invalid', bad ? 'true' : 'false');
    this.minSize.title = bad ? 'Not a size: use a number of bytes, or 10k, 2MB, 1.5G' : 'Minimum serialized size (bytes, or 10k, 2MB, 1.5G)';
    return !bad;
  }

  /** Shows a message under the pattern (invalid regex, host error). */
  setMessage(msg: string): void {
    this.message.textContent = msg;
    this.patternBox.classList.toggle('invalid', !!msg);
    this.pattern.setAttribute('aria-invalid', msg ? 'true' : 'false');
  }

  /** True when the controls hold a filter the host can run. */
  get valid(): boolean {
    const p = parseSize(this.state.minSize);
    if (p !== undefined && Number.isNaN(p)) return false;
    if (this.state.regex && this.state.pattern) {
      try {
        new RegExp(this.state.pattern);
      } catch {
        return false;
      }
    }
    return true;
  }

  get ui(): FilterUi {
    return { ...this.state, types: [...this.state.types] };
  }

  /** The protocol filter (only the fields that filter something). */
  get filter(): KeyFilter {
    const s = this.state;
    const f: KeyFilter = {};
    if (s.pattern) {
      f.pattern = s.pattern;
      if (s.regex) f.regex = true;
    }
    if (s.ignoreCase && s.pattern) f.ignoreCase = true;
    if (s.types.length && s.types.length < ALL_TYPES.length) f.types = [...s.types];
    if (s.db !== null) f.db = s.db;
    if (s.ttl) f.ttl = s.ttl;
    const min = parseSize(s.minSize);
    if (min !== undefined && !Number.isNaN(min) && min > 0) f.minSize = min;
    return f;
  }

  set(ui: FilterUi): void {
    this.state = { ...EMPTY_UI, ...ui, types: [...(ui.types ?? [])] };
    this.pattern.value = this.state.pattern;
    this.minSize.value = this.state.minSize;
    this.sync();
    this.validatePattern();
    this.validateSize();
  }

  /** Sets the controls from a protocol filter (test hook). */
  setFilter(f: KeyFilter): void {
    this.set({
      pattern: f.pattern ?? '',
      regex: !!f.regex,
      ignoreCase: !!f.ignoreCase,
      types: f.types ? [...f.types] : [],
      db: f.db ?? null,
      ttl: f.ttl ?? '',
      minSize: f.minSize !== undefined ? String(f.minSize) : '',
    });
  }

  setDbs(dbs: number[]): void {
    const list = [...new Set(dbs)].sort((a, b) => a - b);
    if (list.join(',') === this.dbs.join(',')) return;
    this.dbs = list;
    this.sync();
  }

  private sync(): void {
    const s = this.state;
    this.regexBtn.setAttribute('aria-pressed', String(s.regex));
    this.regexBtn.classList.toggle('checked', s.regex);
    this.caseBtn.setAttribute('aria-pressed', String(s.ignoreCase));
    this.caseBtn.classList.toggle('checked', s.ignoreCase);
    this.pattern.placeholder = s.regex ? 'Filter keys (regular expression)' : 'Filter keys (glob: user:*)';
    for (const [t, b] of this.typeBtns) {
      const on = s.types.includes(t);
      b.setAttribute('aria-pressed', String(on));
      b.classList.toggle('checked', on);
    }
    // DB options: every DB seen, plus the selected one even if not (yet) seen.
    const dbs = new Set(this.dbs);
    if (s.db !== null) dbs.add(s.db);
    while (this.db.firstChild) this.db.removeChild(this.db.firstChild);
    this.db.append(h('option', { text: 'All DBs', attrs: { value: '' } }));
    for (const d of [...dbs].sort((a, b) => a - b)) this.db.append(h('option', { text: `DB ${d}`, attrs: { value: String(d) } }));
    this.db.value = s.db === null ? '' : String(s.db);
    this.ttl.value = s.ttl;
  }
}
