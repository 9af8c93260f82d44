/**
 * The virtual tree: fixed row height, only the rows in view (plus a small
 * overscan) in the DOM, redrawn in requestAnimationFrame. When rows × height
 * is more than a browser lays out (~10M px), the scroll space is capped and
 * scrollTop maps proportionally onto rows (the wheel then moves by rows).
 * Keyboard: the WAI-ARIA tree pattern with a roving tabindex.
 */

import { h } from './dom.js';
import { ctx, rowOfNode, type RowData } from './nodes.js';
import { fillRow } from './rows.js';
import { measure, rowAt, rowOf, TNode, isWithin } from './tree.js';

export const ROW_HEIGHT = 22;
/** Largest scroll space we ask the browser for. */
export const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN = 4;

/** What a row's DOM depends on (long texts only by their start and length). */
function rowSig(d: RowData): string {
  return JSON.stringify(d, (k, v: unknown) => (typeof v === 'string' && v.length > 300 ? `${v.length}:${v.slice(0, 300)}` : k === 'details' ? undefined : v));
}

export class RootNode extends TNode {
  kids: TNode[] = [];
  constructor() {
    super('root', 'part');
    this.expanded = true;
    this.level = -1;
  }
  expandable(): boolean {
    return true;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
}

export interface TreeEvents {
  /** Selection moved (also by keyboard). */
  select(node: TNode | undefined): void;
  /** Expand/collapse happened (persist state). */
  toggled(node: TNode): void;
  /** Row activated by click/Enter where that means something (problems). */
  activate(node: TNode): boolean;
  contextMenu(node: TNode, x: number, y: number): void;
  /** Copy shortcuts etc. Return true when handled. */
  key(ev: KeyboardEvent, node: TNode | undefined): boolean;
  /** A frame was drawn. */
  rendered(): void;
}

export class TreeView {
  readonly el: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  readonly root = new RootNode();
  total = 0;
  /** First visible row (fractional): the scroll position's source of truth. */
  anchor = 0;
  selected: TNode | undefined;
  private viewportH = 400;
  private spacerH = -1;
  private programmaticTop = -1;
  private raf = 0;
  private readonly rowEls = new Map<string, { el: HTMLElement; sig: string; node: TNode; data: RowData }>();
  private focusInside = false;
  /** Bumped to force every row to be rebuilt (display mode changed). */
  private generation = 0;

  constructor(
    private readonly events: TreeEvents,
    label: string,
  ) {
    this.layer = h('div', { class: 'tree-layer', attrs: { role: 'presentation' } });
    this.spacer = h('div', { class: 'tree-spacer', attrs: { 'aria-hidden': 'true' } });
    this.el = h('div', { class: 'tree', attrs: { role: 'tree', 'aria-label': label, tabindex: 0 } }, this.layer, this.spacer);
    this.el.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.el.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.el.addEventListener('mousedown', (e) => this.onMouseDown(e));
    this.el.addEventListener('dblclick', (e) => this.onDblClick(e));
    this.el.addEventListener('contextmenu', (e) => this.onContextMenu(e));
    this.el.addEventListener('focusin', () => (this.focusInside = true));
    this.el.addEventListener('focusout', (e) => {
      if (!e.relatedTarget || !this.el.contains(e.relatedTarget as Node)) this.focusInside = false;
    });
    new ResizeObserver(() => {
      this.viewportH = this.el.clientHeight || this.viewportH;
      this.schedule();
    }).observe(this.el);
  }

  // ---- geometry ---------------------------------------------------------------------------

  get scaled(): boolean {
    return this.total * ROW_HEIGHT > MAX_SCROLL_PX;
  }

  get pageRows(): number {
    return Math.max(1, Math.floor(this.viewportH / ROW_HEIGHT));
  }

  private get maxAnchor(): number {
    return Math.max(0, this.total - this.viewportH / ROW_HEIGHT);
  }

  private scrollSpace(): number {
    return Math.min(this.total * ROW_HEIGHT, MAX_SCROLL_PX);
  }

  private topFor(anchor: number): number {
    if (!this.scaled) return anchor * ROW_HEIGHT;
    const range = Math.max(1, this.scrollSpace() - this.viewportH);
    return this.maxAnchor > 0 ? (anchor / this.maxAnchor) * range : 0;
  }

