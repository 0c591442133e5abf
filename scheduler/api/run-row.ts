/**
 * A run as the UI's JSON API sends it (`RunRow` in ui-types.ts): the stored run plus its duration.
 * Used by every page that lists runs (runs, timeline, job detail, dashboard, the event stream).
 */
import type { Run } from '../core/types';
import type { RunRow } from './ui-types';

export function runRow(run: Run): RunRow {
  const row: RunRow = {
    id: run.id,
    taskId: run.taskId,
    jobName: run.jobName,
    due: run.due,
    attempt: run.attempt,
    trigger: run.trigger,
    state: run.state,
    queuedAt: run.queuedAt,
    launchedAt: run.launchedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.startedAt !== null && run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
    agentId: run.agentId,
    host: run.host,
    message: run.message,
    reason: run.reason,
    arguments: run.arguments,
    // only when known: the job's history (GET /api/jobs/{name}/versions/{n})
    ...(run.jobVersion != null ? { jobVersion: run.jobVersion } : {}),
  };
  // a retry's or a dependency run's instant (SISYPHUS_DUE), only when it is not the run's due
  if (run.intendedDue != null && run.intendedDue !== run.due) row.intendedDue = run.intendedDue;
  return row;
}
