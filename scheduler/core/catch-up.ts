/**
 * Catch-up after downtime: which of a job's missed instants run, and which are skipped (recorded
 * as SKIPPED runs with the reason), per the job's `catchUp` policy.
 *
 *   latest (default, Chronos): one run catches up, for the oldest missed instant; the launch then
 *          moves the schedule past now (skipForward). The worker keeps Chronos's path for it.
 *   none:  every missed instant is skipped. An instant at most `graceMs` late is not missed (a
 *          tick is always a little late): it runs.
 *   all:   every missed instant within `catchUpWindow` of now runs, oldest first; older ones are
 *          skipped. At most `max` run (the latest `max`); the others are skipped, so 10,000
 *          missed instants cannot flood the cluster.
 *
 * Skipped instants are recorded one run each, at most `max` of them (the latest); the count of
 * the others is reported in the message of the oldest recorded one.
 *
 * Pure: `now` is a parameter. The enumeration walks at most ENUMERATION_LIMIT instants; past that
 * it jumps to the instants that can still matter (within the window, or within the grace).
 */
import { Duration } from 'luxon';
import { parsePeriod } from './iso8601';
import { advanceAfterSpec, nextDueOf, type ScheduleSpec } from './spec';
import { err, ok, type Instant, type Result } from './types';

export const CATCH_UP_POLICIES = ['latest', 'none', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** The policy when a job has none (Chronos's behaviour). */
export const DEFAULT_CATCH_UP: CatchUpPolicy = 'latest';
/** The window when a job with `catchUp: all` has none. */
export const DEFAULT_CATCH_UP_WINDOW = 'P1D';
/** Most instants one plan walks before it jumps to the recent ones. */
export const ENUMERATION_LIMIT = 100_000;

/** The window in ms, or the reason the text is not an ISO 8601 duration (months as 30 days). */
export function catchUpWindowMs(text: string): Result<number> {
  const p = parsePeriod(text);
  if (!p.ok) return err(`must be an ISO 8601 duration such as PT6H or P1D: ${p.error}`);
  const ms = Duration.fromObject(p.value).as('milliseconds');
  if (!(ms > 0)) return err('must be longer than zero, e.g. PT6H');
  return ok(ms);
}

export interface CatchUpInput {
  /** The job's stored schedule: its next due instant is the oldest missed one. */
  spec: ScheduleSpec;
  policy: CatchUpPolicy;
  /** How far back `all` goes (ms). */
  windowMs: number;
  /** The window as written, for the reasons. */
  windowText: string;
  /** Most runs (and most recorded skips) one plan makes. */
  max: number;
  /** An instant at most this late is on time, not missed. */
  graceMs: number;
  now: Instant;
}

export interface SkippedInstant {
  due: Instant;
  reason: string;
}

export interface CatchUpPlan {
  /** Instants to run, oldest first. */
  run: Instant[];
  /** Instants to record as SKIPPED, oldest first. */
  skip: SkippedInstant[];
  /** Skipped instants not recorded (beyond `max`); at least this many when `partial`. */
  unrecorded: number;
  /** True when the missed instants were too many to count exactly. */
  partial: boolean;
}

const iso = (t: Instant): string => new Date(t).toISOString();

/** Missed instants (due strictly before now), oldest first, the latest `keep` of them kept. */
function missed(spec: ScheduleSpec, now: Instant, keep: number, jumpTo: Instant): { kept: Instant[]; total: number; partial: boolean } {
  const kept: Instant[] = [];
  let total = 0;
  let partial = false;
  let s = spec;
  let left = spec.kind === 'iso' && spec.schedule.recurrences >= 0 ? spec.schedule.recurrences : Infinity;
  let at = nextDueOf(s);
  let steps = 0;
  while (at !== null && at < now && left > 0) {
    total++;
    left--;
    kept.push(at);
    if (kept.length > keep * 2) kept.splice(0, kept.length - keep);
    if (++steps === ENUMERATION_LIMIT && jumpTo > at) {
      // Too many to walk: jump to the instants that can still matter.
      partial = true;
      s = advanceAfterSpec(s, jumpTo - 1);
    } else s = advanceAfterSpec(s, at);
    const next = nextDueOf(s);
    if (next === at) break; // a zero period never moves
    at = next;
  }
  return { kept: kept.slice(-keep), total, partial };
}

/** The plan for a job whose schedule is due at `now`. */
export function planCatchUp(input: CatchUpInput): CatchUpPlan {
  const { spec, policy, now, graceMs } = input;
  const max = Math.max(1, input.max);
  if (policy === 'latest') {
    const due = nextDueOf(spec);
    return { run: due !== null && due < now ? [due] : [], skip: [], unrecorded: 0, partial: false };
  }
  const windowStart = policy === 'all' ? now - input.windowMs : now - graceMs;
  // Keep enough to fill both the runs and the recorded skips.
  const { kept, total, partial } = missed(spec, now, max * 2, windowStart);
  const run: Instant[] = [];
  const skipped: SkippedInstant[] = [];
  if (policy === 'none') {
    const last = kept[kept.length - 1];
    const onTime = last !== undefined && now - last <= graceMs;
    if (onTime) run.push(last);
    for (const due of onTime ? kept.slice(0, -1) : kept) {
      skipped.push({ due, reason: `skipped: missed by ${Math.round((now - due) / 1000)} s (catchUp: none)` });
    }
  } else {
    const inWindow = kept.filter((t) => t >= windowStart);
    const runs = inWindow.slice(-max);
    run.push(...runs);
    for (const due of kept) {
      if (due < windowStart) skipped.push({ due, reason: `skipped: missed, and older than catchUpWindow ${input.windowText} (catchUp: all)` });
      else if (due < runs[0]) skipped.push({ due, reason: `skipped: more than ${max} missed instants to catch up; the latest ${max} run (catchUp: all)` });
    }
  }
  const recorded = skipped.slice(-max);
  const unrecorded = total - run.length - recorded.length;
  if (unrecorded > 0 && recorded.length > 0) {
    const first = recorded[0];
    const more = partial ? `at least ${unrecorded}` : String(unrecorded);
    recorded[0] = { ...first, reason: `${first.reason}; ${more} older missed instants (from ${iso(nextDueOf(spec)!)}) skipped without a record` };
  }
  return { run, skip: recorded, unrecorded: Math.max(0, unrecorded), partial };
}
