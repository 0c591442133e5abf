/**
 * What the store's parts share: the runs columns and row shapes, instants as exact epoch
 * milliseconds in SQL, run cursors, Chronos's substring search in SQL, and transactions that join
 * an enclosing one. Storage decisions the runtime can rely on:
 * - Instants are timestamptz(3) in the database and ms numbers in the port: exact round trip.
 * - Run ids are a bigserial, exposed as decimal strings. Run order is (due desc, id desc).
 * - A job row keeps the whole Job as jsonb; `command` is copied into a column for search.
 * - The framework id is the framework_state row with key `framework_id`.
 */
import type { Instant, Run, RunState, RunTrigger } from '../../core/types';
import type { RunPatch } from '../../ports';
import { Prisma, type PrismaClient } from './generated/client';

export type Db = PrismaClient | Prisma.TransactionClient;
export type RunRow = Prisma.RunGetPayload<object>;
/** Raw SQL selects RUN_COLUMNS, which alias every column to its Prisma field name. */
export type RawRunRow = RunRow;

/** Every runs column under its Prisma field name, so raw rows map with toRun too. */
export const RUN_COLUMNS = Prisma.raw(
  [
    'id', 'job_name AS "jobName"', 'due', 'attempt', 'task_id AS "taskId"', 'arguments', 'trigger',
    'high_priority AS "highPriority"', 'state', 'queued_at AS "queuedAt"',
    'launched_at AS "launchedAt"', 'started_at AS "startedAt"', 'finished_at AS "finishedAt"',
    'agent_id AS "agentId"', 'host', 'message', 'reason', 'elements_processed AS "elementsProcessed"',
    'intended_due AS "intendedDue"',
    'job_version AS "jobVersion"',
  ].join(', '),
);

/** A row of `runs` aliased `r` as a JSON array in RunTuple order (sql.ts fromTuple), instants in ms. */
const tupleMs = (col: string) => `(extract(epoch FROM r."${col}") * 1000)::bigint`;
export const RUN_TUPLE = Prisma.raw(`json_build_array(
  r."id"::text, r."job_name", ${tupleMs('due')}, r."attempt", r."task_id", r."arguments", r."trigger",
  r."high_priority", r."state", ${tupleMs('queued_at')}, ${tupleMs('launched_at')}, ${tupleMs('started_at')},
  ${tupleMs('finished_at')}, r."agent_id", r."host", r."message", r."reason", r."elements_processed",
  ${tupleMs('intended_due')}, r."job_version")`);

/** SQL for an exact ms-since-epoch (text or bigint expression) to timestamptz conversion. */
export const EPOCH_MS = (expr: string): Prisma.Sql =>
  Prisma.raw(`('epoch'::timestamptz + (${expr})::bigint * interval '1 millisecond')`);

/**
 * Non-terminal states. A run in one of them has no finished_at (only a terminal patch sets it), so
 * queries for them add `"finished_at" IS NULL` and read runs_unfinished_idx: an index on "state"
 * would make every status update write every index of runs (migration 20261207170000).
 */
export const ACTIVE_RUN_STATES: RunState[] = ['QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING'];
export const FRAMEWORK_ID_KEY = 'framework_id';
export const RUN_PAGE_DEFAULT_LIMIT = 100;
/** The UI's timeline pages through a night of runs (thousands) with few round trips. */
export const RUN_PAGE_MAX_LIMIT = 10_000;

export const TX_OPTIONS = { maxWait: 10_000, timeout: 60_000 };

export const dateOrNull = (ms: Instant | null): Date | null => (ms === null ? null : new Date(ms));
export const ms = (d: Date): Instant => d.getTime();
export const msOrNull = (d: Date | null): Instant | null => (d === null ? null : d.getTime());

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
    intendedDue: msOrNull(r.intendedDue),
    // absent rather than null when unknown: runs of jobs without history look as they always did
    ...(r.jobVersion === null ? {} : { jobVersion: r.jobVersion }),
  };
}

/** A run as RunStore.list reads it: the columns of runs in table order, instants in ms. */
export type RunTuple = [
  string, string, number, number, string, string, string, boolean, string, number,
  number | null, number | null, number | null, string | null, string | null, string | null, string | null, number,
  number | null, number | null,
];

export function fromTuple(t: RunTuple): Run {
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
    intendedDue: t[18] ?? null,
    ...(t[19] === null || t[19] === undefined ? {} : { jobVersion: t[19] }),
  };
}

export function patchData(p: RunPatch): Prisma.RunUpdateManyMutationInput {
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
export function containsSql(column: 'name' | 'command', needle: string): Prisma.Sql {
  const escaped = needle.replace(/[\\%_]/g, (c) => `\\${c}`);
  // lower(...) on both sides, so the GIN (lower(col) gin_trgm_ops) index applies.
  return Prisma.sql`lower(${Prisma.raw(`"${column}"`)}) LIKE ('%' || lower(${escaped}) || '%')`;
}

export const nonNegInt = (v: number | undefined, dflt: number): number =>
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
export function withTx<T>(db: Db, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  if (isRoot(db)) return db.$transaction(fn, TX_OPTIONS);
  return fn(db);
}

const roots = new WeakSet<object>();

/** Marks the root client (not a transaction) of a store: withTx opens transactions on it. */
export function markRoot(db: PrismaClient): void {
  roots.add(db);
}
export const isRoot = (db: Db): db is PrismaClient => roots.has(db);

/**
 * A plain SQL reader beside Prisma for the few reads of every job at once (100,000 rows and more):
 * the driver's rows without Prisma's row mapping (at 100k jobs the list took 2-3 s through
 * `$queryRaw`, 0.7 s through pg alone), handed to `each` `batch` rows at a time from one cursor
 * in one snapshot (bulk-cursor.ts), so the whole result's text is never held at once (a million
 * jobs are ~0.8 GB of JSON text). Only ever used outside transactions.
 */
export type BulkReader = <R>(sql: string, batch: number, each: (rows: R[]) => void | Promise<void>) => Promise<void>;

/** Collations whose order is the code-point order of the text (byte order for ASCII). */
export const CODE_POINT_COLLATIONS = /^(C|POSIX|C\.UTF-?8|ucs_basic|unicode_fast|pg_c_utf8|pg_unicode_fast)$/i;
