/**
 * A job in the graph (React Flow's custom node `job`): its name as a link to the job, its live
 * state in colour and words, and the two handles arrows attach to (their places declared, so
 * React Flow need not draw a node to measure them).
 */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import Link from 'next/link';
import { memo } from 'react';
import { NameEllipsis } from '../name-ellipsis';
import { retryWords } from '@/scheduler/core/job-health';
import type { GraphNode } from '@/scheduler/api/ui-types';
import { NODE_HEIGHT, NODE_WIDTH } from './layout';
import { VISUAL_CLASS, VISUAL_LABEL, VISUAL_SHORT, type Visual } from './node-style';

export type JobNodeData = {
  job: GraphNode;
  visual: Visual;
  highlighted: boolean;
  focused: boolean;
};
export type JobFlowNode = Node<JobNodeData, 'job'>;

export const jobHref = (name: string) => `/jobs/${encodeURIComponent(name)}`;

export const JobNode = memo(function JobNode({ data }: NodeProps<JobFlowNode>) {
  const { job, visual, highlighted, focused } = data;
  return (
    <div
      className={`relative flex h-full w-full flex-col justify-center rounded-md border-2 px-2.5 text-left shadow-sm ${VISUAL_CLASS[visual]} ${
        highlighted ? 'ring-4 ring-fuchsia-500/70' : focused ? 'ring-2 ring-sky-500/60' : ''
      }`}
      data-visual={visual}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!h-1.5 !w-1.5 !min-w-0 !border-0 !bg-gray-400" />
      {/* no prefetch: a graph of 500 jobs would fetch one page per job in view */}
      <Link
        href={jobHref(job.name)}
        prefetch={false}
        className="nodrag min-w-0 text-[13px] leading-tight font-medium outline-none focus-visible:underline"
        title={`${job.name}: ${job.retry ? retryWords(job.retry) : VISUAL_LABEL[visual]}${job.disabled && visual !== 'disabled' ? ' (disabled)' : ''}`}
      >
        <NameEllipsis name={job.name} />
      </Link>
      <span className="mt-0.5 flex items-center gap-1 truncate text-[11px] leading-tight opacity-75">
        {visual === 'running' ? <span aria-hidden="true" className="h-1.5 w-1.5 animate-pulse rounded-full bg-current" /> : null}
        {job.retry ? retryWords(job.retry) : VISUAL_SHORT[visual]}
        {job.disabled && visual !== 'disabled' ? ' · disabled' : ''}
        {job.kind === 'dependent' ? ' · dependent' : ' · scheduled'}
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} className="!h-1.5 !w-1.5 !min-w-0 !border-0 !bg-gray-400" />
    </div>
  );
});

export const NODE_TYPES = { job: JobNode };
/**
 * Where JobNode's two handles are (6 px, centred on the left and right borders). React Flow draws
 * every node once to measure its handles unless it is told where they are: with 1,000 nodes that
 * first render of nodes out of view cost more than a second; with this, only the nodes in view are drawn.
 */
export const HANDLES: NonNullable<JobFlowNode['handles']> = [
  { id: null, type: 'target', position: Position.Left, x: -3, y: NODE_HEIGHT / 2 - 3, width: 6, height: 6 },
  { id: null, type: 'source', position: Position.Right, x: NODE_WIDTH - 3, y: NODE_HEIGHT / 2 - 3, width: 6, height: 6 },
];
