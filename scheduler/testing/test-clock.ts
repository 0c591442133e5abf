/**
 * A Clock that only moves when a test says so (pg-boss style). Timers fire in due order, each at
 * its own instant, while `advance` walks the clock forward; a timer scheduled by a firing timer
 * fires in the same `advance` when it falls inside the window.
 */
import type { Instant } from '../core/types';
import type { Clock } from '../ports';

interface Timer {
  id: number;
  at: Instant;
  fn: () => void;
}

export class TestClock implements Clock {
  private current: Instant;
  private timers: Timer[] = [];
  private nextId = 1;

  /** Starts at `start` (ms since the epoch, or an ISO string); default 2024-01-01T00:00:00Z. */
  constructor(start: Instant | string = Date.UTC(2024, 0, 1)) {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
    if (!Number.isFinite(this.current)) throw new Error(`TestClock: bad start ${String(start)}`);
  }

  now(): Instant {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Like advance, for async code under test: lets pending promises settle before and after each
   * timer fires, so work a timer starts can schedule the next timer inside the same window.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.targetOf(ms);
    do {
      await flush();
    } while (this.fireNext(target));
    this.current = target;
    await flush();
  }

  /** Moves time forward by ms, firing every timer due on the way, in (due, creation) order. */
  advance(ms: number): void {
    const target = this.targetOf(ms);
    while (this.fireNext(target)) {
      // one timer fired; look again (it may have set another)
    }
    this.current = target;
  }

  private targetOf(ms: number): number {
    if (ms < 0) throw new Error('TestClock: cannot go back in time');
    return this.current + ms;
  }

  /** Fires the first timer due by `target`, in (due, creation) order; false when there is none. */
  private fireNext(target: number): boolean {
    const due = this.timers
      .filter((t) => t.at <= target)
      .sort((a, b) => a.at - b.at || a.id - b.id)[0];
    if (!due) return false;
    this.timers = this.timers.filter((t) => t !== due);
    this.current = Math.max(this.current, due.at);
    due.fn();
    return true;
  }

  /** Jumps to an instant (forward only), firing timers on the way. */
  set(instant: Instant | string): void {
    const to = typeof instant === 'string' ? Date.parse(instant) : instant;
    this.advance(to - this.current);
  }
}

/** Lets pending promise callbacks (and a few I/O turns) run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
