/** How a job node looks for its live state: one visual state per node, in priority order. */
import type { GraphNode } from '@/scheduler/api/ui-types';

export type Visual = 'running' | 'queued' | 'disabled' | 'failure' | 'success' | 'fresh';

export const VISUALS: readonly Visual[] = ['running', 'queued', 'failure', 'success', 'fresh', 'disabled'];

export function visualOf(n: Pick<GraphNode, 'state' | 'status' | 'disabled'>): Visual {
  if (n.state === 'running') return 'running';
  if (n.state === 'queued') return 'queued';
  if (n.disabled) return 'disabled';
  return n.status;
}

export const VISUAL_LABEL: Record<Visual, string> = {
  running: 'running',
  queued: 'queued',
  failure: 'last run failed',
  success: 'last run succeeded',
  fresh: 'never run',
  disabled: 'disabled',
};

/** The short text inside a node. */
export const VISUAL_SHORT: Record<Visual, string> = {
  running: 'running',
  queued: 'queued',
  failure: 'failed',
  success: 'succeeded',
  fresh: 'never run',
  disabled: 'disabled',
};

/** Tailwind classes of the node box. */
export const VISUAL_CLASS: Record<Visual, string> = {
  running: 'border-sky-500 bg-sky-50 text-sky-950 dark:border-sky-400 dark:bg-sky-950 dark:text-sky-100',
  queued: 'border-amber-500 bg-amber-50 text-amber-950 dark:border-amber-400 dark:bg-amber-950 dark:text-amber-100',
  failure: 'border-red-500 bg-red-50 text-red-950 dark:border-red-400 dark:bg-red-950 dark:text-red-100',
  success: 'border-green-600 bg-green-50 text-green-950 dark:border-green-500 dark:bg-green-950 dark:text-green-100',
  fresh: 'border-gray-400 bg-white text-gray-900 dark:border-gray-500 dark:bg-gray-900 dark:text-gray-100',
  disabled: 'border-dashed border-gray-400 bg-gray-100 text-gray-500 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-400',
};

/** Swatch / minimap colour. */
export const VISUAL_COLOR: Record<Visual, string> = {
  running: '#0ea5e9',
  queued: '#f59e0b',
  failure: '#ef4444',
  success: '#16a34a',
  fresh: '#9ca3af',
  disabled: '#d1d5db',
};
