/**
 * The graph answer as React Flow draws it: a node per job where the layout put it, an arrow per
 * dependency (animated while the child is queued or running), and the key of the graph's
 * structure, on which alone the layout depends.
 */
import { MarkerType, type Edge } from '@xyflow/react';
import type { GraphData } from '@/scheduler/api/ui-types';
import { HANDLES, type JobFlowNode } from './job-node';
import { NODE_HEIGHT, NODE_WIDTH, type Positioned } from './layout';
import { VISUAL_LABEL, visualOf } from './node-style';

/** A stable text key of the structure: the layout depends on nothing else. */
export function structureKey(data: GraphData): string {
  const nodes = data.nodes.map((n) => n.name).sort();
  const edges = data.edges.map((e) => `${e.source}\u0000${e.target}`).sort();
  return `${nodes.join('\u0001')}\u0002${edges.join('\u0001')}`;
}

/** React Flow's nodes: one per job, where the layout put it. */
export function flowNodes(data: GraphData, layout: Positioned, highlighted: (name: string) => boolean, focus: string): JobFlowNode[] {
  return data.nodes.map((job) => {
    const p = layout.positions.get(job.name) ?? { x: 0, y: 0 };
    return {
      id: job.name,
      type: 'job' as const,
      position: p,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      handles: HANDLES,
      data: { job, visual: visualOf(job), highlighted: highlighted(job.name), focused: focus === job.name },
      draggable: false,
      connectable: false,
      ariaLabel: `${job.name}, ${VISUAL_LABEL[visualOf(job)]}`,
    };
  });
}

/** React Flow's edges: parent → child, animated while the child is queued or running. */
export function flowEdges(data: GraphData): Edge[] {
  const byName = new Map(data.nodes.map((n) => [n.name, n]));
  return data.edges.map((e) => {
    const child = byName.get(e.target);
    const live = child ? child.state !== 'idle' : false;
    return {
      id: `${e.source}->${e.target}`,
      source: e.source,
      target: e.target,
      ariaLabel: `${e.source} → ${e.target}`,
      animated: live,
      focusable: false,
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
    };
  });
}
