import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offeredTotals } from './matcher';
import { demandLeft, KEEP_MARGIN, offersToKeep, type Demand } from './offers-to-keep';
import type { Offer, OfferResource } from './types';

const res = (name: string, scalar: number, role = '*'): OfferResource => ({ name, type: 'SCALAR', scalar, role, reserved: role !== '*' });
const offer = (id: string, cpus: number, mem = 4096, disk = 10_000, role = '*'): Offer => ({
  id,
  agentId: `agent-${id}`,
  hostname: `host-${id}`,
  resources: [res('cpus', cpus, role), res('mem', mem, role), res('disk', disk, role)],
  attributes: [],
});
const demand = (runs: number, cpus: number, mem: number, disk = 0): Demand => ({ runs, cpus, mem, disk });
const room = (offers: Offer[], ids: string[]) => offeredTotals(offers.filter((o) => ids.includes(o.id)));

describe('offersToKeep', () => {
  it('one small job due keeps one offer of a large cluster, not all of them', () => {
    const offers = Array.from({ length: 20 }, (_, i) => offer(`o${i}`, 8));
    expect(offersToKeep(offers, offers.map((o) => o.id), demand(1, 0.1, 32))).toEqual(['o0']);
  });

  it('a herd keeps the largest offers first until every resource it asks for is covered with the margin', () => {
    const offers = [offer('small', 1), offer('big', 8), offer('mid', 4), offer('mid2', 4)];
    // 10 cpus × 1.25 = 12.5: big (8) + mid (4) = 12 is short, + mid2 = 16
    expect(offersToKeep(offers, offers.map((o) => o.id), demand(100, 10, 100))).toEqual(['big', 'mid', 'mid2']);
    // memory short too: kept until it is covered, whatever the cpus say
    const memHeavy = [offer('a', 8, 1000), offer('b', 1, 1000), offer('c', 1, 1000)];
    expect(offersToKeep(memHeavy, ['a', 'b', 'c'], demand(3, 1, 2000))).toEqual(['a', 'b', 'c']);
  });

  it('keeps nothing when no run is due, and never an offer the round did not leave unused', () => {
    const offers = [offer('used', 8), offer('free', 8)];
    expect(offersToKeep(offers, ['free'], demand(0, 0, 0))).toEqual([]);
    expect(offersToKeep(offers, ['free'], demand(500, 50, 5000))).toEqual(['free']);
  });

  it('resources reserved for another role do not count towards the demand', () => {
    const offers = [offer('other', 32, 65_536, 10_000, 'gpu-team'), offer('ours', 8)];
    expect(offersToKeep(offers, ['other', 'ours'], demand(10, 6, 100))).toEqual(['ours']);
    expect(offersToKeep(offers, ['other', 'ours'], demand(10, 60, 100))).toEqual(['ours']);
  });

  it('what earlier rounds kept counts: once covered, later offers are declined', () => {
    const need = demand(40, 4, 400);
    expect(demandLeft(need, [8, 8192, 0]).runs).toBe(0);
    const left = demandLeft(need, [2, 8192, 0]);
    expect(left.runs).toBe(40);
    expect(offersToKeep([offer('x', 4)], ['x'], left)).toEqual(['x']);
    expect(offersToKeep([offer('x', 4)], ['x'], demandLeft(need, [5, 8192, 0]))).toEqual([]);
  });

  it('property: the kept offers cover the demand with the margin unless every candidate is kept, and none is kept beyond it', () => {
    const offerArb = fc.record({ cpus: fc.integer({ min: 1, max: 64 }), mem: fc.integer({ min: 128, max: 262_144 }) });
    fc.assert(
      fc.property(
        fc.array(offerArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 500_000, noNaN: true }),
        (specs, runs, cpus, mem) => {
          const offers = specs.map((s, i) => offer(`o${i}`, s.cpus, s.mem));
          const ids = offers.map((o) => o.id);
          const kept = offersToKeep(offers, ids, demand(runs, cpus, mem));
          expect(kept.length).toBeGreaterThan(0);
          expect(new Set(kept).size).toBe(kept.length);
          const [c, m] = room(offers, kept);
          const covers = (rc: number, rm: number) => rc >= cpus * KEEP_MARGIN && rm >= mem * KEEP_MARGIN;
          if (kept.length < ids.length) expect(covers(c, m)).toBe(true);
          if (kept.length > 1) {
            const [c2, m2] = room(offers, kept.slice(0, -1));
            expect(covers(c2, m2)).toBe(false);
          }
        },
      ),
    );
  });
});
