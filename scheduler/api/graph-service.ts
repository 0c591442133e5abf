/**
 * GET /api/graph: the dependency graph of the jobs, within a node budget, laid out on the server
 * when asked (graph-layouter.ts).
 */
import type { DependencyGraph } from '../core/dag';
import type { SchedulerRuntime } from '../ports';
import { ApiError } from './errors';
import type { JobEntry, JobsSnapshot } from './jobs-snapshot';
import { pipelineGraphInTurns, pipelineOf, pipelinesFirst } from './pipeline-graph';
import { stateInfo } from './jobs-service';
import type { GraphData } from './ui-types';

/**
 * Most jobs the whole graph (no focus) answers with: the issue asks for a graph usable with 1,000
 * nodes, and the browser's layered layout of a few thousand takes many seconds (bench/ measures it).
 */
export const GRAPH_MAX_NODES = 1000;

/** Lays graphs out for GET /api/graph (graph-layouter.ts); null answers go without positions. */
export interface UiGraphLayouter {
  layout(data: Pick<GraphData, 'nodes' | 'edges'>): Promise<GraphData['layout'] | null>;
}

/**
 * Whole weakly connected components of `names` (in name order), largest first (ties: by first
 * name), as many as fit in `max` nodes, the first always; what is left out, counted.
 */
export function largestPipelines(
  graph: Pick<DependencyGraph, 'parentsOf' | 'childrenOf'>,
  names: readonly string[],
  max: number,
): { names: string[]; omitted: NonNullable<GraphData['omitted']> } {
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const start of names) {
    if (seen.has(start)) continue;
    groups.push(pipelineOf(graph, start, seen).sort());
  }
  groups.sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept: string[] = [];
  const omitted = { jobs: 0, pipelines: 0, standalone: 0, maxNodes: max };
  for (const g of groups) {
    if (kept.length === 0 || kept.length + g.length <= max) kept.push(...g);
    else {
      omitted.jobs += g.length;
      if (g.length > 1) omitted.pipelines++;
      else omitted.standalone++;
    }
  }
  return { names: kept, omitted };
}

function* namesOf(entries: readonly JobEntry[]): Generator<string> {
  for (const e of entries) yield e.job.name;
}

export interface GraphServiceDeps {
  runtime: SchedulerRuntime;
  snapshot: JobsSnapshot;
  /** Server-side layout; null: none (the browser lays graphs out). */
  layouter: UiGraphLayouter | null;
}

export class GraphService {
  constructor(private readonly deps: GraphServiceDeps) {}

  /**
   * The dependency graph: with `focus`, that job's ancestors and descendants; without, every job
   * while they fit in `maxNodes` (GRAPH_MAX_NODES). Beyond that the answer keeps whole pipelines
   * (jobs connected by dependencies), largest first, then jobs without dependencies, as many as fit
   * (the first pipeline always, even when larger); `omitted` says what was left out, each of which
   * the focus view shows. With `layout` (and a layouter), the answer carries the node positions.
   */
  async graph(focus?: string | null, opts: { maxNodes?: number; layout?: boolean } = {}): Promise<GraphData> {
    const snap = await this.deps.snapshot.get();
    // only the jobs in a dependency, over many turns (pipeline-graph.ts): the others have no edge;
    // of the jobs as they were now (a copy of the list: the snapshot is patched in place meanwhile)
    const graph = (await pipelineGraphInTurns(snap.entries.map((e) => e.job)))!;
    let names: string[];
    let omitted: GraphData['omitted'];
    const total = snap.entries.length;
    const max = Math.max(1, opts.maxNodes ?? GRAPH_MAX_NODES);
    if (focus) {
      if (!snap.byName.has(focus)) throw ApiError.notFound(`job '${focus}' not found`);
      names = [...new Set([...graph.ancestors(focus), focus, ...graph.descendants(focus)])];
    } else if (total <= max) {
      names = snap.entries.map((e) => e.job.name);
    } else {
      ({ names, omitted } = await pipelinesFirst(graph, namesOf(snap.entries), total, max));
    }
    const nodes = names.flatMap((name) => {
      const e = snap.byName.get(name);
      if (!e) return []; // deleted while the graph was built
      const info = stateInfo(this.deps.runtime.activity(name), e.job.retries);
      return [{ name, kind: e.kind, status: e.status, state: info.state, retry: info.retry, disabled: e.job.disabled }];
    });
    const keep = new Set(nodes.map((n) => n.name));
    const edges: GraphData['edges'] = [];
    for (const child of keep) {
      for (const parent of graph.parentsOf(child)) if (keep.has(parent)) edges.push({ source: parent, target: child });
    }
    const out: GraphData = omitted ? { nodes, edges, omitted } : { nodes, edges };
    // positions only for who draws the graph (the editor's cycle check reads the structure alone)
    const layout = opts.layout && this.deps.layouter ? await this.deps.layouter.layout(out) : null;
    if (layout) out.layout = layout;
    return out;
  }
}
