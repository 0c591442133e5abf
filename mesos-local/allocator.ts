/**
 * The allocator: batch allocation by dominant share, offers (sent, rescinded, recovered, timed out)
 * and refuse filters, with the DECLINE, REVIVE and SUPPRESS calls that change them.
 */
import type { Json } from '../proto';
import { type Res, addRes, subRes, containsRes, isEmptyRes, allocatable, resToProto, dominantShare } from './resources';
import type { Agent } from './agent';
import { MAX_REFUSE_SECONDS, type Framework, type Offer } from './model';
import type { MasterState } from './master-state';

export class Allocator {
  constructor(private readonly master: MasterState) {}

  /** Coalesces event-triggered allocations into one run on the next tick. */
  scheduleAllocation(): void {
    if (this.master.allocationPending) return;
    this.master.allocationPending = true;
    setImmediate(() => {
      this.master.allocationPending = false;
      if (this.master.running) this.allocate();
    });
  }

  private isFiltered(fw: Framework, agent: Agent, role: string, res: Res, now: number): boolean {
    if (fw.filters.length === 0) return false;
    fw.filters = fw.filters.filter((f) => f.expiresAt > now);
    return fw.filters.some((f) => f.agentId === agent.id && f.role === role && containsRes(f.res, res));
  }

  /** One batch: each agent's free pool goes to the framework with the lowest dominant share. */
  allocate(): void {
    if (!this.master.running || this.master.offersStopped || this.master.recovering) return;
    this.master.counters.allocation_runs++;
    const candidates = [...this.master.frameworks.values()].filter((fw) => fw.stream && fw.recovered && fw.roles.some((r) => !fw.suppressed.has(r)));
    if (!candidates.length) return;
    const total = this.master.clusterTotal();
    const shares = new Map<Framework, number>();
    for (const fw of candidates) shares.set(fw, dominantShare(addRes(fw.used, fw.offered), total));
    const now = Date.now();
    const batches = new Map<Framework, Json[]>();
    for (const agent of this.master.agents.values()) {
      if (agent.state !== 'registered') continue;
      const free = subRes(subRes(agent.total, agent.used), agent.offered);
      if (!allocatable(free)) continue;
      const order = candidates.slice().sort((a, b) => shares.get(a)! - shares.get(b)! || a.registeredTime - b.registeredTime);
      for (const fw of order) {
        const role = fw.roles.find((r) => !fw.suppressed.has(r) && !this.isFiltered(fw, agent, r, free, now));
        if (!role) continue;
        const offer: Offer = { id: `${this.master.masterId}-O${this.master.offerSeq++}`, frameworkId: fw.id, agentId: agent.id, role, res: free };
        this.master.offers.set(offer.id, offer);
        fw.offers.add(offer.id);
        agent.offered = addRes(agent.offered, free);
        fw.offered = addRes(fw.offered, free);
        shares.set(fw, dominantShare(addRes(fw.used, fw.offered), total));
        if (this.master.options.offerTimeoutMs) offer.timer = this.master.timers.schedule(this.master.options.offerTimeoutMs, () => this.rescindOffer(offer.id, true));
        const list = batches.get(fw) ?? [];
        list.push(this.offerJson(offer, agent));
        batches.set(fw, list);
        break;
      }
    }
    for (const [fw, offers] of batches) {
      this.master.counters.offers_sent += offers.length;
      this.master.frameworkEvent(fw, { type: 'OFFERS', offers: { offers } });
    }
  }

  private offerJson(o: Offer, agent: Agent): Json {
    return {
      id: { value: o.id },
      framework_id: { value: o.frameworkId },
      agent_id: { value: o.agentId },
      hostname: agent.hostname,
      resources: resToProto(o.res, o.role),
      attributes: agent.attributes,
      allocation_info: { role: o.role },
    };
  }

  /** Takes an offer out of circulation and gives its resources back to the agent's free pool. */
  removeOffer(offerId: string): Offer | undefined {
    const o = this.master.offers.get(offerId);
    if (!o) return undefined;
    this.master.offers.delete(offerId);
    this.master.timers.cancel(o.timer);
    const fw = this.master.frameworks.get(o.frameworkId);
    if (fw) {
      fw.offers.delete(offerId);
      fw.offered = subRes(fw.offered, o.res);
    }
    const agent = this.master.agents.get(o.agentId);
    if (agent) agent.offered = subRes(agent.offered, o.res);
    return o;
  }

  rescindOffer(offerId: string, notify: boolean): void {
    const o = this.removeOffer(offerId);
    if (!o) return;
    this.master.counters.offers_rescinded++;
    const fw = this.master.frameworks.get(o.frameworkId);
    if (notify && fw) this.master.frameworkEvent(fw, { type: 'RESCIND', rescind: { offer_id: { value: o.id } } });
    this.scheduleAllocation();
  }

  recoverOffers(fw: Framework, notify: boolean): void {
    for (const id of [...fw.offers]) this.rescindOffer(id, notify);
  }

  /** Installs a refuse filter: default 5 s, negative = default, 0 = none; lifetime max(allocation interval, refuse). */
  addFilter(fw: Framework, agentId: string, role: string, res: Res, filters: Json | undefined): void {
    let refuse = filters?.refuse_seconds;
    if (refuse === undefined || refuse === null || !Number.isFinite(Number(refuse)) || Number(refuse) < 0) refuse = 5;
    refuse = Math.min(Number(refuse), MAX_REFUSE_SECONDS);
    if (refuse === 0 || isEmptyRes(res)) return;
    const lifetime = Math.max(this.master.options.allocationIntervalMs, refuse * 1000);
    fw.filters.push({ agentId, role, res, expiresAt: Date.now() + lifetime });
  }

  decline(fw: Framework, d: Json): void {
    for (const { value } of (d.offer_ids ?? []) as Json[]) {
      const o = this.master.offers.get(value);
      if (!o || o.frameworkId !== fw.id) continue;
      this.removeOffer(value);
      this.master.counters.offers_declined++;
      this.addFilter(fw, o.agentId, o.role, o.res, d.filters);
    }
  }

  revive(fw: Framework, roles: string[] | undefined): void {
    const which = roles?.length ? roles : fw.roles;
    fw.filters = fw.filters.filter((f) => !which.includes(f.role));
    for (const r of which) fw.suppressed.delete(r);
    this.scheduleAllocation();
  }

  suppress(fw: Framework, roles: string[] | undefined): void {
    const which = roles?.length ? roles : fw.roles;
    for (const r of which) fw.suppressed.add(r);
  }
}
