/**
 * A job that is retrying: its last attempt failed and another attempt is queued or running. Chronos
 * counts an error (lastError, errorCount) only when the attempts are used up, so such a job still
 * reads "fresh" or "success" by its counters; the pages show this instead (jobs list, job page,
 * dashboard, graph). Pure.
 *
 *   retryOf(retries 2, retry attempt 1 held)  → { attempt: 2, of: 3 }   "retrying (attempt 2 of 3)"
 */

export interface RetryInfo {
  /** The attempt in progress, 1 first (a job's first run is attempt 1). */
  attempt: number;
  /** All attempts a due run may take: 1 + the job's retries. */
  of: number;
}

/**
 * The retry in progress, from the job's `retries` and the highest attempt (0 first) among its runs
 * held now that were started as retries; null when none is (absent, or a first attempt).
 */
export function retryOf(retries: number, retryAttempt: number | null | undefined): RetryInfo | null {
  if (retryAttempt === null || retryAttempt === undefined || !(retryAttempt >= 1)) return null;
  const attempt = retryAttempt + 1;
  // a job whose retries were lowered while a retry was held still says the truth: "3 of 3"
  return { attempt, of: Math.max(attempt, Math.max(0, retries) + 1) };
}

/** "retrying (attempt 2 of 3)". */
export const retryWords = (r: RetryInfo): string => `retrying (attempt ${r.attempt} of ${r.of})`;
