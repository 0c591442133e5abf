/**
 * How a standby follows the database (standby-mirror.ts for the jobs, standby-runs.ts for the
 * unfinished runs): a read at once, then one every `pollMs` while following, never two at once. A
 * read that fails is said once, and so is the first read that works again; the loop goes on
 * either way (a takeover meanwhile catches up or reads everything itself).
 */
import type { Clock } from '../ports';
import { reasonOf } from './isolate';

export interface FollowLoopOptions {
  clock: Clock;
  /** Between two reads (STANDBY_POLL_MS). */
  pollMs: number;
  /** One read; what it returns is handed to `said.read`. */
  read: () => Promise<number>;
  /** The lines it logs: after a read that worked (null: nothing to say), when reads work again, when one fails. */
  said: { read: (n: number) => string | null; again: () => string; failed: (reason: string) => string };
  log: (level: 'info' | 'warn', message: string) => void;
}

export class FollowLoop {
  private following = false;
  private timer: (() => void) | null = null;
  /** The read under way. */
  private reading: Promise<number> | null = null;
  private failing = false;

  constructor(private readonly o: FollowLoopOptions) {}

  /** True between start() and pause(). */
  get active(): boolean {
    return this.following;
  }

  /** Starts (or resumes) following: a read now, then one every pollMs. */
  start(): void {
    if (this.following) return;
    this.following = true;
    this.schedule(0);
  }

  /** Stops reading (a read under way still ends). */
  pause(): void {
    this.following = false;
    this.timer?.();
    this.timer = null;
  }

  /** Waits until no read is under way (whatever it came to). */
  async settled(): Promise<void> {
    while (this.reading) await this.reading.catch(() => 0);
  }

  /**
   * Stops following for a hand-over to a new leader: true when `warm()` (a read has worked) holds,
   * once any read under way has ended.
   */
  async stopForHandOver(warm: () => boolean): Promise<boolean> {
    this.pause();
    if (!warm()) await this.settled();
    return warm();
  }

  /** One read now (after the one under way, if any); what it returns. */
  async catchUp(): Promise<number> {
    await this.settled();
    const read = this.o.read();
    this.reading = read;
    try {
      return await read;
    } finally {
      this.reading = null;
    }
  }

  private schedule(delay: number): void {
    this.timer?.();
    this.timer = this.o.clock.setTimer(delay, () => {
      this.timer = null;
      if (!this.following) return;
      this.catchUp()
        .then((n) => {
          const line = this.failing ? this.o.said.again() : this.o.said.read(n);
          if (line) this.o.log('info', line);
          this.failing = false;
        })
        .catch((e) => {
          if (!this.failing) this.o.log('warn', this.o.said.failed(reasonOf(e)));
          this.failing = true;
        })
        .finally(() => {
          if (this.following) this.schedule(this.o.pollMs);
        });
    });
  }
}
