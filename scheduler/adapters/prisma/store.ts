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
import { retryingConflicts } from './conflict-retry';
import { classifyingDataErrors } from './data-error';
import type { BackfillStore, EdgeStore, FencedError, FencingStore, FrameworkStore, JobStore, JobVersionStore, OutboxStore, RunStore, Store } from '../../ports';
import { Prisma, type PrismaClient } from './generated/client';
import type { Pool } from 'pg';
import { fencedStore, raiseEpoch, raiseEpochOverPg, storedEpoch } from './fencing';
import { PrismaBackfillStore } from './backfill-store';
import { PrismaEdgeStore } from './edge-store';
import { PrismaFrameworkStore } from './framework-store';
import { PrismaJobStore } from './job-store';
import { PrismaNotificationStore } from './notification-store';
import { PrismaRunStore } from './run-store';
import { DEFAULT_VERSIONS_KEPT, PrismaVersionStore } from './version-store';
import { TX_OPTIONS, markRoot, type BulkReader, type Db } from './sql';

export { ACTIVE_RUN_STATES, FRAMEWORK_ID_KEY, type BulkReader } from './sql';
export { PrismaBackfillStore, PrismaEdgeStore, PrismaFrameworkStore, PrismaJobStore, PrismaNotificationStore, PrismaRunStore, PrismaVersionStore };

function bind(db: Db, versionsKept: number): Omit<Store, 'transaction' | 'close'> {
  return {
    jobs: new PrismaJobStore(db),
    versions: new PrismaVersionStore(db, versionsKept),
    runs: new PrismaRunStore(db),
    edges: new PrismaEdgeStore(db),
    framework: new PrismaFrameworkStore(db),
    notifications: new PrismaNotificationStore(db),
    backfills: new PrismaBackfillStore(db),
  };
}

export class PrismaStore implements Store, FencingStore {
  readonly jobs: JobStore;
  readonly versions: JobVersionStore;
  readonly runs: RunStore;
  readonly edges: EdgeStore;
  readonly framework: FrameworkStore;
  readonly notifications: OutboxStore;
  readonly backfills: BackfillStore;
  private closed: Promise<void> | null = null;

  constructor(
    /** The underlying client, for adapters and tests that need a raw query. */
    readonly prisma: PrismaClient,
    private readonly onClose: () => Promise<void>,
    /** Plain SQL reads of every job at once (PostgreSQL: the pool Prisma uses); null: through Prisma. */
    bulk: BulkReader | null = null,
    /** Transactions over plain pg for the leader's fenced writes (pg-tx.ts); null: through Prisma. */
    private readonly rawTx: RawTxRunner | null = null,
    /** PostgreSQL's pool: a raise there cuts a frozen old leader's transaction (fencing.ts). */
    private readonly pool: Pool | null = null,
    /** Told when a raise cut the sessions blocking it. */
    private readonly onRaiseCut: (pids: number[]) => void = () => {},
    /** Versions kept per job (JOB_VERSIONS_KEPT). */
    private readonly versionsKept: number = DEFAULT_VERSIONS_KEPT,
  ) {
    markRoot(prisma);
    this.jobs = new PrismaJobStore(prisma, bulk);
    this.versions = new PrismaVersionStore(prisma, versionsKept);
    this.runs = new PrismaRunStore(prisma, pool);
    this.edges = new PrismaEdgeStore(prisma);
    this.framework = new PrismaFrameworkStore(prisma);
    this.notifications = new PrismaNotificationStore(prisma);
    this.backfills = new PrismaBackfillStore(prisma);
  }

  /**
   * Interactive transaction (max wait 10 s, timeout 60 s). Use only the `tx` stores inside fn:
   * on PGlite the root stores would wait for this transaction to end. A deadlock or serialization
   * failure runs fn again (conflict-retry.ts).
   */
  transaction<T>(fn: (tx: Omit<Store, 'transaction' | 'close'>) => Promise<T>): Promise<T> {
    return classifyingDataErrors(() =>
      retryingConflicts(() => {
        if (this.rawTx) return this.rawTx((db) => fn(bind(db as unknown as Prisma.TransactionClient, this.versionsKept)));
        return this.prisma.$transaction((tx) => fn(bind(tx, this.versionsKept)), TX_OPTIONS);
      }),
    );
  }

  close(): Promise<void> {
    this.closed ??= this.onClose();
    return this.closed;
  }

  /* Fencing of the leader's writes (FencingStore, scheduler/adapters/prisma/fencing.ts). */

  raiseEpoch(epoch: number, stallMs?: number): Promise<number> {
    if (this.pool) return raiseEpochOverPg(this.pool, epoch, { stallMs, onCut: this.onRaiseCut });
    return raiseEpoch(this.prisma, epoch);
  }

  storedEpoch(): Promise<number> {
    return storedEpoch(this.prisma);
  }

  fenced(epoch: number, onFenced?: (e: FencedError) => void): Store {
    return fencedStore(this.prisma, this, epoch, onFenced, this.rawTx, this.versionsKept, this.pool);
  }
}

