/**
 * The details pane under the tree: the selected row in full (rows are one
 * line and cut), multi-line and selectable, JSON pretty-printed in JSON mode.
 */

import { clear, h, iconButton, span } from './dom.js';
import { rowText, type RowData } from './nodes.js';

/** Characters shown at most per text (the rest is one "Copy" away). */
const MAX_CHARS = 64 * 1024;

export class DetailsPane {
  readonly el: HTMLElement;
  private readonly title = span('details-title', '');
  private readonly body = h('div', { class: 'details-body' });
  private sig = '\0';
  private data: RowData | undefined;

  constructor(onCopy: (text: string) => void, onClose: () => void) {
    const copy = iconButton('copy', 'Copy', () => {
      if (this.data) onCopy(this.data.copy ?? rowText(this.data));
    });
    const close = iconButton('close', 'Hide Details', onClose);
    this.el = h('section', { class: 'details', attrs: { id: 'details', role: 'region', 'aria-label': 'Details of the selected row' } }, h('div', { class: 'details-head' }, this.title, copy, close), this.body);
    this.show(undefined);
  }

  show(d: RowData | undefined): void {
    const sig = d ? JSON.stringify([rowText(d), d.details?.map((x) => [x.label, x.text.length, x.text.slice(0, 256), x.note])]) : '';
    if (sig === this.sig) return;
    this.sig = sig;
    this.data = d;
    clear(this.body);
    if (!d || d.loading) {
      this.title.textContent = 'Details';
      this.body.append(h('p', { class: 'details-empty', text: 'Select a key, a value or a command to see it in full here.' }));
      return;
    }
    this.title.textContent = rowText(d);
    this.title.title = this.title.textContent;
    const items = d.details && d.details.length ? d.details : [{ label: '', text: d.copy ?? d.title ?? rowText(d) }];
    for (const it of items) {
      const text = it.text.length > MAX_CHARS ? it.text.slice(0, MAX_CHARS) + '\n…' : it.text;
      const block = h('div', { class: 'details-item' });
      if (it.label || it.note) block.append(h('div', { class: 'details-label' }, span('', it.label), it.note ? span('details-note', it.note) : null));
      block.append(h('pre', { class: 'details-text', text }));
      this.body.append(block);
    }
  }
}
