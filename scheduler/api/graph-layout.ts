/**
 * Layered (Sugiyama) layout of the job dependency graph with ELK: the options and the input, shared
 * by the server (graph-layouter.ts, which lays graphs out for GET /api/graph) and the browser
 * (app/components/graph/layout.ts re-exports these). No Node or DOM import here.
 */
import type { GraphData } from './ui-types';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 44;

/** ELK's graph as elk.layout() takes it (the subset used here). */
export interface ElkInput {
  id: string;
  layoutOptions: Record<string, string>;
  children: Array<{ id: string; width: number; height: number }>;
  edges: Array<{ id: string; sources: string[]; targets: string[] }>;
}

export function layoutOptions(nodeCount: number): Record<string, string> {
  // Above a few hundred nodes: one crossing-minimisation pass, no greedy switch, polyline routing
  // and merged edges (measured in app/components/graph/layout.test.ts; about 3x faster than the
  // defaults at 1,000).
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

/** The ELK input for a graph answer (edges to nodes outside it are dropped). */
export function elkInput(data: Pick<GraphData, 'nodes' | 'edges'>): ElkInput {
  const names = new Set(data.nodes.map((n) => n.name));
  return {
    id: '__root',
    layoutOptions: layoutOptions(data.nodes.length),
    children: data.nodes.map((n) => ({ id: n.name, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: data.edges
      .filter((e) => names.has(e.source) && names.has(e.target))
      .map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  };
}

/** A stable text key of the structure (node names and edges): the layout depends on nothing else. */
export function structureKey(data: Pick<GraphData, 'nodes' | 'edges'>): string {
  const nodes = data.nodes.map((n) => n.name).sort();
  const edges = data.edges.map((e) => `${e.source}\u0000${e.target}`).sort();
  return `${nodes.join('\u0001')}\u0002${edges.join('\u0001')}`;
}
