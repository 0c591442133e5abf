import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DependencyGraph } from './dag';
import { parentsFirst, rerunPlan } from './rerun-plan';

const graphOf = (jobs: Array<{ name: string; parents?: string[] }>) => DependencyGraph.fromJobs(jobs).graph;

describe('rerunPlan', () => {
  // extract → transform → load, and transform → report (disabled); audit stands alone
  const g = graphOf([
    { name: 'extract' },
    { name: 'transform', parents: ['extract'] },
    { name: 'load', parents: ['transform'] },
    { name: 'report', parents: ['transform'] },
    { name: 'audit' },
  ]);
  const disabled = (n: string) => n === 'report';

  it('reruns the failed job and lists its downstream jobs parents first, disabled ones apart', () => {
    expect(rerunPlan(g, ['transform'], disabled)).toEqual({ rerun: ['transform'], downstream: ['load'], disabled: ['report'] });
  });

  it('a failed job below another failed job is not rerun directly: it follows its parent', () => {
    expect(rerunPlan(g, ['load', 'extract'], disabled)).toEqual({ rerun: ['extract'], downstream: ['transform', 'load'], disabled: ['report'] });
  });

  it('unrelated failures are each rerun', () => {
    expect(rerunPlan(g, ['audit', 'load'], disabled)).toEqual({ rerun: ['audit', 'load'], downstream: [], disabled: [] });
  });

  it('every job in a plan comes after its parents among the listed jobs (random chains)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 5 }), (parentPicks, failedPicks) => {
        // job i's parent is an earlier job (no cycles)
        const jobs = parentPicks.map((p, i) => (i === 0 || p % 3 === 0 ? { name: `j${i}` } : { name: `j${i}`, parents: [`j${p % i}`] }));
        const graph = graphOf(jobs);
        const failed = failedPicks.map((f) => `j${f % jobs.length}`);
        const plan = rerunPlan(graph, failed, () => false);
        const order = [...plan.rerun, ...plan.downstream];
        expect(new Set(order).size).toBe(order.length);
        for (const name of plan.downstream) {
          for (const p of graph.parentsOf(name)) if (order.includes(p)) expect(order.indexOf(p)).toBeLessThan(order.indexOf(name));
        }
        for (const f of failed) expect(order).toContain(f);
        expect(parentsFirst(graph, order)).toHaveLength(order.length);
      }),
    );
  });
});
