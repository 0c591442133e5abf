/**
 * The OutboxStore port over PostgreSQL: the `notifications` table. Only raw SQL (it runs inside the
 * worker's fenced pg transactions too, pg-tx.ts). Instants go in and out as epoch milliseconds.
 * A claim takes rows `FOR UPDATE SKIP LOCKED`, so two deliverers (an old leader not yet fenced and
 * the new one) never claim the same row at once; the fenced store refuses the old one's writes.
 */
import type { ChannelName, NotifyEvent } from '../../core/notify-events';
import type { OutboxEntry } from '../../core/notify-route';
import type { Instant } from '../../core/types';
import type { OutboxFilter, OutboxRow, OutboxSettle, OutboxState, OutboxStore } from '../../ports';
import { Prisma } from './generated/client';
import { EPOCH_MS, type Db } from './sql';

interface RawRow {
  id: string;
  created: string | number;
  channel: string;
  recipient: string;
  event: string;
  state: string;
  attempts: number;
  next: string | number;
  last_error: string | null;
  sent: string | number | null;
  note: string | null;
}

const COLUMNS = Prisma.raw(`n."id"::text AS id, (extract(epoch FROM n."created_at") * 1000)::bigint::text AS created, n."channel", n."recipient",
  n."event"::text AS event, n."state", n."attempts", (extract(epoch FROM n."next_at") * 1000)::bigint::text AS next, n."last_error",
  (extract(epoch FROM n."sent_at") * 1000)::bigint::text AS sent, n."note"`);

const at = (t: Instant): Prisma.Sql => Prisma.sql`('epoch'::timestamptz + ${Math.trunc(t)}::bigint * interval '1 millisecond')`;

function toRow(r: RawRow): OutboxRow {
  return {
    id: String(r.id),
    createdAt: Number(r.created),
    channel: r.channel as ChannelName,
    recipient: r.recipient,
    event: JSON.parse(r.event) as NotifyEvent,
    state: r.state as OutboxState,
    attempts: Number(r.attempts),
    nextAt: Number(r.next),
    lastError: r.last_error,
    sentAt: r.sent === null ? null : Number(r.sent),
    note: r.note,
  };
}

const byId = (a: OutboxRow, b: OutboxRow) => Number(a.id) - Number(b.id);

export class PrismaNotificationStore implements OutboxStore {
  constructor(private readonly db: Db) {}

  /** One INSERT … SELECT FROM jsonb_array_elements, whatever the number of entries. */
  async add(entries: OutboxEntry[], now: Instant, gatherMs: number): Promise<void> {
    if (entries.length === 0) return;
    const payload = JSON.stringify(entries.map((e) => ({ job: e.event.job, kind: e.event.kind, channel: e.channel, recipient: e.recipient, event: e.event })));
    await this.db.$executeRaw`
      INSERT INTO "notifications" ("created_at", "job_name", "kind", "channel", "recipient", "event", "state", "next_at")
      SELECT ${at(now)}, e->>'job', e->>'kind', e->>'channel', e->>'recipient', e->'event', 'pending', ${at(now + gatherMs)}
        FROM jsonb_array_elements(${payload}::jsonb) WITH ORDINALITY AS x(e, i)
       ORDER BY i`;
  }

  async claim(now: Instant, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    const rows = await this.db.$queryRaw<RawRow[]>`
      WITH due AS (
        SELECT DISTINCT "channel", "recipient" FROM "notifications" WHERE "state" = 'pending' AND "next_at" <= ${at(now)}
      ), picked AS (
        SELECT n."id" FROM "notifications" n
         WHERE (n."state" = 'pending' AND (n."channel", n."recipient") IN (SELECT "channel", "recipient" FROM due))
            OR (n."state" = 'sending' AND n."next_at" <= ${at(now)})
         ORDER BY n."id" LIMIT ${Math.max(1, Math.trunc(limit))}
         FOR UPDATE SKIP LOCKED
      )
      UPDATE "notifications" AS n SET "state" = 'sending', "next_at" = ${at(now + leaseMs)}
        FROM picked WHERE n."id" = picked."id"
      RETURNING ${COLUMNS}`;
    return rows.map(toRow).sort(byId);
  }

  async sentSince(since: Instant): Promise<Array<{ job: string; kind: string; channel: string; recipient: string }>> {
    return this.db.$queryRaw<Array<{ job: string; kind: string; channel: string; recipient: string }>>`
      SELECT DISTINCT "job_name" AS job, "kind", "channel", "recipient" FROM "notifications"
       WHERE "state" = 'sent' AND "sent_at" >= ${at(since)}`;
  }

  async notifiedRuns(kind: string, taskIds: readonly string[]): Promise<Set<string>> {
    if (taskIds.length === 0) return new Set();
    const rows = await this.db.$queryRaw<Array<{ task_id: string }>>`
      SELECT DISTINCT n."event"->'run'->>'taskId' AS task_id FROM "notifications" n
       WHERE n."kind" = ${kind} AND n."event"->'run'->>'taskId' IN (SELECT jsonb_array_elements_text(${JSON.stringify(taskIds)}::jsonb))`;
    return new Set(rows.map((r) => r.task_id));
  }

  /** One UPDATE … FROM jsonb_array_elements for every result. */
  async settle(results: OutboxSettle[]): Promise<void> {
    if (results.length === 0) return;
    const payload = JSON.stringify(results.map((r) => ({ ...r, nextAt: r.nextAt ?? r.at })));
    await this.db.$executeRaw`
      UPDATE "notifications" AS n SET
        "state" = u->>'state',
        "attempts" = n."attempts" + CASE WHEN (u->>'attempted')::boolean THEN 1 ELSE 0 END,
        "last_error" = CASE WHEN u ? 'error' THEN u->>'error' ELSE n."last_error" END,
        "note" = CASE WHEN u ? 'note' THEN u->>'note' ELSE n."note" END,
        "sent_at" = CASE WHEN u->>'state' = 'sent' THEN ${EPOCH_MS("u->>'at'")} ELSE n."sent_at" END,
        "next_at" = CASE WHEN u->>'state' = 'pending' THEN ${EPOCH_MS("u->>'nextAt'")} ELSE n."next_at" END
      FROM jsonb_array_elements(${payload}::jsonb) AS u
      WHERE n."id" = (u->>'id')::bigint`;
  }

  async list(f: OutboxFilter): Promise<OutboxRow[]> {
    const and: Prisma.Sql[] = [];
    if (f.job !== undefined) and.push(Prisma.sql`"job_name" = ${f.job}`);
    if (f.states !== undefined) and.push(Prisma.sql`"state" = ANY(${f.states}::text[])`);
    if (f.withError) and.push(Prisma.sql`"last_error" IS NOT NULL AND "state" IN ('pending', 'sending', 'failed')`);
    const where = and.length ? Prisma.sql`WHERE ${Prisma.join(and, ' AND ')}` : Prisma.empty;
    const limit = Math.min(1000, Math.max(1, Math.trunc(f.limit ?? 100)));
    const rows = await this.db.$queryRaw<RawRow[]>`SELECT ${COLUMNS} FROM "notifications" n ${where} ORDER BY n."id" DESC LIMIT ${limit}`;
    return rows.map(toRow);
  }
}
