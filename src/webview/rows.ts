/**
 * Builds a tree row's DOM from its `RowData`: text through `textContent`
 * only, indentation and nothing else through the CSSOM.
 */

import { clear, icon, span } from './dom.js';
import { hex, rangeText } from './format.js';
import type { RowData } from './nodes.js';
import { rowText } from './nodes.js';
import type { TNode } from './tree.js';

export const INDENT = 16;
/** Tooltips show at most this much of a value (the details pane shows it all). */
const TITLE_MAX = 2000;

/** Fills `el` (a `.row`) for `node`. */
export function fillRow(el: HTMLElement, node: TNode, d: RowData, selected: boolean, setSize: number): void {
  clear(el);
  el.className = 'row';
  for (const c of d.classes ?? []) el.classList.add(c);
  if (selected) el.classList.add('selected');
  el.dataset.kind = d.loading ? 'loading' : node.kind;
  if (d.keyId !== undefined) el.dataset.id = String(d.keyId);
  else delete el.dataset.id;
  el.setAttribute('role', 'treeitem');
  el.setAttribute('aria-level', String(node.level + 1));
  el.setAttribute('aria-selected', selected ? 'true' : 'false');
  el.setAttribute('aria-posinset', String(node.slot + 1));
  el.setAttribute('aria-setsize', String(setSize));
  const expandable = node.expandable();
  if (expandable) el.setAttribute('aria-expanded', node.expanded ? 'true' : 'false');
  else el.removeAttribute('aria-expanded');
  const text = rowText(d);
  el.setAttribute('aria-label', text);
  const title = d.title && d.title.length > TITLE_MAX ? `${d.title.slice(0, TITLE_MAX)}…` : d.title;
  el.title = title ? `${title}\n${text}` : text;

  const inner = document.createElement('div');
  inner.className = 'row-inner';
  inner.style.paddingLeft = `${4 + node.level * INDENT}px`;
  const tw = expandable ? icon(node.expanded ? 'chevron-down' : 'chevron-right', 'twistie') : span('twistie', '');
  inner.append(tw);
  if (d.command) {
    const c = d.command;
    inner.append(span('c-index mono', c.index));
    if (c.time !== undefined) inner.append(span('c-time mono', c.time));
    const dbCell = span('c-db', '');
    if (c.db) dbCell.append(span('db-badge', c.db));
    inner.append(dbCell);
    inner.append(span(`tx-bracket${c.tx ? ' tx-' + c.tx : ''}`, ''));
    if (c.warning) {
      const w = icon('warning', 'row-icon sev-warning');
      w.title = c.warning;
      inner.append(w);
    }
  } else if (d.icon) {
    inner.append(icon(d.icon, `row-icon ${d.iconClass ?? ''}`.trim()));
  }
  const main = document.createElement('span');
  main.className = 'main';
  for (const p of d.main) main.append(p.cls ? span(p.cls, p.text, p.title) : document.createTextNode(p.text));
  inner.append(main);
  if (d.key) {
    const k = d.key;
    const t = span(`c-type type-${k.type}`, '');
    t.append(icon(k.typeIcon), span('', k.type));
    inner.append(t, span('c-enc', k.encoding, k.encoding), span('c-ttl', k.ttl, k.ttlTitle), span('c-evict', k.evict), span('c-count', k.count), span('c-size', k.size, k.sizeTitle));
  } else if (d.desc) {
    inner.append(span('desc', d.desc, d.desc));
  }
  if (d.range !== undefined) {
    const r = typeof d.range === 'number' ? hex(d.range) : rangeText(d.range[0], d.range[1]);
    inner.append(span('c-range mono', r, typeof d.range === 'number' ? `offset ${d.range}` : `bytes ${d.range[0]}–${d.range[1]} (${d.range[1] - d.range[0]} bytes)`));
  } else {
    inner.append(span('c-range', ''));
  }
  el.append(inner);
}
