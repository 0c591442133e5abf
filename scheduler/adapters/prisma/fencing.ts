/**
 * Fencing of a leader's writes (the `FencingStore` port) on the framework_state key/value table:
 *
 * - `leader_epoch` holds the largest leadership epoch any instance has claimed.
 * - `raiseEpoch(e)`: one `INSERT … ON CONFLICT DO UPDATE … WHERE stored < e`; it never lowers it.
 * - `fenced(e)`: a Store whose every write runs in a transaction that first reads the stored epoch
 *   `FOR SHARE` and throws `FencedError` when it is larger than `e`. The share lock makes a
 *   concurrent raise wait for the write to commit (and the write wait for the raise), so once a new
 *   leader's raise has committed, no write of an older leader can commit after it.
 *
 * Reads are not fenced (they go to the root client as before).
 */
import type { RawTxRunner } from './pg-tx';
import type { EdgeStore, FrameworkStore, JobStore, RunStore, Store } from '../../ports';
import { FencedError } from '../../ports';
import { Prisma, type PrismaClient } from './generated/client';
import { PrismaEdgeStore } from './edge-store';
import { PrismaFrameworkStore } from './framework-store';
import { PrismaJobStore } from './job-store';
import { PrismaRunStore } from './run-store';
import { classifyingDataErrors } from './data-error';

export const LEADER_EPOCH_KEY = 'leader_epoch';
const TX_OPTIONS = { maxWait: 10_000, timeout: 60_000 };

type Bound = Omit<Store, 'transaction' | 'close'>;

function bindTx(tx: Prisma.TransactionClient): Bound {
  return {
    jobs: new PrismaJobStore(tx),
    runs: new PrismaRunStore(tx),
    edges: new PrismaEdgeStore(tx),
    framework: new PrismaFrameworkStore(tx),
  };
}

export async function raiseEpoch(prisma: PrismaClient, epoch: number): Promise<number> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`bad epoch ${epoch}`);
  await prisma.$executeRaw`
    INSERT INTO "framework_state" ("key", "value", "updated_at") VALUES (${LEADER_EPOCH_KEY}, ${String(epoch)}, now())
    ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updated_at" = now()
     WHERE "framework_state"."value"::bigint < excluded."value"::bigint`;
  return storedEpoch(prisma);
}

export async function storedEpoch(db: PrismaClient | Prisma.TransactionClient, lock = false): Promise<number> {
  const rows = lock
    ? await db.$queryRaw<{ v: string }[]>`SELECT "value" AS v FROM "framework_state" WHERE "key" = ${LEADER_EPOCH_KEY} FOR SHARE`
    : await db.$queryRaw<{ v: string }[]>`SELECT "value" AS v FROM "framework_state" WHERE "key" = ${LEADER_EPOCH_KEY}`;
  return rows[0] ? Number(rows[0].v) : 0;
}

/** A Store over `root` whose writes are fenced by `epoch`. */
export function fencedStore(
  prisma: PrismaClient,
  root: Bound,
  epoch: number,
  onFenced?: (e: FencedError) => void,
  /** Plain pg transactions (pg-tx.ts), ~5x cheaper than Prisma's interactive ones; else Prisma. */
  rawTx: RawTxRunner | null = null,
): Store {
  const body =
    <T>(fn: (s: Bound) => Promise<T>) =>
    async (tx: Prisma.TransactionClient): Promise<T> => {
      const stored = await storedEpoch(tx, true);
      if (stored > epoch) {
        const err = new FencedError(epoch, stored);
        try {
          onFenced?.(err);
        } catch {
          // the caller's hook must not hide the refusal
        }
        throw err;
      }
      return fn(bindTx(tx));
    };
  // The store classes use only $executeRaw/$queryRaw in their writes, which PgRawDb provides.
  const inTx = <T>(fn: (s: Bound) => Promise<T>): Promise<T> =>
    classifyingDataErrors(() =>
      rawTx ? rawTx((db) => body(fn)(db as unknown as Prisma.TransactionClient)) : prisma.$transaction(body(fn), TX_OPTIONS),
    );

  const jobs: JobStore = {
    get: (n) => root.jobs.get(n),
    list: () => root.jobs.list(),
    search: (q) => root.jobs.search(q),
    count: () => root.jobs.count(),
    put: (job) => inTx((s) => s.jobs.put(job)),
    apply: (changes) => inTx((s) => s.jobs.apply(changes)),
    delete: (name) => inTx((s) => s.jobs.delete(name)),
  };
  const runs: RunStore = {
    create: (r) => inTx((s) => s.runs.create(r)),
    createMany: (rs) => (rs.length === 0 ? Promise.resolve([]) : inTx((s) => s.runs.createMany(rs))),
    update: (id, p) => inTx((s) => s.runs.update(id, p)),
    updateMany: (us) => (us.length === 0 ? Promise.resolve() : inTx((s) => s.runs.updateMany(us))),
    getByTaskId: (id) => root.runs.getByTaskId(id),
    listActive: () => root.runs.listActive(),
    list: (f) => root.runs.list(f),
    recent: (n, l) => root.runs.recent(n, l),
    durations: (n, l) => root.runs.durations(n, l),
    deleteForJob: (n) => inTx((s) => s.runs.deleteForJob(n)),
    settleQueued: (n, p) => inTx((s) => s.runs.settleQueued(n, p)),
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
  return {
    jobs,
    runs,
    edges,
    framework,
    transaction: (fn) => inTx(fn),
    close: async () => {
      // the root store owns the connection
    },
  };
}
