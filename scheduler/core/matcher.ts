/**
 * The offer matcher: one pure fold from (pending tasks, offers) to (launches, declines, unplaced).
 * Semantics follow Chronos (shared/reference/chronos.md §5 "Offer matching"), with better packing.
 *
 * THE PACKING RULE
 * 1. Pending tasks are ordered: highPriority first, then earlier `due`, then `taskId` (string order).
 * 2. Offers are pooled per agent: all offers of one agent form one pool, launched with ONE accept
 *    carrying all of that agent's offer ids. Only SCALAR cpus/mem/disk resources that are
 *    unreserved (role "*") or allocated/reserved to `role` count; resources of other roles are never
 *    used. Amounts are handled in thousandths (Mesos's own scalar precision), so subtraction is exact.
 * 3. Tasks are taken one by one in that order (greedy, no look-ahead), each against the room left
 *    by all tasks before it:
 *    - a non-concurrent job that is in `running` is skipped ('concurrent-run');
 *    - a non-concurrent job that already had a task placed in this batch is skipped
 *      ('duplicate-in-batch'); Chronos drops such a task too;
 *    - otherwise the task goes to a BEST-FIT pool. Its dominant resource is the one of which it
 *      needs the largest share of the batch's total offered cpus / mem / disk. Pools are walked
 *      in ascending free amount of that resource, starting at the first that covers it (classic
 *      best fit), and the first 8 pools whose free cpus, mem and disk all cover the demand and
 *      whose offer satisfies the constraints compete. The winner is the one whose leftover after
 *      placement is most like the queue's overall shape:
 *        minimise | leftCpus / queuedCpus − leftMem / queuedMem |
 *      (queued* = the sum of all pending demands), ties to the earlier in best-fit order, i.e.
 *      the least leftover of the dominant resource, then the agent offered first. Keeping each
 *      agent's remaining room in the proportions the queue asks for avoids agents that are out of
 *      mem with cpus idle (or the reverse) when both resources run short together.
 *    - when no pool fits, the task is reported unplaced with the reason, and matching CONTINUES
 *      with the next task (Chronos stops at the first task that does not fit).
 * 4. Priority guarantee: because tasks are placed strictly in order against a shrinking pool of
 *    room, a task never takes room that any task before it could have used: every earlier task was
 *    either placed first, or fitted nowhere even with at least as much room as the later task saw.
 *    A later (smaller) task can only backfill room that no earlier task could use in this batch.
 *    (Across batches a large task can still be starved by a stream of small ones; the queue and the
 *    runtime own that policy, e.g. by matching only the high queue while it is non-empty.)
 * 5. Pools with nothing launched are declined; resources an accept leaves unused are declined by
 *    Mesos with the accept's filter.
 *
 * COST: sorting is O(T log T). Pools are kept in three arrays ordered by free cpus / mem / disk, so
 * the best fit is a binary search plus a short upward scan; a placed-on pool is re-sorted with a
 * shift of the pools it passes. A pool that can no longer fit the smallest remaining demand leaves the
 * index. Constraint answers are cached per (constraint set, agent), and a task shape (demand +
 * constraints) that fitted nowhere is remembered, since room only shrinks during a batch.
 */
import {
  describeAttribute,
  describeConstraint,
  firstFailingConstraint,
} from './constraints';
import type { Constraint, Demand, Instant, Offer, OfferResource } from './types';

export interface PendingTask {
  taskId: string;
  jobName: string;
  demand: Demand;
  constraints: readonly Constraint[];
  highPriority: boolean;
  concurrent: boolean;
  due: Instant;
}

export interface MatchInput {
  pending: readonly PendingTask[];
  offers: readonly Offer[];
  /** Names of jobs with a run in flight. */
  running: ReadonlySet<string>;
  /** The framework role; resources reserved to it (and unreserved ones) are usable. Default "*". */
  role?: string;
}

export interface TaskLaunch {
  taskId: string;
  jobName: string;
  /** The exact resources taken, cut from the offers' resources (role, reservation and raw kept). */
  resources: OfferResource[];
}

