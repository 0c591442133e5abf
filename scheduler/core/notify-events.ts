/**
 * Notifications: which events a run's outcome, a job's end or a skipped run produce (Chronos mails
 * a job's owners when a run fails for good, when the job is disabled and when it is deleted;
 * Sisyphus adds a job that recovers, a skipped run and a run still running past its limit:
 * notify-long-run.ts). Plain
 * values, time passed in; the runtime stores what this returns in the same transaction as the
 * outcome (the outbox), and the deliverer sends it.
 */
import type { Outcome } from './outcome';
import { FAILURE_STATES } from './outcome';
import type { Instant, Job, Run, RunState } from './types';

/** What happened. `failed`, `disabled` and `deleted` are Chronos's; the others are Sisyphus's. */
export type NotifyKind = 'failed' | 'recovered' | 'disabled' | 'deleted' | 'skipped' | 'still-running';
export const NOTIFY_KINDS: readonly NotifyKind[] = ['failed', 'recovered', 'disabled', 'deleted', 'skipped', 'still-running'];
/** The events a job without its own rules is notified of: Chronos's. */
export const CHRONOS_KINDS: readonly NotifyKind[] = ['failed', 'disabled', 'deleted'];

/** Where a notification goes. */
export type ChannelName = 'mail' | 'slack' | 'mattermost' | 'sentry' | 'webhook';
export const CHANNEL_NAMES: readonly ChannelName[] = ['mail', 'slack', 'mattermost', 'sentry', 'webhook'];

/** The run an event is about, as far as the message needs it. */
export interface EventRun {
  taskId: string;
  due: Instant;
  attempt: number;
  state: RunState;
  queuedAt: Instant;
  startedAt: Instant | null;
  finishedAt: Instant | null;
  agentId: string | null;
  host: string | null;
  message: string | null;
  reason: string | null;
}

export interface NotifyEvent {
  kind: NotifyKind;
  job: string;
  /** When it happened. */
  at: Instant;
  /** The job's `owner`, split at commas, blanks dropped. */
  owners: string[];
  /** The run it is about; null for a deletion or a disable without a run. */
  run: EventRun | null;
  /** One line saying why, e.g. "disabled after 3 failures since its last success". */
  detail: string;
}

/** The addresses in a job's comma-separated `owner`. */
export const ownersOf = (job: Pick<Job, 'owner'>): string[] =>
  [...new Set(job.owner.split(',').map((s) => s.trim()).filter((s) => s !== ''))];

export function eventRun(run: Pick<Run, keyof EventRun>): EventRun {
  return {
    taskId: run.taskId,
    due: run.due,
    attempt: run.attempt,
    state: run.state,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    agentId: run.agentId,
    host: run.host,
    message: run.message,
    reason: run.reason,
  };
}

/**
 * The events of one decided outcome: `failed` when a run failed and no retry follows; `recovered`
 * on the first success after failures; `disabled` when the outcome disables the job (after
 * `disableAfterFailures`, or a schedule with no runs left). `run` is the run as it ended.
 */
export function eventsOfOutcome(job: Job, run: EventRun | null, state: RunState, outcome: Pick<Outcome, 'job' | 'retry'>, now: Instant, disableAfterFailures: number): NotifyEvent[] {
  const out: NotifyEvent[] = [];
  const base = { job: job.name, at: now, owners: ownersOf(job), run };
  const updated = outcome.job;
  if (FAILURE_STATES.has(state) && updated && !outcome.retry) {
    const tries = run ? run.attempt + 1 : 1;
    const why = [run?.message, run?.reason].filter((s) => s).join('; ');
    out.push({ ...base, kind: 'failed', detail: `${state} after ${tries} attempt${tries === 1 ? '' : 's'}${why ? `: ${why}` : ''}` });
  }
  if (state === 'FINISHED' && updated && job.errorsSinceLastSuccess > 0) {
    out.push({ ...base, kind: 'recovered', detail: `succeeded after ${job.errorsSinceLastSuccess} failure${job.errorsSinceLastSuccess === 1 ? '' : 's'}` });
  }
  if (updated?.disabled && !job.disabled) {
    const detail =
      state === 'FINISHED'
        ? 'disabled: its schedule has no runs left'
        : `disabled after ${updated.errorsSinceLastSuccess} failure${updated.errorsSinceLastSuccess === 1 ? '' : 's'} since its last success (DISABLE_AFTER_FAILURES=${disableAfterFailures})`;
    out.push({ ...base, kind: 'disabled', detail });
  }
  return out;
}

/** A job was deleted. */
export function deletedEvent(job: Job, now: Instant): NotifyEvent {
  return { kind: 'deleted', job: job.name, at: now, owners: ownersOf(job), run: null, detail: 'the job was deleted' };
}

/** A run was skipped (past its epsilon, or an instant its overlap policy skips); the detail says why. */
export function skippedEvent(job: Job, run: EventRun, now: Instant): NotifyEvent {
  return { kind: 'skipped', job: job.name, at: now, owners: ownersOf(job), run, detail: run.message ?? 'skipped' };
}
