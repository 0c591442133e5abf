/**
 * DependencyGraph.fromJobs builds in bulk what adding every job, then setting each one's parents,
 * builds one call at a time: the same vertices in the same order, the same edges in the same
 * order, the same counters and the same rejected jobs, for generated job lists with parents
 * earlier and later in the list, repeated parents, missing parents, self-parents, cycles and
 * repeated names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DependencyGraph, type BuiltGraph, type EdgeCount } from './dag';

type Spec = { name: string; parents?: string[] };

/** The graph as the public calls build it: every job added, then each one's parents set. */
function oneCallAtATime(jobs: Spec[], counters: EdgeCount[]): BuiltGraph {
  const graph = new DependencyGraph();
  const rejected: BuiltGraph['rejected'] = [];
  const duplicates = new Set<number>();
  jobs.forEach((j, i) => {
    const r = graph.addJob(j.name);
    if (!r.ok) {
      duplicates.add(i);
      rejected.push({ name: j.name, error: r.error });
    }
  });
  jobs.forEach((j, i) => {
    if (!j.parents || j.parents.length === 0 || duplicates.has(i)) return;
    const r = graph.setParents(j.name, j.parents);
    if (!r.ok) rejected.push({ name: j.name, error: r.error });
  });
  graph.importCounters(counters);
  return { graph, rejected };
}

/** Everything a reader of the graph can see. */
function view({ graph, rejected }: BuiltGraph) {
  const names = graph.names();
  return {
    names,
    parents: names.map((n) => graph.parentsOf(n)),
    children: names.map((n) => graph.childrenOf(n)),
    order: graph.topologicalOrder(),
    counters: graph.counters(),
    rejected,
  };
}

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'missing'];

const jobLists = fc.array(
  fc.record(
    {
      name: fc.constantFrom(...NAMES.slice(0, 8)),
      parents: fc.array(fc.constantFrom(...NAMES), { maxLength: 4 }),
    },
    { requiredKeys: ['name'] },
  ),
  { maxLength: 14 },
);
const counterLists = fc.array(
  fc.record({ child: fc.constantFrom(...NAMES), parent: fc.constantFrom(...NAMES), count: fc.integer({ min: -1, max: 5 }) }),
  { maxLength: 8 },
);

describe('DependencyGraph.fromJobs', () => {
  it('builds what addJob then setParents build, one job at a time', () => {
    fc.assert(
      fc.property(jobLists, counterLists, (jobs, counters) => {
        expect(view(DependencyGraph.fromJobs(jobs, counters))).toEqual(view(oneCallAtATime(jobs, counters)));
      }),
      { seed: 18, numRuns: 1_000 },
    );
  });

  it('builds the same graph in steps, whatever the chunk', () => {
    fc.assert(
      fc.property(jobLists, counterLists, fc.integer({ min: 1, max: 5 }), (jobs, counters, chunk) => {
        const steps = DependencyGraph.fromJobsInSteps(jobs, counters, chunk);
        let r = steps.next();
        while (!r.done) r = steps.next();
        expect(view(r.value)).toEqual(view(oneCallAtATime(jobs, counters)));
      }),
      { seed: 4, numRuns: 500 },
    );
  });

  it('names a cycle, a missing parent and a repeated name among stored jobs', () => {
    const built = DependencyGraph.fromJobs([
      { name: 'a', parents: ['c'] },
      { name: 'b', parents: ['a', 'a'] },
      { name: 'c', parents: ['b'] },
      { name: 'd', parents: ['gone'] },
      { name: 'b' },
    ]);
    expect(built.rejected.map((r) => [r.name, r.error.kind])).toEqual([
      ['b', 'duplicate'],
      ['c', 'cycle'],
      ['d', 'unknown-parents'],
    ]);
    expect(built.graph.parentsOf('b')).toEqual(['a']);
    expect(built.graph.childrenOf('c')).toEqual(['a']);
  });
});
