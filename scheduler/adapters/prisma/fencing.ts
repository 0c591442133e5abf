/**
 * Fencing of a leader's writes (the `FencingStore` port) on the framework_state key/value table:
 *
 * - `leader_epoch` holds the largest leadership epoch any instance has claimed.
 * - `raiseEpoch(e)`: one `INSERT … ON CONFLICT DO UPDATE … WHERE stored < e`; it never lowers it.
 * - `fenced(e)`: a Store whose every write runs in a transaction that first reads the stored epoch
 *   `FOR SHARE` and throws `FencedError` when it is larger than `e`. The share lock makes a
 *   concurrent raise wait for the write to commit (and the write wait for the raise), so once a new
 *   leader's raise has committed, no write of an older leader can commit after it. The writes that
 *   are one statement (RunStore.record, createMany) over PostgreSQL carry the same read and guard
 *   in the statement itself (statementFence): one round trip, no BEGIN and COMMIT.
 *
 * A leader frozen inside a fenced transaction (a GC pause, a stopped VM: its ZooKeeper session
 * expired meanwhile) would hold that share lock, and with it every new leader's raise, for as long
 * as it stays frozen. `raiseEpochOverPg` therefore watches its own raise: when it has waited
 * `stallMs`, the sessions blocking it are terminated (`pg_terminate_backend`). Only a deposed
 * leader's transaction can block a raise, so what is cut is a write that fencing refuses anyway;
 * its transaction rolls back and its client sees a broken connection.
 *
 * Reads are not fenced (they go to the root client as before).
 */
import type { Pool } from 'pg';
import { PgRawDb, type RawTxRunner } from './pg-tx';
import type { BackfillStore, EdgeStore, FrameworkStore, JobStore, JobVersionStore, NewRun, OutboxStore, RunRecord, RunStore, Store } from '../../ports';
import type { Run } from '../../core/types';
import { FencedError } from '../../ports';
import { Prisma, type PrismaClient } from './generated/client';
import { PrismaBackfillStore } from './backfill-store';
import { PrismaEdgeStore } from './edge-store';
import { PrismaFrameworkStore } from './framework-store';
import { PrismaJobStore } from './job-store';
import { PrismaNotificationStore } from './notification-store';
import { PrismaRunStore } from './run-store';
import { DEFAULT_VERSIONS_KEPT, PrismaVersionStore } from './version-store';
import { classifyingDataErrors } from './data-error';
import { retryingConflicts } from './conflict-retry';
import { inInputOrder, insertRunsSql, recordSql, type Fence } from './run-writes';
import { toRun, type RawRunRow } from './sql';

export const LEADER_EPOCH_KEY = 'leader_epoch';
/** storedEpoch(db, true) as one parameterless statement (sent with BEGIN, pg-tx.ts). */
const EPOCH_FOR_SHARE = `SELECT "value" AS v FROM "framework_state" WHERE "key" = '${LEADER_EPOCH_KEY}' FOR SHARE`;
const TX_OPTIONS = { maxWait: 10_000, timeout: 60_000 };

type Bound = Omit<Store, 'transaction' | 'close'>;

function bindTx(tx: Prisma.TransactionClient, versionsKept: number): Bound {
  return {
    jobs: new PrismaJobStore(tx),
    versions: new PrismaVersionStore(tx, versionsKept),
    runs: new PrismaRunStore(tx),
    edges: new PrismaEdgeStore(tx),
    framework: new PrismaFrameworkStore(tx),
    notifications: new PrismaNotificationStore(tx),
    backfills: new PrismaBackfillStore(tx),
  };
}

type RawDb = Pick<PrismaClient, '$executeRaw' | '$queryRaw'>;

export async function raiseEpoch(prisma: RawDb, epoch: number): Promise<number> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`bad epoch ${epoch}`);
  await prisma.$executeRaw`
    INSERT INTO "framework_state" ("key", "value", "updated_at") VALUES (${LEADER_EPOCH_KEY}, ${String(epoch)}, now())
    ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updated_at" = now()
     WHERE "framework_state"."value"::bigint < excluded."value"::bigint`;
  return storedEpoch(prisma);
}

/** Default wait before a raise cuts the sessions blocking it (a healthy fenced transaction takes milliseconds). */
export const RAISE_STALL_MS = 1_000;

/**
 * `raiseEpoch` on one pooled connection of PostgreSQL; while it waits longer than `stallMs` for a
 * lock, the sessions blocking it are terminated (`onCut` is told their pids), every `stallMs`.
 */
