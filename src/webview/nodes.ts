/**
 * The tree's node kinds and what each row shows (`RowData`). Rows are data
 * here; src/webview/rows.ts turns them into DOM. Every byte string is rendered
 * through src/webview/bytesView.ts in the current display mode.
 */

import type {
  AuxView,
  BytesView,
  CommandRow,
  DisplayMode,
  ElementRow,
  FunctionView,
  KeyRow,
  ModuleAuxView,
  PartView,
  ProblemView,
  SectionView,
  StreamGroupView,
  ValuePage,
} from '../protocol/editor.js';
import { bytesText, copyText, renderBytes, truncationNote } from './bytesView.js';
import { bytes, countNoun, dateTime, evictionText, hex, num, plural, rangeText, relativeToNow, scoreText, ttlText } from './format.js';
import { formatOffset } from '../core/model/problem.js';
import type { Store } from './store.js';
import { TNode, type RowKind } from './tree.js';

/** What the nodes read: set once by the app. */
export interface Ctx {
  store: Store;
  display: DisplayMode;
  /** Ids of expanded nodes (restored across tab switches and queries). */
  expandedIds: Set<string>;
  nowMs: () => number;
}

export let ctx: Ctx;
export function setCtx(c: Ctx): void {
  ctx = c;
}

/** A piece of a row's main text. */
export interface Part {
  text: string;
  cls?: string;
  title?: string;
}

/** Fixed-width columns of key rows. */
export interface KeyCells {
  type: string;
  typeIcon: string;
  encoding: string;
  ttl: string;
  ttlTitle: string;
  evict: string;
  count: string;
  size: string;
  sizeTitle: string;
}

/** Columns of AOF command rows. */
export interface CommandCells {
  index: string;
  /** Local time of the last #TS before the command ('' before the first; undefined: the file has none). */
  time?: string;
  db?: string;
  tx?: 'start' | 'mid' | 'end';
  warning?: string;
}

export interface RowData {
  icon?: string;
  iconClass?: string;
  main: Part[];
  desc?: string;
  key?: KeyCells;
  command?: CommandCells;
  /** Byte range `[start, end)`, or a lone offset. */
  range?: [number, number] | number;
  /** Full text for the tooltip (the row is cut visually). */
  title?: string;
  classes?: string[];
  keyId?: number;
  loading?: boolean;
  /** Offset for "Copy offset" / "Reveal in Hex Editor". */
  offset?: number;
  part?: number;
  /** Text copied by "Copy text" (full, not cut). */
  copy?: string;
  /** What the details pane shows (full texts, multi-line; JSON pretty-printed). */
  details?: Detail[];
}

export interface Detail {
  label: string;
  text: string;
  note?: string;
}

export function rowText(d: RowData): string {
  const out: string[] = [d.main.map((p) => p.text).join('')];
  if (d.command) {
    if (d.command.db) out.unshift(d.command.db);
    if (d.command.time) out.unshift(d.command.time);
    out.unshift(d.command.index);
  }
  if (d.key) {
    const k = d.key;
    for (const c of [k.type, k.encoding, k.ttl, k.evict, k.count, k.size]) if (c) out.push(c);
  }
  if (d.desc) out.push(d.desc);
  if (d.range !== undefined) out.push(typeof d.range === 'number' ? hex(d.range) : rangeText(d.range[0], d.range[1]));
  return out.join(' · ');
}

export const TYPE_ICON: Record<string, string> = {
  string: 'symbol-string',
  list: 'list-ordered',
  set: 'symbol-array',
  zset: 'symbol-numeric',
  hash: 'symbol-field',
  stream: 'pulse',
  module: 'extensions',
  unknown: 'question',
};

function initExpanded(n: TNode, byDefault = false): void {
  n.expanded = ctx.expandedIds.has(n.id) || (byDefault && !ctx.expandedIds.has('!' + n.id));
}

/** A leaf with a label, a description and a range. */
export class InfoNode extends TNode {
  constructor(
    id: string,
    private readonly label: string,
    private readonly value: string,
    private readonly range?: [number, number] | number,
    private readonly ic = 'symbol-property',
    kind: RowKind = 'info',
  ) {
    super(id, kind);
  }
  expandable(): boolean {
    return false;
  }
  row(): RowData {
    return { icon: this.ic, main: [{ text: this.label, cls: 'label' }], desc: this.value, range: this.range, copy: `${this.label}: ${this.value}`, offset: typeof this.range === 'number' ? this.range : this.range?.[0] };
  }
}