export interface AgentLaunch {
  agentId: string;
  hostname: string;
  /** Every offer id of this agent in the batch: one ACCEPT carries them all. */
  offerIds: string[];
  tasks: TaskLaunch[];
}

export type UnplacedReason =
  | 'no-offer-fits-cpus'
  | 'no-offer-fits-mem'
  | 'no-offer-fits-disk'
  | 'constraint'
  | 'concurrent-run'
  | 'duplicate-in-batch';

export interface Unplaced {
  taskId: string;
  jobName: string;
  reason: UnplacedReason;
  /** A sentence for the "why is it not running" UI. */
  detail: string;
}

export interface MatchOutput {
  launches: AgentLaunch[];
  /** Offer ids of agents where nothing was launched. */
  declines: string[];
  unplaced: Unplaced[];
}

/* ---------- internals ---------- */

const KINDS = ['cpus', 'mem', 'disk'] as const;
type Kind = 0 | 1 | 2;
const KIND_INDEXES: readonly Kind[] = [0, 1, 2];
/** How many fitting pools, in best-fit order, compete on leftover shape. */
const BEST_FIT_WINDOW = 8;

/** Thousandths, Mesos's scalar precision. */
const toMilli = (x: number): number => (Number.isFinite(x) && x > 0 ? Math.round(x * 1000) : 0);
const fromMilli = (m: number): number => m / 1000;

interface Slice {
  res: OfferResource;
  left: number; // milli
}

interface Pool {
  index: number;
  agentId: string;
  hostname: string;
  /** The first offer of the agent: its attributes and hostname answer constraints. */
  offer: Offer;
  offerIds: string[];
  free: [number, number, number]; // milli cpus, mem, disk
  slices: [Slice[], Slice[], Slice[]];
  tasks: TaskLaunch[];
}

function usable(r: OfferResource, role: string): boolean {
  return r.type === 'SCALAR' && (r.role === '*' || r.role === role) && toMilli(r.scalar ?? 0) > 0;
}

function buildPools(offers: readonly Offer[], role: string): Pool[] {
  const byAgent = new Map<string, Pool>();
  const pools: Pool[] = [];
  for (const offer of offers) {
    let pool = byAgent.get(offer.agentId);
    if (pool === undefined) {
      pool = {
        index: pools.length,
        agentId: offer.agentId,
        hostname: offer.hostname,
        offer,
        offerIds: [],
        free: [0, 0, 0],
        slices: [[], [], []],
        tasks: [],
      };
      byAgent.set(offer.agentId, pool);
      pools.push(pool);
    }
    pool.offerIds.push(offer.id);
    for (const r of offer.resources) {
      const k = KINDS.indexOf(r.name as (typeof KINDS)[number]);
      if (k < 0 || !usable(r, role)) continue;
      const left = toMilli(r.scalar ?? 0);
      pool.slices[k].push({ res: r, left });
      pool.free[k] += left;
    }
  }
  // Take resources reserved to our role before unreserved ones (only we can use the former).
  if (role !== '*') {
    for (const pool of pools) {
      for (const k of KIND_INDEXES) {
        const s = pool.slices[k];
        const mine = s.filter((x) => x.res.role === role);
        if (mine.length > 0) pool.slices[k] = [...mine, ...s.filter((x) => x.res.role !== role)];
      }
    }
  }
  return pools;
}

/** The cpus, mem and disk the offers hold that `role` may use (rule 2), summed. */
export function offeredTotals(offers: readonly Offer[], role = '*'): [number, number, number] {
  const total: [number, number, number] = [0, 0, 0];
  for (const offer of offers) {
    for (const r of offer.resources) {
      const k = KINDS.indexOf(r.name as (typeof KINDS)[number]);
      if (k >= 0 && usable(r, role)) total[k] += r.scalar ?? 0;
    }
  }
  return total;
}

