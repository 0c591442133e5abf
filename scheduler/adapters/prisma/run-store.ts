/** The RunStore port over Prisma: one row per attempt of a job at a due instant. */
import type { Run, RunState } from '../../core/types';
import { LATE_QUEUE_MS, type LateRunFilter, type NewRun, type RunEvent, type RunFilter, type RunPage, type RunPatch, type RunRecord, type RunStore, type HeldRuns, type UnfinishedRuns } from '../../ports';
import type { DurationStats } from '../../core/duration-stats';
import { durationStatsByJob } from './run-duration-stats';
import { inInputOrder, insertRunsSql, recordSql, updateRunsSql } from './run-writes';
import { addRunEvents, runEvents } from './run-event-store';
import { listActiveKeeping } from './unfinished-runs';
import { ACTIVE_RUN_STATES, RUN_COLUMNS, RUN_TUPLE, RUN_PAGE_DEFAULT_LIMIT, RUN_PAGE_MAX_LIMIT, decodeCursor, encodeCursor, fromTuple, ms, nonNegInt, patchData, toRun, type Db, type RawRunRow, type RunTuple } from './sql';
import { Prisma } from './generated/client';
import type { Pool } from 'pg';

export class PrismaRunStore implements RunStore {
  constructor(
    private readonly db: Db,
    /**
     * PostgreSQL's pool, for the root store: `record` goes to it as plain pg, as the fenced store's
     * does (fencing.ts) in the server, without Prisma's handling of a statement whose rows nobody
     * reads (2-7 µs of the app's CPU per status update here). Null: through `db` (a transaction's,
     * or PGlite).
     */
    private readonly pool: Pool | null = null,
  ) {}

  async create(run: NewRun): Promise<Run | null> {
    const [created] = await this.createMany([run]);
    return created ?? null;
  }

  /** One statement whatever the batch size (insertRunsSql); only the new rows come back, in input order. */
  async createMany(runs: NewRun[]): Promise<Run[]> {
    if (runs.length === 0) return [];
    return inInputOrder(runs, (await this.db.$queryRaw<RawRunRow[]>(insertRunsSql(runs))).map(toRun));
  }

  async update(taskId: string, patch: RunPatch): Promise<Run | null> {
    const data = patchData(patch);
    if (Object.keys(data).length === 0) return this.getByTaskId(taskId);
    await this.updateMany([{ taskId, patch }]);
    return this.getByTaskId(taskId);
  }

  async updateMany(updates: { taskId: string; patch: RunPatch }[]): Promise<void> {
    if (updates.length === 0) return;
    await this.db.$executeRaw(updateRunsSql(updates));
  }

  /** RunStore.record: one statement (run-record.ts). */
  async record(changes: RunRecord): Promise<void> {
    const sql = recordSql(changes);
    if (!sql) return;
    if (this.pool) await this.pool.query(sql.text, sql.values);
    else await this.db.$queryRaw(sql);
  }

  async getByTaskId(taskId: string): Promise<Run | null> {
    const [row] = await this.db.$queryRaw<RawRunRow[]>`SELECT ${RUN_COLUMNS} FROM "runs" WHERE "task_id" = ${taskId}`;
    return row ? toRun(row) : null;
  }

  async getByTaskIds(taskIds: string[]): Promise<Run[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.db.$queryRaw<RawRunRow[]>`SELECT ${RUN_COLUMNS} FROM "runs" WHERE "task_id" = ANY(${taskIds}::text[])`;
    return rows.map(toRun);
  }

  /** Oldest due first (the order reconciliation and the queue want). */
  /**
   * Every unfinished run, oldest due first: what a new leader loads at takeover. One JSON text of
   * row arrays (as `list`): Prisma's per-row mapping took ~650 ms for 10,000 runs, this ~5x less.
   * Through runs_unfinished_idx (finished_at IS NULL, which every unfinished run has: sql.ts).
   */
  async listActive(): Promise<Run[]> {
    const [row] = await this.db.$queryRaw<{ j: string }[]>`
      SELECT coalesce(json_agg(${RUN_TUPLE} ORDER BY r."due", r."id"), '[]')::text AS j
        FROM "runs" AS r WHERE r."finished_at" IS NULL AND r."state" = ANY(${ACTIVE_RUN_STATES}::text[])`;
    return (JSON.parse(row?.j ?? '[]') as RunTuple[]).map(fromTuple);
  }

