/** The JobStore port over Prisma: jobs as jsonb rows (plus name and command columns for search). */
import type { JobFieldChange } from '../../core/job-field-change';
import { shareJobValues, type SharedValues } from '../../core/shared-job-values';
import type { Job } from '../../core/types';
import type { JobChanges, JobCounters, JobQuery, JobStore } from '../../ports';
import { SEARCH_DEFAULT_LIMIT } from '../../ports';
import { CODE_POINT_COLLATIONS, containsSql, nonNegInt, withTx, type BulkReader, type Db } from './sql';
import { Prisma } from './generated/client';

export class PrismaJobStore implements JobStore {
  constructor(
    private readonly db: Db,
    private readonly bulk: BulkReader | null = null,
  ) {}

  async get(name: string): Promise<Job | null> {
    const [row] = await this.db.$queryRaw<{ d: string }[]>`SELECT "data"::text AS d FROM "jobs" WHERE "name" = ${name}`;
    return row ? (JSON.parse(row.d) as Job) : null;
  }

  /**
   * Every job in name order. jsonb goes out as text and is parsed here (~30% faster at 100k), through
   * the bulk reader when the store has one (outside a transaction: PARSE_CHUNK rows at a time, each
   * chunk's text dropped once parsed); repeated values are shared (core/shared-job-values.ts).
   */
  async list(): Promise<Job[]> {
    const sql = 'SELECT "data"::text AS d FROM "jobs" ORDER BY "name"';
    const jobs: Job[] = [];
    const pool: SharedValues = new Map();
    await this.readRows<{ d: string }>(sql, (rows) => {
      for (const r of rows) jobs.push(shareJobValues(JSON.parse(r.d) as Job, pool));
    });
    return jobs;
  }

  async counters(): Promise<JobCounters[]> {
    const rows = await this.db.$queryRawUnsafe<{ name: string; s: number | null; e: number | null }[]>(
      `SELECT "name", ("data"->>'successCount')::float8 AS s, ("data"->>'errorCount')::float8 AS e FROM "jobs" ORDER BY "name"`,
    );
    return rows.map((r) => ({ name: r.name, successCount: r.s ?? 0, errorCount: r.e ?? 0 }));
  }

  /** The rows of `sql`, PARSE_CHUNK at a time, a turn of the event loop between chunks. */
  private async readRows<R>(sql: string, each: (rows: R[]) => void): Promise<void> {
    if (this.bulk) return this.bulk<R>(sql, PARSE_CHUNK, async (rows) => {
      each(rows);
      await nextTurn();
    });
    const rows = await this.db.$queryRawUnsafe<R[]>(sql);
    for (let i = 0; i < rows.length; i += PARSE_CHUNK) {
      each(rows.slice(i, i + PARSE_CHUNK));
      await nextTurn();
    }
  }

  /**
   * JobStore.changes over the jobs' change_xid and the tombstones (migration 20261207160000):
   * one statement, so one snapshot, answers the oldest transaction still running (the next
   * cursor), the rows written by a transaction at or after the cursor, and the names deleted by
   * one and not stored now. A cursor is `<xid>@<ms>`: older than TOMBSTONE_SAFE_MS, the
   * tombstones it needs may be gone, and every job is read again (so is a truncated table).
   */
  async changes(cursor: string | null, held?: ReadonlyMap<string, string>, nowMs: number = Date.now()): Promise<JobChanges> {
    const since = parseCursor(cursor, nowMs);
    const sql = `
      SELECT 0 AS k, NULL AS n, NULL AS x, pg_snapshot_xmin(pg_current_snapshot())::text AS v
      UNION ALL SELECT 1, "name", "change_xid"::text, "data"::text FROM "jobs" WHERE "change_xid" >= ${since}
      UNION ALL SELECT DISTINCT CASE WHEN t."name" IS NULL THEN 3 ELSE 2 END, t."name", NULL, NULL
        FROM "job_tombstones" AS t
       WHERE ${since} > 0 AND t."change_xid" >= ${since}
         AND (t."name" IS NULL OR NOT EXISTS (SELECT 1 FROM "jobs" AS j WHERE j."name" = t."name"))`;
    type Row = { k: number; n: string | null; x: string | null; v: string | null };
    let next = '';
    let truncated = false;
    const put: Job[] = [];
    const versions = new Map<string, string>();
    const deleted: string[] = [];
    const pool: SharedValues = new Map();
    await this.readRows<Row>(sql, (rows) => {
      for (const r of rows) {
        const k = Number(r.k);
        if (k === 0) next = `${r.v}@${nowMs}`;
        else if (k === 1) {
          if (truncated || (since > 0 && held?.get(r.n!) === r.x)) continue; // held in this very version
          put.push(shareJobValues(JSON.parse(r.v!) as Job, pool));
          versions.set(r.n!, r.x!);
        } else if (k === 2) deleted.push(r.n!);
        else if (k === 3 && since > 0) truncated = true;
      }
    });
    if (truncated) return this.changes(null, undefined, nowMs);
    return { full: since === 0, put, versions, deleted, cursor: next };
  }

