/**
 * What a worker write changes in a job, field by field: the top-level fields set (new or
 * different) and those removed. The worker's own writes (a schedule advanced at launch, the run
 * bookkeeping at an outcome) change one or a few fields; stored as such a change they leave every
 * other field of the row as it is, and cost a fraction of the whole job's JSON.
 */
import type { Job } from './types';

export interface JobFieldChange {
  name: string;
  /** Fields set to these values (JSON values). */
  set: Partial<Job>;
  /** Fields removed. */
  unset: string[];
}

const same = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && JSON.stringify(a) === JSON.stringify(b));

/** `after`'s fields that differ from `before`'s (same name); null when none do. */
export function jobFieldChange(before: Job, after: Job): JobFieldChange | null {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  for (const k of Object.keys(a)) {
    if (a[k] === undefined) {
      if (b[k] !== undefined) unset.push(k);
    } else if (!same(a[k], b[k])) set[k] = a[k];
  }
  for (const k of Object.keys(b)) if (b[k] !== undefined && !(k in a)) unset.push(k);
  if (Object.keys(set).length === 0 && unset.length === 0) return null;
  return { name: after.name, set: set as Partial<Job>, unset };
}

/** `job` with `change` applied. */
export function applyFieldChange(job: Job, change: JobFieldChange): Job {
  const out = { ...job, ...change.set } as Record<string, unknown>;
  for (const k of change.unset) delete out[k];
  return out as unknown as Job;
}
