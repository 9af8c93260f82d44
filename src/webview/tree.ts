/**
 * The tree as the webview holds it: a few real nodes (parts, headers,
 * sections, open keys, …) and *virtual* child ranges (the keys of a section,
 * the elements of a value, the commands of an AOF) that exist only as a count
 * until a row is drawn. A virtual child is made on demand and thrown away,
 * unless it is expanded: then it is kept in its parent's `open` map, so memory
 * is proportional to what the user opened, never to the number of keys.
 *
 * Flattening is by counts: `size` is the number of visible rows of a subtree,
 * so the row at an index and the index of a node are found in O(depth × open)
 * without materialising the rows.
 */

export type RowKind =
  | 'part'
  | 'header'
  | 'aux'
  | 'functions'
  | 'function'
  | 'code'
  | 'modules'
  | 'module'
  | 'section'
  | 'key'
  | 'element'
  | 'group-list'
  | 'group'
  | 'consumers'
  | 'consumer'
  | 'pending-list'
  | 'pending'
  | 'meta'
  | 'info'
  | 'entries'
  | 'commands'
  | 'command'
  | 'problems'
  | 'problem'
  | 'loading'
  | 'error';

export abstract class TNode {
  parent: TNode | undefined;
  /** Position among the parent's children: statics first, then the virtual range. */
  slot = 0;
  level = 0;
  expanded = false;
  /** Visible rows of this subtree, this row included (valid after `measure`). */
  size = 1;
  /** Expanded virtual children by index, and their indices in order. */
  readonly open = new Map<number, TNode>();
  private openOrder: number[] = [];

  constructor(
    /** Stable id (survives overview updates and queries; persisted for expanded nodes). */
    readonly id: string,
    readonly kind: RowKind,
  ) {}

  abstract expandable(): boolean;

  /** Real children (few), before the virtual ones. */
  statics(): readonly TNode[] {
    return [];
  }

  /** Number of virtual children. */
  virtCount(): number {
    return 0;
  }

  /** Makes virtual child `i` (a fresh node, or the kept one when open). */
  protected makeVirt(_i: number): TNode {
    throw new Error('no virtual children');
  }

  /** Key of the row's DOM element: position-based for virtual children (reused while scrolling). */
  get domKey(): string {
    return this.id;
  }

  virt(i: number): TNode {
    const kept = this.open.get(i);
    if (kept) return kept;
    const n = this.makeVirt(i);
    this.adopt(n, this.statics().length + i);
    return n;
  }

  adopt(child: TNode, slot: number): void {
    child.parent = this;
    child.slot = slot;
    child.level = this.level + 1;
  }

  /** Keeps virtual child `i` (it is being expanded). */
  keepOpen(i: number, n: TNode): void {
    if (!this.open.has(i)) {
      this.openOrder.push(i);
      this.openOrder.sort((a, b) => a - b);
    }
    this.open.set(i, n);
    this.adopt(n, this.statics().length + i);
  }

  dropOpen(i: number): void {
    if (this.open.delete(i)) this.openOrder = this.openOrder.filter((x) => x !== i);
  }

  clearOpen(): void {
    this.open.clear();
    this.openOrder = [];
  }

  get openIndices(): readonly number[] {
    return this.openOrder;
  }

  /** Index of this node's virtual slot (or -1 for a static child). */
  get virtIndex(): number {
    const p = this.parent;
    if (!p) return -1;
    const n = p.statics().length;
    return this.slot >= n ? this.slot - n : -1;
  }
}

/** Recomputes `size` for the subtree (visits statics and open nodes only). */
export function measure(node: TNode): number {
  let size = 1;
  if (node.expanded) {
    const st = node.statics();
    for (let i = 0; i < st.length; i++) {
      const c = st[i]!;
      node.adopt(c, i);
      size += measure(c);
    }
    const vc = node.virtCount();
    size += vc;
    for (const i of node.openIndices) {
      if (i >= vc) continue;
      size += measure(node.open.get(i)!) - 1;
    }
  }
  node.size = size;
  return size;
}

/** The node at visible row `r` of `node`'s subtree (0 = the node itself). Assumes `measure`. */
export function rowAt(node: TNode, r: number): TNode | undefined {
  let n: TNode = node;
  for (;;) {
    if (r === 0) return n;
    if (!n.expanded || r >= n.size) return undefined;
    r -= 1;
    let next: TNode | undefined;
    const st = n.statics();
    for (const c of st) {
      if (r < c.size) {
        next = c;
        break;
      }
      r -= c.size;
    }
    if (!next) {
      const vc = n.virtCount();
      let extra = 0;
      for (const i of n.openIndices) {
        if (i >= vc) break;
        const start = i + extra;
        if (r < start) break;
        const c = n.open.get(i)!;
        if (r < start + c.size) {
          next = c;
          r -= start;
          break;
        }
        extra += c.size - 1;
      }
      if (!next) {
        const i = r - extra;
        if (i < 0 || i >= vc) return undefined;
        return n.virt(i);
      }
    }
    n = next;
  }
}

/** Visible rows before child `slot` inside `parent`'s children (not counting `parent`'s own row). */
function offsetInParent(parent: TNode, slot: number): number {
  const st = parent.statics();
  let off = 0;
  if (slot < st.length) {
    for (let k = 0; k < slot; k++) off += st[k]!.size;
    return off;
  }
  for (const c of st) off += c.size;
  const i = slot - st.length;
  off += i;
  for (const j of parent.openIndices) {
    if (j >= i) break;
    off += parent.open.get(j)!.size - 1;
  }
  return off;
}

/** Row index of `node` inside `root`'s subtree, or -1 when an ancestor is collapsed. */
export function rowOf(root: TNode, node: TNode): number {
  let r = 0;
  let n = node;
  while (n !== root) {
    const p = n.parent;
    if (!p || !p.expanded) return -1;
    r += 1 + offsetInParent(p, n.slot);
    n = p;
  }
  return r;
}

/** True when `a` is `b` or inside it. */
export function isWithin(a: TNode, b: TNode): boolean {
  for (let n: TNode | undefined = a; n; n = n.parent) if (n === b) return true;
  return false;
}
