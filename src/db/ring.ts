/** A fixed-size ring: the newest `capacity` items are kept, older ones overwritten. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Up to `limit` items, newest first. */
  newest(limit = this.filled): T[] {
    const out: T[] = [];
    const n = Math.min(limit, this.filled);
    for (let k = 1; k <= n; k++) out.push(this.items[(this.next - k + this.capacity) % this.capacity] as T);
    return out;
  }

  get size(): number {
    return this.filled;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.filled = 0;
  }
}
