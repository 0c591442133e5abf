/**
 * The `Store` port over Prisma 7 (PostgreSQL through @prisma/adapter-pg, or embedded PGlite).
 * Typed Prisma queries where they are one statement; raw SQL where one statement needs what the
 * query builder cannot say (batched jsonb upserts, merged status-update bursts, Chronos search).
 *
 * Storage decisions the runtime can rely on:
 * - Instants are timestamptz(3) in the database and ms numbers in the port: exact round trip.
 * - Run ids are a bigserial, exposed as decimal strings. Run order is (due desc, id desc).
 * - A job row keeps the whole Job as jsonb; `command` is copied into a column for search.
 * - The framework id is the framework_state row with key `framework_id`.
 */
import type { RawTxRunner } from './pg-tx';
import { classifyingDataErrors } from './data-error';
import type { Instant, Job, Run, RunState, RunTrigger } from '../../core/types';
import type {
  EdgeStore,
  FrameworkStore,
  JobQuery,
  JobStore,
  NewRun,
  RunFilter,
  RunPage,
  RunPatch,
  RunStore,
  Store,
} from '../../ports';
import { Prisma, type PrismaClient } from './generated/client';
import type { FencedError, FencingStore } from '../../ports';
import { SEARCH_DEFAULT_LIMIT } from '../../ports';
import { fencedStore, raiseEpoch, storedEpoch } from './fencing';

type Db = PrismaClient | Prisma.TransactionClient;
type RunRow = Prisma.RunGetPayload<object>;
/** Raw SQL selects RUN_COLUMNS, which alias every column to its Prisma field name. */
type RawRunRow = RunRow;

/** Every runs column under its Prisma field name, so raw rows map with toRun too. */
const RUN_COLUMNS = Prisma.raw(
  [
    'id', 'job_name AS "jobName"', 'due', 'attempt', 'task_id AS "taskId"', 'arguments', 'trigger',
    'high_priority AS "highPriority"', 'state', 'queued_at AS "queuedAt"',
    'launched_at AS "launchedAt"', 'started_at AS "startedAt"', 'finished_at AS "finishedAt"',
    'agent_id AS "agentId"', 'host', 'message', 'reason', 'elements_processed AS "elementsProcessed"',
  ].join(', '),
);

/** SQL for an exact ms-since-epoch (text or bigint expression) to timestamptz conversion. */
const EPOCH_MS = (expr: string): Prisma.Sql =>
  Prisma.raw(`('epoch'::timestamptz + (${expr})::bigint * interval '1 millisecond')`);

/** Non-terminal states; must equal the predicate of runs_active_idx in the init migration. */
export const ACTIVE_RUN_STATES: RunState[] = ['QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING'];
export const FRAMEWORK_ID_KEY = 'framework_id';
export const RUN_PAGE_DEFAULT_LIMIT = 100;
/** The UI's timeline pages through a night of runs (thousands) with few round trips. */
export const RUN_PAGE_MAX_LIMIT = 10_000;

const TX_OPTIONS = { maxWait: 10_000, timeout: 60_000 };

const dateOrNull = (ms: Instant | null): Date | null => (ms === null ? null : new Date(ms));
const ms = (d: Date): Instant => d.getTime();
const msOrNull = (d: Date | null): Instant | null => (d === null ? null : d.getTime());

export function toRun(r: RunRow): Run {
  return {
    id: r.id.toString(),
    jobName: r.jobName,
    due: ms(r.due),
    attempt: r.attempt,
    taskId: r.taskId,
    arguments: r.arguments,
    trigger: r.trigger as RunTrigger,
    highPriority: r.highPriority,
    state: r.state as RunState,
    queuedAt: ms(r.queuedAt),
    launchedAt: msOrNull(r.launchedAt),
    startedAt: msOrNull(r.startedAt),
    finishedAt: msOrNull(r.finishedAt),
    agentId: r.agentId,
    host: r.host,
    message: r.message,
    reason: r.reason,
    elementsProcessed: Number(r.elementsProcessed),
  };
}

