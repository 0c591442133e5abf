/**
 * A job's last outcome as Chronos shows it (/jobs/summary `status`, the graph CSV): fresh, success
 * or failure, from its lastSuccess and lastError instants. Pure.
 */
import type { Job } from './types';

export type LastState = 'success' | 'failure' | 'fresh';

const instantOrder = (a: string, b: string): number => {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
};

/**
 * fresh when the job never finished; failure when only lastError is set or lastError ≥ lastSuccess;
 * success otherwise.
 */
export function lastState(job: Pick<Job, 'lastSuccess' | 'lastError'>): LastState {
  const s = job.lastSuccess ?? '';
  const e = job.lastError ?? '';
  if (s === '' && e === '') return 'fresh';
  if (e !== '' && (s === '' || instantOrder(e, s) >= 0)) return 'failure';
  return 'success';
}
