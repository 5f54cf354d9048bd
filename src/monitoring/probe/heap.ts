/** A binary min-heap keyed by `due` (ms): the probe's schedule, one timer for all checks. */
export interface Scheduled {
  due: number;
  /** Position in the heap (-1 when not in it). */
  at: number;
}

export class DueHeap<T extends Scheduled> {
  private items: T[] = [];

  get size() {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(x: T) {
    x.at = this.items.length;
    this.items.push(x);
    this.up(x.at);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (!top) return undefined;
    this.removeAt(0);
    return top;
  }

  remove(x: T) {
    if (x.at >= 0 && this.items[x.at] === x) this.removeAt(x.at);
  }

  private removeAt(i: number) {
    const items = this.items;
    const gone = items[i]!;
    const last = items.pop()!;
    gone.at = -1;
    if (i < items.length) {
      items[i] = last;
      last.at = i;
      this.down(i);
      this.up(i);
    }
  }

  private up(i: number) {
    const items = this.items;
    const x = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (parent.due <= x.due) break;
      items[i] = parent;
      parent.at = i;
      i = p;
    }
    items[i] = x;
    x.at = i;
  }

  private down(i: number) {
    const items = this.items;
    const n = items.length;
    const x = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && items[r]!.due < items[l]!.due ? r : l;
      const child = items[c]!;
      if (child.due >= x.due) break;
      items[i] = child;
      child.at = i;
      i = c;
    }
    items[i] = x;
    x.at = i;
  }
}
