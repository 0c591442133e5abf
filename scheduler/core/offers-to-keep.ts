/**
 * Which unused offers to keep for runs prepared ahead of their instant (OfferDecision.hold), and
 * which to decline as usual. A kept offer is out of reach of the cluster's other frameworks until
 * the instant (and a grace after it), so only what the runs due then need is kept, with a margin
 * for constraints and for how tasks fall on agents: one small job due every minute must not take
 * every offer of a shared cluster away from the others for seconds around each instant, while a
 * herd of thousands keeps every offer it can fill.
 */
import { offeredTotals } from './matcher';
import type { Offer } from './types';

/** What runs due at one instant ask for: how many, and their cpus, mem and disk in total. */
export interface Demand {
  runs: number;
  cpus: number;
  mem: number;
  disk: number;
}

export const NO_DEMAND: Readonly<Demand> = { runs: 0, cpus: 0, mem: 0, disk: 0 };

/** Kept offers cover this much more than the demand, in each resource asked for. */
export const KEEP_MARGIN = 1.25;

/**
 * The ids among `candidates` (offers of `offers` the round left unused) to keep for `need` (what
 * the runs due ask for, less what earlier rounds already kept for them): the largest offers
 * first (fewer offers held for the same room), until every resource asked for is covered
 * KEEP_MARGIN times; at least one while any run is due. Resources other roles reserved do not
 * count (the matcher cannot use them), and an offer of nothing else is never kept.
 */
export function offersToKeep(offers: readonly Offer[], candidates: readonly string[], need: Demand, role = '*'): string[] {
  if (need.runs <= 0 || candidates.length === 0) return [];
  const wanted = [need.cpus, need.mem, need.disk].map((x) => Math.max(0, x) * KEEP_MARGIN);
  const byId = new Map(offers.map((o) => [o.id, o]));
  const sized = candidates
    .filter((id) => byId.has(id))
    .map((id) => ({ id, room: offeredTotals([byId.get(id)!], role) }))
    .filter((o) => o.room.some((x) => x > 0))
    .sort((a, b) => b.room[0] - a.room[0] || b.room[1] - a.room[1]);
  const kept: string[] = [];
  const have = [0, 0, 0];
  for (const { id, room } of sized) {
    const short = wanted.some((w, k) => have[k] < w);
    if (!short && kept.length > 0) break;
    kept.push(id);
    for (let k = 0; k < 3; k++) have[k] += room[k];
  }
  return kept;
}

/** What `need` still asks for once `kept` is held: each amount less what the kept offers hold. */
export function demandLeft(need: Demand, keptRoom: readonly [number, number, number]): Demand {
  const covered = keptRoom.every((x, k) => x >= [need.cpus, need.mem, need.disk][k] * KEEP_MARGIN) && keptRoom.some((x) => x > 0);
  if (covered) return { ...NO_DEMAND };
  return {
    runs: need.runs,
    cpus: Math.max(0, need.cpus - keptRoom[0] / KEEP_MARGIN),
    mem: Math.max(0, need.mem - keptRoom[1] / KEEP_MARGIN),
    disk: Math.max(0, need.disk - keptRoom[2] / KEEP_MARGIN),
  };
}
