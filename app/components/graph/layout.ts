/**
 * Layered (Sugiyama) layout of the job dependency graph with ELK. Pure apart from the ELK
 * instance passed in, so the page runs it in the browser and the test runs it in node.
 *
 * Options are tuned for size: at 1,000 nodes the default crossing minimisation dominates the time,
 * so thoroughness drops as the graph grows (the measured time is in layout.test.ts).
 */
import type { ELK, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { GraphData } from '@/scheduler/api/ui-types';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 44;

export interface Positioned {
  /** Top-left corner of each node, by job name. */
  positions: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
  /** Wall time ELK took, ms. */
  ms: number;
}

export function layoutOptions(nodeCount: number): LayoutOptions {
  // Above a few hundred nodes: one crossing-minimisation pass, no greedy switch, polyline routing
  // and merged edges (measured in layout.test.ts; about 3x faster than the defaults at 1,000).
  const big = nodeCount > 300;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.edgeRouting': 'POLYLINE',
    'elk.spacing.nodeNode': '16',
    'elk.layered.spacing.nodeNodeBetweenLayers': '56',
    'elk.spacing.componentComponent': '40',
    'elk.separateConnectedComponents': 'true',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.thoroughness': big ? '1' : '7',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.crossingMinimization.greedySwitch.type': big ? 'OFF' : 'TWO_SIDED',
    ...(big ? { 'elk.layered.mergeEdges': 'true' } : {}),
  };
}

export async function layoutGraph(elk: ELK, data: GraphData): Promise<Positioned> {
  const started = performance.now();
  const names = new Set(data.nodes.map((n) => n.name));
  const graph: ElkNode = {
    id: '__root',
    layoutOptions: layoutOptions(data.nodes.length),
    children: data.nodes.map((n) => ({ id: n.name, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: data.edges
      .filter((e) => names.has(e.source) && names.has(e.target))
      .map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  };
  const out = await elk.layout(graph);
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
