/**
 * One timer for many deadlines: a binary min-heap of (due time, callback) behind a single
 * setTimeout. Used for status-update retries and for the simulated tasks of scale mode, so 40,000
 * running tasks cost 40,000 heap entries, not 40,000 Node timers. Cancellation is lazy.
 */
export interface TimerHandle {
  readonly at: number;
  cancelled: boolean;
}

interface Entry extends TimerHandle {
  seq: number;
  fn: () => void;
}

export class TimerQueue {
  private heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Infinity;
  private stopped = false;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const e: Entry = { at: this.now() + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(e);
    this.arm();
    return e;
  }

  cancel(h: TimerHandle | null | undefined): void {
    if (h) h.cancelled = true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.heap = [];
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private arm(): void {
    if (this.stopped) return;
    while (this.heap.length && this.heap[0].cancelled) this.pop();
    if (!this.heap.length) return;
    const at = this.heap[0].at;
    if (this.timer && at >= this.armedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(0, at - this.now()), 2 ** 31 - 1));
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Infinity;
    const now = this.now();
    while (this.heap.length && this.heap[0].at <= now) {
      const e = this.pop()!;
      if (e.cancelled) continue;
      e.cancelled = true;
      try {
        e.fn();
      } catch (err) {
        console.error('mesos-local timer callback failed:', err);
      }
    }
    this.arm();
  }
}