export async function raiseEpochOverPg(
  pool: Pool,
  epoch: number,
  opts: { stallMs?: number; onCut?: (pids: number[]) => void } = {},
): Promise<number> {
  const stallMs = opts.stallMs ?? RAISE_STALL_MS;
  const client = await pool.connect();
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  /** The look (and cut) under way: awaited before returning, so `onCut` is told before the raise answers. */
  let looking: Promise<void> | null = null;
  const look = async (pid: number): Promise<void> => {
    const { rows } = await pool.query<{ p: number[] }>('SELECT pg_blocking_pids($1) AS p', [pid]);
    const blockers = (rows[0]?.p ?? []).map(Number);
    if (done || blockers.length === 0) return;
    await pool.query('SELECT pg_terminate_backend(b) FROM unnest($1::int[]) AS b', [blockers]);
    opts.onCut?.(blockers);
  };
  try {
    const pid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const watch = (): void => {
      timer = setTimeout(() => {
        looking = look(pid)
          .catch(() => {
            // the raise itself reports what matters; a failed look is tried again
          })
          .finally(() => {
            if (!done) watch();
          });
      }, stallMs);
      timer.unref?.();
    };
    watch();
    return await raiseEpoch(new PgRawDb(client) as unknown as RawDb, epoch);
  } finally {
    done = true;
    clearTimeout(timer);
    client.release();
    await looking;
  }
}

export async function storedEpoch(db: RawDb | Prisma.TransactionClient, lock = false): Promise<number> {
  const rows = lock
    ? await db.$queryRaw<{ v: string }[]>`SELECT "value" AS v FROM "framework_state" WHERE "key" = ${LEADER_EPOCH_KEY} FOR SHARE`
    : await db.$queryRaw<{ v: string }[]>`SELECT "value" AS v FROM "framework_state" WHERE "key" = ${LEADER_EPOCH_KEY}`;
  return rows[0] ? Number(rows[0].v) : 0;
}

/**
 * The fence of a write made as one statement, outside a transaction (run-writes.ts): its first CTE
 * reads the stored epoch FOR SHARE, as a fenced transaction's BEGIN does, and holds that lock until
 * the statement commits; every write of the statement is guarded by `ok`, so a deposed leader's
 * statement writes nothing and answers the larger epoch. Read committed: a raise committed while
 * the statement waited for the lock is the row it reads (the lock follows the row to its newest
 * version), so no write of an older leader commits after a newer leader's raise.
 */
export function statementFence(epoch: number): Fence {
  return {
    cte: Prisma.sql`fence AS MATERIALIZED (
      SELECT s.stored, s.stored <= ${epoch}::bigint AS ok FROM (SELECT coalesce(
        (SELECT "value"::bigint FROM "framework_state" WHERE "key" = ${LEADER_EPOCH_KEY} FOR SHARE), 0) AS stored) AS s)`,
    guard: Prisma.raw('(SELECT ok FROM fence)'),
    stored: Prisma.raw('(SELECT stored FROM fence)'),
  };
}

