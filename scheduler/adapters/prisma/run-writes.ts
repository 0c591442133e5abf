/**
 * The runs table's write statements, and RunStore.record as one statement made of them.
 *
 * Each builder takes a `guard`: a boolean SQL expression the statement writes nothing without
 * (TRUE by default). A fenced store (fencing.ts) passes the fence's: the statement then reads the
 * stored epoch FOR SHARE in its first CTE and writes only when it is not above the leader's, so a
 * write that needs no transaction of its own (one statement is atomic) needs no BEGIN, fencing
 * read and COMMIT around it either: one round trip instead of three, and `record` one instead of
 * five (BEGIN, the runs update, the events insert, the jobs' field changes, COMMIT).
 *
 * Parameters are bound (Prisma.sql), never written into the text.
 */
import type { Run } from '../../core/types';
import type { NewRun, RunPatch, RunRecord } from '../../ports';
import { Prisma } from './generated/client';
import { patchJobsSql } from './job-store';
import { insertEventsSql } from './run-event-store';
import { EPOCH_MS, RUN_COLUMNS } from './sql';

export const NO_GUARD = Prisma.raw('TRUE');

/** A statement's fence (fencing.ts): its CTE, the guard of every write, and the stored epoch it read. */
export interface Fence {
  cte: Prisma.Sql;
  guard: Prisma.Sql;
  stored: Prisma.Sql;
}

/**
 * One INSERT … SELECT FROM jsonb_array_elements … ON CONFLICT DO NOTHING RETURNING, whatever the
 * batch size (no bind-parameter limit): the new rows only. Each run takes its job's latest version
 * number (job_versions' primary key answers it).
 */
export function insertRunsSql(runs: readonly NewRun[], guard: Prisma.Sql = NO_GUARD): Prisma.Sql {
  const payload = JSON.stringify(runs.map((r) => ({ ...r, state: r.state ?? 'QUEUED', message: r.message ?? null })));
  return Prisma.sql`
    INSERT INTO "runs" ("job_name", "due", "attempt", "task_id", "arguments", "trigger",
                        "high_priority", "state", "queued_at", "message", "intended_due", "job_version")
    SELECT r->>'jobName', ${EPOCH_MS("r->>'due'")}, (r->>'attempt')::int, r->>'taskId',
           coalesce(r->>'arguments', ''), r->>'trigger', coalesce((r->>'highPriority')::boolean, false),
           r->>'state', ${EPOCH_MS("r->>'queuedAt'")}, r->>'message',
           CASE WHEN r->>'intendedDue' IS NULL THEN NULL ELSE ${EPOCH_MS("r->>'intendedDue'")} END,
           (SELECT max(v."n") FROM "job_versions" AS v WHERE v."job_name" = r->>'jobName')
      FROM jsonb_array_elements(${payload}::jsonb) WITH ORDINALITY AS x(r, i)
     WHERE ${guard}
     ORDER BY i
    ON CONFLICT DO NOTHING
    RETURNING ${RUN_COLUMNS}`;
}

/** The created runs in the order their NewRuns were given (RETURNING's order is not promised). */
export function inInputOrder(given: readonly NewRun[], created: Run[]): Run[] {
  const at = new Map(given.map((r, i) => [r.taskId, i]));
  return created.sort((a, b) => (at.get(a.taskId) ?? 0) - (at.get(b.taskId) ?? 0));
}

/**
 * One UPDATE … FROM jsonb_array_elements. Patches of the same task are merged in order first
 * (each field: the last patch that sets it wins), which is what applying them one by one would
 * leave. The task ids also go as an array (`task_id = ANY`): the planner cannot see how many
 * elements a JSON document holds, and joined on it alone it hash-joined a sequential scan of every
 * run ever stored, for each batch of status updates.
 */
export function updateRunsSql(updates: readonly { taskId: string; patch: RunPatch }[], guard: Prisma.Sql = NO_GUARD): Prisma.Sql {
  const merged = new Map<string, Record<string, unknown>>();
  for (const { taskId, patch } of updates) {
    const m = merged.get(taskId) ?? { taskId };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) m[k] = v;
    merged.set(taskId, m);
  }
  const payload = JSON.stringify([...merged.values()]);
  const t = (key: string, col: string): Prisma.Sql =>
    Prisma.sql`${Prisma.raw(`"${col}" = CASE WHEN u ? '${key}' THEN`)} ${EPOCH_MS(`u->>'${key}'`)} ${Prisma.raw(`ELSE r."${col}" END`)}`;
  const s = (key: string, col: string): Prisma.Sql => Prisma.raw(`"${col}" = CASE WHEN u ? '${key}' THEN u->>'${key}' ELSE r."${col}" END`);
  return Prisma.sql`
    UPDATE "runs" AS r SET
      ${s('state', 'state')},
      ${t('launchedAt', 'launched_at')},
      ${t('startedAt', 'started_at')},
      ${t('finishedAt', 'finished_at')},
      ${s('agentId', 'agent_id')},
      ${s('host', 'host')},
      ${s('message', 'message')},
      ${s('reason', 'reason')},
      "elements_processed" = CASE WHEN u ? 'elementsProcessed'
        THEN trunc((u->>'elementsProcessed')::numeric)::bigint ELSE r."elements_processed" END
    FROM jsonb_array_elements(${payload}::jsonb) AS u
    WHERE r."task_id" = u->>'taskId' AND r."task_id" = ANY(${[...merged.keys()]}::text[]) AND ${guard}`;
}

/**
 * RunStore.record as one statement: each non-empty part a data-modifying CTE (they touch different
 * tables, so no part needs to see another's rows), then the stored epoch the fence read (0
 * without one). Null when there is nothing to write.
 */
export function recordSql(changes: RunRecord, fence?: Fence): Prisma.Sql | null {
  const guard = fence?.guard ?? NO_GUARD;
  const parts: Prisma.Sql[] = [];
  if (fence) parts.push(fence.cte);
  if (changes.updates.length > 0) parts.push(Prisma.sql`run_updates AS (${updateRunsSql(changes.updates, guard)})`);
  if (changes.events.length > 0) parts.push(Prisma.sql`run_events_added AS (${insertEventsSql(changes.events, guard)})`);
  if (changes.jobs.length > 0) parts.push(Prisma.sql`job_patches AS (${patchJobsSql(changes.jobs, guard)})`);
  if (parts.length === (fence ? 1 : 0)) return null;
  return Prisma.sql`WITH ${Prisma.join(parts, ',\n')} SELECT ${fence?.stored ?? Prisma.raw('0')}::text AS stored`;
}
