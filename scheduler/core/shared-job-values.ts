/**
 * Jobs read in bulk share their repeated values: one string for an owner, a schedule or a time
 * zone many jobs have, and one frozen empty array for each empty list (most jobs have no fetch,
 * uris, environment, arguments or constraints). At 100,000 jobs a heap snapshot held 100,000
 * copies each of the same owner (3.8 MiB) and schedule (4.6 MiB), and ~5 empty arrays per job
 * (32 bytes each). Jobs are values (every change replaces the object), so sharing is safe; the
 * frozen empty array throws rather than let a push change every job.
 */
import type { Job } from './types';

const EMPTY: never[] = Object.freeze([]) as unknown as never[];

/** Fields whose values repeat across jobs (short texts set by people or tools, not per run). */
const SHARED_TEXT = ['shell', 'executor', 'executorFlags', 'taskInfoData', 'owner', 'ownerName', 'runAsUser', 'schedule', 'scheduleTimeZone', 'epsilon', 'concurrencyPolicy', 'catchUp', 'catchUpWindow'] as const;
const LISTS = ['fetch', 'uris', 'environmentVariables', 'arguments', 'constraints'] as const;

/** Texts longer than this are not looked up (a long text is rarely another job's too). */
const MAX_SHARED_LENGTH = 200;

/** A pool of shared values for one bulk read: pass the same pool for every job of the read. */
export type SharedValues = Map<string, string>;

/**
 * The job with its repeated values replaced by the pool's (the same object, changed in place).
 * A value not in the pool is added while the pool holds fewer than `maxPool` (a pool kept for a
 * process's life stays bounded: the common values come early and stay).
 */
export function shareJobValues(job: Job, pool: SharedValues, maxPool = Infinity): Job {
  const j = job as unknown as Record<string, unknown>;
  for (const k of SHARED_TEXT) {
    const v = j[k];
    if (typeof v !== 'string' || v.length > MAX_SHARED_LENGTH) continue;
    const had = pool.get(v);
    if (had === undefined) {
      if (pool.size < maxPool) pool.set(v, v);
    }
    else j[k] = had;
  }
  for (const k of LISTS) {
    const v = j[k];
    if (Array.isArray(v) && v.length === 0) j[k] = EMPTY;
  }
  return job;
}
