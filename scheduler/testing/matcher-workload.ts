/**
 * Generated offer rounds for the matcher (scheduler/core/matcher.ts): `agents` equal offers and a
 * queue of mixed sizes `saturation` times their cpus, reproducible from a seed. The packing tests
 * (core/matcher.test.ts) check their quality; the core-speed benchmark (bench/lib/core-speed.ts)
 * times the 10,000 × 1,000 one.
 */
import type { MatchInput, MatchOutput, PendingTask } from '../core/matcher';
import type { Offer, OfferResource } from '../core/types';
import { prng } from './prng';

/** A named instant: the matcher never reads the clock. */
const T0 = Date.UTC(2024, 0, 1);

export interface Workload {
  seed: number;
  agents: number;
  agentCpus: number;
  agentMemGb: number;
  /** queued cpus / offered cpus */
  saturation: number;
  /** cpus drawn from this list */
  cpuSizes: number[];
  memGb: [number, number];
  highShare: number;
}

const scalar = (name: string, value: number): OfferResource => ({ name, type: 'SCALAR', scalar: value, role: '*', reserved: false });

export function workload(w: Workload): MatchInput {
  const rnd = prng(w.seed);
  const offers: Offer[] = [];
  for (let i = 0; i < w.agents; i++) {
    offers.push({
      id: `o${i}`,
      agentId: `agent-${i}`,
      hostname: `agent-${i}.example.com`,
      resources: [scalar('cpus', w.agentCpus), scalar('mem', w.agentMemGb * 1024), scalar('disk', 1_000_000)],
      attributes: [],
    });
  }
  const pending: PendingTask[] = [];
  let queued = 0;
  const target = w.saturation * w.agents * w.agentCpus;
  for (let i = 0; queued < target; i++) {
    const cpus = w.cpuSizes[Math.floor(rnd() * w.cpuSizes.length)];
    const memGb = w.memGb[0] + Math.floor(rnd() * (w.memGb[1] - w.memGb[0] + 1));
    queued += cpus;
    pending.push({
      taskId: `ct:${T0 + i}:0:job-${i}`,
      jobName: `job-${i}`,
      demand: { cpus, mem: memGb * 1024, disk: 256 },
      constraints: [],
      highPriority: rnd() < w.highShare,
      concurrent: false,
      due: T0 + Math.floor(rnd() * 3_600_000),
    });
  }
  return { pending, offers, running: new Set() };
}

/** The share of the offered cpus the launches use. */
export function cpuUse(input: MatchInput, out: MatchOutput): number {
  const cpus = (rs: OfferResource[]) => rs.reduce((s, r) => s + (r.name === 'cpus' ? r.scalar! : 0), 0);
  const offered = cpus(input.offers.flatMap((o) => o.resources));
  const used = cpus(out.launches.flatMap((l) => l.tasks.flatMap((t) => t.resources)));
  return used / offered;
}

/** The speed benchmark's round: 10,000 pending tasks against 1,000 offers of 32 cpus. */
export const SPEED_WORKLOAD: Workload = {
  seed: 42,
  agents: 1000,
  agentCpus: 32,
  agentMemGb: 128,
  saturation: 1.4,
  cpuSizes: [0.5, 1, 1.5, 2, 3, 4, 5, 6, 7, 8],
  memGb: [1, 16],
  highShare: 0.1,
};