  private anchorFor(top: number): number {
    if (!this.scaled) return top / ROW_HEIGHT;
    const range = Math.max(1, this.scrollSpace() - this.viewportH);
    return (top / range) * this.maxAnchor;
  }

  private onScroll(): void {
    const top = this.el.scrollTop;
    if (this.programmaticTop >= 0 && Math.abs(top - this.programmaticTop) <= 1) return;
    this.programmaticTop = -1;
    this.anchor = this.anchorFor(top);
    this.schedule();
  }

  private onWheel(e: WheelEvent): void {
    if (!this.scaled || e.ctrlKey) return;
    e.preventDefault();
    const rows = e.deltaMode === 1 ? e.deltaY : e.deltaMode === 2 ? e.deltaY * this.pageRows : e.deltaY / ROW_HEIGHT;
    this.setAnchor(this.anchor + rows);
  }

  /** Scrolls so that row `a` (fractional) is the first visible one. */
  setAnchor(a: number): void {
    this.anchor = Math.max(0, Math.min(this.maxAnchor, a));
    this.syncSpacer();
    const top = this.topFor(this.anchor);
    this.programmaticTop = top;
    this.el.scrollTop = top;
    // The browser may clamp or round: remember what it took.
    this.programmaticTop = this.el.scrollTop;
    this.schedule();
  }

  /** Scrolls the least needed to show row `r`. */
  reveal(r: number, center = false): void {
    this.measureAll();
    const rows = this.viewportH / ROW_HEIGHT;
    if (center) this.setAnchor(r - rows / 2 + 0.5);
    else if (r < this.anchor) this.setAnchor(r);
    else if (r + 1 > this.anchor + rows) this.setAnchor(r + 1 - Math.floor(rows));
  }

  private syncSpacer(): void {
    const space = this.scrollSpace();
    const h = Math.max(0, space - this.viewportH);
    if (h !== this.spacerH) {
      this.spacerH = h;
      this.spacer.style.height = `${h}px`;
    }
    this.layer.style.height = `${this.viewportH}px`;
  }

  // ---- drawing ----------------------------------------------------------------------------

  schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.render();
    });
  }

  /** Rebuild every row on the next frame (display mode, time changed). */
  invalidateRows(): void {
    this.generation++;
    this.schedule();
  }

  measureAll(): void {
    measure(this.root);
    this.total = this.root.size - 1;
  }

  nodeAt(r: number): TNode | undefined {
    return r >= 0 && r < this.total ? rowAt(this.root, r + 1) : undefined;
  }

  indexOf(n: TNode): number {
    const r = rowOf(this.root, n);
    return r < 0 ? -1 : r - 1;
  }

  render(): void {
    if (this.raf) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
    }
    this.measureAll();
    this.syncSpacer();
    this.anchor = Math.max(0, Math.min(this.maxAnchor, this.anchor));
    if (this.programmaticTop < 0) {
      // Keep the scrollbar where the anchor is (rows were added or removed above).
      const want = this.topFor(this.anchor);
      if (Math.abs(this.el.scrollTop - want) > 1) {
        this.programmaticTop = want;
        this.el.scrollTop = want;
        this.programmaticTop = this.el.scrollTop;
      }
    }
    const first = Math.floor(this.anchor);
    const frac = this.anchor - first;
    const visible = Math.ceil(this.viewportH / ROW_HEIGHT) + 1;
    const from = Math.max(0, first - OVERSCAN);
    const to = Math.min(this.total, first + visible + OVERSCAN);
    ctx.store.beginFrame();
    const seen = new Set<string>();
    const selKey = this.selected ? this.selected.domKey : undefined;
    const selIndex = this.selected ? this.indexOf(this.selected) : -1;
    let focusEl: HTMLElement | undefined;
    const ordered: HTMLElement[] = [];
    for (let r = from; r < to; r++) {
      const node = this.nodeAt(r);
      if (!node) continue;
      const key = node.domKey;
      seen.add(key);
      const data = rowOfNode(node);
      const isSel = r === selIndex && key === selKey;
      if (isSel) this.selected = node;
      const setSize = node.parent ? node.parent.statics().length + node.parent.virtCount() : 1;
      const sig = `${this.generation}|${node.level}|${node.expanded}|${node.expandable()}|${setSize}|${node.slot}|${rowSig(data)}`;
      let entry = this.rowEls.get(key);
      if (!entry) {
        const el = h('div', { class: 'row' });
        entry = { el, sig: '', node, data };
        this.rowEls.set(key, entry);
      }
      ordered.push(entry.el);
      entry.node = node;
      entry.data = data;
      if (entry.sig !== sig) {
        fillRow(entry.el, node, data, isSel, setSize);
        entry.sig = sig;
      } else if (entry.el.classList.contains('selected') !== isSel) {
        // Selection alone changed: no rebuild (keeps the element under the pointer and focus).
        entry.el.classList.toggle('selected', isSel);
        entry.el.setAttribute('aria-selected', String(isSel));
      }
      entry.el.dataset.row = String(r);
      entry.el.style.transform = `translateY(${Math.round((r - first - frac) * ROW_HEIGHT)}px)`;
      entry.el.tabIndex = isSel ? 0 : -1;
      if (isSel) focusEl = entry.el;
    }
    let lostFocus = false;
    for (const [key, entry] of this.rowEls) {
      if (seen.has(key)) continue;
      if (entry.el === document.activeElement) lostFocus = true;
      entry.el.remove();
      this.rowEls.delete(key);
    }
    // DOM order = visual order (screen readers read the DOM); rows already in order are not moved.
    let cursor = this.layer.firstElementChild;
    for (const el of ordered) {
      if (el === cursor) cursor = cursor.nextElementSibling;
      else this.layer.insertBefore(el, cursor);
    }
    // Roving tabindex: the selected row when drawn, else the tree itself.
    this.el.tabIndex = focusEl ? -1 : 0;
    if (this.focusInside && (lostFocus || document.activeElement === this.el || !this.el.contains(document.activeElement))) {
      (focusEl ?? this.el).focus({ preventScroll: true });
    }
    ctx.store.flush();
    this.events.rendered();
  }

  /** Rows in the DOM, top to bottom. */
  domRows(): { el: HTMLElement; node: TNode; data: RowData; row: number }[] {
    return [...this.rowEls.values()].map((e) => ({ el: e.el, node: e.node, data: e.data, row: Number(e.el.dataset.row) })).sort((a, b) => a.row - b.row);
  }

  /** Rows whose top lies inside the viewport. */
  visibleRows(): { el: HTMLElement; node: TNode; data: RowData; row: number }[] {
    const first = Math.floor(this.anchor);
    const last = this.anchor + this.viewportH / ROW_HEIGHT;
    return this.domRows().filter((r) => r.row >= first && r.row < last);
  }

  // ---- selection and expansion --------------------------------------------------------------

  select(node: TNode | undefined, opts: { reveal?: boolean; center?: boolean; focus?: boolean } = {}): void {
    this.selected = node;
    if (node && opts.reveal !== false) {
      const r = this.indexOf(node);
      if (r >= 0) this.reveal(r, opts.center);
    }
    if (opts.focus) this.focusInside = true;
    this.events.select(node);
    this.schedule();
    if (opts.focus) {
      this.render();
      const e = this.selected ? this.rowEls.get(this.selected.domKey) : undefined;
      (e?.el ?? this.el).focus({ preventScroll: true });
    }
  }

  selectRow(r: number, focus = true): void {
    this.measureAll();
    const clamped = Math.max(0, Math.min(this.total - 1, r));
    const n = this.nodeAt(clamped);
    if (n) this.select(n, { focus });
  }

  setExpanded(node: TNode, expanded: boolean): void {
    if (!node.expandable() && expanded) return;
    if (node.expanded === expanded) return;
    const p = node.parent;
    const vi = node.virtIndex;
    if (expanded) {
      if (p && vi >= 0) p.keepOpen(vi, node);
      node.expanded = true;
      ctx.expandedIds.add(node.id);
      ctx.expandedIds.delete('!' + node.id);
    } else {
      node.expanded = false;
      if (p && vi >= 0) p.dropOpen(vi);
      ctx.expandedIds.delete(node.id);
      ctx.expandedIds.add('!' + node.id);
      if (this.selected && this.selected !== node && isWithin(this.selected, node)) this.selected = node;
    }
    this.events.toggled(node);
    this.schedule();
  }

  toggle(node: TNode): void {
    this.setExpanded(node, !node.expanded);
  }

  private rowFromEvent(e: Event): { el: HTMLElement; node: TNode } | undefined {
    const el = (e.target as HTMLElement).closest?.('.row') as HTMLElement | null;
    if (!el) return undefined;
    for (const entry of this.rowEls.values()) if (entry.el === el) return { el, node: entry.node };
    return undefined;
  }

  private onMouseDown(e: MouseEvent): void {
    const hit = this.rowFromEvent(e);
    if (!hit) return;
    if (e.button === 0) {
      const onTwistie = (e.target as HTMLElement).classList.contains('twistie');
      this.select(hit.node, { reveal: false, focus: true });
      if (onTwistie) this.toggle(hit.node);
      else if (!this.events.activate(hit.node) && e.detail === 1 && hit.node.expandable() && hit.node.kind !== 'key') this.toggle(hit.node);
      e.preventDefault();
    } else if (e.button === 2) {
      this.select(hit.node, { reveal: false, focus: true });
    }
  }

  private onDblClick(e: MouseEvent): void {
    const hit = this.rowFromEvent(e);
    if (hit && hit.node.kind === 'key') this.toggle(hit.node);
  }

  private onContextMenu(e: MouseEvent): void {
    const hit = this.rowFromEvent(e);
    e.preventDefault();
    if (hit) this.events.contextMenu(hit.node, e.clientX, e.clientY);
  }

  /** Opens the context menu for the selected row (keyboard). */
  contextMenuForSelection(): void {
    if (!this.selected) return;
    const e = this.rowEls.get(this.selected.domKey);
    const r = (e?.el ?? this.el).getBoundingClientRect();
    this.events.contextMenu(this.selected, r.left + 24, r.top + ROW_HEIGHT);
  }

  private onKey(e: KeyboardEvent): void {
    this.measureAll();
    let cur = this.selected ? this.indexOf(this.selected) : -1;
    if (this.selected && cur < 0) {
      // Selection hidden under a collapsed ancestor: start from that ancestor.
      for (let n = this.selected.parent; n && n !== this.root; n = n.parent) {
        const r = this.indexOf(n);
        if (r >= 0) {
          cur = r;
          break;
        }
      }
    }
    const node = cur >= 0 ? this.nodeAt(cur) : undefined;
    if (this.events.key(e, node)) {
      e.preventDefault();
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const page = this.pageRows;
    switch (e.key) {
      case 'ArrowDown':
        this.selectRow(cur < 0 ? Math.floor(this.anchor) : cur + 1);
        break;
      case 'ArrowUp':
        this.selectRow(cur < 0 ? Math.floor(this.anchor) : cur - 1);
        break;
      case 'PageDown':
        this.selectRow(cur < 0 ? Math.floor(this.anchor) : cur + page - 1);
        break;
      case 'PageUp':
        this.selectRow(cur < 0 ? Math.floor(this.anchor) : cur - page + 1);
        break;
      case 'Home':
        this.selectRow(0);
        break;
      case 'End':
        this.selectRow(this.total - 1);
        break;
      case 'ArrowRight':
        if (!node) this.selectRow(Math.floor(this.anchor));
        else if (node.expandable() && !node.expanded) this.setExpanded(node, true);
        else if (node.expanded) this.selectRow(cur + 1);
        break;
      case 'ArrowLeft':
        if (!node) break;
        if (node.expanded) this.setExpanded(node, false);
        else if (node.parent && node.parent !== this.root) this.select(node.parent, { focus: true });
        break;
      case 'Enter':
      case ' ':
        if (!node) break;
        if (!this.events.activate(node) && node.expandable()) this.toggle(node);
        break;
      case 'ContextMenu':
        this.contextMenuForSelection();
        break;
      case 'F10':
        if (e.shiftKey) this.contextMenuForSelection();
        else return;
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}
