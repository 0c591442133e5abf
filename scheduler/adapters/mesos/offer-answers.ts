/**
 * Answering offers: the worker's decision becomes ACCEPTs (those it hands over while it decides,
 * an offer round recorded in chunks, at once) (LAUNCH, with a refuse filter for what
 * is left unused) and DECLINEs (long filter when idle, short while work waits), every offer
 * answered; a failed ACCEPT is never resent but declined and its tasks reconciled; a failed
 * DECLINE is sent once more, then the framework re-subscribes.
 */
import type { Json } from '../../../proto';
import type { Launch, OfferDecision } from '../../ports';
import { toOffer } from './offers';
import type { FrameworkSession, Reconnect } from './framework-session';
import type { Reconciler } from './reconciliation';
import type { Revivals } from './revive-suppress';
import { HeldOffers } from './held-offers';

export class OfferAnswers {
  /** Pending DECLINE retries (several may be under way; each checks its stream generation). */
  private declineRetries = new Set<() => void>();
  /** Offers the worker keeps for runs due soon (held-offers.ts). */
  private readonly held: HeldOffers;

  constructor(
    private readonly session: FrameworkSession,
    private readonly reconciler: Reconciler,
    private readonly revivals: Revivals,
    private readonly reconnect: Reconnect,
  ) {
    this.held = new HeldOffers(session.clock, (gen, ids) => {
      if (gen === this.session.gen && this.session.running) this.decline(gen, ids, this.refuseNow());
    });
  }

  private refuseNow(): number {
    return this.session.ports.hasWork() ? this.session.o.declineBusySeconds : this.session.o.declineIdleSeconds;
  }

  /** The framework stops: pending DECLINE retries are dropped. */
  stop(): void {
    for (const cancel of this.declineRetries) cancel();
    this.declineRetries.clear();
    this.held.clear();
  }

  /** The master rescinded an offer (RESCIND): a kept one is forgotten. */
  rescinded(offerId: string): void {
    this.held.rescinded(offerId);
  }

  /** The offers kept on stream `gen` (OfferDecision.hold), handed back to be offered to the worker again. */
  takeHeld(gen: number): Json[] {
    return this.held.take(gen);
  }

  /**
   * An OFFERS event (or offers kept for work due soon, handed over again: `replay`): the worker
   * decides; launches become ACCEPTs, offers it asks to hold are kept, every other offer is declined.
   */
  async onOffers(list: Json[], gen: number, replay = false): Promise<void> {
    const offers = list.map(toOffer);
    if (!replay) this.session.counters.offersReceived += offers.length;
    if (offers.length === 0) return;
    const known = new Set(offers.map((o) => o.id));
    const answered = new Set<string>();
    const refuseNow = () => this.refuseNow();
    let used = 0;
    let tasks = 0;
    const acceptAll = (launches: readonly Launch[], refuse: number) => {
      if (gen !== this.session.gen) return; // re-subscribed meanwhile: these offers are gone
      for (const l of launches) {
        const ids = l.offerIds.filter((id) => known.has(id) && !answered.has(id));
        if (ids.length === 0 || l.taskInfos.length === 0) continue;
        for (const id of ids) answered.add(id);
        used += ids.length;
        tasks += l.taskInfos.length;
        this.accept(gen, ids, l, refuse);
      }
    };
    let decision: OfferDecision;
    try {
      // launches recorded in a chunk of the round are ACCEPTed at once, while the rest are recorded
      decision = await this.session.ports.onOffers(offers, (launches) => acceptAll(launches, refuseNow()));
    } catch (e) {
      this.session.emit('error', { message: `offer handling failed: ${(e as Error).message}`, fatal: false, cause: e });
      decision = { launches: [], declines: offers.map((o) => o.id) };
    }
    if (gen !== this.session.gen) return; // re-subscribed meanwhile: these offers are gone
    const refuse = refuseNow();
    acceptAll(decision.launches, refuse);
    if (decision.hold && decision.hold.offerIds.length > 0) {
      // kept for runs due soon: answered when they come (or declined at the deadline)
      const keep = new Set(decision.hold.offerIds.filter((id) => known.has(id) && !answered.has(id)));
      for (const id of keep) answered.add(id);
      this.held.keep(gen, offers.flatMap((o, i) => (keep.has(o.id) ? [[o.id, list[i]] as [string, Json]] : [])), decision.hold.until);
    }
    const declines = offers.map((o) => o.id).filter((id) => !answered.has(id)); // every offer gets an answer
    if (declines.length > 0) this.decline(gen, declines, refuse);
    this.session.counters.offersUsed += used;
    this.session.counters.offersDeclined += declines.length;
    this.session.counters.tasksLaunched += tasks;
    this.session.emit('offers', { received: offers.length, used, declined: declines.length, tasks });
    if (!this.session.ports.hasWork() && !this.session.suppressed) this.revivals.suppress('idle');
  }

