/**
 * The dependency graph GET /api/graph draws from, built of only the jobs in a dependency (a job
 * with parents, or named as a parent), over many event-loop turns: every other job is a vertex
 * with no edge, which the answer needs only by name. Before, the whole graph of every job and the
 * components of it were built at once: at a million jobs (none dependent) that held the event loop
 * ~5 s on every whole-graph request and on the background pre-layout right after a start.
 *
 * The edges are exactly the whole graph's (DependencyGraph.fromJobs of every job in name order):
 * a job's parents are checked against the same known names (a parent that exists is in a
 * dependency) and linked in the same order, so the same unknown parents and cycles are refused.
 */
import { DependencyGraph } from '../core/dag';
import type { Job } from '../core/types';
import { nextTurn, TURN_ITEMS, type StillWanted } from './snapshot-in-turns';
import type { GraphData } from './ui-types';

type Linked = Pick<Job, 'name' | 'parents'>;

const hasParents = (j: Linked): boolean => j.parents !== undefined && j.parents.length > 0;

/**
 * The graph of the jobs in a dependency among `jobs` (in name order), with the whole graph's
 * edges; a few thousand jobs per turn. Null when no longer wanted.
 */
export async function pipelineGraphInTurns(jobs: readonly Linked[], stillWanted: StillWanted = () => true): Promise<DependencyGraph | null> {
  const named = new Set<string>();
  for (let i = 0; i < jobs.length; i++) {
    const ps = jobs[i].parents;
    if (ps) for (const p of ps) named.add(p);
    if ((i + 1) % TURN_ITEMS === 0) {
      await nextTurn();
      if (!stillWanted()) return null;
    }
  }
  const linked: Linked[] = [];
  if (named.size > 0) {
    for (let i = 0; i < jobs.length; i++) {
      if (hasParents(jobs[i]) || named.has(jobs[i].name)) linked.push(jobs[i]);
      if ((i + 1) % TURN_ITEMS === 0) {
        await nextTurn();
        if (!stillWanted()) return null;
      }
    }
  }
  const steps = DependencyGraph.fromJobsInSteps(linked, [], TURN_ITEMS);
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value.graph;
    await nextTurn();
    if (!stillWanted()) return null;
  }
}

/**
 * The pipeline (weakly connected component) of `start`, unsorted: `start` first, then every job
 * linked to it by parents or children; each job is added to `seen`.
 */
export function pipelineOf(graph: Pick<DependencyGraph, 'parentsOf' | 'childrenOf'>, start: string, seen: Set<string>): string[] {
  seen.add(start);
  const group = [start];
  for (let i = 0; i < group.length; i++) {
    for (const n of [...graph.parentsOf(group[i]), ...graph.childrenOf(group[i])]) {
      if (!seen.has(n)) {
        seen.add(n);
        group.push(n);
      }
    }
  }
  return group;
}

/**
 * largestPipelines (graph-service.ts) of every job, given the graph of only those in a dependency
 * (pipelineGraphInTurns) and every name in name order: the pipelines of two jobs or more largest
 * first, then the jobs with no edge in name order, as many as fit in `max` (the first group
 * always). Reads `names` only until the budget is spent. The pipelines are found over many turns.
 */
export async function pipelinesFirst(
  graph: Pick<DependencyGraph, 'names' | 'parentsOf' | 'childrenOf'>,
  names: Iterable<string>,
  total: number,
  max: number,
): Promise<{ names: string[]; omitted: NonNullable<GraphData['omitted']> }> {
  const seen = new Set<string>();
  const groups: string[][] = [];
  let visited = 0;
  for (const start of graph.names()) {
    if (++visited % TURN_ITEMS === 0) await nextTurn();
    if (seen.has(start)) continue;
    const group = pipelineOf(graph, start, seen);
    if (group.length > 1) groups.push(group.sort());
  }
  groups.sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept: string[] = [];
  const omitted = { jobs: 0, pipelines: 0, standalone: 0, maxNodes: max };
  let inPipelines = 0;
  for (const g of groups) {
    inPipelines += g.length;
    if (kept.length === 0 || kept.length + g.length <= max) kept.push(...g);
    else {
      omitted.jobs += g.length;
      omitted.pipelines++;
    }
  }
  const inGroup = new Set(groups.flat());
  let standaloneKept = 0;
  if (kept.length < max) {
    for (const n of names) {
      if (inGroup.has(n)) continue;
      kept.push(n);
      standaloneKept++;
      if (kept.length >= max) break;
    }
  }
  omitted.standalone = total - inPipelines - standaloneKept;
  omitted.jobs += omitted.standalone;
  return { names: kept, omitted };
}
