/**
 * Transactions over plain pg for the leader's write path (the worker's fenced transactions).
 *
 * Measured here (scheduler/adapters/prisma/pg-tx.test.ts prints it; bench/ has the figures): a
 * fenced transaction of one small write costs ~3 ms through Prisma's interactive transaction and
 * ~0.6 ms through pg — the worker runs one per batch of launches, updates and job writes, all in
 * one serial chain, so that overhead capped every throughput figure. The store classes only use
 * `$executeRaw` / `$queryRaw` in their write methods, so inside these transactions they run over
 * `PgRawDb`, which speaks that subset of the Prisma client over one pooled pg connection.
 *
 * Result types follow pg, not Prisma: bigint columns come back as decimal strings (Prisma: BigInt),
 * which every reader here converts with String()/Number() anyway; timestamptz as Date for both.
 */
import type { Pool, PoolClient, QueryResult } from 'pg';
import { Prisma } from './generated/client';

type SqlArgs = [TemplateStringsArray | Prisma.Sql, ...unknown[]];

function toSql([first, ...values]: SqlArgs): { text: string; values: unknown[] } {
  const sql = first instanceof Prisma.Sql ? first : Prisma.sql(first, ...values);
  return { text: sql.text, values: sql.values };
}

/** The raw-SQL subset of a Prisma client, over one pg connection inside a transaction. */
export class PgRawDb {
  constructor(private readonly client: PoolClient) {}

  // The query builder is not here: a store method that needs it must not run in a transaction.
  get job(): never {
    return noBuilder('job');
  }
  get run(): never {
    return noBuilder('run');
  }
  get dependencyEdge(): never {
    return noBuilder('dependencyEdge');
  }
  get frameworkState(): never {
    return noBuilder('frameworkState');
  }

  async $executeRaw(...args: SqlArgs): Promise<number> {
    const { text, values } = toSql(args);
    return (await this.client.query(text, values)).rowCount ?? 0;
  }

  async $queryRaw<T = unknown>(...args: SqlArgs): Promise<T> {
    const { text, values } = toSql(args);
    return (await this.client.query(text, values)).rows as T;
  }

  async $executeRawUnsafe(text: string, ...values: unknown[]): Promise<number> {
    return (await this.client.query(text, values)).rowCount ?? 0;
  }

  async $queryRawUnsafe<T = unknown>(text: string, ...values: unknown[]): Promise<T> {
    return (await this.client.query(text, values)).rows as T;
  }
}

function noBuilder(model: string): never {
  throw new Error(`prisma.${model} (the query builder) is not available inside a store transaction over pg; use raw SQL in that store method`);
}

/**
 * Runs `fn` in one transaction on one pooled connection: BEGIN, fn, COMMIT (ROLLBACK on a throw).
 * `first`: a statement without parameters sent with the BEGIN in one round trip (the fencing
 * check); `fn` gets its rows.
 */
export type RawTxRunner = <T>(fn: (db: PgRawDb, firstRows: Record<string, unknown>[]) => Promise<T>, first?: string) => Promise<T>;

export function pgTxRunner(pool: Pool): RawTxRunner {
  return async <T>(fn: (db: PgRawDb, firstRows: Record<string, unknown>[]) => Promise<T>, first?: string): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    // A connection lost while checked out emits 'error' on the client (the pool only listens
    // while it is idle): unheard, that would end the process. The query in flight fails anyway.
    const onError = (e: Error) => {
      broken ??= e;
    };
    client.on('error', onError);
    try {
      // one simple query: both statements in one round trip, a result each
      const begun = first ? ((await client.query(`BEGIN; ${first}`)) as unknown as QueryResult[]) : await client.query('BEGIN');
      try {
        const result = await fn(new PgRawDb(client), first ? (begun as QueryResult[])[1].rows : []);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch (rollback) {
          broken = rollback as Error; // the connection is gone: the pool must not reuse it
        }
        throw e;
      }
    } catch (e) {
      broken ??= isConnectionError(e) ? (e as Error) : undefined;
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  };
}

function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' ? /^(08|57P)/.test(code) || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' : false;
}
