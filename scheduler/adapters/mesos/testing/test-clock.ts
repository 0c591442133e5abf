/**
 * A Clock tests advance by hand (the pg-boss pattern). Kept beside the Mesos adapter tests so they
 * do not depend on scheduler/testing; the interface is scheduler/ports.ts `Clock`.
 */
import type { Clock } from '../../../ports';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class TestClock implements Clock {
  private t: number;
  private seq = 0;
  private timers = new Set<Timer>();

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order; awaits microtasks between firings. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      let next: Timer | null = null;
      for (const timer of this.timers) {
        if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) next = timer;
      }
      if (!next) break;
      this.timers.delete(next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await flush();
  }
}

/** Lets pending promise callbacks (and a few I/O turns) run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