  /**
   * True when `list` and `search` order names by code point, i.e. the `name` column compares with
   * a C-like collation (its own, or the database default: C, POSIX, C.UTF-8, ucs_basic, builtin C),
   * so a caller holding the jobs may sort plain-ASCII names with `<` and get the same order.
   */
  async sortsByCodePoint(): Promise<boolean> {
    // Through to_jsonb(d): datlocprovider and datlocale exist only on newer servers (absent: null).
    const rows = await this.db.$queryRaw<{ col: string | null; provider: string | null; coll: string | null; locale: string | null }[]>`
      SELECT (SELECT c.collname::text FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
               WHERE a.attrelid = '"jobs"'::regclass AND a.attname = 'name') AS col,
             j->>'datlocprovider' AS provider, j->>'datcollate' AS coll,
             coalesce(j->>'datlocale', j->>'daticulocale') AS locale
        FROM (SELECT to_jsonb(d) AS j FROM pg_database d WHERE d.datname = current_database()) x`;
    const r = rows[0];
    if (!r) return false;
    const col = r.col ?? 'default';
    if (col !== 'default') return CODE_POINT_COLLATIONS.test(col);
    const provider = r.provider ?? 'c';
    if (provider === 'c') return CODE_POINT_COLLATIONS.test(r.coll ?? '');
    if (provider === 'b') return CODE_POINT_COLLATIONS.test(r.locale ?? '');
    return false; // ICU: a linguistic order
  }

  /**
   * Chronos /jobs/search: a job matches when every non-empty `name`/`command` filter is a
   * case-insensitive substring of that field, or, failing that, when `any` is a substring of its
   * name or command. Then the slice [offset, offset+limit) of the matches in name order.
   */
  async search(q: JobQuery): Promise<Job[]> {
    const limit = nonNegInt(q.limit, SEARCH_DEFAULT_LIMIT);
    const offset = nonNegInt(q.offset, 0);
    if (limit === 0) return [];
    const filters: Prisma.Sql[] = [];
    if (q.name) filters.push(containsSql('name', q.name));
    if (q.command) filters.push(containsSql('command', q.command));
    // No name/command filter: every job passes, so `any` has nothing to rescue.
    let where = Prisma.empty;
    if (filters.length > 0) {
      const all = Prisma.join(filters, ' AND ');
      where = q.any
        ? Prisma.sql`WHERE (${all}) OR ${containsSql('name', q.any)} OR ${containsSql('command', q.any)}`
        : Prisma.sql`WHERE ${all}`;
    }
    // The page's names first, then only their data: with the data in the sort, a deep page
    // (100,000 matches, OFFSET 50000) converted and sorted every matching job's JSON (~1 s at
    // 100k jobs, spilling to disk); by name alone it is ~5x faster. Same rows, same order.
    const rows = await this.db.$queryRaw<{ d: string }[]>`
      SELECT j."data"::text AS d
        FROM (SELECT "name" FROM "jobs" ${where} ORDER BY "name" LIMIT ${limit} OFFSET ${offset}) AS page
        JOIN "jobs" AS j ON j."name" = page."name"
       ORDER BY page."name"`;
    return rows.map((r) => JSON.parse(r.d) as Job);
  }

