/**
 * The history of a job: what one change did to it, as a list of field changes, and what kind of
 * change it was. Pure: the instant and the user are passed in.
 *
 * The run bookkeeping (counters, last success and error) is not part of a job's history: the
 * worker moves it on every run, so a diff leaves it out, and a restore keeps the current values.
 */
import type { Instant, Job } from './types';

/** What a change was. `pause`/`resume` are recorded by whatever pauses a job. */
export const VERSION_KINDS = ['create', 'update', 'disable', 'enable', 'delete', 'restore', 'pause', 'resume'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];

/** Fields the worker moves on every run: never in a diff, kept as they are by a restore. */
export const BOOKKEEPING_FIELDS = ['successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess'] as const;

/** One field that changed: a dotted path into the job (`container.image`), before and after. Absent: not set. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** A change of a job ready to store as its next version (the store numbers it). */
export interface NewJobVersion {
  jobName: string;
  kind: VersionKind;
  /** The user who made it (basic auth), or null when the API is open or the scheduler did it. */
  by: string | null;
  at: Instant;
  /** The whole job after the change; for a delete, the job as it was deleted. */
  job: Job;
  /** The fields the change made differ; empty for a create and a delete (`job` is the whole of it). */
  diff: FieldChange[];
  /** A short reason (`restored from version 3`, a pause note), or null. */
  note: string | null;
  /**
   * The job as it was before the change (null: a create). A store may keep a job's latest version
   * as "the job as stored now" and write its snapshot only once the next change supersedes it.
   */
  previous?: Job | null;
}

/** A stored version: `n` counts from 1 per job name and never repeats, across deletes too. */
export interface JobVersion extends NewJobVersion {
  n: number;
}

/** What changed and by whom: what a job write carries so its version can be recorded. */
export interface ChangeStamp {
  /** Absent: worked out from the change (create, disable, enable or update). */
  kind?: VersionKind;
  by?: string | null;
  note?: string | null;
}

const SKIPPED = new Set<string>(BOOKKEEPING_FIELDS);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Structural equality of JSON values (key order does not matter, array order does). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
  }
  return false;
}

function walk(before: Record<string, unknown>, after: Record<string, unknown>, prefix: string, out: FieldChange[]): void {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const k of keys) {
    if (prefix === '' && SKIPPED.has(k)) continue;
    const b = before[k];
    const a = after[k];
    if (same(b, a)) continue;
    const field = prefix + k;
    // into nested objects (container, fetch options); arrays and values are compared whole
    if (isPlainObject(b) && isPlainObject(a)) {
      walk(b, a, `${field}.`, out);
      continue;
    }
    const change: FieldChange = { field };
    if (b !== undefined) change.before = b;
    if (a !== undefined) change.after = a;
    out.push(change);
  }
}

/**
 * The fields that differ between two states of a job, sorted by path; null is no job (a create
 * diffs from null, a delete to null). The run bookkeeping is left out.
 */
export function jobDiff(before: Job | null, after: Job | null): FieldChange[] {
  const out: FieldChange[] = [];
  walk((before ?? {}) as unknown as Record<string, unknown>, (after ?? {}) as unknown as Record<string, unknown>, '', out);
  return out;
}

/** The kind of a write that names none: a create, a disable or an enable alone, else an update. */
export function kindOfChange(previous: Job | null, diff: readonly FieldChange[]): VersionKind {
  if (previous === null) return 'create';
  if (diff.length === 1 && diff[0].field === 'disabled') return diff[0].after === true ? 'disable' : 'enable';
  return 'update';
}

/** The version a change of `job` (from `previous`; `job` null: deleted) makes, stamped at `at`. */
export function versionOf(previous: Job | null, job: Job | null, stamp: ChangeStamp, at: Instant): NewJobVersion {
  const subject = job ?? previous;
  if (subject === null) throw new Error('a version needs the job before or after the change');
  // a create's diff would repeat the whole job, which the version holds anyway
  const diff = job === null || previous === null ? [] : jobDiff(previous, job);
  return {
    jobName: subject.name,
    kind: job === null ? 'delete' : (stamp.kind ?? kindOfChange(previous, diff)),
    by: stamp.by ?? null,
    at,
    job: subject,
    diff,
    note: stamp.note ?? null,
    previous,
  };
}

/**
 * The job a restore of `version` writes: its fields, with the run bookkeeping of `current` (the
 * job as stored now; null when it was deleted: the bookkeeping it had when deleted).
 */
export function restoredJob(version: Pick<JobVersion, 'job'>, current: Job | null): Job {
  const job: Job = { ...version.job };
  const from = current ?? version.job;
  for (const k of BOOKKEEPING_FIELDS) (job as unknown as Record<string, unknown>)[k] = from[k];
  return job;
}
