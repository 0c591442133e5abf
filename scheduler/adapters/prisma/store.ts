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
import type { EdgeStore, FencedError, FencingStore, FrameworkStore, JobStore, RunStore, Store } from '../../ports';
import { Prisma, type PrismaClient } from './generated/client';
import { fencedStore, raiseEpoch, storedEpoch } from './fencing';
import { PrismaEdgeStore } from './edge-store';
import { PrismaFrameworkStore } from './framework-store';
import { PrismaJobStore } from './job-store';
import { PrismaRunStore } from './run-store';
import { TX_OPTIONS, markRoot, type BulkReader, type Db } from './sql';

export { ACTIVE_RUN_STATES, FRAMEWORK_ID_KEY, type BulkReader } from './sql';
export { PrismaEdgeStore, PrismaFrameworkStore, PrismaJobStore, PrismaRunStore };

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
    markRoot(prisma);
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

