/** A job as the UI's pages filter and sort it (jobs-snapshot.ts), and the snapshot of them all. */
import { lastState } from '../core/last-state';
import type { Job } from '../core/types';
import type { JobRow, JobStatus } from './ui-types';

/** A job with what the pages filter and sort it by, computed once per version of the job. */
export interface JobEntry {
  job: Job;
  status: JobStatus;
  kind: JobRow['kind'];
}

export interface Snapshot {
  /** In name order. */
  entries: JobEntry[];
  byName: Map<string, JobEntry>;
}

export const kindOf = (job: Job): JobRow['kind'] => (job.parents !== undefined ? 'dependent' : 'scheduled');

export function entryOf(job: Job): JobEntry {
  return {
    job,
    status: lastState(job),
    kind: kindOf(job),
  };
}
