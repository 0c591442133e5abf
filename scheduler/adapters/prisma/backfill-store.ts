/**
 * The BackfillStore port over PostgreSQL: the `backfills` and `backfill_items` tables. Only raw SQL
 * (it runs inside the worker's fenced pg transactions too, pg-tx.ts). Instants go in and out as
 * epoch milliseconds; the items go in and are changed with one statement each, whatever their number.
 */
import { BACKFILL_ITEM_STATES, type BackfillItem, type BackfillItemState, type BackfillJob } from '../../core/backfill-plan';
import type { BackfillState } from '../../core/backfill-step';
import type { Instant } from '../../core/types';
import type { BackfillItemChange, BackfillRecord, BackfillStore, NewBackfill } from '../../ports';
import { Prisma } from './generated/client';
import { EPOCH_MS, type Db } from './sql';

interface RawBackfill {
  id: string;
  job_name: string;
  from_ms: string;
  to_ms: string;
  downstream: boolean;
  concurrency: number;
  force: boolean;
  state: string;
  jobs: string;
  disabled: string;
  created_ms: string;
  updated_ms: string;
  counts: string | null;
}

interface RawItem {
  seq: number;
  job_name: string;
  due_ms: string;
  attempt: number;
  state: string;
  task_id: string | null;
  note: string | null;
}

const msOf = (col: string) => `(extract(epoch FROM ${col}) * 1000)::bigint::text`;
const at = (t: Instant): Prisma.Sql => Prisma.sql`('epoch'::timestamptz + ${Math.trunc(t)}::bigint * interval '1 millisecond')`;

const SELECT = Prisma.raw(`SELECT b."id"::text AS id, b."job_name", ${msOf('b."from_at"')} AS from_ms, ${msOf('b."to_at"')} AS to_ms,
  b."downstream", b."concurrency", b."force", b."state", b."jobs"::text AS jobs, b."disabled"::text AS disabled,
  ${msOf('b."created_at"')} AS created_ms, ${msOf('b."updated_at"')} AS updated_ms,
  (SELECT jsonb_object_agg(c.state, c.n)::text FROM (SELECT i."state", count(*) AS n FROM "backfill_items" i WHERE i."backfill_id" = b."id" GROUP BY i."state") c) AS counts
  FROM "backfills" b`);

function toRecord(r: RawBackfill): BackfillRecord {
  const raw = (r.counts ? JSON.parse(r.counts) : {}) as Record<string, number>;
  const counts = Object.fromEntries(BACKFILL_ITEM_STATES.map((s) => [s, Number(raw[s] ?? 0)])) as Record<BackfillItemState, number>;
  return {
    id: r.id,
    job: r.job_name,
    from: Number(r.from_ms),
    to: Number(r.to_ms),
    downstream: r.downstream,
    concurrency: Number(r.concurrency),
    force: r.force,
    state: r.state as BackfillState,
    jobs: JSON.parse(r.jobs) as BackfillJob[],
    disabled: JSON.parse(r.disabled) as string[],
    createdAt: Number(r.created_ms),
    updatedAt: Number(r.updated_ms),
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
  };
}

export class PrismaBackfillStore implements BackfillStore {
  constructor(private readonly db: Db) {}

  async create(b: NewBackfill, items: BackfillItem[]): Promise<BackfillRecord> {
    const [{ id }] = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO "backfills" ("job_name", "from_at", "to_at", "downstream", "concurrency", "force", "state", "jobs", "disabled", "created_at", "updated_at")
      VALUES (${b.job}, ${at(b.from)}, ${at(b.to)}, ${b.downstream}, ${b.concurrency}, ${b.force}, 'running',
              ${JSON.stringify(b.jobs)}::jsonb, ${JSON.stringify(b.disabled)}::jsonb, ${at(b.createdAt)}, ${at(b.createdAt)})
      RETURNING "id"::text AS id`;
    if (items.length > 0) {
      const payload = JSON.stringify(items.map((i) => ({ seq: i.seq, job: i.job, due: i.due, attempt: i.attempt, state: i.state, taskId: i.taskId, note: i.note })));
      await this.db.$executeRaw`
        INSERT INTO "backfill_items" ("backfill_id", "seq", "job_name", "due", "attempt", "state", "task_id", "note")
        SELECT ${id}::bigint, (e->>'seq')::int, e->>'job', ${EPOCH_MS("e->>'due'")}, (e->>'attempt')::int, e->>'state', e->>'taskId', e->>'note'
          FROM jsonb_array_elements(${payload}::jsonb) AS e`;
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<BackfillRecord | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows = await this.db.$queryRaw<RawBackfill[]>`${SELECT} WHERE b."id" = ${id}::bigint`;
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(filter: { job?: string; open?: boolean; limit?: number }): Promise<BackfillRecord[]> {
    const and: Prisma.Sql[] = [];
    if (filter.job !== undefined) and.push(Prisma.sql`b."job_name" = ${filter.job}`);
    if (filter.open) and.push(Prisma.sql`b."state" IN ('running', 'paused', 'cancelling')`);
    const where = and.length ? Prisma.sql`WHERE ${Prisma.join(and, ' AND ')}` : Prisma.empty;
    const limit = Math.min(1000, Math.max(1, Math.trunc(filter.limit ?? 100)));
    const rows = await this.db.$queryRaw<RawBackfill[]>`${SELECT} ${where} ORDER BY b."id" DESC LIMIT ${limit}`;
    return rows.map(toRecord);
  }

  async items(id: string): Promise<BackfillItem[]> {
    if (!/^\d{1,18}$/.test(id)) return [];
    const rows = await this.db.$queryRaw<RawItem[]>`
      SELECT "seq", "job_name", ${Prisma.raw(msOf('"due"'))} AS due_ms, "attempt", "state", "task_id", "note"
        FROM "backfill_items" WHERE "backfill_id" = ${id}::bigint ORDER BY "seq"`;
    return rows.map((r) => ({
      seq: Number(r.seq),
      job: r.job_name,
      due: Number(r.due_ms),
      attempt: Number(r.attempt),
      state: r.state as BackfillItemState,
      taskId: r.task_id,
      note: r.note,
    }));
  }

  async setState(id: string, state: BackfillState, from: readonly BackfillState[], now: Instant): Promise<boolean> {
    const n = await this.db.$executeRaw`
      UPDATE "backfills" SET "state" = ${state}, "updated_at" = ${at(now)}
       WHERE "id" = ${id}::bigint AND "state" = ANY(${[...from]}::text[])`;
    return n > 0;
  }

  async updateItems(id: string, changes: BackfillItemChange[], now: Instant): Promise<void> {
    if (changes.length === 0) return;
    await this.db.$executeRaw`
      UPDATE "backfill_items" AS i SET
        "state" = u->>'state',
        "task_id" = CASE WHEN u ? 'taskId' THEN u->>'taskId' ELSE i."task_id" END,
        "note" = CASE WHEN u ? 'note' THEN u->>'note' ELSE i."note" END
      FROM jsonb_array_elements(${JSON.stringify(changes)}::jsonb) AS u
      WHERE i."backfill_id" = ${id}::bigint AND i."seq" = (u->>'seq')::int`;
    await this.db.$executeRaw`UPDATE "backfills" SET "updated_at" = ${at(now)} WHERE "id" = ${id}::bigint`;
  }
}
