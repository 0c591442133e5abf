/**
 * Builders and invariants for the offer matcher's tests (core/matcher.test.ts,
 * core/matcher-quality.test.ts): offers, tasks, one match, and what every match must keep.
 */
import { expect } from 'vitest';
import { matchOffers, type MatchInput, type MatchOutput, type PendingTask } from '../core/matcher';
import type { Attribute, Offer, OfferResource } from '../core/types';

export const T0 = Date.UTC(2024, 0, 1); // a named instant; the matcher never reads the clock

export const scalarRes = (name: string, value: number, role = '*', raw?: unknown): OfferResource => {
  const r: OfferResource = { name, type: 'SCALAR', scalar: value, role, reserved: role !== '*' };
  if (raw !== undefined) r.raw = raw;
  return r;
};

export interface OfferSpec {
  id: string;
  agent: string;
  host?: string;
  cpus?: number;
  mem?: number;
  disk?: number;
  extra?: OfferResource[];
  attributes?: Attribute[];
}

export const offer = ({ id, agent, host, cpus = 0, mem = 0, disk = 0, extra = [], attributes = [] }: OfferSpec): Offer => ({
  id,
  agentId: agent,
  hostname: host ?? `${agent}.example.com`,
  resources: [
    ...(cpus > 0 ? [scalarRes('cpus', cpus)] : []),
    ...(mem > 0 ? [scalarRes('mem', mem)] : []),
    ...(disk > 0 ? [scalarRes('disk', disk)] : []),
    ...extra,
  ],
  attributes,
});

export const task = (
  taskId: string,
  cpus: number,
  mem = 128,
  opts: Partial<Omit<PendingTask, 'taskId' | 'demand'>> & { disk?: number } = {},
): PendingTask => ({
  taskId,
  jobName: opts.jobName ?? taskId,
  demand: { cpus, mem, disk: opts.disk ?? 0 },
  constraints: opts.constraints ?? [],
  highPriority: opts.highPriority ?? false,
  concurrent: opts.concurrent ?? false,
  due: opts.due ?? T0,
});

export const match = (pending: PendingTask[], offers: Offer[], extra: Partial<MatchInput> = {}): MatchOutput =>
  matchOffers({ pending, offers, running: new Set(), ...extra });

/** task id → agent id */
export const placements = (out: MatchOutput): Record<string, string> =>
  Object.fromEntries(out.launches.flatMap((l) => l.tasks.map((t) => [t.taskId, l.agentId])));

export const sumOf = (rs: OfferResource[], name: string): number =>
  Math.round(rs.filter((r) => r.name === name).reduce((s, r) => s + (r.scalar ?? 0), 0) * 1000) / 1000;

/** Invariants every answer must keep: exact demands, no over-commit, every task once, every offer once. */
export function checkInvariants(input: MatchInput, out: MatchOutput): void {
  const problems: string[] = [];
  const byId = new Map(input.pending.map((t) => [t.taskId, t]));
  const offeredByAgent = new Map<string, OfferResource[]>();
  for (const o of input.offers) offeredByAgent.set(o.agentId, [...(offeredByAgent.get(o.agentId) ?? []), ...o.resources]);
  const role = input.role ?? '*';
  const seen = new Set<string>();
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  for (const l of out.launches) {
    const offered = offeredByAgent.get(l.agentId) ?? [];
    for (const t of l.tasks) {
      if (seen.has(t.taskId)) problems.push(`${t.taskId} twice`);
      seen.add(t.taskId);
      const p = byId.get(t.taskId)!;
      for (const name of ['cpus', 'mem', 'disk'] as const) {
        if (!close(sumOf(t.resources, name), p.demand[name])) problems.push(`${t.taskId}: ${name} taken ≠ demand`);
      }
      for (const r of t.resources) {
        if (!offered.some((x) => x.name === r.name && x.role === r.role && x.reserved === r.reserved)) {
          problems.push(`${t.taskId}: ${r.name}/${r.role} not offered on ${l.agentId}`);
        }
      }
    }
    // the cpus/mem/disk taken never exceed the usable offered amount
    for (const name of ['cpus', 'mem', 'disk']) {
      const taken = l.tasks.reduce((s, t) => s + sumOf(t.resources, name), 0);
      const usable = offered
        .filter((r) => r.name === name && (r.role === '*' || r.role === role))
        .reduce((s, r) => s + (r.scalar ?? 0), 0);
      if (taken > usable + 1e-6) problems.push(`${l.agentId}: ${name} over-committed`);
    }
  }
  for (const u of out.unplaced) {
    if (seen.has(u.taskId)) problems.push(`${u.taskId} twice`);
    seen.add(u.taskId);
  }
  expect(problems).toEqual([]);
  expect(seen.size).toBe(input.pending.length);
  const offerIds = [...out.launches.flatMap((l) => l.offerIds), ...out.declines].sort();
  expect(offerIds).toEqual(input.offers.map((o) => o.id).sort());
}
