/**
 * A due job's catch-up (core/catch-up.ts) as the runs the tick creates: one QUEUED run per
 * instant to run (trigger `schedule`, each its own due instant, so a second leader planning the
 * same catch-up makes no second run of any instant: a run is unique by job and due instant) and
 * one SKIPPED run per recorded skip, with the reason.
 *
 * Null for `latest` (Chronos's path, epsilon included) and for a plan that is just the one
 * on-time instant: the tick's usual path handles those.
 */
import { DEFAULT_CATCH_UP_WINDOW, catchUpWindowMs, planCatchUp } from '../core/catch-up';
import { taskArguments } from '../core/taskid';
import type { Instant, Job } from '../core/types';
import type { NewRun } from '../ports';
import type { JobSchedule } from './schedules';
import type { WorkerContext } from './worker-context';

/** P1D, the default window (a stored window that no longer reads falls back to it). */
const DAY_MS = 86_400_000;

export interface CatchUpRuns {
  creates: NewRun[];
  /** How many of `creates` are runs (the rest are SKIPPED records). */
  runs: number;
}

export function catchUpRuns(ctx: WorkerContext, job: Job, schedule: JobSchedule, now: Instant): CatchUpRuns | null {
  const policy = job.catchUp ?? 'latest';
  if (policy === 'latest') return null;
  const windowText = job.catchUpWindow ?? DEFAULT_CATCH_UP_WINDOW;
  const window = catchUpWindowMs(windowText);
  const plan = planCatchUp({
    spec: schedule.spec,
    policy,
    windowMs: window.ok ? window.value : DAY_MS,
    windowText: window.ok ? windowText : DEFAULT_CATCH_UP_WINDOW,
    max: ctx.settings.catchUpMax,
    graceMs: ctx.settings.catchUpGraceMs,
    now,
  });
  if (plan.skip.length === 0 && plan.run.length <= 1) return null;
  const args = taskArguments(job);
  const creates: NewRun[] = [];
  for (const s of plan.skip) creates.push(ctx.newRun(job, s.due, 0, args, 'schedule', now, 'SKIPPED', s.reason));
  for (const due of plan.run) creates.push(ctx.newRun(job, due, 0, args, 'schedule', now));
  if (plan.unrecorded > 0) ctx.report('schedule', `job ${job.name}: ${plan.partial ? 'at least ' : ''}${plan.unrecorded} missed instants skipped without a record (catchUp: ${policy}, CATCH_UP_MAX ${ctx.settings.catchUpMax})`);
  return { creates, runs: plan.run.length };
}