/** A Store over `root` whose writes are fenced by `epoch`. */
export function fencedStore(
  prisma: PrismaClient,
  root: Bound,
  epoch: number,
  onFenced?: (e: FencedError) => void,
  /** Plain pg transactions (pg-tx.ts), ~5x cheaper than Prisma's interactive ones; else Prisma. */
  rawTx: RawTxRunner | null = null,
  versionsKept: number = DEFAULT_VERSIONS_KEPT,
  /** PostgreSQL's pool: the writes that are one statement go as one, fenced in it (statementFence); null: in a fenced transaction. */
  pool: Pool | null = null,
): Store {
  const check = (stored: number): void => {
    if (stored <= epoch) return;
    const err = new FencedError(epoch, stored);
    try {
      onFenced?.(err);
    } catch {
      // the caller's hook must not hide the refusal
    }
    throw err;
  };
  const body =
    <T>(fn: (s: Bound) => Promise<T>) =>
    async (tx: Prisma.TransactionClient): Promise<T> => {
      check(await storedEpoch(tx, true));
      return fn(bindTx(tx, versionsKept));
    };
  // The store classes use only $executeRaw/$queryRaw in their writes, which PgRawDb provides.
  // Over pg the epoch is read FOR SHARE in the BEGIN's round trip.
  const inTx = <T>(fn: (s: Bound) => Promise<T>): Promise<T> =>
    classifyingDataErrors(() =>
      retryingConflicts(() =>
        rawTx
          ? rawTx((db, rows) => {
              check(rows[0] ? Number(rows[0].v) : 0);
              return fn(bindTx(db as unknown as Prisma.TransactionClient, versionsKept));
            }, EPOCH_FOR_SHARE)
          : prisma.$transaction(body(fn), TX_OPTIONS),
      ),
    );

  // One fenced statement on the pool, in autocommit: atomic as the transaction it replaces.
  const oneStatement = (sql: Prisma.Sql) =>
    classifyingDataErrors(() => retryingConflicts(async () => (await pool!.query<Record<string, unknown>>(sql.text, sql.values)).rows));
  const fence = statementFence(epoch);
  const createRuns = async (rs: NewRun[]): Promise<Run[]> => {
    const rows = await oneStatement(Prisma.sql`WITH ${fence.cte}, created AS (${insertRunsSql(rs, fence.guard)})
      SELECT c.*, f.stored::text AS "fenceStored" FROM fence AS f LEFT JOIN created AS c ON true`);
    check(Number(rows[0]?.fenceStored ?? 0));
    return inInputOrder(rs, rows.filter((r) => r.id !== null).map((r) => toRun(r as unknown as RawRunRow)));
  };
  const record = async (changes: RunRecord): Promise<void> => {
    const sql = recordSql(changes, fence);
    if (sql) check(Number((await oneStatement(sql))[0]?.stored ?? 0));
  };

  const jobs: JobStore = {
    get: (n) => root.jobs.get(n),
    list: () => root.jobs.list(),
    counters: () => root.jobs.counters(),
    search: (q) => root.jobs.search(q),
    count: () => root.jobs.count(),
    put: (job) => inTx((s) => s.jobs.put(job)),
    apply: (changes) => inTx((s) => s.jobs.apply(changes)),
    patch: (changes) => (changes.length === 0 ? Promise.resolve() : inTx((s) => s.jobs.patch(changes))),
    delete: (name) => inTx((s) => s.jobs.delete(name)),
  };
  const versions: JobVersionStore = {
    add: (vs) => (vs.length === 0 ? Promise.resolve([]) : inTx((s) => s.versions.add(vs))),
    list: (n, l, b) => root.versions.list(n, l, b),
    get: (n, v) => root.versions.get(n, v),
    deleted: (l) => root.versions.deleted(l),
  };
  const runs: RunStore = {
    create: (r) => inTx((s) => s.runs.create(r)),
    createMany: (rs) => (rs.length === 0 ? Promise.resolve([]) : pool ? createRuns(rs) : inTx((s) => s.runs.createMany(rs))),
    update: (id, p) => inTx((s) => s.runs.update(id, p)),
    updateMany: (us) => (us.length === 0 ? Promise.resolve() : inTx((s) => s.runs.updateMany(us))),
    record: (c) => (pool ? record(c) : inTx((s) => s.runs.record(c))),
    getByTaskId: (id) => root.runs.getByTaskId(id),
    getByTaskIds: (ids) => root.runs.getByTaskIds(ids),
    listActive: () => root.runs.listActive(),
    list: (f) => root.runs.list(f),
    forInstant: (n, t) => root.runs.forInstant(n, t),
    queuedLate: (f) => root.runs.queuedLate(f),
    recent: (n, l) => root.runs.recent(n, l),
    durations: (n, l, s) => root.runs.durations(n, l, s),
    durationStats: (l) => root.runs.durationStats(l),
    deleteForJob: (n) => inTx((s) => s.runs.deleteForJob(n)),
    withdraw: (ids) => (ids.length === 0 ? Promise.resolve([]) : inTx((s) => s.runs.withdraw(ids))),
    settleQueued: (n, p) => inTx((s) => s.runs.settleQueued(n, p)),
    addEvents: (es, t) => (es.length === 0 ? Promise.resolve() : inTx((s) => s.runs.addEvents(es, t))),
    events: (id) => root.runs.events(id),
  };
  const edges: EdgeStore = {
    load: () => root.edges.load(),
    set: (c, p, n) => inTx((s) => s.edges.set(c, p, n)),
    resetChild: (c, ps) => inTx((s) => s.edges.resetChild(c, ps)),
    deleteJob: (n) => inTx((s) => s.edges.deleteJob(n)),
  };
  const framework: FrameworkStore = {
    getFrameworkId: () => root.framework.getFrameworkId(),
    setFrameworkId: (id) => inTx((s) => s.framework.setFrameworkId(id)),
    get: (k) => root.framework.get(k),
    set: (k, v) => inTx((s) => s.framework.set(k, v)),
    getOrSet: (k, v) => root.framework.getOrSet(k, v),
  };
  const notifications: OutboxStore = {
    add: (es, now, g) => (es.length === 0 ? Promise.resolve() : inTx((s) => s.notifications.add(es, now, g))),
    claim: (now, lease, limit) => inTx((s) => s.notifications.claim(now, lease, limit)),
    sentSince: (since) => root.notifications.sentSince(since),
    settle: (rs) => (rs.length === 0 ? Promise.resolve() : inTx((s) => s.notifications.settle(rs))),
    list: (f) => root.notifications.list(f),
    notifiedRuns: (k, ids) => root.notifications.notifiedRuns(k, ids),
  };
  const backfills: BackfillStore = {
    create: (b, items) => inTx((s) => s.backfills.create(b, items)),
    get: (id) => root.backfills.get(id),
    list: (f) => root.backfills.list(f),
    items: (id) => root.backfills.items(id),
    setState: (id, state, from, now) => inTx((s) => s.backfills.setState(id, state, from, now)),
    updateItems: (id, cs, now) => (cs.length === 0 ? Promise.resolve() : inTx((s) => s.backfills.updateItems(id, cs, now))),
  };
  return {
    jobs,
    versions,
    runs,
    edges,
    framework,
    notifications,
    backfills,
    transaction: (fn) => inTx(fn),
    close: async () => {
      // the root store owns the connection
    },
  };
}
