/**
 * Layered (Sugiyama) layout of the job dependency graph with ELK. Pure apart from the ELK
 * instance passed in, so the page runs it in the browser and the test runs it in node.
 *
 * Options are tuned for size: at 1,000 nodes the default crossing minimisation dominates the time,
 * so thoroughness drops as the graph grows (the measured time is in layout.test.ts).
 */
import type { ELK, ElkNode } from 'elkjs/lib/elk-api';
import { elkInput, layoutOptions, NODE_HEIGHT, NODE_WIDTH } from '@/scheduler/api/graph-layout';
import type { GraphData, GraphLayout } from '@/scheduler/api/ui-types';

// One definition for the server's layout (scheduler/api/graph-layouter.ts) and this one.
export { layoutOptions, NODE_HEIGHT, NODE_WIDTH };

export interface Positioned {
  /** Top-left corner of each node, by job name. */
  positions: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
  /** Wall time ELK took, ms. */
  ms: number;
}

/** A layout the server sent with the graph (GET /api/graph), as the page draws it. */
export function fromServer(layout: GraphLayout): Positioned {
  const positions = new Map<string, { x: number; y: number }>();
  for (const [name, [x, y]] of Object.entries(layout.positions)) positions.set(name, { x, y });
  return { positions, width: layout.width, height: layout.height, ms: layout.ms };
}

export async function layoutGraph(elk: ELK, data: GraphData): Promise<Positioned> {
  const started = performance.now();
  const out = await elk.layout(elkInput(data) as ElkNode);
  const positions = new Map<string, { x: number; y: number }>();
  for (const c of out.children ?? []) positions.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return { positions, width: out.width ?? 0, height: out.height ?? 0, ms: performance.now() - started };
}

/** A synthetic graph for tests and the benchmark: `n` jobs in chains and fan-outs, some roots. */
export function syntheticGraph(n: number, seed = 1): GraphData {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const nodes: GraphData['nodes'] = [];
  const edges: GraphData['edges'] = [];
  for (let i = 0; i < n; i++) {
    const name = `job-${String(i).padStart(4, '0')}`;
    const root = i < 10 || rand() < 0.08;
    nodes.push({ name, kind: root ? 'scheduled' : 'dependent', status: 'fresh', state: 'idle', disabled: false });
    if (!root) {
      const parents = 1 + Math.floor(rand() * 2);
      for (let p = 0; p < parents; p++) {
        const j = Math.max(0, i - 1 - Math.floor(rand() * Math.min(i, 40)));
        const source = `job-${String(j).padStart(4, '0')}`;
        if (!edges.some((e) => e.source === source && e.target === name)) edges.push({ source, target: name });
      }
    }
  }
  return { nodes, edges };
}
