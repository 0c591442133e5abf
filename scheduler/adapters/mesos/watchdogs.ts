/**
 * The framework's watchdogs. Heartbeat: no event for `heartbeatMisses` heartbeat intervals → drop
 * the stream and reconnect. Offers: work waiting and no OFFERS for `offerStarvationMs` → REVIVE
 * (from a token bucket), still nothing after `offerResubscribeMs` more → re-subscribe. Both emit
 * `watchdog`.
 */
import type { FrameworkSession, Reconnect } from './framework-session';
import type { Revivals } from './revive-suppress';

export class Watchdogs {
  private hungrySince: number | null = null;
  private starvationRevivedAt: number | null = null;
  private tokens: number;
  private tokensAt = 0;

  constructor(
    private readonly session: FrameworkSession,
    private readonly revivals: Revivals,
    private readonly reconnect: Reconnect,
  ) {
    this.tokens = session.o.watchdogReviveTokens;
  }

  /** The framework starts: the REVIVE token bucket fills from now. */
  started(now: number): void {
    this.tokensAt = now;
  }

  /** New work is queued: hungry from now unless already. */
  workArrived(): void {
    if (this.hungrySince === null) this.hungrySince = this.session.clock.now();
  }

  /** The queue emptied: not hungry. */
  workDrained(): void {
    this.hungrySince = null;
  }

  /** SUBSCRIBED: starvation is counted afresh. */
  subscribed(): void {
    this.hungrySince = null;
    this.starvationRevivedAt = null;
  }

  /** An OFFERS event arrived (counted on arrival, not when the worker has answered it). */
  offersArrived(): void {
    this.session.lastOfferAt = this.session.clock.now();
    this.hungrySince = null;
    this.starvationRevivedAt = null;
  }

  armHeartbeatWatchdog(gen: number): void {
    this.session.cancel('heartbeat');
    const check = () => {
      this.session.timers.heartbeat = null;
      if (gen !== this.session.gen || !this.session.running) return;
      const silent = this.session.clock.now() - (this.session.lastEventAt ?? 0);
      const limit = this.session.o.heartbeatMisses * this.session.heartbeatMs;
      if (silent >= limit) {
        this.session.counters.watchdogFirings++;
        this.session.emit('watchdog', { kind: 'heartbeat', action: 'reconnect', silentMs: silent });
        this.reconnect.dropStream(`no event for ${silent} ms (${this.session.o.heartbeatMisses} heartbeat intervals)`);
        this.reconnect.scheduleReconnect();
        return;
      }
      this.session.timers.heartbeat = this.session.clock.setTimer(Math.min(this.session.heartbeatMs, limit - silent), check);
    };
    this.session.timers.heartbeat = this.session.clock.setTimer(this.session.heartbeatMs, check);
  }

  armOfferWatchdog(): void {
    const every = Math.max(100, Math.min(5000, Math.floor(this.session.o.offerStarvationMs / 4)));
    const check = () => {
      this.session.timers.offers = null;
      if (!this.session.running) return;
      this.checkOffers();
      this.session.timers.offers = this.session.clock.setTimer(every, check);
    };
    this.session.timers.offers = this.session.clock.setTimer(every, check);
  }

  private checkOffers(): void {
    const now = this.session.clock.now();
    if (!this.session.connected || !this.session.ports.hasWork()) {
      this.hungrySince = null;
      this.starvationRevivedAt = null;
      return;
    }
    if (this.hungrySince === null) this.hungrySince = now;
    const since = Math.max(this.hungrySince, this.session.lastOfferAt ?? 0, this.session.subscribedAt);
    const hungryMs = now - since;
    if (hungryMs < this.session.o.offerStarvationMs) return;
    if (this.starvationRevivedAt === null) {
      if (!this.takeToken(now)) return;
      this.starvationRevivedAt = now;
      this.session.counters.watchdogFirings++;
      this.session.emit('watchdog', { kind: 'offers', action: 'revive', silentMs: hungryMs });
      this.revivals.revive('watchdog');
      return;
    }
    if (now - this.starvationRevivedAt >= this.session.o.offerResubscribeMs) {
      this.session.counters.watchdogFirings++;
      this.session.emit('watchdog', { kind: 'offers', action: 'resubscribe', silentMs: hungryMs });
      this.starvationRevivedAt = null;
      this.hungrySince = null;
      this.reconnect.resubscribe(`no offers for ${hungryMs} ms while work waits`);
    }
  }

  private takeToken(now: number): boolean {
    const refill = Math.floor((now - this.tokensAt) / this.session.o.watchdogReviveRefillMs);
    if (refill > 0) {
      this.tokens = Math.min(this.session.o.watchdogReviveTokens, this.tokens + refill);
      this.tokensAt += refill * this.session.o.watchdogReviveRefillMs;
    }
    if (this.tokens <= 0) return false;
    this.tokens--;
    return true;
  }
}
