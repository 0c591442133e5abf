/**
 * The graph of only the jobs in a dependency (pipeline-graph.ts) answers as the whole graph of
 * every job did: the same edges (unknown parents and cycles refused alike), the same selection of
 * pipelines and standalone jobs within the node budget, and the same counts of what was left out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DependencyGraph } from '../core/dag';
import { largestPipelines } from './graph-service';
import { pipelineGraphInTurns, pipelinesFirst } from './pipeline-graph';
import { nextTurn, TURN_ITEMS } from './snapshot-in-turns';

type Linked = { name: string; parents?: string[] };

const name = (i: number) => `j${String(i).padStart(3, '0')}`;

/** n jobs in name order, some with parents among them (and a few missing ones, and cycles). */
const jobsArb = fc.integer({ min: 1, max: 60 }).chain((n) =>
  fc
    .array(fc.option(fc.uniqueArray(fc.integer({ min: 0, max: n + 2 }), { minLength: 1, maxLength: 3 }), { nil: undefined }), {
      minLength: n,
      maxLength: n,
    })
    .map((ps): Linked[] => ps.map((p, i) => (p ? { name: name(i), parents: p.map(name) } : { name: name(i) }))),
);

const edgesOf = (g: DependencyGraph, names: readonly string[]) =>
  names.flatMap((c) => g.parentsOf(c).map((p) => `${p}>${c}`)).sort();

describe('pipelineGraphInTurns', () => {
  it('has the whole graph’s edges, and the same selection within any node budget', async () => {
    await fc.assert(
      fc.asyncProperty(jobsArb, fc.integer({ min: 1, max: 70 }), async (jobs, max) => {
        const whole = DependencyGraph.fromJobs(jobs).graph;
        const part = (await pipelineGraphInTurns(jobs))!;
        const names = jobs.map((j) => j.name);
        expect(edgesOf(part, names)).toEqual(edgesOf(whole, names));
        expect(await pipelinesFirst(part, names, names.length, max)).toEqual(largestPipelines(whole, names, max));
        for (const n of names) {
          expect(part.ancestors(n)).toEqual(whole.ancestors(n));
          expect(part.descendants(n)).toEqual(whole.descendants(n));
        }
      }),
      { seed: 18, numRuns: 300 },
    );
  });

  it('holds only the jobs in a dependency, and lets other work run while it is built', async () => {
    const n = TURN_ITEMS * 3;
    const jobs: Linked[] = Array.from({ length: n }, (_, i) => ({ name: name(i) }));
    jobs[7] = { name: name(7), parents: [name(3)] };
    let done = false;
    const built = pipelineGraphInTurns(jobs).then((g) => ((done = true), g));
    let turns = 0;
    while (!done) {
      await nextTurn();
      turns++;
    }
    expect(turns).toBeGreaterThan(3); // at once, within a turn
    expect((await built)!.names()).toEqual([name(3), name(7)]);
  });

  it('stops when no longer wanted', async () => {
    const jobs: Linked[] = Array.from({ length: TURN_ITEMS * 2 }, (_, i) => ({ name: name(i) }));
    expect(await pipelineGraphInTurns(jobs, () => false)).toBeNull();
  });
});
