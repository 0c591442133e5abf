/**
 * A run's timeline (the run_events table): every Mesos status update and the scheduler's OFFERED,
 * appended in the transaction that stores the run's state, at most RUN_EVENTS_KEPT per run.
 *
 * Appending a batch is two statements whatever its size: one INSERT … FROM jsonb_array_elements,
 * then a trim that counts the events of the batch's runs in one scan of the primary key
 * (task_id, id) and, for a run with more than RUN_EVENTS_KEPT, deletes those older than its
 * RUN_EVENTS_KEPT-th newest. The worker names only the runs it counted near the bound: trimming
 * every run of a 2,000-update batch cost about as much as the insert (~8 µs a run each).
 */
import type { Instant } from '../../core/types';
import { RUN_EVENTS_KEPT, type RunEvent } from '../../ports';
import { Prisma } from './generated/client';
import { EPOCH_MS, type Db } from './sql';

/** An instant PostgreSQL's timestamptz and the bigint cast take (whole ms, within ±270,000 years), else null. */
const storableInstant = (t: Instant | null): number | null =>
  t !== null && Number.isFinite(t) && Math.abs(t) < 8.64e15 ? Math.round(t) : null;

/** The INSERT of a batch of events, in the order given; writes nothing unless `guard` (run-writes.ts). */
export function insertEventsSql(events: readonly RunEvent[], guard: Prisma.Sql = Prisma.raw('TRUE')): Prisma.Sql {
  const payload = JSON.stringify(events.map((e) => ({ ...e, at: Math.round(e.at), mesosAt: storableInstant(e.mesosAt) })));
  return Prisma.sql`
    INSERT INTO "run_events" ("task_id", "at", "state", "reason", "message", "source", "agent_id", "mesos_at")
    SELECT e->>'taskId', ${EPOCH_MS("e->>'at'")}, e->>'state', e->>'reason', e->>'message', e->>'source',
           e->>'agentId', CASE WHEN jsonb_typeof(e->'mesosAt') = 'number' THEN ${EPOCH_MS("e->>'mesosAt'")} END
      FROM jsonb_array_elements(${payload}::jsonb) WITH ORDINALITY AS x(e, i)
     WHERE ${guard}
     ORDER BY i`;
}

export async function addRunEvents(db: Db, events: readonly RunEvent[], trim?: readonly string[]): Promise<void> {
  if (events.length === 0) return;
  await db.$executeRaw(insertEventsSql(events));
  const tasks = [...new Set(trim ?? events.map((e) => e.taskId))];
  if (tasks.length === 0) return;
  await db.$executeRaw`
    DELETE FROM "run_events" AS e
     USING (SELECT "task_id", (array_agg("id" ORDER BY "id" DESC))[${RUN_EVENTS_KEPT}] AS oldest
              FROM "run_events" WHERE "task_id" = ANY(${tasks}::text[])
             GROUP BY "task_id" HAVING count(*) > ${RUN_EVENTS_KEPT}) AS k
     WHERE e."task_id" = k."task_id" AND e."id" < k.oldest`;
}

interface EventRow {
  taskId: string;
  at: Date;
  state: string;
  reason: string | null;
  message: string | null;
  source: string | null;
  agentId: string | null;
  mesosAt: Date | null;
}

export async function runEvents(db: Db, taskId: string): Promise<RunEvent[]> {
  const rows: EventRow[] = await db.runEvent.findMany({
    where: { taskId },
    orderBy: { id: 'asc' },
    select: { taskId: true, at: true, state: true, reason: true, message: true, source: true, agentId: true, mesosAt: true },
  });
  return rows.map((r) => ({ ...r, at: r.at.getTime(), mesosAt: r.mesosAt ? r.mesosAt.getTime() : null }));
}
