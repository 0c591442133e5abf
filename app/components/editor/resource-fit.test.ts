import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AgentInfo } from '@/scheduler/api/ui-types';
import { resourceWarnings } from './resource-fit';

const agent = (hostname: string, cpus: number, mem: number, disk: number, active = true): AgentInfo => ({
  id: hostname,
  hostname,
  active,
  resources: { cpus, mem, disk },
  used: { cpus: 0, mem: 0, disk: 0 },
  attributes: {},
});

describe('resourceWarnings', () => {
  const agents = [agent('a1', 8, 16_384, 100_000), agent('a2', 4, 65_536, 50_000), agent('big-but-gone', 1000, 1e9, 1e9, false)];

  it('warns for a 500-cpu job, naming the largest agent', () => {
    const w = resourceWarnings({ cpus: 500, mem: 128, disk: 0 }, agents);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('500 cpus');
    expect(w[0]).toContain('8 (a1)');
  });

  it('does not warn for what the largest agent can hold, nor without agents', () => {
    expect(resourceWarnings({ cpus: 8, mem: 65_536, disk: 100_000 }, agents)).toEqual([]);
    expect(resourceWarnings({ cpus: 500 }, [])).toEqual([]);
  });

  it('warns exactly when an ask exceeds every active agent', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(64), fc.boolean()), { minLength: 1, maxLength: 6 }), fc.nat(80), (shape, cpus) => {
        const as = shape.map(([c, on], i) => agent(`h${i}`, c, 1, 1, on));
        const fits = as.some((a) => a.active && a.resources.cpus >= cpus) || !as.some((a) => a.active);
        expect(resourceWarnings({ cpus }, as).length === 0).toBe(fits);
      }),
    );
  });
});