/** "loading…" (or the error) while a page is in flight. */
export class LoadingNode extends TNode {
  constructor(
    id: string,
    private readonly probe: () => unknown,
  ) {
    super(id, 'loading');
  }
  expandable(): boolean {
    return false;
  }
  row(): RowData {
    const r = this.probe();
    if (r && typeof r === 'object' && 'error' in r) return errorRow(String((r as { error: string }).error));
    return loadingRow();
  }
}

export function loadingRow(): RowData {
  return { icon: 'loading', iconClass: 'codicon-modifier-spin', main: [{ text: 'loading…', cls: 'dim' }], loading: true, classes: ['loading'] };
}

export function errorRow(message: string): RowData {
  return { icon: 'error', iconClass: 'sev-error', main: [{ text: `failed: ${message}`, cls: 'error-text' }], classes: ['failed'] };
}

// ---- parts, header, functions, modules ----------------------------------------------------

const ROLE_TEXT: Record<PartView['role'], string> = { rdb: 'RDB', aof: 'AOF', base: 'base', incr: 'incr', history: 'history' };

export class PartNode extends TNode {
  kids: TNode[] = [];
  constructor(public part: PartView) {
    super(`p${part.id}`, 'part');
    initExpanded(this, part.loaded);
  }
  expandable(): boolean {
    return this.kids.length > 0;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
  row(): RowData {
    const p = this.part;
    const bits = [ROLE_TEXT[p.role]];
    if (p.seq !== undefined) bits.push(`seq ${p.seq}`);
    bits.push(bytes(p.size));
    if (p.rdb && p.aof) bits.push('RDB preamble + commands');
    if (!p.loaded) bits.push('not loaded');
    else if (!p.ok) bits.push(`damaged — valid up to ${formatOffset(p.validUpTo)}`);
    if (p.error) bits.push(p.error);
    const classes = [];
    if (!p.loaded) classes.push('dim');
    if (p.loaded && !p.ok) classes.push('damaged');
    return {
      icon: p.role === 'history' ? 'history' : p.rdb && !p.aof ? 'file-binary' : 'file-code',
      main: [{ text: p.file, cls: 'label' }],
      desc: bits.join(' · '),
      range: [0, p.size],
      classes,
      offset: 0,
      part: p.id,
      copy: p.file,
    };
  }
}

export class HeaderNode extends TNode {
  private kids: AuxNode[] = [];
  constructor(
    prefix: string,
    public part: PartView,
  ) {
    super(`${prefix}hdr`, 'header');
    initExpanded(this);
    this.update(part);
  }
  update(part: PartView): void {
    this.part = part;
    const aux = part.rdb?.aux ?? [];
    if (aux.length !== this.kids.length) this.kids = aux.map((a, i) => new AuxNode(`${this.id}/${i}`, a, part.id));
    else aux.forEach((a, i) => (this.kids[i]!.aux = a));
  }
  expandable(): boolean {
    return this.kids.length > 0;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
  row(): RowData {
    const r = this.part.rdb!;
    const ck = r.checksum;
    const bad = /mismatch|missing/i.test(ck);
    return {
      icon: 'symbol-file',
      main: [{ text: 'Header', cls: 'label' }],
      desc: `${r.magic} ${String(r.version).padStart(4, '0')} · checksum ${ck} · ${plural(r.aux.length, 'AUX field')}`,
      range: r.end !== undefined ? [r.start, r.end] : r.start,
      classes: bad ? ['damaged'] : [],
      offset: r.start,
      part: this.part.id,
    };
  }
}

export class AuxNode extends TNode {
  constructor(
    id: string,
    public aux: AuxView,
    private readonly partId: number,
  ) {
    super(id, 'aux');
  }
  expandable(): boolean {
    return false;
  }
  row(): RowData {
    const a = this.aux;
    const value = a.display || bytesText(a.value, ctx.display);
    const raw = copyText(a.value, ctx.display);
    const details = [{ label: a.name, text: raw, note: plural(a.value.length, 'byte') }];
    if (a.display && a.display !== raw) details.push({ label: 'reading', text: a.display, note: '' });
    return { icon: 'symbol-constant', main: [{ text: a.name, cls: 'label mono' }], desc: value, title: `${a.name} = ${value}`, range: [a.start, a.end], offset: a.start, part: this.partId, copy: raw, details };
  }
}

export class FunctionsNode extends TNode {
  private kids: FunctionNode[] = [];
  constructor(
    prefix: string,
    public part: PartView,
  ) {
    super(`${prefix}fn`, 'functions');
    initExpanded(this);
    this.update(part);
  }
  update(part: PartView): void {
    this.part = part;
    const fns = part.rdb?.functions ?? [];
    if (fns.length !== this.kids.length) this.kids = fns.map((f, i) => new FunctionNode(`${this.id}/${i}`, f, part.id));
  }
  expandable(): boolean {
    return this.kids.length > 0;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
  row(): RowData {
    const f = this.part.rdb!.functions;
    return { icon: 'library', main: [{ text: `Function libraries (${num(f.length)})`, cls: 'label' }], range: f.length ? [f[0]!.start, f[f.length - 1]!.end] : undefined };
  }
}

export class FunctionNode extends TNode {
  private lines: string[] | undefined;
  constructor(
    id: string,
    public fn: FunctionView,
    private readonly partId: number,
  ) {
    super(id, 'function');
    initExpanded(this);
  }
  private code(): string[] {
    if (!this.lines) this.lines = copyText(this.fn.code, 'text').split(/\r?\n/);
    return this.lines;
  }
  expandable(): boolean {
    return this.fn.code.length > 0;
  }
  override virtCount(): number {
    return this.code().length + (this.fn.code.truncated ? 1 : 0);
  }
  protected override makeVirt(i: number): TNode {
    const lines = this.code();
    if (i >= lines.length) return new InfoNode(`${this.id}#${i}`, '…', truncationNote(this.fn.code), undefined, 'ellipsis', 'code');
    return new CodeLineNode(`${this.id}#${i}`, i + 1, lines[i]!);
  }
  row(): RowData {
    const f = this.fn;
    return {
      icon: 'symbol-method',
      main: [{ text: f.name, cls: 'label mono' }],
      desc: [f.engine ? `engine ${f.engine}` : '', `${bytes(f.code.length)} of code`].filter(Boolean).join(' · '),
      range: [f.start, f.end],
      offset: f.start,
      part: this.partId,
      copy: copyText(f.code, 'text'),
      details: [{ label: `library ${f.name}`, text: copyText(f.code, 'text'), note: [plural(f.code.length, 'byte'), truncationNote(f.code)].filter(Boolean).join(' ') }],
    };
  }
}

export class CodeLineNode extends TNode {
  constructor(
    id: string,
    private readonly line: number,
    private readonly text: string,
  ) {
    super(id, 'code');
  }
  expandable(): boolean {
    return false;
  }
  row(): RowData {
    return { main: [{ text: String(this.line).padStart(4, ' ') + '  ', cls: 'dim mono' }, { text: this.text.replace(/\t/g, '    '), cls: 'mono code' }], copy: this.text };
  }
}

export class ModulesNode extends TNode {
  private kids: InfoNode[] = [];
  constructor(
    prefix: string,
    public part: PartView,
  ) {
    super(`${prefix}mod`, 'modules');
    initExpanded(this);
    this.update(part);
  }
  update(part: PartView): void {
    this.part = part;
    const mods = part.rdb?.modules ?? [];
    if (mods.length !== this.kids.length) this.kids = mods.map((m, i) => moduleAuxNode(`${this.id}/${i}`, m));
  }
  expandable(): boolean {
    return this.kids.length > 0;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
  row(): RowData {
    return { icon: 'extensions', main: [{ text: `Module AUX (${num(this.kids.length)})`, cls: 'label' }] };
  }
}

function moduleAuxNode(id: string, m: ModuleAuxView): InfoNode {
  const when = m.when === 1 ? 'before keys' : m.when === 2 ? 'after keys' : `when ${m.when}`;
  return new InfoNode(id, m.module, `encoding version ${m.encodingVersion} · ${when} · ${plural(m.items, 'item')}`, [m.start, m.end], 'extensions', 'module');
}

// ---- sections and keys --------------------------------------------------------------------

export class SectionNode extends TNode {
  constructor(public section: SectionView) {
    super(`s${section.id}`, 'section');
    initExpanded(this, true);
  }
  expandable(): boolean {
    return this.virtCount() > 0;
  }
  override virtCount(): number {
    return ctx.store.sectionCount(this.section.id);
  }
  protected override makeVirt(i: number): TNode {
    return new KeyNode(this.section.id, i);
  }
  row(): RowData {
    const s = this.section;
    let text = `DB ${s.db} — ${plural(s.keys, 'key')}, ${plural(s.expires, 'expire')}`;
    if (s.resizeKeys !== undefined) text += ` (RESIZEDB hint ${num(s.resizeKeys)} keys, ${num(s.resizeExpires ?? 0)} expires)`;
    const q = ctx.store.query;
    let desc: string | undefined;
    if (q && q.filterKey !== EMPTY_FILTER_KEY) desc = plural(this.virtCount(), 'match', 'matches');
    return { icon: 'database', main: [{ text, cls: 'label' }], desc, range: s.start, offset: s.start, part: s.part, classes: q && this.virtCount() === 0 && s.keys > 0 ? ['dim'] : [] };
  }
}

export const EMPTY_FILTER_KEY = JSON.stringify(['', false, false, [], null, null, null]);

export class KeyNode extends TNode {
  readonly key: KeyRow | undefined;
  private readonly err: string | undefined;
  private kids: TNode[] | undefined;
  private kidsFor: ValuePage | undefined;

