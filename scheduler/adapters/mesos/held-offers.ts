/**
 * Offers kept unanswered for work due soon (OfferDecision.hold): a herd of runs prepared ahead of
 * its instant gets the offers the master sent before the instant (the worker REVIVEs ahead), so
 * at the instant the offer round starts at once instead of after a REVIVE and the master's next
 * allocation. Kept per stream generation (a new stream voids them: the master rescinded them),
 * until the worker's deadline; an offer the master rescinds (RESCIND, `--offer_timeout`) is
 * forgotten. An offer that expires while its launch is being recorded is refused by the master
 * (TASK_DROPPED, invalid offers): the worker relaunches such runs (core/outcome.ts launchRefused).
 */
import type { Json } from '../../../proto';
import type { Clock } from '../../ports';

export class HeldOffers {
  private offers = new Map<string, Json>();
  private gen = -1;
  private until = Infinity;
  private cancelTimer: (() => void) | null = null;

  /** `expire` answers the offers still kept at the deadline (the framework declines them). */
  constructor(
    private readonly clock: Clock,
    private readonly expire: (gen: number, offerIds: string[]) => void,
  ) {}

  get size(): number {
    return this.offers.size;
  }

  /** Keeps `offers` (id and the offer as received) until `until`; offers of an older stream are dropped. */
  keep(gen: number, offers: ReadonlyArray<[string, Json]>, until: number): void {
    if (offers.length === 0) return;
    if (gen !== this.gen) this.clear();
    this.gen = gen;
    for (const [id, o] of offers) this.offers.set(id, o);
    if (this.cancelTimer && until <= this.until) return;
    this.cancelTimer?.();
    this.until = until;
    this.cancelTimer = this.clock.setTimer(Math.max(0, until - this.clock.now()), () => {
      this.cancelTimer = null;
      const ids = [...this.offers.keys()];
      const held = this.gen;
      this.clear();
      if (ids.length > 0) this.expire(held, ids);
    });
  }

  /** The master rescinded an offer: it is no longer ours to use or answer. */
  rescinded(offerId: string): void {
    this.offers.delete(offerId);
  }

  /** Every offer kept on stream `gen`, handed back (and no longer kept). */
  take(gen: number): Json[] {
    if (gen !== this.gen || this.offers.size === 0) return [];
    const out = [...this.offers.values()];
    this.clear();
    return out;
  }

  clear(): void {
    this.offers.clear();
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.until = Infinity;
  }
}
