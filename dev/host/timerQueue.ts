/**
 * Pending timers, ordered by fire time: a binary min-heap with lazy deletion, plus an index by
 * instance, so finding the next timer, firing the due ones and dropping an instance's timers
 * cost O(log n) or O(own timers), not a scan of every timer (1,000 concurrent runs).
 */
export interface QueuedTimer {
  key: string;
  instanceId: string;
  fireAt: number;
}

export class TimerQueue<T extends QueuedTimer> {
  private readonly live = new Map<string, T>();
  private readonly byInstance = new Map<string, Set<string>>();
  private heap: T[] = [];

  get size(): number {
    return this.live.size;
  }

  has(key: string): boolean {
    return this.live.has(key);
  }

  get(key: string): T | undefined {
    return this.live.get(key);
  }

  values(): IterableIterator<T> {
    return this.live.values();
  }

  add(timer: T): void {
    this.live.set(timer.key, timer);
    let keys = this.byInstance.get(timer.instanceId);
    if (!keys) this.byInstance.set(timer.instanceId, (keys = new Set()));
    keys.add(timer.key);
    this.heap.push(timer);
    this.up(this.heap.length - 1);
  }

  delete(key: string): T | undefined {
    const timer = this.live.get(key);
    if (!timer) return undefined;
    this.live.delete(key);
    const keys = this.byInstance.get(timer.instanceId);
    keys?.delete(key);
    if (keys?.size === 0) this.byInstance.delete(timer.instanceId);
    return timer; // its heap entry is dropped when it reaches the top
  }

  forInstance(instanceId: string): T[] {
    return [...(this.byInstance.get(instanceId) ?? [])].map((k) => this.live.get(k) as T);
  }

  clear(): void {
    this.live.clear();
    this.byInstance.clear();
    this.heap = [];
  }

  /** The earliest live timer, if any. */
  peek(): T | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0] as T;
      if (this.live.get(top.key) === top) return top;
      this.pop();
    }
    return undefined;
  }

  /** Removes and returns the live timers due at `now`, earliest first. */
  takeDue(now: number): T[] {
    const due: T[] = [];
    for (let top = this.peek(); top && top.fireAt <= now; top = this.peek()) {
      this.pop();
      this.delete(top.key);
      due.push(top);
    }
    return due;
  }

  private pop(): void {
    const last = this.heap.pop() as T;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as T).fireAt <= (h[i] as T).fireAt) break;
      [h[parent], h[i]] = [h[i] as T, h[parent] as T];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && (h[l] as T).fireAt < (h[m] as T).fireAt) m = l;
      if (r < h.length && (h[r] as T).fireAt < (h[m] as T).fireAt) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i] as T, h[m] as T];
      i = m;
    }
  }
}