  /** One ACCEPT: `launch`'s tasks on `offerIds` (its offers not yet answered). */
  private accept(gen: number, offerIds: string[], launch: Launch, refuse: number): void {
    const taskInfos = (launch.taskInfos as Json[]).map((t) => (t.agent_id ? t : { ...t, agent_id: { value: launch.agentId } }));
    const launched = taskInfos.map((t) => ({ taskId: String(t.task_id?.value ?? ''), agentId: String(t.agent_id?.value ?? launch.agentId) }));
    this.session.send(
      {
        type: 'ACCEPT',
        accept: {
          offer_ids: offerIds.map((value) => ({ value })),
          operations: [{ type: 'LAUNCH', launch: { task_infos: taskInfos } }],
          filters: { refuse_seconds: refuse },
        },
      },
      () => this.acceptFailed(gen, offerIds, launched.filter((t) => t.taskId !== '')),
    );
  }

  /**
   * An ACCEPT that failed (HTTP error, no answer before the call deadline, socket gone) is not
   * known to have reached the master: its runs are STAGING in the store, with or without a task
   * on Mesos. It is never sent again (a second launch of the same task ids). Instead:
   *
   * 1. DECLINE its offers. If the ACCEPT was processed they are already used and the DECLINE is
   *    a no-op (the master ignores unknown offer ids); if not, the resources go back at once. And
   *    once the master has taken the DECLINE, a late copy of the ACCEPT can only fail (invalid
   *    offers → TASK_DROPPED), so the answer to step 2 is final.
   * 2. RECONCILE its tasks explicitly, with their agent ids: a task Mesos knows (even one still
   *    pending authorization, as STAGING) answers with its real state; one it does not answers
   *    TASK_GONE (agent registered) or TASK_UNKNOWN (no such agent), or TASK_LOST without
   *    PARTITION_AWARE. The worker settles those as LOST and retries per its rules, under new task
   *    ids. The tasks stay in the explicit reconciliation set, asked again with backoff until
   *    each has answered (any update of theirs, the agent's own included, counts).
   *
   * If the stream changed meanwhile nothing is done on it: the master rescinded its offers when
   * the stream went, and the next SUBSCRIBED reconciles every active task, these included. If the
   * DECLINE fails twice we re-subscribe (see `decline`), with the same outcome.
   */
  private acceptFailed(gen: number, offerIds: string[], tasks: Array<{ taskId: string; agentId: string }>): void {
    if (gen !== this.session.gen || !this.session.running) return;
    for (const t of tasks) this.reconciler.track(t.taskId, t.agentId);
    this.decline(gen, offerIds, this.session.o.declineBusySeconds, () => this.reconciler.askNow(gen));
  }

  /**
   * DECLINE offers. A failed DECLINE leaves them outstanding at the master, holding the agents'
   * resources from every framework, ours included, and Mesos never expires an offer unless the
   * operator set --offer_timeout (unset by default), so waiting is no remedy. Declining twice is
   * harmless (the master ignores offer ids that are no longer valid), so it is sent once more
   * after `declineRetryMs` on the same stream. If that fails as well the master is in trouble
   * (the client has already retried each for the whole call deadline): re-subscribe, which makes
   * the master rescind every offer it holds for us. A failure because the stream is gone needs
   * nothing: the master rescinds offers when a framework disconnects or re-subscribes.
   * `accepted` runs only once the master has taken the DECLINE (202), first try or second.
   */
  private decline(gen: number, offerIds: string[], refuse: number, accepted?: () => void, retry = false): void {
    const call: Json = { type: 'DECLINE', decline: { offer_ids: offerIds.map((value) => ({ value })), filters: { refuse_seconds: refuse } } };
    this.session.send(
      call,
      () => {
        if (gen !== this.session.gen || !this.session.running) return;
        if (retry) {
          this.reconnect.resubscribe(`DECLINE of ${offerIds.length} offer(s) failed twice; re-subscribing so the master rescinds them`);
          return;
        }
        const cancel = this.session.clock.setTimer(this.session.o.declineRetryMs, () => {
          this.declineRetries.delete(cancel);
          if (gen === this.session.gen && this.session.running) this.decline(gen, offerIds, refuse, accepted, true);
        });
        this.declineRetries.add(cancel);
      },
      accepted,
    );
  }

  /** A run of consecutive UPDATEs: all handed over at once, then each ACKed in order once stored. */
}