/** A run as RunStore.list reads it: the columns of runs in table order, instants in ms. */
type RunTuple = [
  string, string, number, number, string, string, string, boolean, string, number,
  number | null, number | null, number | null, string | null, string | null, string | null, string | null, number,
];

function fromTuple(t: RunTuple): Run {
  return {
    id: t[0],
    jobName: t[1],
    due: t[2],
    attempt: t[3],
    taskId: t[4],
    arguments: t[5],
    trigger: t[6] as RunTrigger,
    highPriority: t[7],
    state: t[8] as RunState,
    queuedAt: t[9],
    launchedAt: t[10],
    startedAt: t[11],
    finishedAt: t[12],
    agentId: t[13],
    host: t[14],
    message: t[15],
    reason: t[16],
    elementsProcessed: Number(t[17]),
  };
}

function patchData(p: RunPatch): Prisma.RunUpdateManyMutationInput {
  const d: Prisma.RunUpdateManyMutationInput = {};
  if (p.state !== undefined) d.state = p.state;
  if (p.launchedAt !== undefined) d.launchedAt = dateOrNull(p.launchedAt);
  if (p.startedAt !== undefined) d.startedAt = dateOrNull(p.startedAt);
  if (p.finishedAt !== undefined) d.finishedAt = dateOrNull(p.finishedAt);
  if (p.agentId !== undefined) d.agentId = p.agentId;
  if (p.host !== undefined) d.host = p.host;
  if (p.message !== undefined) d.message = p.message;
  if (p.reason !== undefined) d.reason = p.reason;
  if (p.elementsProcessed !== undefined) d.elementsProcessed = BigInt(Math.trunc(p.elementsProcessed));
  return d;
}

/** LIKE pattern for a case-insensitive substring (escapes the LIKE wildcards). */
function containsSql(column: 'name' | 'command', needle: string): Prisma.Sql {
  const escaped = needle.replace(/[\\%_]/g, (c) => `\\${c}`);
  // lower(...) on both sides, so the GIN (lower(col) gin_trgm_ops) index applies.
  return Prisma.sql`lower(${Prisma.raw(`"${column}"`)}) LIKE ('%' || lower(${escaped}) || '%')`;
}

const nonNegInt = (v: number | undefined, dflt: number): number =>
  v === undefined || !Number.isFinite(v) ? dflt : Math.max(0, Math.trunc(v));

/** Opaque run cursor: the (due, id) of the last run of a page, base64url JSON. */
export function encodeCursor(run: { due: Instant; id: string }): string {
  return Buffer.from(JSON.stringify([run.due, run.id])).toString('base64url');
}
export function decodeCursor(cursor: string): { due: Date; id: bigint } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      Number.isSafeInteger(v[0]) &&
      typeof v[1] === 'string' &&
      /^\d+$/.test(v[1])
    ) {
      return { due: new Date(v[0] as number), id: BigInt(v[1]) };
    }
  } catch {
    // fall through
  }
  throw new Error('invalid run cursor');
}

/**
 * Runs fn in a transaction: a new one on the root client, or the enclosing one when the stores are
 * already bound to a transaction. Prisma 7's transaction client also has a $transaction (nested,
 * via savepoints), which misbehaved here (the outer transaction was reported closed afterwards),
 * so root clients are marked explicitly and nesting simply joins the outer transaction.
 */
function withTx<T>(db: Db, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  if (isRoot(db)) return db.$transaction(fn, TX_OPTIONS);
  return fn(db);
}

const roots = new WeakSet<object>();
const isRoot = (db: Db): db is PrismaClient => roots.has(db);

/**
 * A plain SQL reader beside Prisma for the few reads of every job at once (100,000 rows): the
 * driver's rows as they come, without Prisma's row mapping (at 100k jobs the list took 2-3 s
 * through `$queryRaw`, 0.7 s through pg alone). Only ever used outside transactions.
 */
export type BulkReader = <R>(sql: string) => Promise<R[]>;

