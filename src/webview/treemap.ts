/**
 * A squarified treemap (Bruls, Huizing, van Wijk 2000): rectangles whose areas
 * are proportional to the values and whose aspect ratios stay close to 1.
 * `squarify` is pure; `drawTreemap` places labelled divs with the CSSOM.
 */

import { h, span } from './dom.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Rectangles for `values` (any order; zero and negative values get an empty rect) inside `r`. */
export function squarify(values: number[], r: Rect): Rect[] {
  const out: Rect[] = values.map(() => ({ x: r.x, y: r.y, w: 0, h: 0 }));
  const order = values.map((v, i) => ({ v: Math.max(0, v), i })).filter((e) => e.v > 0).sort((a, b) => b.v - a.v);
  const sum = order.reduce((s, e) => s + e.v, 0);
  if (sum <= 0 || r.w <= 0 || r.h <= 0) return out;
  const scale = (r.w * r.h) / sum;
  const items = order.map((e) => ({ a: e.v * scale, i: e.i }));
  let { x, y, w, h: hh } = r;
  let row: { a: number; i: number }[] = [];
  let rowSum = 0;
  const worst = (rs: number, min: number, max: number, side: number) => Math.max((side * side * max) / (rs * rs), (rs * rs) / (side * side * min));
  const layout = () => {
    if (!row.length) return;
    if (w >= hh) {
      const cw = rowSum / hh;
      let yy = y;
      for (const e of row) {
        const eh = e.a / cw;
        out[e.i] = { x, y: yy, w: cw, h: eh };
        yy += eh;
      }
      x += cw;
      w -= cw;
    } else {
      const rh = rowSum / w;
      let xx = x;
      for (const e of row) {
        const ew = e.a / rh;
        out[e.i] = { x: xx, y, w: ew, h: rh };
        xx += ew;
      }
      y += rh;
      hh -= rh;
    }
    row = [];
    rowSum = 0;
  };
  for (const it of items) {
    const side = Math.min(w, hh);
    if (row.length === 0) {
      row.push(it);
      rowSum = it.a;
      continue;
    }
    const min = Math.min(row[row.length - 1]!.a, it.a);
    const max = row[0]!.a;
    const before = worst(rowSum, row[row.length - 1]!.a, max, side);
    const after = worst(rowSum + it.a, min, Math.max(max, it.a), side);
    if (after <= before) {
      row.push(it);
      rowSum += it.a;
    } else {
      layout();
      row.push(it);
      rowSum = it.a;
    }
  }
  layout();
  return out;
}

export interface TreemapItem {
  label: string;
  value: number;
  detail: string;
  onClick?: () => void;
}

/** Draws the treemap into `box` (sized by CSS; its current size is used). */
export function drawTreemap(box: HTMLElement, items: TreemapItem[], width: number, height: number): void {
  const rects = squarify(
    items.map((i) => i.value),
    { x: 0, y: 0, w: width, h: height },
  );
  items.forEach((it, i) => {
    const r = rects[i]!;
    if (r.w < 1 || r.h < 1) return;
    const tile = h(
      'div',
      {
        class: `tile c${i % 8}`,
        title: `${it.label}\n${it.detail}`,
        attrs: { role: it.onClick ? 'button' : 'img', tabindex: it.onClick ? 0 : undefined, 'aria-label': `${it.label}: ${it.detail}` },
      },
      span('tile-label', it.label),
      span('tile-detail', it.detail),
    );
    // Positions through the CSSOM (allowed by the CSP, unlike style attributes).
    tile.style.left = `${r.x}px`;
    tile.style.top = `${r.y}px`;
    tile.style.width = `${r.w}px`;
    tile.style.height = `${r.h}px`;
    if (r.w < 30 || r.h < 18) tile.classList.add('small');
    else if (r.h < 36) tile.classList.add('short');
    if (it.onClick) {
      const go = it.onClick;
      tile.addEventListener('click', go);
      tile.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          go();
        }
      });
    }
    box.append(tile);
  });
}
