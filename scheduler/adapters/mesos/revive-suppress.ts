/**
 * REVIVE and SUPPRESS: leaving suppression when work arrives (at once), REVIVEs spaced by
 * `reviveMinIntervalMs` while hungry, a failed REVIVE counted as still suppressed, SUPPRESS when
 * the queue is empty.
 */
import type { FrameworkSession } from './framework-session';

export class Revivals {
  private lastReviveAt: number | null = null;

  constructor(private readonly session: FrameworkSession) {}

  /** New work is queued: REVIVE (at once when suppressed, else at most once per reviveMinIntervalMs). */
  requestRevive(): void {
    if (!this.session.connected) return; // the next SUBSCRIBE carries the state and REVIVEs
    const now = this.session.clock.now();
    const since = this.lastReviveAt === null ? Infinity : now - this.lastReviveAt;
    // The limit spaces REVIVEs while hungry; leaving suppression (work after an idle spell) is
    // never delayed, or a steady trickle of jobs would wait up to the interval each time.
    if (this.session.suppressed || since >= this.session.o.reviveMinIntervalMs) {
      this.session.cancel('revive');
      this.revive('work');
      return;
    }
    if (this.session.timers.revive) return; // one deferred REVIVE covers every arrival until then
    this.session.timers.revive = this.session.clock.setTimer(this.session.o.reviveMinIntervalMs - since, () => {
      this.session.timers.revive = null;
      if (this.session.connected && this.session.ports.hasWork()) this.revive('work');
    });
  }

  revive(reason: 'work' | 'subscribe' | 'watchdog'): void {
    this.lastReviveAt = this.session.clock.now();
    this.session.suppressed = false;
    this.session.counters.revives++;
    const gen = this.session.gen;
    this.session.send({ type: 'REVIVE', revive: { roles: [...this.session.o.roles] } }, () => this.reviveFailed(gen));
    this.session.emit('revive', { reason });
  }

  /**
   * A REVIVE the master did not accept (HTTP error, no answer in time): the roles may still be
   * suppressed or filtered there. Counting them as revived would leave queued work without offers
   * until the offer watchdog, since later arrivals are only rate-limited REVIVEs or none at all.
   * So: suppressed again (the next arrival REVIVEs at once), and while work waits, REVIVE again
   * after the minimum interval. On another stream the next SUBSCRIBE carries the state instead.
   */
  private reviveFailed(gen: number): void {
    if (gen !== this.session.gen || !this.session.connected || !this.session.running) return;
    this.session.suppressed = true;
    if (!this.session.ports.hasWork() || this.session.timers.revive) return;
    this.session.timers.revive = this.session.clock.setTimer(this.session.o.reviveMinIntervalMs, () => {
      this.session.timers.revive = null;
      if (this.session.connected && this.session.ports.hasWork()) this.revive('work');
    });
  }

  suppress(reason: 'idle' | 'subscribe'): void {
    this.session.suppressed = true;
    this.session.counters.suppresses++;
    this.session.send({ type: 'SUPPRESS', suppress: { roles: [...this.session.o.roles] } });
    this.session.emit('suppress', { reason });
  }
}