/** Collations whose order is the code-point order of the text (byte order for ASCII). */
const CODE_POINT_COLLATIONS = /^(C|POSIX|C\.UTF-?8|ucs_basic|unicode_fast|pg_c_utf8|pg_unicode_fast)$/i;

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
   * the bulk reader when the store has one (outside a transaction).
   */
  async list(): Promise<Job[]> {
    const sql = 'SELECT "data"::text AS d FROM "jobs" ORDER BY "name"';
    const rows = this.bulk ? await this.bulk<{ d: string }>(sql) : await this.db.$queryRawUnsafe<{ d: string }[]>(sql);
    const jobs = new Array<Job>(rows.length);
    for (let i = 0; i < rows.length; i++) jobs[i] = JSON.parse(rows[i].d) as Job;
    return jobs;
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

export class PrismaRunStore implements RunStore {
  constructor(private readonly db: Db) {}

  async create(run: NewRun): Promise<Run | null> {
    const [created] = await this.createMany([run]);
    return created ?? null;
  }

  /**
   * One INSERT … SELECT FROM jsonb_array_elements … ON CONFLICT DO NOTHING RETURNING, whatever the
   * batch size (no bind-parameter limit); only the new rows come back, in input order.
   */
  async createMany(runs: NewRun[]): Promise<Run[]> {
    if (runs.length === 0) return [];
    const payload = JSON.stringify(
      runs.map((r) => ({ ...r, state: r.state ?? 'QUEUED', message: r.message ?? null })),
    );
    const rows = await this.db.$queryRaw<RawRunRow[]>`
      INSERT INTO "runs" ("job_name", "due", "attempt", "task_id", "arguments", "trigger",
                          "high_priority", "state", "queued_at", "message")
      SELECT r->>'jobName', ${EPOCH_MS("r->>'due'")}, (r->>'attempt')::int, r->>'taskId',
             coalesce(r->>'arguments', ''), r->>'trigger', coalesce((r->>'highPriority')::boolean, false),
             r->>'state', ${EPOCH_MS("r->>'queuedAt'")}, r->>'message'
        FROM jsonb_array_elements(${payload}::jsonb) WITH ORDINALITY AS x(r, i)
       ORDER BY i
      ON CONFLICT DO NOTHING
      RETURNING ${RUN_COLUMNS}`;
    return rows.map(toRun);
  }

  async update(taskId: string, patch: RunPatch): Promise<Run | null> {
    const data = patchData(patch);
    if (Object.keys(data).length === 0) return this.getByTaskId(taskId);
    await this.updateMany([{ taskId, patch }]);
    return this.getByTaskId(taskId);
  }

  /**
   * One UPDATE … FROM jsonb_array_elements: atomic and one round trip. Patches of the same task
   * are merged in order first (each field: the last patch that sets it wins), which is what
   * applying them one by one would leave. The task ids also go as an array (`task_id = ANY`):
   * the planner cannot see how many elements a JSON document holds, and joined on it alone it
   * hash-joined a sequential scan of every run ever stored, for each batch of status updates.
   */
  async updateMany(updates: { taskId: string; patch: RunPatch }[]): Promise<void> {
    if (updates.length === 0) return;
    const merged = new Map<string, Record<string, unknown>>();
    for (const { taskId, patch } of updates) {
      const m = merged.get(taskId) ?? { taskId };
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) m[k] = v;
      merged.set(taskId, m);
    }
    const payload = JSON.stringify([...merged.values()]);
    const t = (key: string, col: string): Prisma.Sql =>
      Prisma.sql`${Prisma.raw(`"${col}" = CASE WHEN u ? '${key}' THEN`)} ${EPOCH_MS(`u->>'${key}'`)} ${Prisma.raw(`ELSE r."${col}" END`)}`;
    const s = (key: string, col: string): Prisma.Sql =>
      Prisma.raw(`"${col}" = CASE WHEN u ? '${key}' THEN u->>'${key}' ELSE r."${col}" END`);
    await this.db.$executeRaw`
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
      WHERE r."task_id" = u->>'taskId' AND r."task_id" = ANY(${[...merged.keys()]}::text[])`;
  }

  async getByTaskId(taskId: string): Promise<Run | null> {
    const [row] = await this.db.$queryRaw<RawRunRow[]>`SELECT ${RUN_COLUMNS} FROM "runs" WHERE "task_id" = ${taskId}`;
    return row ? toRun(row) : null;
  }

  /** Oldest due first (the order reconciliation and the queue want). */
  async listActive(): Promise<Run[]> {
    const rows = await this.db.run.findMany({
      where: { state: { in: ACTIVE_RUN_STATES } },
      orderBy: [{ due: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toRun);
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
    if (filter.states !== undefined) and.push(Prisma.sql`"state" = ANY(${filter.states}::text[])`);
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
    const ms = (col: string) => Prisma.raw(`(extract(epoch FROM r."${col}") * 1000)::bigint`);
    const [row] = await this.db.$queryRaw<{ j: string }[]>`
      SELECT coalesce(json_agg(json_build_array(
               r."id"::text, r."job_name", ${ms('due')}, r."attempt", r."task_id", r."arguments", r."trigger",
               r."high_priority", r."state", ${ms('queued_at')}, ${ms('launched_at')}, ${ms('started_at')},
               ${ms('finished_at')}, r."agent_id", r."host", r."message", r."reason", r."elements_processed"
             ) ORDER BY r."due" DESC, r."id" DESC), '[]')::text AS j
        FROM (SELECT * FROM "runs" ${where} ORDER BY "due" DESC, "id" DESC LIMIT ${limit + 1}) AS r`;
    const rows = JSON.parse(row?.j ?? '[]') as RunTuple[];
    const runs = rows.slice(0, limit).map(fromTuple);
    const last = runs[runs.length - 1];
    return { runs, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
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
  async durations(jobName: string, limit: number): Promise<number[]> {
    const take = nonNegInt(limit, 0);
    if (take === 0) return [];
    const rows = await this.db.run.findMany({
      where: { jobName, state: 'FINISHED', startedAt: { not: null }, finishedAt: { not: null } },
      select: { startedAt: true, finishedAt: true },
      orderBy: [{ due: 'desc' }, { id: 'desc' }],
      take,
    });
    return rows.map((r) => ms(r.finishedAt!) - ms(r.startedAt!));
  }

  async deleteForJob(jobName: string): Promise<void> {
    await this.db.$executeRaw`DELETE FROM "runs" WHERE "job_name" = ${jobName}`;
  }

  async settleQueued(jobName: string, patch: RunPatch): Promise<number> {
    const ids = await this.db.$queryRaw<{ task_id: string }[]>`
      SELECT "task_id" FROM "runs" WHERE "job_name" = ${jobName} AND "state" = 'QUEUED'`;
    if (ids.length > 0) await this.updateMany(ids.map((r) => ({ taskId: r.task_id, patch })));
    return ids.length;
  }
}

export class PrismaEdgeStore implements EdgeStore {
  constructor(private readonly db: Db) {}

  async load(): Promise<Map<string, Map<string, number>>> {
    const rows = await this.db.dependencyEdge.findMany();
    const out = new Map<string, Map<string, number>>();
    for (const r of rows) {
      let m = out.get(r.child);
      if (!m) out.set(r.child, (m = new Map()));
      m.set(r.parent, r.count);
    }
    return out;
  }

  async set(child: string, parent: string, count: number): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO "dependency_edges" ("child", "parent", "count") VALUES (${child}, ${parent}, ${count}::int)
      ON CONFLICT ("child", "parent") DO UPDATE SET "count" = excluded."count"`;
  }

  async resetChild(child: string, parents: string[]): Promise<void> {
    await withTx(this.db, async (tx) => {
      await tx.$executeRaw`DELETE FROM "dependency_edges" WHERE "child" = ${child}`;
      const unique = [...new Set(parents)];
      if (unique.length > 0) {
        await tx.$executeRaw`
          INSERT INTO "dependency_edges" ("child", "parent", "count")
          SELECT ${child}, p, 0 FROM unnest(${unique}::text[]) AS p`;
      }
    });
  }

  async deleteJob(name: string): Promise<void> {
    await this.db.$executeRaw`DELETE FROM "dependency_edges" WHERE "child" = ${name} OR "parent" = ${name}`;
  }
}

export class PrismaFrameworkStore implements FrameworkStore {
  constructor(private readonly db: Db) {}

  getFrameworkId(): Promise<string | null> {
    return this.get(FRAMEWORK_ID_KEY);
  }

  async setFrameworkId(id: string | null): Promise<void> {
    if (id === null) await this.db.$executeRaw`DELETE FROM "framework_state" WHERE "key" = ${FRAMEWORK_ID_KEY}`;
    else await this.set(FRAMEWORK_ID_KEY, id);
  }

  async get(key: string): Promise<string | null> {
    const [row] = await this.db.$queryRaw<{ value: string }[]>`SELECT "value" FROM "framework_state" WHERE "key" = ${key}`;
    return row ? row.value : null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO "framework_state" ("key", "value", "updated_at") VALUES (${key}, ${value}, now())
      ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updated_at" = excluded."updated_at"`;
  }

  async getOrSet(key: string, value: string): Promise<string> {
    await this.db.$executeRaw`
      INSERT INTO "framework_state" ("key", "value", "updated_at") VALUES (${key}, ${value}, now())
      ON CONFLICT ("key") DO NOTHING`;
    return (await this.get(key)) ?? value;
  }
}

function bind(db: Db): Omit<Store, 'transaction' | 'close'> {
  return {
    jobs: new PrismaJobStore(db),
    runs: new PrismaRunStore(db),
    edges: new PrismaEdgeStore(db),
    framework: new PrismaFrameworkStore(db),
  };
}

export class PrismaStore implements Store, FencingStore {
  readonly jobs: JobStore;
  readonly runs: RunStore;
  readonly edges: EdgeStore;
  readonly framework: FrameworkStore;
  private closed: Promise<void> | null = null;

  constructor(
    /** The underlying client, for adapters and tests that need a raw query. */
    readonly prisma: PrismaClient,
    private readonly onClose: () => Promise<void>,
    /** Plain SQL reads of every job at once (PostgreSQL: the pool Prisma uses); null: through Prisma. */
    bulk: BulkReader | null = null,
    /** Transactions over plain pg for the leader's fenced writes (pg-tx.ts); null: through Prisma. */
    private readonly rawTx: RawTxRunner | null = null,
  ) {
    roots.add(prisma);
    this.jobs = new PrismaJobStore(prisma, bulk);
    this.runs = new PrismaRunStore(prisma);
    this.edges = new PrismaEdgeStore(prisma);
    this.framework = new PrismaFrameworkStore(prisma);
  }

  /**
   * Interactive transaction (max wait 10 s, timeout 60 s). Use only the `tx` stores inside fn:
   * on PGlite the root stores would wait for this transaction to end.
   */
  transaction<T>(fn: (tx: Omit<Store, 'transaction' | 'close'>) => Promise<T>): Promise<T> {
    return classifyingDataErrors(() => {
      if (this.rawTx) return this.rawTx((db) => fn(bind(db as unknown as Prisma.TransactionClient)));
      return this.prisma.$transaction((tx) => fn(bind(tx)), TX_OPTIONS);
    });
  }

  close(): Promise<void> {
    this.closed ??= this.onClose();
    return this.closed;
  }

  /* Fencing of the leader's writes (FencingStore, scheduler/adapters/prisma/fencing.ts). */

  raiseEpoch(epoch: number): Promise<number> {
    return raiseEpoch(this.prisma, epoch);
  }

  storedEpoch(): Promise<number> {
    return storedEpoch(this.prisma);
  }

  fenced(epoch: number, onFenced?: (e: FencedError) => void): Store {
    return fencedStore(this.prisma, this, epoch, onFenced, this.rawTx);
  }
}
