/**
 * Due selection and advancing of an ISO8601 schedule (shared/reference/chronos.md §3).
 *
 * - `isDue`: the count is not 0 and the start is strictly before now (Chronos `isBefore(now)`).
 *   A timer that wakes exactly at `nextDue` sees the job due 1 ms later; wake at nextDue + 1.
 * - `skipForward`: what Chronos does at each launch (scheduled, manual or dependency):
 *     start < now: skips = ⌊seconds(start→now) / periodSeconds⌋ + 1, start += period × skips;
 *       periodSeconds is the standard length (1W = 7×24 h, 1D = 24 h) or, when the period has
 *       months or years, the length of the period counted from now;
 *     start ≥ now or a zero period: start unchanged;
 *     the count changes once per launch: R stays R, Rn becomes R(n−1), R0 becomes R (-1, quirk).
 *   One deliberate guard beyond Chronos: when that formula lands at or before now (it can across
 *   DST with P1D, or with month lengths), skips grows until the start is strictly after now, so a
 *   launch is never followed by a second immediate launch. The formula can also overshoot by one
 *   period with month periods (Chronos measures the month from now); that is kept.
 * - Arithmetic in the zone: calendar parts (Y, M, W, D) are added to the wall clock and keep the
 *   wall time across DST (P1D at 02:30 stays 02:30); time parts (H, M, S) add exact time (PT24H
 *   moves the wall time by an hour across DST). `period × k` is added in one step from the start,
 *   as Joda's `start.plus(period.multipliedBy(k))` (so Jan 31 + P1M×2 = Mar 31).
 * - DST gap: a wall time that does not exist (02:30 on 2026-03-08 in America/New_York) runs at
 *   the wall time moved forward by the gap (03:30 EDT), luxon's and Joda's rule. The schedule
 *   remembers the intended 02:30 (`Schedule.wall`), so the next day is 02:30 again.
 * - DST repeat: a wall time that occurs twice (01:30 on 2026-11-01) is its first occurrence, so a
 *   daily 01:30 job runs once that day.
 *
 * Pure: `now` is a parameter.
 */
import { DateTime } from 'luxon';
import type { Instant } from './types';
import { LATEST_INSTANT, isZeroPeriod, wallFieldsOf, type Period, type Schedule } from './iso8601';
import { fieldsOfDateTime, formatFields, resolveWall, sameFields, wallOf, type LocalFields } from './zones';

export { parseSchedule, formatSchedule } from './iso8601';
export type { Schedule, Period, ScheduleError } from './iso8601';

/** True when the period has calendar parts (years, months, weeks or days). */
const hasCalendarPart = (p: Period): boolean => p.years !== 0 || p.months !== 0 || p.weeks !== 0 || p.days !== 0;

/** Exact part of the period (hours, minutes, seconds, ms) in ms. */
const exactMillis = (p: Period): number =>
  ((p.hours * 60 + p.minutes) * 60 + p.seconds) * 1000 + p.milliseconds;

/** Add `period × k` to a wall clock, calendar parts only, as plain calendar arithmetic. */
function addCalendar(f: LocalFields, p: Period, k: number): LocalFields {
  return fieldsOfDateTime(
    DateTime.fromObject(f, { zone: 'utc' }).plus({
      years: p.years * k,
      months: p.months * k,
      days: (p.weeks * 7 + p.days) * k,
    }),
  );
}

/** `s.start + period × k`, in the schedule's zone. The count is untouched. */
export function addPeriods(s: Schedule, k: number): Schedule {
  const p = s.period;
  let start = s.start;
  let wall: LocalFields | null = null;
  if (hasCalendarPart(p)) {
    wall = addCalendar(wallFieldsOf(s), p, k);
    start = resolveWall(wall, s.zone).instant;
  }
  const exact = exactMillis(p) * k;
  if (exact !== 0) {
    start += exact;
    wall = null;
  }
  const next: Schedule = { ...s, start };
  delete next.wall;
  if (wall !== null && !sameFields(wall, wallOf(start, s.zone))) next.wall = formatFields(wall);
  return next;
}

