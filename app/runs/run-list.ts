/**
 * The runs the page holds, kept up to date: which runs the filters admit, a live run replacing the
 * one with its id (or added first, newest first), and a fresh page merged into what is shown.
 * Plain code, shared by the table and the timeline.
 */
import type { RunRow } from '@/scheduler/api/ui-types';
import type { RunFilters } from './runs-query';

export function matches(run: RunRow, f: RunFilters): boolean {
  return (!f.job || run.jobName === f.job) && (!f.state || f.state.split(',').includes(run.state));
}

/** Replace runs we have by id; add the new ones. */
export function upsert(list: RunRow[], run: RunRow, addIfNew: boolean): RunRow[] {
  const i = list.findIndex((r) => r.id === run.id);
  if (i >= 0) {
    const next = list.slice();
    next[i] = run;
    return next;
  }
  return addIfNew ? [run, ...list] : list;
}

/** `fresh` replaces the runs of `list` with the same id; the new ones come first (newest first). */
export function merge(list: RunRow[], fresh: RunRow[]): RunRow[] {
  const byId = new Map(fresh.map((r) => [r.id, r]));
  const kept = list.map((r) => {
    const f = byId.get(r.id);
    if (f) byId.delete(r.id);
    return f ?? r;
  });
  return [...byId.values(), ...kept];
}
