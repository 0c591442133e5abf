/**
 * A jobs snapshot brought up to date with a new list of every job, in place of building it again:
 * entries of unchanged jobs are kept as they are, a changed job's entry is updated, and only when
 * names came or went is a new entries array made (the name map is edited, not rebuilt). At a
 * million jobs a rebuild made a million entries and a million-key map every reload and held the
 * event loop for seconds; a reconcile of jobs that did not change allocates nothing.
 * The result equals `build(jobs)` (its entries in `jobs`' order, each the `entryOf` its job).
 */
import type { Job } from '../core/types';
import { entryOf, type JobEntry, type Snapshot } from './job-entry';

/** A snapshot of `jobs` (in their order), made from scratch. */
export function buildSnapshot(jobs: readonly Job[]): Snapshot {
  const entries = jobs.map(entryOf);
  return { entries, byName: new Map(entries.map((e) => [e.job.name, e])) };
}

/** Makes `e` the entry of `job` (the same object, updated only when something differs). */
function refresh(e: JobEntry, job: Job): void {
  const next = entryOf(job);
  if (e.job !== job || e.status !== next.status || e.kind !== next.kind) Object.assign(e, next);
}

/**
 * `snap` made equal to a snapshot of `jobs` (in their order): the same object when no name came
 * or went, else a new one sharing the (updated) entries and the (edited) name map.
 */
export function reconcileSnapshot(snap: Snapshot, jobs: readonly Job[]): Snapshot {
  const old = snap.entries;
  if (old.length === jobs.length) {
    let i = 0;
    for (; i < jobs.length; i++) {
      const e = old[i];
      const job = jobs[i];
      if (e.job.name !== job.name) break;
      refresh(e, job);
    }
    if (i === jobs.length) return snap;
  }
  const byName = snap.byName;
  const entries = new Array<JobEntry>(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i];
    let e = byName.get(job.name);
    if (e) refresh(e, job);
    else {
      e = entryOf(job);
      byName.set(job.name, e);
    }
    entries[i] = e;
  }
  if (byName.size > jobs.length) {
    // names gone: the map keeps only the listed ones
    const listed = new Set<string>();
    for (const job of jobs) listed.add(job.name);
    for (const name of byName.keys()) if (!listed.has(name)) byName.delete(name);
  }
  return { entries, byName };
}
