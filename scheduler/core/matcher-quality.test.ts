import { describe, expect, it } from 'vitest';
import { checkInvariants, match, offer, task } from '../testing/matcher-fixtures';
import { matchOffers, type PendingTask } from './matcher';
import type { Offer } from './types';
import { SPEED_WORKLOAD, cpuUse, workload, type Workload } from '../testing/matcher-workload';

describe('unplaced reasons', () => {
  const offers = [
    offer({ id: 'o1', agent: 'a1', cpus: 8, mem: 1024, disk: 100, attributes: [{ name: 'rack', type: 'TEXT', text: 'r1' }] }),
    offer({ id: 'o2', agent: 'a2', cpus: 2, mem: 8192, disk: 50000, attributes: [{ name: 'rack', type: 'TEXT', text: 'r2' }] }),
  ];
  const cases: Array<{ name: string; t: PendingTask; offers?: Offer[]; reason: string; detail: string }> = [
    {
      name: 'cpus',
      t: task('t', 16, 128),
      reason: 'no-offer-fits-cpus',
      detail: 'needs 16 cpus, 128 MB mem, 0 MB disk; the most free on an eligible agent is 8 cpus (a1.example.com)',
    },
    {
      name: 'mem (agents with enough cpus are short of mem)',
      t: task('t', 4, 4096),
      reason: 'no-offer-fits-mem',
      detail:
        'needs 4 cpus, 4096 MB mem, 0 MB disk; the most free on an eligible agent with enough cpus is 1024 MB mem (a1.example.com)',
    },
    {
      name: 'disk',
      t: task('t', 4, 512, { disk: 1000 }),
      reason: 'no-offer-fits-disk',
      detail:
        'needs 4 cpus, 512 MB mem, 1000 MB disk; the most free on an eligible agent with enough cpus and mem is 100 MB disk (a1.example.com)',
    },
    {
      name: 'cpus among the agents the constraints allow',
      t: task('t', 4, 128, { constraints: [['rack', 'UNLIKE', 'r1']] }),
      reason: 'no-offer-fits-cpus',
      detail:
        'needs 4 cpus, 128 MB mem, 0 MB disk; the most free on an eligible agent is 2 cpus (a2.example.com); 1 agents excluded by constraints',
    },
    {
      name: 'constraint',
      t: task('t', 1, 128, { constraints: [['rack', 'LIKE', 'r[3-9]']] }),
      reason: 'constraint',
      detail: 'constraint rack LIKE r[3-9] is not met by 2 of 2 offered agents (e.g. a1.example.com: rack=r1)',
    },
    {
      name: 'no offers at all',
      t: task('t', 1, 128),
      offers: [],
      reason: 'no-offer-fits-cpus',
      detail: 'needs 1 cpus, 128 MB mem, 0 MB disk; there are no offers',
    },
  ];
  it.each(cases)('$name', ({ t, reason, detail, ...c }) => {
    const out = match([t], c.offers ?? offers);
    expect(out.unplaced).toEqual([{ taskId: 't', jobName: 't', reason, detail }]);
  });

  it('tasks of a shape that fitted nowhere get the same answer without a new search', () => {
    const out = match([task('a', 16, 128, { jobName: 'j1' }), task('b', 16, 128, { jobName: 'j2' })], offers);
    expect(out.unplaced.map((u) => [u.taskId, u.reason])).toEqual([
      ['a', 'no-offer-fits-cpus'],
      ['b', 'no-offer-fits-cpus'],
    ]);
    expect(out.unplaced[0].detail).toBe(out.unplaced[1].detail);
  });
});

/* ---------- packing quality ---------- */

describe('packing quality: a full queue of mixed sizes uses ≥ 95% of offered CPU', () => {
  const base = { agents: 100, agentCpus: 32, agentMemGb: 128, memGb: [1, 16] as [number, number], highShare: 0 };
  const ints = [1, 2, 3, 4, 5, 6, 7, 8];
  const cases: Array<{ name: string } & Workload> = [
    { name: '1–8 cpus, 1–16 GB, queue 2× capacity', seed: 1, ...base, saturation: 2, cpuSizes: ints },
    { name: '1–8 cpus, 1–16 GB, queue 1.2× capacity', seed: 2, ...base, saturation: 1.2, cpuSizes: ints },
    { name: '1–8 cpus, 1–16 GB, queue 1.05× capacity', seed: 3, ...base, saturation: 1.05, cpuSizes: ints },
    { name: 'half-cpu steps 0.5–8', seed: 4, ...base, saturation: 1.5, cpuSizes: Array.from({ length: 16 }, (_, i) => (i + 1) / 2) },
    { name: 'big tasks only (4–8 cpus)', seed: 5, ...base, saturation: 2, cpuSizes: [4, 5, 6, 7, 8] },
    { name: '30% high priority', seed: 6, ...base, saturation: 1.5, cpuSizes: ints, highShare: 0.3 },
    { name: 'mem-heavy (4–32 GB): cpus and mem run short together', seed: 7, ...base, saturation: 2, cpuSizes: ints, memGb: [4, 32] },
    { name: 'mem-heavy, queue 1.1× capacity', seed: 8, ...base, saturation: 1.1, cpuSizes: ints, memGb: [4, 32] },
    { name: 'queue exactly at capacity', seed: 9, ...base, saturation: 1, cpuSizes: ints },
    { name: 'big tasks only, queue 1.1× capacity', seed: 10, ...base, saturation: 1.1, cpuSizes: [4, 5, 6, 7, 8] },
  ];
  it.each(cases)('$name', (w) => {
    const input = workload(w);
    const out = matchOffers(input);
    checkInvariants(input, out);
    const use = cpuUse(input, out);
    expect(use).toBeGreaterThanOrEqual(0.95);
  });
});

describe('a round of 10,000 pending tasks against 1,000 offers (its speed is in the core-speed benchmark)', () => {
  it('places 1,000 launches using ≥ 95% of the offered cpus', () => {
    const input = workload(SPEED_WORKLOAD);
    input.pending = input.pending.slice(0, 10_000);
    expect(input.pending.length).toBe(10_000);
    const out = matchOffers(input);
    expect(out.launches.length).toBe(1000);
    expect(cpuUse(input, out)).toBeGreaterThanOrEqual(0.95);
  });
});
