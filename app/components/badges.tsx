'use client';
/** Status badges: a job's last status, its state, a run's state. Text, not colour alone. */
import type { ReactNode } from 'react';
import { retryWords, type RetryInfo } from '@/scheduler/core/job-health';
import type { RunState } from '@/scheduler/core/types';
import type { JobStateInfo, JobStatus } from '@/scheduler/api/ui-types';

type Tone = 'green' | 'red' | 'gray' | 'blue' | 'amber' | 'violet';

const TONES: Record<Tone, string> = {
  green: 'bg-green-100 text-green-800 ring-green-600/20 dark:bg-green-900/40 dark:text-green-300 dark:ring-green-400/30',
  red: 'bg-red-100 text-red-800 ring-red-600/20 dark:bg-red-900/40 dark:text-red-300 dark:ring-red-400/30',
  gray: 'bg-gray-100 text-gray-700 ring-gray-500/20 dark:bg-gray-800 dark:text-gray-300 dark:ring-gray-400/20',
  blue: 'bg-sky-100 text-sky-800 ring-sky-600/20 dark:bg-sky-900/40 dark:text-sky-300 dark:ring-sky-400/30',
  amber: 'bg-amber-100 text-amber-800 ring-amber-600/20 dark:bg-amber-900/40 dark:text-amber-300 dark:ring-amber-400/30',
  violet: 'bg-violet-100 text-violet-800 ring-violet-600/20 dark:bg-violet-900/40 dark:text-violet-300 dark:ring-violet-400/30',
};

export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}

const STATUS_TONE: Record<JobStatus, Tone> = { success: 'green', failure: 'red', fresh: 'gray' };

/**
 * A job's last outcome; "retrying (attempt 2 of 3)" while a retry after a failed attempt is queued
 * or running (Chronos counts the failure only once the attempts are used up).
 */
export function StatusBadge({ status, retry }: { status: JobStatus; retry?: RetryInfo | null }) {
  if (retry) {
    return (
      <Badge tone="amber" title={`the last attempt failed; ${status === 'fresh' ? 'no run has ended yet' : `last outcome: ${status}`}`}>
        {retryWords(retry)}
      </Badge>
    );
  }
  return <Badge tone={STATUS_TONE[status]}>{status}</Badge>;
}

export function JobStateBadge({ state }: { state: JobStateInfo }) {
  if (state.state === 'running') {
    return (
      <Badge tone="blue">
        <span aria-hidden="true" className="h-1.5 w-1.5 animate-pulse rounded-full bg-current" />
        {state.running > 1 ? `${state.running} running` : 'running'}
      </Badge>
    );
  }
  if (state.state === 'queued') return <Badge tone="amber">{state.queued > 1 ? `${state.queued} queued` : 'queued'}</Badge>;
  return <Badge tone="gray">idle</Badge>;
}

export function runStateTone(state: RunState): Tone {
  switch (state) {
    case 'FINISHED':
      return 'green';
    case 'FAILED':
    case 'ERROR':
    case 'LOST':
      return 'red';
    case 'KILLED':
    case 'KILLING':
    case 'DROPPED':
      return 'violet';
    case 'QUEUED':
    case 'SKIPPED':
      return 'amber';
    case 'RUNNING':
    case 'STAGING':
    case 'STARTING':
      return 'blue';
    default:
      return 'gray';
  }
}

export function RunStateBadge({ state }: { state: RunState }) {
  return <Badge tone={runStateTone(state)}>{state.toLowerCase()}</Badge>;
}

export const ACTIVE_RUN_STATES: ReadonlySet<RunState> = new Set<RunState>(['QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING']);
export const isActiveRun = (s: RunState): boolean => ACTIVE_RUN_STATES.has(s);
