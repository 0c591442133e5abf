/**
 * What a backfill runs (POST /api/jobs/{name}/backfill): the instants of a job's schedule in a past
 * range, the jobs that run for each instant (the job, and with `downstream` every enabled job below
 * it, parents first), and the items (job × instant) with those already run marked skipped. Pure:
 * `now` is a parameter. How items then progress is backfill-step.ts.
 *
 * Instants of an ISO 8601 schedule are `start + period × k` for every integer k, negative too:
 * Chronos moves a job's start forward at each launch, so the past instants lie before the stored
 * start. The repetition count limits future runs only and is ignored here. Cron schedules list
 * their occurrences. Both ends of the range are included.
 */
import { compileCron, cronNextAfter } from './cron';
import type { DependencyGraph } from './dag';
import { isZeroPeriod } from './iso8601';
import { parentsFirst } from './rerun-plan';
import { addPeriods } from './schedule';
import type { ScheduleSpec } from './spec';
import { err, ok, type Instant, type Result } from './types';

/** One job of a backfill and its parents among the backfill's jobs (the order it waits for). */
export interface BackfillJob {
  name: string;
  parents: string[];
}

/** Where one job at one instant of a backfill stands. */
export type BackfillItemState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'blocked' | 'cancelled';

export const BACKFILL_ITEM_STATES: readonly BackfillItemState[] = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'blocked', 'cancelled'];

export interface BackfillItem {
  /** Position in the backfill: instants oldest first, jobs parents first within an instant. */
  seq: number;
  job: string;
  due: Instant;
  /** The attempt its run has (0, or one past the runs that exist when forced). */
  attempt: number;
  state: BackfillItemState;
  /** The task id of its latest run, once started. */
  taskId: string | null;
  /** Why it was skipped, blocked or failed. */
  note: string | null;
}

/** A field of the request and what is wrong with it (a 400 naming the field). */
export interface BackfillProblem {
  field: string;
  message: string;
}

const iso = (t: Instant): string => new Date(t).toISOString();

/**
 * Every instant of `spec` in [from, to], oldest first; more than `max` is a problem naming `to`.
 * The caller has checked from ≤ to ≤ now.
 */
export function instantsIn(spec: ScheduleSpec, from: Instant, to: Instant, max: number): Result<Instant[], BackfillProblem> {
  const tooMany = (): Result<Instant[], BackfillProblem> =>
    err({ field: 'to', message: `the range ${iso(from)} to ${iso(to)} holds more than ${max} instants of the schedule (the most one backfill runs: BACKFILL_MAX_INSTANTS)` });
  const out: Instant[] = [];
  if (spec.kind === 'cron') {
    const cron = compileCron(spec.cron.expr, spec.cron.zone);
    if (!cron.ok) return err({ field: 'name', message: `the job's schedule cannot be read: ${cron.error}` });
    for (let t = cronNextAfter(cron.value, from - 1); t !== null && t <= to; t = cronNextAfter(cron.value, t)) {
      if (out.length === max) return tooMany();
      out.push(t);
    }
    return ok(out);
  }
  const s = spec.schedule;
  if (isZeroPeriod(s.period)) return ok(s.start >= from && s.start <= to ? [s.start] : []);
  const at = (k: number): Instant => addPeriods(s, k).start;
  const approx = Math.max(1, at(1) - s.start);
  // the first k whose instant is at or after `from` (periods of months vary: walk from an estimate)
  let k = Math.floor((from - s.start) / approx);
  while (at(k) >= from) k -= 1;
  while (at(k) < from) k += 1;
  for (let t = at(k); t <= to; t = at(++k)) {
    if (out.length === max) return tooMany();
    out.push(t);
  }
  return ok(out);
}

type Graph = Pick<DependencyGraph, 'has' | 'parentsOf' | 'descendants'>;

/**
 * The jobs of a backfill of `root`: the root, then (with `downstream`) every job below it that is
 * not disabled, parents first, each with its parents among them. Disabled jobs below are listed
 * apart: they do not run, and nothing waits for them.
 */
export function backfillJobs(graph: Graph, root: string, downstream: boolean, isDisabled: (name: string) => boolean): { jobs: BackfillJob[]; disabled: string[] } {
  const below = downstream && graph.has(root) ? graph.descendants(root) : [];
  const names = [root, ...below.filter((n) => !isDisabled(n))];
  const set = new Set(names);
  const jobs = parentsFirst(graph, names).map((name) => ({ name, parents: name === root ? [] : graph.parentsOf(name).filter((p) => set.has(p)) }));
  return { jobs, disabled: parentsFirst(graph, below.filter((n) => isDisabled(n))) };
}

/**
 * The items of a backfill: each instant (oldest first) × each job (parents first). `ran(job, due)`
 * is the highest attempt of the runs that exist for that job and instant (null: none). Without
 * `force` such an item is skipped ("already run"), and counts as done for the jobs below it;
 * with `force` it runs again as the next attempt.
 */
export function backfillItems(jobs: readonly BackfillJob[], instants: readonly Instant[], force: boolean, ran: (job: string, due: Instant) => number | null): BackfillItem[] {
  const items: BackfillItem[] = [];
  for (const due of instants) {
    for (const { name } of jobs) {
      const last = ran(name, due);
      const skip = last !== null && !force;
      items.push({
        seq: items.length,
        job: name,
        due,
        attempt: last === null ? 0 : last + 1,
        state: skip ? 'skipped' : 'pending',
        taskId: null,
        note: skip ? 'already run' : null,
      });
    }
  }
  return items;
}
