/**
 * The variables that tell a task which instant it is for (issue 17, point 3; mesos/chronos#628):
 *
 *   SISYPHUS_DUE      the intended instant, ISO 8601 UTC with milliseconds
 *                     (2026-01-31T02:00:00.000Z): the scheduled instant of the run, the same on
 *                     every retry of it (a retry's own task id carries the retry's due time);
 *   SISYPHUS_ATTEMPT  0 for the first attempt, then 1, 2, … (as CHRONOS_JOB_RUN_ATTEMPT);
 *   SISYPHUS_TRIGGER  why the run exists: schedule, immediate (a schedule due at once), manual,
 *                     dependency or retry (RunTrigger).
 *
 * They come after the job's own variables and Chronos's (core/taskinfo.ts), and a job's
 * environmentVariables cannot override them.
 */
import type { Instant, RunTrigger } from './types';

export const SISYPHUS_ENV_NAMES = ['SISYPHUS_DUE', 'SISYPHUS_ATTEMPT', 'SISYPHUS_TRIGGER'] as const;

export interface RunEnvInput {
  /** The intended instant (a retry's is the failed run's). */
  intended: Instant;
  attempt: number;
  trigger: RunTrigger;
}

export function sisyphusEnv(r: RunEnvInput): Array<[string, string]> {
  return [
    ['SISYPHUS_DUE', new Date(r.intended).toISOString()],
    ['SISYPHUS_ATTEMPT', String(r.attempt)],
    ['SISYPHUS_TRIGGER', r.trigger],
  ];
}
