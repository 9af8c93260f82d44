/**
 * The editor webview: toolbar, damage banner, filter bar, the virtual tree and
 * the summary, wired to the host through the protocol of src/protocol/editor.ts.
 */

import type { DisplayMode, HostMessage, IndexState, Overview, RenderedState, RepairView, TestAction } from '../protocol/editor.js';
import { DetailsPane } from './details.js';
import { clear, h, icon, iconButton, span, textButton } from './dom.js';
import { FilterBar, EMPTY_UI } from './filterBar.js';
import { bytes, num, percent, plural, rangeText } from './format.js';
import { formatOffset } from '../core/model/problem.js';
import { Host } from './host.js';
import { ContextMenu, type MenuItem } from './menu.js';
import {
  CommandsNode,
  FunctionsNode,
  HeaderNode,
  InfoNode,
  KeyNode,
  ModulesNode,
  PartNode,
  ProblemNode,
  ProblemsNode,
  SectionNode,
  ctx,
  problemDetails,
  rowOfNode,
  rowText,
  setCtx,
} from './nodes.js';
import { MAX_EXPANDED, readState, type SavedState } from './state.js';
import { Store, isEmptyFilter } from './store.js';
import { SummaryPanel } from './summary.js';
import type { TNode } from './tree.js';
import { TreeView } from './treeView.js';

const QUERY_DEBOUNCE_MS = 150;
/** While indexing, the query is re-run at most this often so new keys show up. */
const REQUERY_WHILE_INDEXING_MS = 1000;
const IS_MAC = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl+';
const ALT = IS_MAC ? '⌥' : 'Alt+';
const SHIFT = IS_MAC ? '⇧' : 'Shift+';

const KIND_TEXT: Record<Overview['kind'], string> = { rdb: 'RDB snapshot', aof: 'AOF', hybrid: 'hybrid AOF (RDB preamble)', manifest: 'multi-part AOF' };

export class App {
  private readonly host = new Host();
  private readonly store = new Store(this.host);
  private readonly tree: TreeView;
  private readonly filterBar = new FilterBar();
  private readonly summary: SummaryPanel;
  private readonly menu = new ContextMenu();
  private readonly details: DetailsPane;
  private showDetails = true;
  private detailsBtn!: HTMLButtonElement;
  private view: 'tree' | 'summary' = 'tree';
  private display: DisplayMode = 'text';
  private readonly expandedIds = new Set<string>();
  private overview: Overview | undefined;
  private index: IndexState | undefined;
  private repairs: RepairView[] = [];
  private undo: { label: string; backup: string } | undefined;
  private registry = new Map<string, TNode>();
  private readonly sectionNodes = new Map<number, SectionNode>();
  private queryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastQueryDoneAt = 0;
  private lastQueryMs = 0;
  private summaryStale = true;
  private summarySeq = 0;
  private summaryLoading = false;
  private restore: { selected?: string; anchor: number } | undefined;
  private savePending = false;
  private stateRead = false;