  async count(): Promise<number> {
    const [row] = await this.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "jobs"`;
    return row.n;
  }

  async put(job: Job): Promise<void> {
    await this.upsertMany([job]);
  }

  /** Deletes first, then puts, all in one transaction (so a deleted name can be re-put). */
  async apply(changes: { put?: Job[]; delete?: string[]; update?: Job[] }): Promise<void> {
    const puts = changes.put ?? [];
    const deletes = changes.delete ?? [];
    const updates = changes.update ?? [];
    if (puts.length === 0 && deletes.length === 0 && updates.length === 0) return;
    await withTx(this.db, async (tx) => {
      const store = new PrismaJobStore(tx);
      if (deletes.length > 0) await tx.$executeRaw`DELETE FROM "jobs" WHERE "name" = ANY(${deletes}::text[])`;
      if (puts.length > 0) await store.upsertMany(puts);
      if (updates.length > 0) await store.updateExisting(updates);
    });
  }

  /** Replaces jobs that still exist; a name no longer stored stays absent. */
  private async updateExisting(jobs: Job[]): Promise<void> {
    const byName = new Map<string, Job>();
    for (const j of jobs) byName.set(j.name, j);
    const payload = JSON.stringify([...byName.values()]);
    // `name = ANY(…)` lets the planner find the rows by the primary key; joined on the JSON alone it
    // expects 100 elements and scans the whole table (see updateMany)
    await this.db.$executeRaw`
      UPDATE "jobs" AS j SET "command" = coalesce(e->>'command', ''), "data" = e,
             "version" = j."version" + 1, "updated_at" = now()
        FROM jsonb_array_elements(${payload}::jsonb) AS e
       WHERE j."name" = e->>'name' AND j."name" = ANY(${[...byName.keys()]}::text[])`;
  }

  /** JobStore.patch: one statement (patchJobsSql). */
  async patch(changes: readonly JobFieldChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.db.$executeRaw(patchJobsSql(changes));
  }

  async delete(name: string): Promise<boolean> {
    const count = await this.db.$executeRaw`DELETE FROM "jobs" WHERE "name" = ${name}`;
    return count > 0;
  }

  /** One INSERT … ON CONFLICT for any number of jobs; the last of duplicate names wins. */
  private async upsertMany(jobs: Job[]): Promise<void> {
    const byName = new Map<string, Job>();
    for (const j of jobs) {
      if (typeof j?.name !== 'string' || j.name === '') throw new Error('job without a name');
      byName.set(j.name, j);
    }
    const payload = JSON.stringify([...byName.values()]);
    await this.db.$executeRaw`
      INSERT INTO "jobs" ("name", "command", "data", "version", "updated_at")
      SELECT e->>'name', coalesce(e->>'command', ''), e, 1, now()
        FROM jsonb_array_elements(${payload}::jsonb) AS e
      ON CONFLICT ("name") DO UPDATE
        SET "command" = excluded."command", "data" = excluded."data",
            "version" = "jobs"."version" + 1, "updated_at" = excluded."updated_at"`;
  }
}

/** Tombstones are kept one day (the migration); a cursor older than this reads everything again. */
export const TOMBSTONE_SAFE_MS = 12 * 3_600_000;

/** The transaction id a cursor starts from; 0 (read everything) for none, a bad or an old one. */
function parseCursor(cursor: string | null, nowMs: number): number {
  const m = cursor ? /^(\d{1,19})@(\d{1,16})$/.exec(cursor) : null;
  if (!m || nowMs - Number(m[2]) > TOMBSTONE_SAFE_MS) return 0;
  const xid = Number(m[1]);
  return Number.isSafeInteger(xid) ? xid : 0;
}

/**
 * Jobs parsed per event-loop turn in a bulk read: 100,000 in one go held the event loop for
 * seconds (15-19 s on a loaded machine), long enough for ZooKeeper to end the session.
 */
const PARSE_CHUNK = 2_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * JobStore.patch's statement: each job's row keeps every field the change does not name (`data`
 * minus the fields unset, merged with those set: jsonb `-` and `||`); a name no longer stored
 * stays absent; nothing is written unless `guard` (run-writes.ts).
 */
export function patchJobsSql(changes: readonly JobFieldChange[], guard: Prisma.Sql = Prisma.raw('TRUE')): Prisma.Sql {
  const byName = new Map<string, JobFieldChange>();
  for (const c of changes) {
    const held = byName.get(c.name);
    // two changes of one job: the later wins field by field
    byName.set(c.name, held ? { name: c.name, set: { ...held.set, ...c.set }, unset: [...held.unset.filter((k) => !(k in c.set)), ...c.unset] } : c);
  }
  const payload = JSON.stringify([...byName.values()]);
  // the fields removed only where a change names some; the command column only where it changes
  return Prisma.sql`
    UPDATE "jobs" AS j
       SET "data" = (CASE WHEN e->'unset' = '[]'::jsonb THEN j."data"
                          ELSE j."data" - ARRAY(SELECT jsonb_array_elements_text(e->'unset')) END) || (e->'set'),
           "command" = CASE WHEN e->'set' ? 'command' THEN coalesce(e->'set'->>'command', '')
                            WHEN e->'unset' ? 'command' THEN '' ELSE j."command" END,
           "version" = j."version" + 1, "updated_at" = now()
      FROM jsonb_array_elements(${payload}::jsonb) AS e
     WHERE j."name" = e->>'name' AND j."name" = ANY(${[...byName.keys()]}::text[]) AND ${guard}`;
}
