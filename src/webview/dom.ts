/**
 * DOM building without HTML strings: every element is made with
 * `createElement` and every text goes through `textContent`, so hostile key
 * names and values can never become markup. No `style=""` attributes either
 * (the CSP has no 'unsafe-inline'); positions and sizes go through the CSSOM.
 */

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

type Child = Node | string | false | null | undefined;

/** `h('div', { class: 'x', text: 'hello' }, child…)`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.title !== undefined) el.title = props.title;
  if (props.attrs) {
    for (const [k, v] of Object.entries(props.attrs)) {
      if (v === undefined || v === false) continue;
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  if (props.on) {
    for (const [k, fn] of Object.entries(props.on)) el.addEventListener(k, fn as EventListener);
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === false || c === null || c === undefined) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** A codicon: `<span class="codicon codicon-NAME" aria-hidden="true">`. */
export function icon(name: string, extra = ''): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = `codicon codicon-${name}${extra ? ' ' + extra : ''}`;
  s.setAttribute('aria-hidden', 'true');
  return s;
}

/** Removes every child. */
export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A text span with a class. */
export function span(cls: string, text: string, title?: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  if (title !== undefined) s.title = title;
  return s;
}

/** A small icon button (`aria-label` and tooltip from `label`). */
export function iconButton(name: string, label: string, onClick: (ev: MouseEvent) => void, cls = ''): HTMLButtonElement {
  const b = h('button', { class: `icon-button ${cls}`.trim(), title: label, attrs: { type: 'button', 'aria-label': label } }, icon(name));
  b.addEventListener('click', onClick);
  return b;
}

/** A text button. */
export function textButton(label: string, onClick: (ev: MouseEvent) => void, cls = '', iconName?: string): HTMLButtonElement {
  const b = h('button', { class: `text-button ${cls}`.trim(), attrs: { type: 'button' } }, iconName ? icon(iconName) : null, span('label', label));
  b.addEventListener('click', onClick);
  return b;
}
