/**
 * The items of a replayed list (what Redis keeps in a quicklist, `src/quicklist.c`):
 * pushes and pops at both ends in amortised O(1), so the queue patterns AOFs are
 * full of (LPUSH + RPOP, RPUSH + LPOP) replay in linear time. Edits in the middle
 * (LINSERT, LREM, LSET, LTRIM) work on the flat array (`flat()`).
 */

/** A double-ended list of byte strings. */
export class Deque {
  /** Items pushed on the left, last pushed (the first item) at the end. */
  private front: Uint8Array[] = [];
  private back: Uint8Array[];
  /** `back[head]` is the first item of `back` (items before it were popped). */
  private head = 0;

  constructor(items: Uint8Array[] = []) {
    this.back = items;
  }

  get length(): number {
    return this.front.length + this.back.length - this.head;
  }

  pushRight(items: Uint8Array[]): void {
    for (const x of items) this.back.push(x);
  }

  /** Pushes each item in turn on the left (LPUSH a b c leaves c first). */
  pushLeft(items: Uint8Array[]): void {
    for (const x of items) this.front.push(x);
  }

  popLeft(): Uint8Array | undefined {
    if (this.front.length) return this.front.pop();
    if (this.head >= this.back.length) return undefined;
    const x = this.back[this.head]!;
    this.back[this.head++] = EMPTY;
    // Give the popped slots back once they are most of the array.
    if (this.head > 1024 && this.head * 2 > this.back.length) {
      this.back = this.back.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  popRight(): Uint8Array | undefined {
    if (this.back.length > this.head) return this.back.pop();
    if (!this.front.length) return undefined;
    this.back = this.front.reverse();
    this.front = [];
    this.head = 0;
    return this.back.pop();
  }

  /** The items in order, as a new array. */
  toArray(): Uint8Array[] {
    const out = this.front.slice().reverse();
    for (let i = this.head; i < this.back.length; i++) out.push(this.back[i]!);
    return out;
  }

  /** The items as one array the caller may edit in place (valid until the next push or pop). */
  flat(): Uint8Array[] {
    if (this.front.length || this.head) {
      this.back = this.toArray();
      this.front = [];
      this.head = 0;
    }
    return this.back;
  }
}

const EMPTY = new Uint8Array(0);