  // DOM
  private readonly fileName = span('file-name', '');
  private readonly fileMeta = span('file-meta', '');
  private readonly verdict = h('div', { class: 'verdict', text: 'Opening…', attrs: { id: 'verdict', role: 'status' } });
  private readonly progress = h('div', { class: 'progress', attrs: { id: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': 'Indexing' } });
  private readonly progressFill = h('div', { class: 'progress-fill' });
  private readonly progressText = span('progress-text', '');
  private readonly viewBtns = new Map<string, HTMLButtonElement>();
  private readonly displayBtns = new Map<string, HTMLButtonElement>();
  private readonly banner = h('div', { class: 'banner damage-banner', attrs: { id: 'banner', role: 'region', 'aria-label': 'Damage' } });
  private readonly notice = h('div', { class: 'notice', attrs: { role: 'alert' } });
  private readonly treePane = h('div', { class: 'tree-pane' });

  constructor(private readonly root: HTMLElement) {
    setCtx({ store: this.store, display: this.display, expandedIds: this.expandedIds, nowMs: () => Date.now() });
    // The last word before VS Code drops a hidden webview.
    window.addEventListener('pagehide', () => this.saveState());
    this.details = new DetailsPane(
      (text) => this.host.post({ type: 'copy', what: 'text', text }),
      () => this.setDetails(false),
    );
    this.tree = new TreeView(
      {
        select: () => {
          this.updateDetails();
          this.saveStateSoon();
        },
        toggled: (n) => this.onToggled(n),
        activate: (n) => this.activate(n),
        contextMenu: (n, x, y) => this.openMenu(n, x, y),
        key: (e, n) => this.treeKey(e, n),
        rendered: () => {
          this.updateDetails();
          this.saveStateSoon();
        },
      },
      'File structure and keys',
    );
    this.summary = new SummaryPanel({
      revealKey: (id) => {
        this.setView('tree');
        void this.revealKey(id, { focus: true });
      },
      filterPrefix: (prefix) => {
        this.filterBar.set({ ...EMPTY_UI, pattern: prefix.replace(/[*?[\]\\]/g, (c) => '\\' + c) + '*' });
        this.setView('tree');
        this.scheduleQuery(true);
      },
    });
    this.build();
    this.store.onChange = () => this.tree.schedule();
    this.store.onQuery = (same) => this.onQuery(same);
    this.store.onKeysPage = (section, from, rows) => this.reopenKeys(section, from, rows);
    this.host.onMessage = (m) => this.onMessage(m);
    this.filterBar.onChange = (immediate) => {
      this.scheduleQuery(immediate);
      this.saveStateSoon();
    };
    this.filterBar.onNext = (back) => void this.nextMatch(back);
    const saved = readState(this.host.getState());
    if (saved) this.applyState(saved);
    this.stateRead = !!saved;
    this.host.post({ type: 'ready' });
  }

  // ---- layout -----------------------------------------------------------------------------

  private build(): void {
    const viewSeg = h('div', { class: 'segmented', attrs: { role: 'radiogroup', 'aria-label': 'View' } });
    for (const [v, label, ic] of [
      ['tree', 'Tree', 'list-tree'],
      ['summary', 'Summary', 'graph'],
    ] as const) {
      const b = h('button', { class: 'seg', title: `${label} view`, attrs: { type: 'button', role: 'radio', 'aria-checked': 'false', 'data-view': v } }, icon(ic), span('seg-label', label));
      b.addEventListener('click', () => this.setView(v));
      this.viewBtns.set(v, b);
      viewSeg.append(b);
    }
    const dispSeg = h('div', { class: 'segmented', attrs: { role: 'radiogroup', 'aria-label': 'Display values as' } });
    for (const [m, label, tip] of [
      ['text', 'Text', 'Values as UTF-8 text (control characters shown as symbols)'],
      ['escaped', 'Escaped', 'Values escaped as redis-cli prints them ("\\x00")'],
      ['hex', 'Hex', 'Values as hex bytes'],
      ['json', 'JSON', 'Values pretty-printed as JSON when they parse as JSON, else text'],
    ] as const) {
      const b = h('button', { class: 'seg', title: tip, text: label, attrs: { type: 'button', role: 'radio', 'aria-checked': 'false', 'data-mode': m } });
      b.addEventListener('click', () => this.setDisplay(m));
      this.displayBtns.set(m, b);
      dispSeg.append(b);
    }
    // Radio groups: arrow keys move between options.
    for (const seg of [viewSeg, dispSeg]) {
      seg.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        const btns = Array.from(seg.querySelectorAll<HTMLButtonElement>('button'));
        const i = btns.indexOf(document.activeElement as HTMLButtonElement);
        const next = btns[(i + (e.key === 'ArrowRight' ? 1 : btns.length - 1)) % btns.length]!;
        next.focus();
        next.click();
        e.preventDefault();
      });
    }
    const cancel = textButton('Cancel', () => this.host.post({ type: 'cancelIndex' }), 'secondary small', 'debug-stop');
    cancel.title = 'Stop indexing (what was read so far stays)';
    const track = h('div', { class: 'progress-track' }, this.progressFill);
    this.progress.append(track, this.progressText, cancel);
    const reload = iconButton('refresh', 'Reload the file', () => this.reload());
    this.detailsBtn = iconButton('layout-panel', 'Toggle Details (the selected row in full)', () => this.setDetails(!this.showDetails), 'toggle');

    const toolbar = h(
      'header',
      { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Editor' } },
      h('div', { class: 'file' }, icon('file-binary', 'file-icon'), this.fileName, this.fileMeta),
      this.verdict,
      this.progress,
      h('div', { class: 'spacer' }),
      viewSeg,
      dispSeg,
      this.detailsBtn,
      reload,
    );
    this.treePane.append(this.tree.el, this.details.el);
    this.summary.el.hidden = true;
    this.banner.hidden = true;
    this.notice.hidden = true;
    this.root.append(toolbar, this.banner, this.notice, this.filterBar.el, h('main', { class: 'content' }, this.treePane, this.summary.el));
    this.syncSegments();
    this.setDetails(this.showDetails);
    document.addEventListener('keydown', (e) => this.globalKey(e));
  }

  /** The key filter is shown in the tree view, when the file has keys (a plain AOF has none). */
  private syncFilterBar(): void {
    const ov = this.overview;
    const keyless = !!ov && ov.sections.length === 0 && !ov.parts.some((p) => p.rdb);
    this.filterBar.el.hidden = this.view !== 'tree' || keyless;
  }

  private setDetails(on: boolean): void {
    this.showDetails = on;
    this.details.el.hidden = !on;
    this.detailsBtn.setAttribute('aria-pressed', String(on));
    this.detailsBtn.classList.toggle('checked', on);
    this.detailsBtn.hidden = this.view !== 'tree';
    if (on) this.updateDetails();
    this.saveStateSoon();
  }

  private updateDetails(): void {
    if (!this.showDetails) return;
    const sel = this.tree.selected;
    this.details.show(sel && this.tree.indexOf(sel) >= 0 ? rowOfNode(sel) : undefined);
  }

  private syncSegments(): void {
    for (const [v, b] of this.viewBtns) {
      b.setAttribute('aria-checked', String(v === this.view));
      b.classList.toggle('checked', v === this.view);
      b.tabIndex = v === this.view ? 0 : -1;
    }
    for (const [m, b] of this.displayBtns) {
      b.setAttribute('aria-checked', String(m === this.display));
      b.classList.toggle('checked', m === this.display);
      b.tabIndex = m === this.display ? 0 : -1;
    }
  }

  // ---- host messages ----------------------------------------------------------------------

  private onMessage(m: HostMessage): void {
    switch (m.type) {
      case 'init':
        this.store.hexEditor = m.hexEditor;
        if (!this.stateRead) {
          const r = readState(m.restore);
          if (r) this.applyState(r);
          this.stateRead = true;
        }
        this.applyOverview(m.overview, true);
        this.scheduleQuery(true);
        if (this.view === 'summary') this.requestSummary();
        break;
      case 'overview':
        this.applyOverview(m.overview, false);
        break;
      case 'progress':
        this.applyIndex(m.index);
        break;
      case 'repairs':
        this.repairs = m.repairs;
        this.undo = m.undo;
        this.renderBanner();
        break;
      case 'error':
        this.showNotice(m.message);
        break;
      case 'test':
        void this.runTest(m.action);
        break;
      default:
        // Replies (queryResult, keys, value, commands, summary) are matched by seq in Host.
        break;
    }
  }

  private applyOverview(ov: Overview, first: boolean): void {
    const prev = this.index;
    // A new indexing pass (reload, a repair re-opened the file): a new worker whose query ids and
    // pages have nothing to do with what is cached.
    const restarted =
      !!prev &&
      !!this.overview &&
      (ov.size !== this.overview.size ||
        ov.index.offset < prev.offset ||
        ov.index.elapsedMs < prev.elapsedMs ||
        (prev.done && !ov.index.done) ||
        (prev.done && ov.index.done && ov.index.elapsedMs !== prev.elapsedMs));
    if (restarted) this.forgetData();
    const wasDone = this.index?.done ?? true;
    const hadOverview = !!this.overview;
    this.overview = ov;
    this.store.overview = ov;
    this.store.epoch++;
    this.store.refreshCommandTails();
    this.buildTree(ov);
    this.filterBar.setDbs(ov.sections.map((s) => s.db));
    this.syncFilterBar();
    this.renderFile();
    this.renderBanner();
    this.applyIndex(ov.index, !first && hadOverview && !wasDone);
    if (restarted || (!this.store.query && this.store.queryInFlight === 0 && !this.queryTimer)) this.scheduleQuery(true);
    else this.requeryWhileIndexing();
    this.tree.schedule();
  }

  /** Drops every cached page, the query and the open keys (their rows are re-opened by id). */
  private forgetData(): void {
    this.store.resetAll();
    for (const sn of this.sectionNodes.values()) sn.clearOpen();
    const sel = this.tree.selected;
    if (sel && this.keyAncestor(sel)) this.tree.selected = undefined;
    this.summaryStale = true;
    this.tree.invalidateRows();
  }

  /** While indexing, the query runs again now and then so that new keys show up (spaced by its own cost). */
  private requeryWhileIndexing(): void {
    if (!this.index || this.index.done || this.store.queryInFlight > 0 || this.queryTimer || !this.store.query) return;
    const gap = Math.max(REQUERY_WHILE_INDEXING_MS, 3 * this.lastQueryMs);
    if (Date.now() - this.lastQueryDoneAt > gap) this.scheduleQuery(true);
  }

  private applyIndex(ix: IndexState, checkDone = true): void {
    const wasDone = this.index?.done;
    this.index = ix;
    this.renderProgress();
    if (checkDone && wasDone === false && ix.done) {
      // Indexing finished: the query and the summary have their final answers now.
      this.store.refreshCommandTails();
      this.scheduleQuery(true);
      this.summaryStale = true;
      if (this.view === 'summary') this.requestSummary();
    }
    this.updateMatchCount();
    if (checkDone) this.requeryWhileIndexing();
  }

  // ---- toolbar, banner --------------------------------------------------------------------

  private renderFile(): void {
    const ov = this.overview!;
    this.fileName.textContent = ov.name;
    this.fileName.title = ov.location;
    const bits = [KIND_TEXT[ov.kind], bytes(ov.size)];
    if (ov.kind === 'manifest') bits.push(plural(ov.parts.length, 'file'));
    this.fileMeta.textContent = bits.join(' · ');
    clear(this.verdict);
    if (ov.ok) {
      this.verdict.className = 'verdict ok';
      this.verdict.append(icon('pass'), span('', ov.index.done ? 'Valid' : 'Valid so far'));
    } else {
      this.verdict.className = 'verdict damaged';
      const where = `valid up to offset ${formatOffset(ov.validUpTo)}${ov.validUpToFile ? ` in ${ov.validUpToFile}` : ''}`;
      this.verdict.append(icon('error'), span('', `Damaged — ${where}`));
    }
    this.verdict.title = this.verdict.textContent ?? '';
  }

  private renderProgress(): void {
    const ix = this.index;
    if (!ix || ix.done) {
      this.progress.hidden = true;
      if (ix?.cancelled) {
        this.progress.hidden = false;
        this.progress.classList.add('cancelled');
        this.progressFill.style.width = `${ix.size ? (ix.offset / ix.size) * 100 : 0}%`;
        this.progressText.textContent = `Indexing cancelled at ${percent(ix.offset, ix.size)} · ${plural(ix.keys, 'key')}`;
        this.progress.querySelector('button')?.setAttribute('hidden', '');
      }
      return;
    }
    this.progress.hidden = false;
    this.progress.classList.remove('cancelled');
    this.progress.querySelector('button')?.removeAttribute('hidden');
    const pct = ix.size ? (ix.offset / ix.size) * 100 : 0;
    this.progressFill.style.width = `${pct}%`;
    this.progress.setAttribute('aria-valuenow', String(Math.floor(pct)));
    const secs = ix.elapsedMs / 1000;
    const rate = secs > 0.05 ? ix.keys / secs : 0;
    const bits = [`Indexing ${percent(ix.offset, ix.size)}`, plural(ix.keys, 'key')];
    if (rate > 0) bits.push(`${num(Math.round(rate))} keys/s`);
    if (ix.commands) bits.push(plural(ix.commands, 'command'));
    this.progressText.textContent = bits.join(' · ');
  }

  private firstError(): Overview['problems'][number] | undefined {
    const ps = this.overview?.problems ?? [];
    return ps.find((p) => p.severity === 'error') ?? ps[0];
  }

  private bannerSig = '';

  private renderBanner(): void {
    const ov = this.overview;
    const sig = JSON.stringify([ov?.ok, ov?.validUpTo, ov?.validUpToFile, ov ? this.firstError() : undefined, ov?.problems.length, this.repairs, this.undo]);
    if (sig === this.bannerSig) return;
    this.bannerSig = sig;
    clear(this.banner);
    const damaged = !!ov && !ov.ok;
    if (!damaged && this.repairs.length === 0 && !this.undo) {
      this.banner.hidden = true;
      return;
    }
    this.banner.hidden = false;
    const body = h('div', { class: 'banner-body' });
    if (damaged) {
      const p = this.firstError();
      const title = h('div', { class: 'banner-title' }, span('', p ? p.message : `The file is damaged: valid up to offset ${formatOffset(ov.validUpTo)}`));
      body.append(title);
      if (p) {
        const bits = problemDetails(p, true);
        if (!p.file && ov.validUpToFile) bits.push(`file ${ov.validUpToFile}`);
        body.append(h('div', { class: 'banner-detail', text: bits.join(' · ') }));
      }
      const links = h('div', { class: 'banner-links' });
      const show = h('button', { class: 'link-button', text: 'Show', attrs: { type: 'button', id: 'banner-show' } });
      show.addEventListener('click', () => void this.showProblem(p));
      const panel = h('button', { class: 'link-button', text: 'Show in Problems panel', attrs: { type: 'button' } });
      panel.addEventListener('click', () => this.host.post({ type: 'openProblems' }));
      links.append(show, panel);
      if ((ov.problems.length ?? 0) > 1) links.append(span('dim', `${plural(ov.problems.length, 'problem')} in all`));
      body.append(links);
    } else if (this.undo) {
      body.append(h('div', { class: 'banner-title', text: 'Repaired' }));
    }
    if (this.repairs.length || this.undo) {
      const box = h('div', { class: 'repairs', attrs: { id: 'repairs', role: 'group', 'aria-label': 'Repairs' } });
      for (const r of this.repairs) {
        const first = r.removals[0];
        const where = first ? ` at ${rangeText(first.start, first.end)}${r.removals.length > 1 ? ` (+${r.removals.length - 1} more ranges)` : ''}` : '';
        const what = `removes ${plural(r.bytesRemoved, 'byte')}${r.commandsRemoved !== undefined ? ` / ${plural(r.commandsRemoved, 'command')}` : ''}${where}${r.dropFiles.length ? `, drops ${r.dropFiles.join(', ')}` : ''}`;
        const b = h(
          'button',
          { class: `repair-button${r.removesDamage === false ? ' secondary' : ''}`, title: `${r.summary}\nFile: ${r.file}\nA backup is made first.`, attrs: { type: 'button', 'data-index': r.index, 'data-kind': r.kind } },
          icon('tools'),
          h('span', { class: 'repair-text' }, span('repair-label', r.label), span('repair-what', what), span('sr-only', ` — ${r.summary}`)),
        );
        b.addEventListener('click', () => this.host.post({ type: 'repair', index: r.index }));
        box.append(b);
      }
      if (this.undo) {
        const u = h('button', { class: 'repair-button secondary undo', title: `Restore ${this.undo.backup}`, attrs: { type: 'button', 'data-undo': 'true' } }, icon('discard'), h('span', { class: 'repair-text' }, span('repair-label', 'Undo last repair'), span('repair-what', this.undo.label)));
        u.addEventListener('click', () => this.host.post({ type: 'undoRepair' }));
        box.append(u);
      }
      body.append(box);
    }
    this.banner.className = `banner damage-banner ${damaged ? 'error' : 'info'}`;
    this.banner.append(icon(damaged ? 'error' : 'info', 'banner-icon'), body);
  }

  private showNotice(message: string): void {
    clear(this.notice);
    this.notice.hidden = false;
    this.notice.append(
      icon('warning'),
      span('notice-text', message),
      iconButton('close', 'Dismiss', () => {
        this.notice.hidden = true;
      }),
    );
  }

  // ---- tree structure ---------------------------------------------------------------------

  private buildTree(ov: Overview): void {
    const multi = ov.kind === 'manifest' || ov.parts.length > 1;
    const reg = new Map<string, TNode>();
    const get = <T extends TNode>(id: string, make: () => T, update?: (n: T) => void): T => {
      let n = this.registry.get(id) as T | undefined;
      if (n) update?.(n);
      else n = make();
      reg.set(id, n);
      return n;
    };
    const kids: TNode[] = [];
    const parts = [...ov.parts].sort((a, b) => Number(!a.loaded) - Number(!b.loaded));
    this.sectionNodes.clear();
    for (const part of parts) {
      const prefix = multi ? `p${part.id}/` : '';
      const pk: TNode[] = [];
      if (part.rdb) {
        pk.push(get(`${prefix}hdr`, () => new HeaderNode(prefix, part), (n) => n.update(part)));
        if (part.rdb.functions.length) pk.push(get(`${prefix}fn`, () => new FunctionsNode(prefix, part), (n) => n.update(part)));
        if (part.rdb.modules.length) pk.push(get(`${prefix}mod`, () => new ModulesNode(prefix, part), (n) => n.update(part)));
      }
      for (const s of ov.sections) {
        if (s.part !== part.id) continue;
        const sn = get(`s${s.id}`, () => new SectionNode(s), (n) => (n.section = s));
        this.sectionNodes.set(s.id, sn);
        pk.push(sn);
      }
      if (part.aof) pk.push(get(`${prefix}cmd`, () => new CommandsNode(prefix, part), (n) => (n.part = part)));
      if (part.error) pk.push(new InfoNode(`${prefix}error`, 'Cannot read', part.error, undefined, 'error', 'error'));
      if (multi) {
        const pn = get(`p${part.id}`, () => new PartNode(part), (n) => (n.part = part));
        pn.kids = pk;
        kids.push(pn);
      } else kids.push(...pk);
    }
    if (ov.problems.length) kids.push(get('problems', () => new ProblemsNode(ov.problems, multi), (n) => (n.problems = ov.problems)));
    this.registry = reg;
    this.tree.root.kids = kids;
  }

  /** Sections in tree order (for next/previous match). */
  private orderedSections(): number[] {
    const out: number[] = [];
    const walk = (nodes: readonly TNode[]) => {
      for (const n of nodes) {
        if (n instanceof SectionNode) out.push(n.section.id);
        else if (n instanceof PartNode) walk(n.kids);
      }
    };
    walk(this.tree.root.kids);
    return out;
  }

  private onToggled(n: TNode): void {
    if (!n.expanded && n instanceof KeyNode && n.key) this.store.dropValue(n.key.id);
    // Keep the persisted set bounded.
    if (this.expandedIds.size > MAX_EXPANDED) {
      const drop = [...this.expandedIds].slice(0, this.expandedIds.size - MAX_EXPANDED);
      for (const d of drop) this.expandedIds.delete(d);
    }
    this.saveStateSoon();
  }

  /** Keys expanded before a query change are opened again where their rows land. */
  private reopenKeys(section: number, from: number, rows: { id: number }[]): void {
    const sn = this.sectionNodes.get(section);
    if (!sn) return;
    let any = false;
    rows.forEach((r, i) => {
      if (!this.expandedIds.has(`k${r.id}`) || sn.open.has(from + i)) return;
      const kn = new KeyNode(section, from + i);
      if (!kn.key) return;
      kn.expanded = true;
      sn.keepOpen(from + i, kn);
      any = true;
    });
    if (any) this.tree.schedule();
  }

  // ---- queries ----------------------------------------------------------------------------

  private scheduleQuery(immediate: boolean): void {
    if (this.queryTimer) clearTimeout(this.queryTimer);
    this.queryTimer = undefined;
    if (immediate) void this.query();
    else
      this.queryTimer = setTimeout(() => {
        this.queryTimer = undefined;
        void this.query();
      }, QUERY_DEBOUNCE_MS);
  }

  private async query(): Promise<void> {
    if (this.queryTimer) {
      clearTimeout(this.queryTimer);
      this.queryTimer = undefined;
    }
    if (!this.overview) return;
    if (!this.filterBar.valid) {
      this.updateMatchCount();
      return;
    }
    const t = Date.now();
    this.updateMatchCount(true);
    await this.store.runQuery(this.filterBar.filter);
    this.lastQueryDoneAt = Date.now();
    this.lastQueryMs = this.lastQueryDoneAt - t;
    this.filterBar.setMessage(this.store.queryError ?? '');
    if (this.store.queryError && this.restore) this.restore = undefined;
    this.updateMatchCount();
  }

  private onQuery(same: boolean): void {
    if (!same) {
      for (const sn of this.sectionNodes.values()) sn.clearOpen();
      // A selection among the old rows points nowhere now.
      const sel = this.tree.selected;
      if (sel) {
        let n: TNode | undefined = sel;
        while (n && !(n.parent instanceof SectionNode)) n = n.parent;
        if (n && n.parent instanceof SectionNode) this.tree.selected = n.parent;
      }
      this.tree.measureAll();
      // New results: start from the top (a restored position is applied below).
      if (!this.restore) this.tree.setAnchor(0);
    }
    this.updateMatchCount();
    this.tree.schedule();
    if (this.restore) {
      const r = this.restore;
      this.restore = undefined;
      this.tree.setAnchor(r.anchor);
      if (r.selected) {
        const n = this.registry.get(r.selected);
        if (n) this.tree.select(n, { reveal: false });
        else if (/^k\d+$/.test(r.selected)) void this.revealKey(Number(r.selected.slice(1)), { reveal: false, clearFilter: false });
      }
    }
  }

  private updateMatchCount(pending = false): void {
    const el = this.filterBar.count;
    const q = this.store.query;
    if (!this.filterBar.valid) {
      el.textContent = 'invalid filter';
      return;
    }
    if (!q) {
      el.textContent = pending ? 'searching…' : '';
      return;
    }
    const filtered = !isEmptyFilter(this.store.filter);
    let text = filtered ? plural(q.total, 'match', 'matches') : plural(q.total, 'key');
    // Partial while indexing runs, and for good when it was cancelled.
    if (!q.complete || (this.index && (!this.index.done || this.index.cancelled))) text += ' so far';
    if (pending || this.store.queryInFlight > 0) text += ' …';
    el.textContent = text;
    el.classList.toggle('none', filtered && q.total === 0);
  }

  // ---- navigation -------------------------------------------------------------------------

  private keyAncestor(n: TNode | undefined): KeyNode | undefined {
    for (let x = n; x; x = x.parent) if (x instanceof KeyNode) return x;
    return undefined;
  }

  private async nextMatch(back: boolean): Promise<void> {
    if (this.queryTimer || this.store.queryInFlight) await this.query();
    const q = this.store.query;
    if (!q || q.total === 0) return;
    const order = this.orderedSections();
    const prefix = new Map<number, number>();
    let acc = 0;
    for (const s of order) {
      prefix.set(s, acc);
      acc += this.store.sectionCount(s);
    }
    const total = acc;
    if (total === 0) return;
    const sel = this.tree.selected;
    const kn = this.keyAncestor(sel);
    let g: number;
    if (kn) g = (prefix.get(kn.section) ?? 0) + kn.pos;
    else if (sel instanceof SectionNode) g = (prefix.get(sel.section.id) ?? 0) - 1;
    else g = -1;
    let next: number;
    if (back) next = g <= 0 ? total - 1 : g - 1;
    else next = g + 1 >= total ? 0 : g + 1;
    // Back from inside a key (its value rows) lands on the key itself.
    if (back && kn && sel !== kn) next = g;
    for (const s of order) {
      const c = this.store.sectionCount(s);
      const start = prefix.get(s)!;
      if (next < start + c) {
        this.selectKeyAt(s, next - start, { focus: false, center: false });
        return;
      }
    }
  }

  private expandAncestors(n: TNode): void {
    for (let p = n.parent; p && p !== this.tree.root; p = p.parent) if (!p.expanded) this.tree.setExpanded(p, true);
  }

  /** Selects the key row at `pos` of `section` (expanding the section). */
  private selectKeyAt(section: number, pos: number, opts: { focus?: boolean; center?: boolean; reveal?: boolean } = {}): KeyNode | undefined {
    const sn = this.sectionNodes.get(section);
    if (!sn) return undefined;
    this.expandAncestors(sn);
    if (!sn.expanded) this.tree.setExpanded(sn, true);
    this.tree.measureAll();
    const node = sn.virt(pos) as KeyNode;
    this.tree.select(node, { reveal: opts.reveal !== false, center: opts.center ?? true, focus: opts.focus });
    return node;
  }

  /**
   * Reveals the key with `id`: its position in the current query when known
   * (cached pages; with no filter, `id − firstKey`), otherwise the filter is
   * cleared first. Resolves with the key's node once its row is loaded.
   */
  async revealKey(id: number, opts: { expand?: boolean; focus?: boolean; reveal?: boolean; clearFilter?: boolean } = {}): Promise<KeyNode | undefined> {
    const ov = this.overview;
    if (!ov) return undefined;
    const s = ov.sections.find((x) => id >= x.firstKey && id < x.firstKey + x.keys);
    if (!s) {
      this.showNotice(`Key #${id} is not indexed${this.index && !this.index.done ? ' yet' : ''}.`);
      return undefined;
    }
    if (this.queryTimer || this.store.queryInFlight) await this.query();
    let pos: number | undefined;
    const cached = this.store.findCachedKey(id);
    if (cached) pos = cached.pos;
    else if (this.store.query && isEmptyFilter(this.store.filter)) pos = id - s.firstKey;
    else if (opts.clearFilter !== false) {
      this.filterBar.set({ ...EMPTY_UI });
      await this.query();
      pos = id - s.firstKey;
    }
    if (pos === undefined) return undefined;
    const row = await this.store.loadKey(s.id, pos);
    if (!row || row.id !== id) {
      const again = this.store.findCachedKey(id);
      if (!again) return undefined;
      pos = again.pos;
    }
    const node = this.selectKeyAt(s.id, pos, { focus: opts.focus, reveal: opts.reveal, center: true });
    if (node && opts.expand && !node.expanded) this.tree.setExpanded(node, true);
    return node;
  }

  private async revealCommand(part: number, index: number): Promise<void> {
    const cn = [...this.registry.values()].find((n): n is CommandsNode => n instanceof CommandsNode && n.part.id === part);
    if (!cn || index < 0 || index >= cn.virtCount()) return;
    this.expandAncestors(cn);
    if (!cn.expanded) this.tree.setExpanded(cn, true);
    this.tree.measureAll();
    this.tree.select(cn.virt(index), { center: true, focus: true });
  }

  private async showProblem(p: Overview['problems'][number] | undefined): Promise<void> {
    if (!p) return;
    this.setView('tree');
    if (p.keyId !== undefined) {
      await this.revealKey(p.keyId, { focus: true });
      return;
    }
    if (p.command !== undefined && p.part !== undefined) {
      await this.revealCommand(p.part, p.command - 1);
      return;
    }
    const pn = this.registry.get('problems') as ProblemsNode | undefined;
    if (!pn) return;
    const i = this.overview!.problems.indexOf(p);
    if (!pn.expanded) this.tree.setExpanded(pn, true);
    this.tree.measureAll();
    this.tree.select(pn.virt(Math.max(0, i)), { center: true, focus: true });
  }

  private activate(n: TNode): boolean {
    if (n instanceof ProblemNode) {
      void this.showProblem(n.problem);
      return true;
    }
    return false;
  }

  // ---- view, display ----------------------------------------------------------------------

  private setView(v: 'tree' | 'summary'): void {
    if (v === this.view) return;
    this.view = v;
    this.syncSegments();
    this.treePane.hidden = v !== 'tree';
    this.syncFilterBar();
    this.summary.el.hidden = v !== 'summary';
    this.detailsBtn.hidden = v !== 'tree';
    if (v === 'summary' && (this.summaryStale || !this.summary.hasData)) this.requestSummary();
    else if (v === 'summary' && this.summary.displayMode !== this.display) this.requestSummary();
    if (v === 'tree') this.tree.schedule();
    this.saveStateSoon();
  }

  private setDisplay(m: DisplayMode): void {
    if (m === this.display) return;
    this.display = m;
    ctx.display = m;
    this.syncSegments();
    this.tree.invalidateRows();
    if (this.view === 'summary' && this.summary.hasData) this.requestSummary();
    this.saveStateSoon();
  }

  private requestSummary(): void {
    if (!this.overview) return;
    const seq = ++this.summarySeq;
    this.summaryLoading = true;
    if (!this.summary.hasData) this.summary.showStatus('Loading the summary…');
    this.host
      .request({ type: 'summary' })
      .then((m) => {
        if (seq !== this.summarySeq) return;
        this.summaryStale = !(this.index?.done ?? true);
        this.summary.render(m.summary, this.display, this.overview?.kind ?? 'rdb', !(this.index?.done ?? true));
      })
      .catch((e: Error) => {
        if (seq === this.summarySeq) this.summary.showStatus(`The summary failed: ${e.message}`);
      })
      .finally(() => {
        if (seq === this.summarySeq) this.summaryLoading = false;
      });
  }

  private reload(): void {
    this.host.reset();
    this.forgetData();
    this.index = undefined;
    this.host.post({ type: 'reload' });
  }

  // ---- context menu and shortcuts ---------------------------------------------------------

  private menuItems(n: TNode): (MenuItem | 'separator')[] {
    const d = rowOfNode(n);
    const kn = this.keyAncestor(n);
    const keyId = kn?.key?.id ?? (n instanceof ProblemNode ? n.problem.keyId : undefined);
    const items: (MenuItem | 'separator')[] = [];
    const isKeyRow = n instanceof KeyNode && !!n.key;
    if (!isKeyRow) items.push({ label: 'Copy', icon: 'copy', keys: `${MOD}C`, run: () => this.copyText(n) });
    if (keyId !== undefined) {
      items.push({ label: 'Copy Key', icon: 'symbol-key', keys: isKeyRow ? `${MOD}C` : undefined, run: () => this.host.post({ type: 'copy', what: 'key', keyId }) });
      items.push({ label: 'Copy Value', icon: 'symbol-string', keys: `${MOD}${SHIFT}C`, run: () => this.host.post({ type: 'copy', what: 'value', keyId }) });
      items.push({ label: 'Copy as RESP Command', icon: 'terminal', keys: `${MOD}${ALT}C`, run: () => this.host.post({ type: 'copy', what: 'resp', keyId }) });
    }
    if (d.offset !== undefined) {
      const offset = d.offset;
      items.push('separator');
      items.push({ label: `Copy Offset (${formatOffset(offset)})`, icon: 'symbol-numeric', keys: `${MOD}${ALT}O`, run: () => this.host.post({ type: 'copy', what: 'offset', offset }) });
      if (this.store.hexEditor) items.push({ label: 'Reveal in Hex Editor', icon: 'file-binary', keys: `${MOD}${ALT}H`, run: () => this.revealOffset(n) });
    }
    if (n instanceof ProblemNode && (n.problem.keyId !== undefined || n.problem.command !== undefined)) {
      items.push('separator', { label: n.problem.keyId !== undefined ? 'Show Key' : 'Show Command', icon: 'go-to-file', keys: 'Enter', run: () => void this.showProblem(n.problem) });
    }
    if (n.expandable()) items.push('separator', { label: n.expanded ? 'Collapse' : 'Expand', icon: n.expanded ? 'chevron-up' : 'chevron-down', keys: 'Enter', run: () => this.tree.toggle(n) });
    return items;
  }

  private openMenu(n: TNode, x: number, y: number): void {
    this.menu.open(this.menuItems(n), x, y);
  }

  private copyText(n: TNode): void {
    const d = rowOfNode(n);
    const text = d.copy ?? rowText(d);
    this.host.post({ type: 'copy', what: 'text', text });
  }

  private revealOffset(n: TNode): void {
    const d = rowOfNode(n);
    if (d.offset === undefined || !this.store.hexEditor) return;
    const m: { type: 'revealOffset'; offset: number; part?: number } = { type: 'revealOffset', offset: d.offset };
    if (d.part !== undefined) m.part = d.part;
    this.host.post(m);
  }

  /** Shortcuts on a tree row; true when handled. */
  private treeKey(e: KeyboardEvent, n: TNode | undefined): boolean {
    if (e.key === 'F3') {
      void this.nextMatch(e.shiftKey);
      return true;
    }
    const mod = e.ctrlKey || e.metaKey;
    if (!n || !mod) return false;
    const k = e.key.toLowerCase();
    const kn = this.keyAncestor(n);
    const keyId = kn?.key?.id;
    if (k === 'c' && e.altKey && !e.shiftKey) {
      if (keyId !== undefined) this.host.post({ type: 'copy', what: 'resp', keyId });
      return keyId !== undefined;
    }
    if (k === 'c' && e.shiftKey) {
      if (keyId !== undefined) this.host.post({ type: 'copy', what: 'value', keyId });
      return keyId !== undefined;
    }
    if (k === 'c') {
      if (n instanceof KeyNode && n.key) this.host.post({ type: 'copy', what: 'key', keyId: n.key.id });
      else this.copyText(n);
      return true;
    }
    if ((k === 'o' || e.code === 'KeyO') && e.altKey) {
      const d = rowOfNode(n);
      if (d.offset !== undefined) this.host.post({ type: 'copy', what: 'offset', offset: d.offset });
      return true;
    }
    if ((k === 'h' || e.code === 'KeyH') && e.altKey) {
      this.revealOffset(n);
      return true;
    }
    return false;
  }

  private globalKey(e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && !e.shiftKey && (e.key === 'f' || e.key === 'F') && this.view === 'tree') {
      // Ctrl+F: the key filter (webviews have no find of their own here).
      e.preventDefault();
      this.filterBar.pattern.focus();
      this.filterBar.pattern.select();
    } else if (e.key === 'F3' && !(e.target instanceof HTMLInputElement) && !this.tree.el.contains(e.target as Node)) {
      e.preventDefault();
      void this.nextMatch(e.shiftKey);
    }
  }

  // ---- state ------------------------------------------------------------------------------

  private applyState(s: SavedState): void {
    this.filterBar.set(s.filter);
    this.showDetails = s.details;
    this.display = s.display;
    ctx.display = s.display;
    for (const id of s.expanded) this.expandedIds.add(id);
    this.restore = { selected: s.selected, anchor: s.anchor };
    this.view = 'tree';
    this.syncSegments();
    if (s.view === 'summary') {
      this.summaryStale = true;
      this.view = 'summary';
      this.treePane.hidden = true;
      this.syncFilterBar();
      this.summary.el.hidden = false;
      this.syncSegments();
    }
    if (this.detailsBtn) this.setDetails(this.showDetails);
  }

  /**
   * Saves before this task ends (one save for all changes of one event): VS
   * Code destroys a hidden webview at once, so a change must not wait for a
   * timer that may never fire. `setState` is cheap (a small object).
   */
  private saveStateSoon(): void {
    if (this.savePending) return;
    this.savePending = true;
    queueMicrotask(() => {
      this.savePending = false;
      this.saveState();
    });
  }

  private saveState(): void {
    if (!this.overview || this.restore) return;
    const s: SavedState = {
      v: 1,
      filter: this.filterBar.ui,
      view: this.view,
      display: this.display,
      expanded: [...this.expandedIds].slice(-MAX_EXPANDED),
      selected: this.tree.selected?.id,
      anchor: this.tree.anchor,
      details: this.showDetails,
    };
    this.host.setState(s);
  }

  // ---- test hook --------------------------------------------------------------------------

  private async runTest(a: TestAction): Promise<void> {
    try {
      switch (a.kind) {
        case 'snapshot':
          break;
        case 'filter':
          this.setView('tree');
          this.filterBar.setFilter(a.filter);
          this.saveStateSoon();
          await this.query();
          break;
        case 'expandKey':
          this.setView('tree');
          await this.revealKey(a.keyId, { expand: true });
          break;
        case 'expandPath':
          this.setView('tree');
          await this.expandPath(a.path);
          break;
        case 'scrollTo':
          this.setView('tree');
          this.tree.measureAll();
          this.tree.setAnchor(a.row);
          break;
        case 'view':
          this.setView(a.view);
          break;
        case 'display':
          this.setDisplay(a.mode);
          break;
        case 'nextMatch':
          this.setView('tree');
          await this.nextMatch(!!a.back);
          break;
      }
    } catch (e) {
      this.showNotice(`test action failed: ${(e as Error).message}`);
    }
    await this.settle();
    this.host.post({ type: 'rendered', state: this.renderedState() });
  }

  /** Resolves once nothing is in flight and no "loading…" row is drawn (at most 15 s). */
  private async settle(): Promise<void> {
    const until = Date.now() + 15_000;
    for (;;) {
      await new Promise<void>((r) => requestAnimationFrame(() => r()));
      if (this.view === 'tree') this.tree.render();
      const loading = this.view === 'tree' ? this.tree.domRows().some((r) => r.data.loading) : this.summaryLoading;
      if (!loading && !this.store.busy && this.host.inFlight === 0 && !this.queryTimer) {
        // One more frame so that what arrived last is drawn.
        await new Promise<void>((r) => requestAnimationFrame(() => r()));
        if (this.view === 'tree') this.tree.render();
        if (!this.tree.domRows().some((r) => r.data.loading) || this.view !== 'tree') return;
      }
      if (Date.now() > until) return;
    }
  }

  private renderedState(): RenderedState {
    const q = this.store.query;
    const indexing = !!this.index && !this.index.done;
    if (this.view === 'summary') {
      const rows = Array.from(this.summary.el.querySelectorAll('h2, h3, .card, tr, .bar-row, .tile')).map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').replace(/\s+/g, ' ').trim());
      return { view: 'summary', rows, totalRows: rows.length, ...(q ? { matchCount: q.total } : {}), indexing };
    }
    const rows = this.tree.domRows().map((r) => rowText(r.data));
    const sel = this.tree.selected;
    return {
      view: 'tree',
      rows,
      totalRows: this.tree.total,
      ...(q ? { matchCount: q.total } : {}),
      ...(sel ? { selected: rowText(rowOfNode(sel)) } : {}),
      indexing,
    };
  }

  /**
   * Test hook `expandPath`: '/'-separated segments from the top; a segment
   * matches a child by its id, by the last part of its id, or by the start of
   * its label (case-insensitive). A first segment `k<id>` reveals that key.
   * Every node on the way is expanded, the last one is selected.
   */
  private async expandPath(path: string): Promise<void> {
    const segs = path.split('/').filter(Boolean);
    let node: TNode = this.tree.root;
    let i = 0;
    const first = /^k(\d+)$/.exec(segs[0] ?? '');
    if (first) {
      const kn = await this.revealKey(Number(first[1]), { expand: true });
      if (!kn) return;
      node = kn;
      i = 1;
    }
    for (; i < segs.length; i++) {
      if (!node.expanded && node !== this.tree.root) this.tree.setExpanded(node, true);
      const seg = segs[i]!.toLowerCase();
      const parent: TNode = node;
      const matches = (k: TNode) => k.id.toLowerCase() === seg || k.id.toLowerCase().endsWith('/' + seg) || rowText(rowOfNode(k)).toLowerCase().startsWith(seg);
      let child = await this.waitFor(() => {
        this.tree.measureAll();
        const kids = [...parent.statics()];
        if (kids.some((k) => k.kind === 'loading')) return undefined;
        return kids.find(matches) ?? null;
      });
      // The keys of a section: the first pages of the current query, by name.
      if (!child && parent instanceof SectionNode) {
        const n = Math.min(parent.virtCount(), 2000);
        for (let pos = 0; pos < n && !child; pos++) {
          if (!(await this.store.loadKey(parent.section.id, pos))) break;
          const k = parent.virt(pos);
          if (matches(k)) child = k;
        }
      }
      if (!child) return;
      node = child;
    }
    if (node !== this.tree.root) {
      if (node.expandable() && !node.expanded) this.tree.setExpanded(node, true);
      this.tree.measureAll();
      // The node at the top, so that what it holds fills the view.
      this.tree.select(node, { reveal: false });
      const r = this.tree.indexOf(node);
      if (r >= 0) this.tree.setAnchor(r);
    }
  }

  /** Polls `f` every frame until it returns a value (not undefined); null = give up. */
  private async waitFor<T>(f: () => T | null | undefined, ms = 10_000): Promise<T | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      this.tree.render();
      const v = f();
      if (v === null) return undefined;
      if (v !== undefined) return v;
      if (Date.now() > until) return undefined;
      await new Promise<void>((r) => requestAnimationFrame(() => r()));
    }
  }
}