  constructor(
    readonly section: number,
    readonly pos: number,
  ) {
    const r = ctx.store.keyAt(section, pos);
    const row = r && !('error' in r) ? r : undefined;
    super(row ? `k${row.id}` : `s${section}@${pos}`, 'key');
    this.key = row;
    this.err = r && 'error' in r ? r.error : undefined;
  }

  override get domKey(): string {
    return `s${this.section}#${this.pos}`;
  }

  expandable(): boolean {
    return !!this.key;
  }

  private head(): ValuePage | { error: string } | undefined {
    return this.key ? ctx.store.valueHead(this.key.id) : undefined;
  }

  override statics(): readonly TNode[] {
    if (!this.key) return [];
    const v = ctx.store.value(this.key.id);
    const first = v.first;
    if (!first) {
      if (!this.kids || this.kidsFor !== undefined) {
        this.kids = [new LoadingNode(`${this.id}/loading`, () => this.head())];
        this.kidsFor = undefined;
      }
      return this.kids;
    }
    if (this.kidsFor !== first) {
      this.kidsFor = first;
      this.kids = valueStatics(this.id, this.key, first);
    }
    return this.kids!;
  }

  override virtCount(): number {
    const first = this.key ? ctx.store.value(this.key.id).first : undefined;
    if (!first || first.type === 'stream') return 0;
    return first.total;
  }