/** Seconds in the period, as Chronos counts them for skipForward. */
export function periodSeconds(s: Schedule, now: Instant): number {
  const p = s.period;
  if (p.years !== 0 || p.months !== 0) {
    // The length of the period counted from now, in the schedule's zone.
    const from = DateTime.fromMillis(now, { zone: s.zone });
    return Math.floor((from.plus(p).toMillis() - now) / 1000);
  }
  return Math.floor(((((p.weeks * 7 + p.days) * 24 + p.hours) * 60 + p.minutes) * 60 + p.seconds) + p.milliseconds / 1000);
}

/** Remaining count after one launch: R stays R, Rn → R(n−1), R0 → R (Chronos quirk). */
export function decrementRecurrences(recurrences: number): number {
  if (recurrences > 0) return recurrences - 1;
  return -1;
}

/** The start strictly after `now`, by Chronos's skip formula (start ≤ now, non-zero period). */
function skipPast(s: Schedule, now: Instant): Schedule {
  const elapsedSeconds = Math.floor((now - s.start) / 1000);
  const perSecond = periodSeconds(s, now);
  let skips: number;
  if (perSecond > 0) skips = Math.floor(elapsedSeconds / perSecond) + 1;
  else {
    // A sub-second period (PT0.5S): count in ms (Chronos would divide by zero).
    const perMs = exactMillis(s.period);
    skips = Math.floor((now - s.start) / perMs) + 1;
  }
  let next = addPeriods(s, skips);
  // Guard (see the header): never land at or before now.
  for (let i = 0; next.start <= now && i < 10_000; i++) next = addPeriods(s, ++skips);
  return next;
}

/** Chronos's skipForward: the schedule after a launch at `now`. */
export function skipForward(s: Schedule, now: Instant): Schedule {
  const recurrences = decrementRecurrences(s.recurrences);
  if (s.start >= now || isZeroPeriod(s.period)) return { ...s, recurrences };
  return { ...skipPast(s, now), recurrences };
}

/**
 * The schedule moved to its next start strictly after `now`, count unchanged (for preview).
 * A start already after now is kept. A zero period cannot move: the schedule is returned as is.
 */
export function advanceAfter(s: Schedule, now: Instant): Schedule {
  if (s.start > now || isZeroPeriod(s.period)) return s;
  return skipPast(s, now);
}

/** Due: count ≠ 0 and start strictly before now. (Whether the job is disabled is the caller's.) */
export function isDue(s: Schedule, now: Instant): boolean {
  return s.recurrences !== 0 && s.start < now;
}

/** The next due instant, or null when no run is left (count 0). May be in the past (overdue). */
export function nextDue(s: Schedule): Instant | null {
  return s.recurrences === 0 ? null : s.start;
}

const iso = (t: Instant): string => new Date(t).toISOString();

/**
 * Why the runs of `s` cannot be scheduled, in words; null when they can. The start and the instant
 * one period after it must be finite and at or before LATEST_INSTANT (9999-12-31): a period such
 * as P1000000Y has no next instant, and an accepted job whose schedule cannot advance would fail
 * every launch. A zero period (`PT0S`) never moves the start and is fine.
 */
export function rangeProblem(s: Schedule): string | null {
  if (!(s.start <= LATEST_INSTANT)) return `its start is after ${iso(LATEST_INSTANT)}, the latest instant Sisyphus schedules`;
  if (isZeroPeriod(s.period)) return null;
  let next: number;
  try {
    next = addPeriods(s, 1).start;
  } catch {
    next = NaN;
  }
  if (!(next <= LATEST_INSTANT)) {
    return `the run after ${iso(s.start)} would be after ${iso(LATEST_INSTANT)} (the period ${s.periodIso} is too long), the latest instant Sisyphus schedules`;
  }
  return null;
}