/** Cuts `amount` milli of one resource kind from a pool's slices. */
function cut(pool: Pool, k: Kind, amount: number): OfferResource[] {
  const out: OfferResource[] = [];
  let need = amount;
  for (const s of pool.slices[k]) {
    if (need <= 0) break;
    if (s.left <= 0) continue;
    const x = Math.min(s.left, need);
    s.left -= x;
    need -= x;
    out.push(withScalar(s.res, fromMilli(x)));
  }
  pool.free[k] -= amount;
  return out;
}

function withScalar(res: OfferResource, value: number): OfferResource {
  const out: OfferResource = { ...res, scalar: value };
  if (res.raw !== undefined) {
    out.raw =
      typeof res.raw === 'object' && res.raw !== null && !Array.isArray(res.raw)
        ? { ...(res.raw as Record<string, unknown>), scalar: { value } }
        : res.raw;
  }
  return out;
}

/** Pools ordered by (free[k], index), one array per kind. */
class PoolIndex {
  readonly byKind: [Pool[], Pool[], Pool[]] = [[], [], []];

  /** First position whose (free[k], index) ≥ (value, index). */
  lowerBound(k: Kind, value: number, index: number): number {
    const a = this.byKind[k];
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = a[mid];
      if (p.free[k] < value || (p.free[k] === value && p.index < index)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Where pool `p` sits in order k, given `sortedBy`, the free amount it was sorted by (its
   * `free[k]` may already be lower). Binary search with p itself keyed by `sortedBy`.
   */
  private position(k: Kind, p: Pool, sortedBy: number): number {
    const a = this.byKind[k];
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = a[mid];
      const v = q === p ? sortedBy : q.free[k];
      if (v < sortedBy || (v === sortedBy && q.index < p.index)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Takes a pool out of all three orders; `sortedBy` are the amounts it was sorted by. */
  remove(p: Pool, sortedBy: readonly number[]): void {
    for (const k of KIND_INDEXES) this.byKind[k].splice(this.position(k, p, sortedBy[k]), 1);
  }

  /**
   * Re-sorts a pool whose free amounts went down from `sortedBy` to `p.free`: it can only move
   * towards the front, so the pools it passes shift back by one (no remove plus insert).
   */
  decreased(p: Pool, sortedBy: readonly number[]): void {
    for (const k of KIND_INDEXES) {
      const a = this.byKind[k];
      const from = this.position(k, p, sortedBy[k]);
      let lo = 0;
      let hi = from;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const q = a[mid];
        if (q.free[k] < p.free[k] || (q.free[k] === p.free[k] && q.index < p.index)) lo = mid + 1;
        else hi = mid;
      }
      for (let i = from; i > lo; i--) a[i] = a[i - 1];
      a[lo] = p;
    }
  }

  /** Builds all three orders at once (cheaper than repeated inserts). */
  static of(pools: readonly Pool[]): PoolIndex {
    const idx = new PoolIndex();
    for (const k of KIND_INDEXES) {
      idx.byKind[k] = [...pools].sort((a, b) => a.free[k] - b.free[k] || a.index - b.index);
    }
    return idx;
  }
}

/** The launch order of rule 1: highPriority first, then earlier `due`, then `taskId`. */
export function compareTasks(a: Pick<PendingTask, 'highPriority' | 'due' | 'taskId'>, b: Pick<PendingTask, 'highPriority' | 'due' | 'taskId'>): number {
  if (a.highPriority !== b.highPriority) return a.highPriority ? -1 : 1;
  if (a.due !== b.due) return a.due - b.due;
  return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
}

const constraintKey = (cs: readonly Constraint[]): string =>
  cs.length === 0 ? '' : JSON.stringify(cs);

const fmt = (milli: number, k: Kind): string =>
  k === 0 ? `${fromMilli(milli)} cpus` : `${fromMilli(milli)} MB ${KINDS[k]}`;

const fits = (p: Pool, d: readonly number[]): boolean =>
  p.free[0] >= d[0] && p.free[1] >= d[1] && p.free[2] >= d[2];

/* ---------- the fold ---------- */

export function matchOffers(input: MatchInput): MatchOutput {
  const role = input.role ?? '*';
  const pools = buildPools(input.offers, role);
  const tasks = [...input.pending].sort(compareTasks);
  const n = tasks.length;
  const demands = tasks.map((t) => [toMilli(t.demand.cpus), toMilli(t.demand.mem), toMilli(t.demand.disk)]);

  // sufMin[k][i]: the smallest demand of kind k among tasks i..n-1 (Infinity past the end).
  const sufMin: [Float64Array, Float64Array, Float64Array] = [
    new Float64Array(n + 1),
    new Float64Array(n + 1),
    new Float64Array(n + 1),
  ];
  for (const k of KIND_INDEXES) {
    sufMin[k][n] = Infinity;
    for (let i = n - 1; i >= 0; i--) sufMin[k][i] = Math.min(sufMin[k][i + 1], demands[i][k]);
  }
  const total = [0, 0, 0];
  for (const p of pools) for (const k of KIND_INDEXES) total[k] += p.free[k];
  // Leftovers are compared in shares of the whole queue's demand of cpus and of mem.
  const queued = [0, 0];
  for (const dd of demands) {
    queued[0] += dd[0];
    queued[1] += dd[1];
  }
  const perQueue = queued.map((q) => (q > 0 ? 1 / q : 0));

  const index = PoolIndex.of(pools.filter((p) => canFitFrom(p, 0)));
  function canFitFrom(p: Pool, i: number): boolean {
    return p.free[0] >= sufMin[0][i] && p.free[1] >= sufMin[1][i] && p.free[2] >= sufMin[2][i];
  }

  // Constraint answers per (constraint set, pool): 0 unknown, 1 holds, 2 fails.
  const constraintCache = new Map<string, Uint8Array>();
  function constraintsHold(key: string, cs: readonly Constraint[], p: Pool): boolean {
    if (key === '') return true;
    let row = constraintCache.get(key);
    if (row === undefined) {
      row = new Uint8Array(pools.length);
      constraintCache.set(key, row);
    }
    if (row[p.index] === 0) row[p.index] = firstFailingConstraint(cs, p.offer) === undefined ? 1 : 2;
    return row[p.index] === 1;
  }

  const unplaced: Unplaced[] = [];
  const placedJobs = new Set<string>();
  const failedShapes = new Map<string, { reason: UnplacedReason; detail: string }>();

  for (let i = 0; i < n; i++) {
    const t = tasks[i];
    if (!t.concurrent) {
      if (input.running.has(t.jobName)) {
        unplaced.push({
          taskId: t.taskId,
          jobName: t.jobName,
          reason: 'concurrent-run',
          detail: `job ${t.jobName} is not concurrent and a run is already in flight`,
        });
        continue;
      }
      if (placedJobs.has(t.jobName)) {
        unplaced.push({
          taskId: t.taskId,
          jobName: t.jobName,
          reason: 'duplicate-in-batch',
          detail: `job ${t.jobName} is not concurrent and another of its tasks was placed in this batch`,
        });
        continue;
      }
    }
    const d = demands[i];
    const ckey = constraintKey(t.constraints);
    const shape = `${d[0]},${d[1]},${d[2]}|${ckey}`;
    const failed = failedShapes.get(shape);
    if (failed !== undefined) {
      unplaced.push({ taskId: t.taskId, jobName: t.jobName, ...failed });
      continue;
    }

    // Dominant resource: the largest share of what the batch offers.
    let k: Kind = 0;
    let best = -1;
    for (const kk of KIND_INDEXES) {
      const share = d[kk] === 0 ? 0 : total[kk] === 0 ? Infinity : d[kk] / total[kk];
      if (share > best) {
        best = share;
        k = kk;
      }
    }

    // The first BEST_FIT_WINDOW pools that fit, in best-fit order of the dominant resource; of
    // those, the one whose leftover is most like the queue's shape (earliest on ties).
    let chosen: Pool | undefined;
    let chosenScore = Infinity;
    let candidates = 0;
    const order = index.byKind[k];
    for (let j = index.lowerBound(k, d[k], -1); j < order.length; j++) {
      const p = order[j];
      if (fits(p, d) && constraintsHold(ckey, t.constraints, p)) {
        const score = Math.abs((p.free[0] - d[0]) * perQueue[0] - (p.free[1] - d[1]) * perQueue[1]);
        if (score < chosenScore) {
          chosenScore = score;
          chosen = p;
        }
        if (++candidates >= BEST_FIT_WINDOW) break;
      }
    }

    if (chosen === undefined) {
      const why = explain(t, d, pools, (p) => constraintsHold(ckey, t.constraints, p));
      failedShapes.set(shape, why);
      unplaced.push({ taskId: t.taskId, jobName: t.jobName, ...why });
      continue;
    }

    const old = [chosen.free[0], chosen.free[1], chosen.free[2]];
    const resources = cut(chosen, 0, d[0]);
    resources.push(...cut(chosen, 1, d[1]), ...cut(chosen, 2, d[2]));
    chosen.tasks.push({ taskId: t.taskId, jobName: t.jobName, resources });
    if (canFitFrom(chosen, i + 1)) index.decreased(chosen, old);
    else index.remove(chosen, old);
    if (!t.concurrent) placedJobs.add(t.jobName);
  }

  const launches: AgentLaunch[] = [];
  const declines: string[] = [];
  for (const p of pools) {
    if (p.tasks.length > 0) {
      launches.push({ agentId: p.agentId, hostname: p.hostname, offerIds: p.offerIds, tasks: p.tasks });
    } else {
      declines.push(...p.offerIds);
    }
  }
  return { launches, declines, unplaced };
}

/** Why no pool fits a task: the first of constraint, cpus, mem, disk that rules every pool out. */
function explain(
  t: PendingTask,
  d: readonly number[],
  pools: readonly Pool[],
  holds: (p: Pool) => boolean,
): { reason: UnplacedReason; detail: string } {
  const needs = `needs ${fmt(d[0], 0)}, ${fmt(d[1], 1)}, ${fmt(d[2], 2)}`;
  if (pools.length === 0) {
    return { reason: 'no-offer-fits-cpus', detail: `${needs}; there are no offers` };
  }
  const eligible = pools.filter(holds);
  if (eligible.length === 0) {
    // Name the constraint that rules out the most agents, with an example agent.
    const counts = new Map<string, { c: Constraint; n: number; example: Pool }>();
    for (const p of pools) {
      const c = firstFailingConstraint(t.constraints, p.offer);
      if (c === undefined) continue;
      const key = describeConstraint(c);
      const e = counts.get(key);
      if (e === undefined) counts.set(key, { c, n: 1, example: p });
      else e.n++;
    }
    let top: { c: Constraint; n: number; example: Pool } | undefined;
    for (const e of counts.values()) if (top === undefined || e.n > top.n) top = e;
    const detail =
      top === undefined
        ? `no offered agent satisfies the constraints`
        : `constraint ${describeConstraint(top.c)} is not met by ${top.n} of ${pools.length} offered agents ` +
          `(e.g. ${top.example.hostname}: ${describeAttribute(top.example.offer, top.c[0])})`;
    return { reason: 'constraint', detail };
  }
  const excluded = pools.length - eligible.length;
  const note = excluded > 0 ? `; ${excluded} agents excluded by constraints` : '';
  let candidates = eligible;
  for (const k of KIND_INDEXES) {
    let most: Pool | undefined;
    for (const p of candidates) if (most === undefined || p.free[k] > most.free[k]) most = p;
    const next = candidates.filter((p) => p.free[k] >= d[k]);
    if (next.length === 0 && most !== undefined) {
      const among = ['an eligible agent', 'an eligible agent with enough cpus', 'an eligible agent with enough cpus and mem'][k];
      return {
        reason: `no-offer-fits-${KINDS[k]}` as UnplacedReason,
        detail: `${needs}; the most free on ${among} is ${fmt(most.free[k], k)} (${most.hostname})${note}`,
      };
    }
    candidates = next;
  }
  // Unreachable when the index is consistent; kept as a safe answer.
  return { reason: 'no-offer-fits-cpus', detail: `${needs}; no offered agent has room${note}` };
}