  protected override makeVirt(i: number): TNode {
    return new ElementNode(`${this.id}#${i}`, this.key!.id, i, this.key!.type);
  }

  row(): RowData {
    if (this.err !== undefined) return errorRow(this.err);
    const k = this.key;
    if (!k) return loadingRow();
    return keyRowData(k, ctx.store.ctimeMs(k.part), ctx.nowMs());
  }
}

export function keyRowData(k: KeyRow, ctime: number | undefined, now: number): RowData {
  const name = renderBytes(k.key, ctx.display);
  const full = copyText(k.key, ctx.display);
  const ttl = ttlText(k.expireAtMs, ctime, now);
  const size = k.end - k.start;
  const classes: string[] = [];
  if (k.damaged) classes.push('damaged');
  if (k.expireAtMs !== undefined && k.expireAtMs <= now) classes.push('expired');
  const note = name.truncated ? ` ${truncationNote(k.key)}` : '';
  return {
    icon: k.damaged ? 'error' : TYPE_ICON[k.type] ?? 'symbol-key',
    iconClass: k.damaged ? 'sev-error' : `type-${k.type}`,
    main: [{ text: name.text, cls: `label mono key-name${name.json ? ' json' : ''}` }],
    key: {
      type: k.type,
      typeIcon: TYPE_ICON[k.type] ?? 'symbol-key',
      encoding: k.encoding,
      ttl: k.expireAtMs === undefined ? '' : ttl,
      ttlTitle: k.expireAtMs === undefined ? 'no TTL' : `expires ${ttl}`,
      evict: evictionText(k.idleSeconds, k.lfuFreq),
      count: k.count === undefined ? '' : k.type === 'string' ? '' : countNoun(k.type, k.count),
      size: bytes(size),
      sizeTitle: `${num(size)} bytes serialized`,
    },
    range: [k.start, k.end],
    title: full + note,
    classes,
    keyId: k.id,
    offset: k.start,
    part: k.part,
    copy: full,
    details: [{ label: 'key', text: full, note: [plural(k.key.length, 'byte'), truncationNote(k.key)].filter(Boolean).join(' ') }],
  };
}

function valueStatics(keyNodeId: string, k: KeyRow, first: ValuePage): TNode[] {
  const out: TNode[] = [];
  for (const [i, p] of first.problems.entries()) out.push(new ProblemNode(`${keyNodeId}/problem${i}`, p));
  if (first.type === 'stream' && first.stream) {
    const st = first.stream;
    out.push(new EntriesNode(`${keyNodeId}/entries`, k.id, first.total));
    out.push(new GroupsNode(`${keyNodeId}/groups`, st.groups, k.part));
    const meta: [string, string][] = [
      ['length', num(st.length)],
      ['last id', st.lastId],
    ];
    if (st.firstId !== undefined) meta.push(['first id', st.firstId]);
    if (st.maxDeletedId !== undefined) meta.push(['max deleted id', st.maxDeletedId]);
    if (st.entriesAdded !== undefined) meta.push(['entries added', num(st.entriesAdded)]);
    meta.push(['deleted entries', num(st.deletedEntries)], ['listpacks', num(st.listpacks)], ['encoding', first.encoding]);
    out.push(new StaticGroupNode(`${keyNodeId}/meta`, 'meta', 'info', 'Stream metadata', `length ${num(st.length)} · last id ${st.lastId}`, meta.map(([l, v], i) => new InfoNode(`${keyNodeId}/meta/${i}`, l, v)), [first.start, first.end]));
  } else if (first.type === 'module' && first.module) {
    out.push(new InfoNode(`${keyNodeId}/module`, 'module', `${first.module.name} · encoding version ${first.module.encodingVersion} · ${plural(first.total, 'item')}`, [first.start, first.end], 'extensions'));
  } else if (first.type !== 'string') {
    out.push(new InfoNode(`${keyNodeId}/value`, 'value', `${first.encoding} · ${countNoun(first.type, first.total) || plural(first.total, 'element')}`, [first.start, first.end], 'symbol-structure'));
  }
  return out;
}

/** A fixed group of child rows (stream metadata, …). */
export class StaticGroupNode extends TNode {
  constructor(
    id: string,
    kind: RowKind,
    private readonly ic: string,
    private readonly label: string,
    private readonly desc: string,
    private readonly kids: TNode[],
    private readonly range?: [number, number],
  ) {
    super(id, kind);
    initExpanded(this);
  }
  expandable(): boolean {
    return this.kids.length > 0;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
  row(): RowData {
    return { icon: this.ic, main: [{ text: this.label, cls: 'label' }], desc: this.desc, range: this.range };
  }
}

export class EntriesNode extends TNode {
  constructor(
    id: string,
    private readonly keyId: number,
    private readonly total: number,
  ) {
    super(id, 'entries');
    initExpanded(this);
  }
  expandable(): boolean {
    return this.total > 0;
  }
  override virtCount(): number {
    return this.total;
  }
  protected override makeVirt(i: number): TNode {
    return new ElementNode(`${this.id}#${i}`, this.keyId, i, 'stream');
  }
  row(): RowData {
    return { icon: 'list-flat', main: [{ text: `Entries (${num(this.total)})`, cls: 'label' }] };
  }
}

export class GroupsNode extends TNode {
  private readonly kids: GroupNode[];
  constructor(
    id: string,
    private readonly groups: StreamGroupView[],
    partId: number,
  ) {
    super(id, 'group-list');
    initExpanded(this);
    this.kids = groups.map((g, i) => new GroupNode(`${id}/${i}`, g, partId));
  }
  expandable(): boolean {
    return this.kids.length > 0;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
  row(): RowData {
    return { icon: 'organization', main: [{ text: `Consumer groups (${num(this.groups.length)})`, cls: 'label' }] };
  }
}

export class GroupNode extends TNode {
  private readonly kids: TNode[];
  constructor(
    id: string,
    private readonly g: StreamGroupView,
    _partId: number,
  ) {
    super(id, 'group');
    initExpanded(this);
    const consumers = g.consumers.map(
      (c, i) =>
        new ValueInfoNode(`${id}/consumers/${i}`, 'consumer', 'person', c.name, [
          plural(c.pending, 'pending entry', 'pending entries'),
          `seen ${dateTime(c.seenTimeMs)} (${relativeToNow(c.seenTimeMs, ctx.nowMs()).replace('expired ', '')})`,
          c.activeTimeMs > 0 ? `active ${dateTime(c.activeTimeMs)}` : 'never active',
        ]),
    );
    this.kids = [
      new StaticGroupNode(`${id}/consumers`, 'consumers', 'person', `Consumers (${num(g.consumers.length)})`, '', consumers),
      new PendingListNode(`${id}/pending`, g),
    ];
  }
  expandable(): boolean {
    return true;
  }
  override statics(): readonly TNode[] {
    return this.kids;
  }
  row(): RowData {
    const g = this.g;
    const bits = [`last id ${g.lastId}`];
    if (g.entriesRead !== undefined) bits.push(`entries-read ${num(g.entriesRead)}`);
    if (g.lag !== undefined) bits.push(`lag ${num(g.lag)}`);
    bits.push(plural(g.consumers.length, 'consumer'), `${num(g.pendingTotal)} pending`);
    const name = renderBytes(g.name, ctx.display);
    return { icon: 'organization', main: [{ text: name.text, cls: 'label mono' }], desc: bits.join(' · '), copy: copyText(g.name, ctx.display) };
  }
}

/** A leaf whose label is bytes (consumer names). */
export class ValueInfoNode extends TNode {
  constructor(
    id: string,
    kind: RowKind,
    private readonly ic: string,
    private readonly name: BytesView,
    private readonly bits: string[],
  ) {
    super(id, kind);
  }
  expandable(): boolean {
    return false;
  }
  row(): RowData {
    const n = renderBytes(this.name, ctx.display);
    return { icon: this.ic, main: [{ text: n.text, cls: 'label mono' }], desc: this.bits.join(' · '), copy: copyText(this.name, ctx.display) };
  }
}

export class PendingListNode extends TNode {
  constructor(
    id: string,
    private readonly g: StreamGroupView,
  ) {
    super(id, 'pending-list');
    initExpanded(this);
  }
  expandable(): boolean {
    return this.g.pending.length > 0;
  }
  override virtCount(): number {
    return this.g.pending.length;
  }
  protected override makeVirt(i: number): TNode {
    const p = this.g.pending[i]!;
    const bits = [];
    if (p.consumer) bits.push(`consumer ${bytesText(p.consumer, ctx.display)}`);
    bits.push(`delivered ${dateTime(p.deliveryTimeMs)}`, plural(p.deliveryCount, 'delivery', 'deliveries'));
    return new InfoNode(`${this.id}#${i}`, p.id, bits.join(' · '), undefined, 'mail', 'pending');
  }
  row(): RowData {
    const g = this.g;
    const shown = g.pending.length < g.pendingTotal ? `${num(g.pending.length)} of ${num(g.pendingTotal)}` : num(g.pendingTotal);
    return { icon: 'inbox', main: [{ text: `Pending entries (${shown})`, cls: 'label' }] };
  }
}

export class ElementNode extends TNode {
  constructor(
    id: string,
    readonly keyId: number,
    readonly index: number,
    private readonly type: string,
  ) {
    super(id, 'element');
  }
  expandable(): boolean {
    return false;
  }
  element(): ElementRow | undefined {
    const r = ctx.store.elementAt(this.keyId, this.index);
    return r && !('error' in r) ? r : undefined;
  }
  row(): RowData {
    const r = ctx.store.elementAt(this.keyId, this.index);
    if (!r) return loadingRow();
    if ('error' in r) return errorRow(r.error);
    return elementRowData(r, this.type, this.keyId);
  }
}

function elementRowData(e: ElementRow, type: string, keyId: number): RowData {
  const mode = ctx.display;
  const main: Part[] = [];
  const copy: string[] = [];
  let desc: string | undefined;
  let icon = 'symbol-string';
  const details: Detail[] = [];
  const val = (v: BytesView, cls = 'mono value', label = 'value') => {
    const r = renderBytes(v, mode);
    main.push({ text: r.text, cls: cls + (r.json ? ' json' : '') });
    const full = copyText(v, mode);
    copy.push(full);
    details.push({ label, text: full, note: [plural(v.length, 'byte'), truncationNote(v)].filter(Boolean).join(' ') });
    return r;
  };
  const idx = (t: string) => main.push({ text: t, cls: 'index mono' });
  switch (type) {
    case 'string': {
      if (e.value) {
        val(e.value);
        desc = `${plural(e.value.length, 'byte')}${truncationNote(e.value) ? ' ' + truncationNote(e.value) : ''}`;
      }
      break;
    }
    case 'list':
    case 'set':
      icon = type === 'list' ? 'symbol-enum-member' : 'symbol-constant';
      idx(`${e.index}`);
      if (e.value) val(e.value);
      break;
    case 'zset':
      icon = 'symbol-numeric';
      idx(`${e.index}`);
      if (e.value) val(e.value, 'mono value', 'member');
      if (e.score !== undefined) {
        main.push({ text: '  score ', cls: 'dim' }, { text: scoreText(e.score), cls: 'mono tok-number' });
        copy.push(scoreText(e.score));
        details.push({ label: 'score', text: scoreText(e.score) });
      }
      break;
    case 'hash':
      icon = 'symbol-field';
      if (e.value) val(e.value, 'mono field', 'field');
      main.push({ text: ' → ', cls: 'dim arrow' });
      if (e.fieldValue) val(e.fieldValue);
      if (e.ttlMs !== undefined) desc = `field TTL ${dateTime(e.ttlMs)} (${relativeToNow(e.ttlMs, ctx.nowMs())})`;
      break;
    case 'stream': {
      icon = 'symbol-event';
      main.push({ text: e.id ?? '?', cls: 'mono stream-id' });
      copy.push(e.id ?? '');
      details.push({ label: 'entry id', text: e.id ?? '?' });
      const f = e.fields ?? [];
      for (let i = 0; i < f.length; i += 2) {
        main.push({ text: '  ', cls: '' });
        const name = copyText(f[i]!, mode);
        val(f[i]!, 'mono field', 'field');
        main.push({ text: '=', cls: 'dim' });
        if (f[i + 1]) val(f[i + 1]!, 'mono value', name.length <= 40 ? name : 'value');
        if (details.length >= 2 && details[details.length - 2]!.label === 'field') details.splice(details.length - 2, 1);
      }
      break;
    }
    case 'module':
      icon = 'symbol-misc';
      idx(`${e.index}`);
      if (e.kind) main.push({ text: `${e.kind} `, cls: 'dim' });
      if (e.value) val(e.value);
      break;
    default:
      idx(`${e.index}`);
      if (e.value) val(e.value);
  }
  const truncated = [e.value, e.fieldValue].some((v) => v && truncationNote(v));
  if (truncated && type !== 'string') desc = [desc, 'value cut (see Copy value)'].filter(Boolean).join(' · ');
  return {
    icon,
    main,
    desc,
    range: [e.start, e.end],
    title: copy.join(type === 'hash' ? ' → ' : ' '),
    keyId,
    offset: e.start,
    copy: copy.join(type === 'hash' ? '\t' : ' '),
    details,
  };
}

// ---- commands -----------------------------------------------------------------------------

export class CommandsNode extends TNode {
  constructor(
    prefix: string,
    public part: PartView,
  ) {
    super(`${prefix}cmd`, 'commands');
    // Open by default for a single AOF; in a set, the parts stay short so that every file is in view.
    initExpanded(this, prefix === '');
  }
  expandable(): boolean {
    return this.virtCount() > 0;
  }
  override virtCount(): number {
    return this.part.aof?.commands ?? 0;
  }
  protected override makeVirt(i: number): TNode {
    return new CommandNode(`${this.id}#${i}`, this.part.id, i);
  }
  row(): RowData {
    const a = this.part.aof!;
    const bits = [`from ${hex(a.tailStart)}`];
    if (a.annotations) bits.push(plural(a.annotations, 'annotation'));
    if (a.lastTimestampSec !== undefined) bits.push(`last #TS ${dateTime(a.lastTimestampSec * 1000)}`);
    return { icon: 'terminal', main: [{ text: `Commands (${num(a.commands)})`, cls: 'label' }], desc: bits.join(' · '), range: a.tailStart, offset: a.tailStart, part: this.part.id };
  }
}

const KEYWORDS = new Set(['multi', 'exec', 'discard', 'select', 'swapdb']);

export class CommandNode extends TNode {
  constructor(
    id: string,
    readonly partId: number,
    readonly index: number,
  ) {
    super(id, 'command');
  }
  expandable(): boolean {
    return false;
  }
  command(): CommandRow | undefined {
    const r = ctx.store.commandAt(this.partId, this.index);
    return r && !('error' in r) ? r : undefined;
  }
  row(): RowData {
    const r = ctx.store.commandAt(this.partId, this.index);
    if (!r) return loadingRow();
    if ('error' in r) return errorRow(r.error);
    return commandRowData(r, ctx.store.cachedCommand(this.partId, this.index - 1));
  }
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;

function commandRowData(c: CommandRow, prev: CommandRow | undefined): RowData {
  const aof = ctx.store.overview?.parts.find((p) => p.id === c.part)?.aof;
  const hasTimestamps = !!aof && (aof.annotations > 0 || aof.lastTimestampSec !== undefined);
  const lname = c.name.toLowerCase();
  const unknown = !!c.warning && /unknown/i.test(c.warning);
  const invalid = !!c.afterDamage;
  const main: Part[] = [];
  main.push({ text: c.name.toUpperCase(), cls: invalid || unknown ? 'tok-invalid' : KEYWORDS.has(lname) ? 'tok-keyword' : 'tok-command' });
  const copy = [c.name.toUpperCase()];
  for (let i = 1; i < c.args.length; i++) {
    const a = c.args[i]!;
    const r = renderBytes(a, ctx.display);
    const t = ctx.display === 'text' ? r.text : r.text;
    main.push({ text: ' ' });
    main.push({ text: t, cls: invalid ? 'tok-invalid' : NUMBER.test(t) && ctx.display === 'text' ? 'tok-number' : 'tok-string' });
    copy.push(copyText(a, 'escaped'));
  }
  if (c.argc > c.args.length) main.push({ text: `  … +${c.argc - c.args.length} arguments`, cls: 'dim' });
  let db: string | undefined;
  // The DB badge where the DB changes (the SELECT row itself names it).
  if (lname !== 'select' && (c.index === 0 || (prev && (prev.db !== c.db || prev.name.toLowerCase() === 'select')))) db = `db ${c.db}`;
  let tx: CommandCells['tx'];
  if (c.transaction !== undefined) tx = lname === 'multi' ? 'start' : lname === 'exec' || lname === 'discard' ? 'end' : 'mid';
  const classes = [];
  if (invalid) classes.push('after-damage');
  return {
    main,
    command: {
      index: `#${c.index + 1}`,
      time: c.timestampSec !== undefined ? dateTime(c.timestampSec * 1000) : hasTimestamps ? '' : undefined,
      db,
      tx,
      warning: c.warning ?? (invalid ? 'after the damage: not loaded by Redis' : undefined),
    },
    range: [c.start, c.end],
    title: copy.join(' '),
    classes,
    offset: c.start,
    part: c.part,
    copy: copy.join(' '),
    details: [
      { label: `command #${c.index + 1}${c.line !== undefined ? ` (line ${c.line})` : ''} in db ${c.db}`, text: copy.join(' '), note: c.argc > c.args.length ? `first ${c.args.length} of ${c.argc} arguments` : '' },
      ...(c.warning ? [{ label: 'warning', text: c.warning }] : []),
    ],
  };
}

// ---- problems -----------------------------------------------------------------------------

export class ProblemsNode extends TNode {
  constructor(
    public problems: ProblemView[],
    private readonly multiFile: boolean,
  ) {
    super('problems', 'problems');
    initExpanded(this, true);
  }
  expandable(): boolean {
    return this.problems.length > 0;
  }
  override virtCount(): number {
    return this.problems.length;
  }
  protected override makeVirt(i: number): TNode {
    return new ProblemNode(`problems#${i}`, this.problems[i]!, this.multiFile);
  }
  row(): RowData {
    const errors = this.problems.filter((p) => p.severity === 'error').length;
    const warnings = this.problems.filter((p) => p.severity === 'warning').length;
    const bits = [];
    if (errors) bits.push(plural(errors, 'error'));
    if (warnings) bits.push(plural(warnings, 'warning'));
    return { icon: errors ? 'error' : 'warning', iconClass: errors ? 'sev-error' : 'sev-warning', main: [{ text: `Problems (${num(this.problems.length)})`, cls: 'label' }], desc: bits.join(', ') };
  }
}

export class ProblemNode extends TNode {
  constructor(
    id: string,
    readonly problem: ProblemView,
    private readonly multiFile = false,
  ) {
    super(id, 'problem');
  }
  expandable(): boolean {
    return false;
  }
  row(): RowData {
    return problemRowData(this.problem, this.multiFile);
  }
}

export const SEVERITY_ICON: Record<string, string> = { error: 'error', warning: 'warning', info: 'info' };

export function problemDetails(p: ProblemView, withFile: boolean): string[] {
  const bits = [`offset ${formatOffset(p.offset)}`];
  if (p.key) bits.push(`key ${copyText(p.key, 'escaped')}`);
  if (p.phase) bits.push(`phase ${p.phase}`);
  if (p.line !== undefined) bits.push(`line ${p.line}`);
  if (p.command !== undefined) bits.push(`command ${p.command}`);
  if (p.db !== undefined) bits.push(`db ${p.db}`);
  if (withFile && p.file) bits.push(`file ${p.file}`);
  return bits;
}

function problemRowData(p: ProblemView, multiFile: boolean): RowData {
  const bits = problemDetails(p, multiFile || !!p.file);
  return {
    icon: SEVERITY_ICON[p.severity] ?? 'info',
    iconClass: `sev-${p.severity}`,
    main: [{ text: p.message, cls: 'label' }],
    desc: bits.join(' · '),
    title: `${p.message} (${p.code}) — ${bits.join(', ')}`,
    range: p.end !== undefined ? [p.offset, p.end] : p.offset,
    offset: p.offset,
    part: p.part,
    keyId: p.keyId,
    copy: `${p.message} (${bits.join(', ')})`,
    details: [{ label: `${p.severity} ${p.code}`, text: `${p.message}\n\n${bits.join('\n')}` }],
  };
}

/** Anything with a `row()`. */
export function rowOfNode(n: TNode): RowData {
  const r = (n as unknown as { row?: () => RowData }).row;
  return r ? r.call(n) : { main: [{ text: n.id }] };
}
