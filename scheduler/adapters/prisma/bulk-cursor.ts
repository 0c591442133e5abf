/**
 * The store's bulk reads over plain pg (sql.ts BulkReader): the statement runs as a server-side
 * cursor in a read-only REPEATABLE READ transaction on one connection of the pool, and its rows
 * come `batch` at a time. One statement, one snapshot: the same rows in the same order as the
 * statement run whole, without holding every row's text at once (a million jobs' JSON is
 * ~0.8 GB; read whole, it was still in memory while the jobs were being made of it). One batch is
 * fetched ahead: at most two batches' rows are held at once.
 */
import type { Pool } from 'pg';
import type { BulkReader } from './sql';

export function bulkCursorReader(pool: Pool): BulkReader {
  return async <R,>(sql: string, batch: number, each: (rows: R[]) => void | Promise<void>) => {
    const client = await pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE sisyphus_bulk NO SCROLL CURSOR FOR ${sql}`);
      const size = Math.max(1, Math.floor(batch));
      const fetch = `FETCH ${size} FROM sisyphus_bulk`;
      // The next batch is asked for before this one is handed over: the server makes it (a
      // million jobs' jsonb as text is ~4 s of PostgreSQL's CPU) while `each` parses this one.
      let next: Promise<{ rows: unknown[] }> | null = client.query(fetch);
      while (next) {
        const { rows }: { rows: unknown[] } = await next;
        next = rows.length === size ? client.query(fetch) : null; // a short batch was the last
        if (rows.length === 0) break;
        try {
          await each(rows as R[]);
        } catch (e) {
          await next?.catch(() => {}); // settled before the ROLLBACK goes out on this connection
          throw e;
        }
      }
      await client.query('COMMIT');
    } catch (e) {
      failed = e as Error;
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      // a connection whose ROLLBACK failed is dropped, not handed to the next query
      client.release(failed && !isQueryError(failed) ? failed : undefined);
    }
  };
}

/** An error PostgreSQL answered (the connection is fine), as opposed to a broken connection. */
function isQueryError(e: Error): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.length === 5;
}