  /** RunStore.listActiveKeeping: unfinished-runs.ts. */
  listActiveKeeping(held: HeldRuns | null): Promise<UnfinishedRuns> {
    return listActiveKeeping(this.db, held);
  }

  /**
   * Newest first (due desc, id desc); keyset pagination through `cursor`. The page comes back from
   * PostgreSQL as one JSON text of row arrays (json_agg), parsed once here: at thousands of runs
   * a page (the UI's timeline reads 10,000 at a time) Prisma's per-row mapping cost ~25 µs a run.
   */
  async list(filter: RunFilter): Promise<RunPage> {
    const limit = Math.min(
      RUN_PAGE_MAX_LIMIT,
      Math.max(1, nonNegInt(filter.limit, RUN_PAGE_DEFAULT_LIMIT)),
    );
    const and: Prisma.Sql[] = [];
    if (filter.jobName !== undefined) and.push(Prisma.sql`"job_name" = ${filter.jobName}`);
    if (filter.jobNames !== undefined) and.push(Prisma.sql`"job_name" = ANY(${[...filter.jobNames]}::text[])`);
    if (filter.states !== undefined) and.push(Prisma.sql`"state" = ANY(${filter.states}::text[])`);
    // unfinished states only: through runs_unfinished_idx rather than past every finished run
    if (filter.states !== undefined && filter.states.length > 0 && filter.states.every((st) => ACTIVE_RUN_STATES.includes(st))) and.push(Prisma.sql`"finished_at" IS NULL`);
    // instants as exact epoch milliseconds (no Date round trip through the driver's time zone)
    const at = (t: number) => Prisma.sql`('epoch'::timestamptz + ${Math.trunc(t)}::bigint * interval '1 millisecond')`;
    if (filter.from !== undefined) and.push(Prisma.sql`"due" >= ${at(filter.from)}`);
    if (filter.to !== undefined) and.push(Prisma.sql`"due" < ${at(filter.to)}`);
    if (filter.cursor) {
      const c = decodeCursor(filter.cursor);
      const due = at(c.due.getTime());
      and.push(Prisma.sql`("due" < ${due} OR ("due" = ${due} AND "id" < ${c.id}))`);
    }
    const where = and.length ? Prisma.sql`WHERE ${Prisma.join(and, ' AND ')}` : Prisma.empty;
    const [row] = await this.db.$queryRaw<{ j: string }[]>`
      SELECT coalesce(json_agg(${RUN_TUPLE} ORDER BY r."due" DESC, r."id" DESC), '[]')::text AS j
        FROM (SELECT * FROM "runs" ${where} ORDER BY "due" DESC, "id" DESC LIMIT ${limit + 1}) AS r`;
    const rows = JSON.parse(row?.j ?? '[]') as RunTuple[];
    const runs = rows.slice(0, limit).map(fromTuple);
    const last = runs[runs.length - 1];
    return { runs, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /**
   * Two index reads OR-ed: runs_job_name_due_attempt_key for the runs due at the instant with no
   * intended_due, the partial runs_job_name_intended_due_idx for those that name it (however
   * long after it they ran).
   */
  async forInstant(jobName: string, instant: number): Promise<Run[]> {
    const at = Prisma.sql`('epoch'::timestamptz + ${Math.trunc(instant)}::bigint * interval '1 millisecond')`;
    const rows = await this.db.$queryRaw<RawRunRow[]>`
      SELECT ${RUN_COLUMNS} FROM "runs"
       WHERE "job_name" = ${jobName}
         AND (("due" = ${at} AND "intended_due" IS NULL) OR "intended_due" = ${at})
       ORDER BY "id"`;
    return rows.map(toRun);
  }

  /** Through the partial index runs_queued_late_idx: its predicate, written the same here, is LATE_QUEUE_MS. */
  async queuedLate(f: LateRunFilter): Promise<Run[]> {
    const at = (t: number) => Prisma.sql`('epoch'::timestamptz + ${Math.trunc(t)}::bigint * interval '1 millisecond')`;
    const and: Prisma.Sql[] = [Prisma.raw(`"queued_at" - "due" > interval '${LATE_QUEUE_MS / 3_600_000} hours'`), Prisma.sql`"queued_at" >= ${at(f.from)}`];
    if (f.to !== undefined) and.push(Prisma.sql`"queued_at" < ${at(f.to)}`);
    if (f.jobName !== undefined) and.push(Prisma.sql`"job_name" = ${f.jobName}`);
    if (f.states !== undefined) and.push(Prisma.sql`"state" = ANY(${f.states}::text[])`);
    const rows = await this.db.$queryRaw<RawRunRow[]>`
      SELECT ${RUN_COLUMNS} FROM "runs" WHERE ${Prisma.join(and, ' AND ')}
       ORDER BY "queued_at" DESC, "id" DESC LIMIT ${Math.max(0, Math.trunc(f.limit))}`;
    return rows.map(toRun);
  }

  async recent(jobName: string, limit: number): Promise<Run[]> {
    const take = nonNegInt(limit, 0);
    if (take === 0) return [];
    const rows = await this.db.run.findMany({
      where: { jobName },
      orderBy: [{ due: 'desc' }, { id: 'desc' }],
      take,
    });
    return rows.map(toRun);
  }

  /** finishedAt − startedAt of FINISHED runs that have both, newest due first. */
  async durations(jobName: string, limit: number, states: readonly RunState[] = ['FINISHED']): Promise<number[]> {
    const take = nonNegInt(limit, 0);
    if (take === 0 || states.length === 0) return [];
    const rows = await this.db.run.findMany({
      where: { jobName, state: states.length === 1 ? states[0] : { in: [...states] }, startedAt: { not: null }, finishedAt: { not: null } },
      select: { startedAt: true, finishedAt: true },
      orderBy: [{ due: 'desc' }, { id: 'desc' }],
      take,
    });
    return rows.map((r) => ms(r.finishedAt!) - ms(r.startedAt!));
  }

  durationStats(limit: number): Promise<Map<string, DurationStats>> {
    return durationStatsByJob(this.db, nonNegInt(limit, 0));
  }

  async deleteForJob(jobName: string): Promise<void> {
    await this.db.$executeRaw`
      DELETE FROM "run_events" WHERE "task_id" IN (SELECT "task_id" FROM "runs" WHERE "job_name" = ${jobName})`;
    await this.db.$executeRaw`DELETE FROM "runs" WHERE "job_name" = ${jobName}`;
  }

  async withdraw(taskIds: readonly string[]): Promise<string[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.db.$queryRaw<{ task_id: string }[]>`
      DELETE FROM "runs" WHERE "task_id" = ANY(${[...taskIds]}::text[]) AND "state" = 'QUEUED' RETURNING "task_id"`;
    return rows.map((r) => r.task_id);
  }

  async settleQueued(jobName: string, patch: RunPatch): Promise<number> {
    const ids = await this.db.$queryRaw<{ task_id: string }[]>`
      SELECT "task_id" FROM "runs" WHERE "job_name" = ${jobName} AND "state" = 'QUEUED'`;
    if (ids.length > 0) await this.updateMany(ids.map((r) => ({ taskId: r.task_id, patch })));
    return ids.length;
  }

  addEvents(events: RunEvent[], trim?: readonly string[]): Promise<void> {
    return addRunEvents(this.db, events, trim);
  }

  events(taskId: string): Promise<RunEvent[]> {
    return runEvents(this.db, taskId);
  }
}
