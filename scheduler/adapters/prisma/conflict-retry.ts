/**
 * A transaction PostgreSQL aborted to break a deadlock (SQLSTATE 40P01) or for a serialization
 * failure (40001) wrote nothing: running it again is what PostgreSQL's manual asks of the client.
 * A deadlock here is two honest writers taking the same rows in different orders (the API deleting
 * a job while the worker records its runs); without a retry one of them fails for no fault of its
 * own. The transaction body must be safe to run again (scheduler/ports.ts `Store.transaction`).
 */
import { sqlState } from './data-error';

/** Attempts in all, the first included. */
export const CONFLICT_ATTEMPTS = 3;

const CONFLICTS = new Set(['40P01', '40001']);

/** Runs `tx`; when it was aborted as a conflict, runs it again (at most `attempts` in all). */
export async function retryingConflicts<T>(tx: () => Promise<T>, attempts = CONFLICT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tx();
    } catch (e) {
      const state = sqlState(e);
      if (attempt >= attempts || state === null || !CONFLICTS.has(state)) throw e;
    }
  }
}
