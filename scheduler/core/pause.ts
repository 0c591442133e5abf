/**
 * Pause with a reason and an end: a job (or a pipeline: the job and its downstream, or every job
 * whose name starts with a prefix) paused "until" an instant or "for" a duration, with a note. A
 * paused job's instants do not run (its schedule moves on past the pause when it resumes, no run
 * replayed) and a dependency run that fires while it is paused is recorded SKIPPED with the
 * reason; it resumes by itself at the end. Chronos's `disabled` is a separate flag, unchanged.
 *
 * Pure: `now` is a parameter.
 */
import { Duration } from 'luxon';
import { LATEST_INSTANT, parsePeriod } from './iso8601';
import { advanceAfterSpec, formatSpec, nextDueOf, parseScheduleSpec } from './spec';
import { err, ok, type Instant, type Job, type Result } from './types';

/** A job's pause as stored (ISO UTC instants). */
export interface JobPause {
  /** When it resumes by itself. */
  until: string;
  /** Why, in the pauser's words ("" when none given). */
  note: string;
  /** Who paused it: the basic-auth user, or "" when the API is open. */
  by: string;
  /** When it was paused. */
  at: string;
}

/** The longest note kept. */
export const PAUSE_NOTE_MAX = 500;

export interface PauseRequest {
  until: Instant;
  note: string;
  /** The job and every job downstream of it. */
  downstream: boolean;
  /** Every job whose name starts with the given name. */
  prefix: boolean;
}

export interface PauseFieldError {
  field: string;
  message: string;
}

const iso = (t: Instant): string => new Date(t).toISOString();
/** An instant with a date, a time and a zone (Z or an offset): a bare date is ambiguous. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const flag = (body: Record<string, unknown>, field: string): Result<boolean, PauseFieldError> => {
  const v = body[field];
  if (v === undefined || v === null) return ok(false);
  if (typeof v !== 'boolean') return err({ field, message: 'must be true or false' });
  return ok(v);
};

/**
 * Reads `{until | for, note?, downstream?, prefix?}`. Exactly one of `until` (an ISO 8601 instant
 * with a zone, after now) and `for` (an ISO 8601 duration such as PT2H); every error names its field.
 */
export function parsePauseRequest(body: unknown, now: Instant): Result<PauseRequest, PauseFieldError> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return err({ field: 'body', message: 'must be a JSON object' });
  const b = body as Record<string, unknown>;
  const hasUntil = b.until !== undefined && b.until !== null;
  const hasFor = b.for !== undefined && b.for !== null;
  if (hasUntil && hasFor) return err({ field: 'for', message: 'give either until or for, not both' });
  if (!hasUntil && !hasFor) return err({ field: 'until', message: 'is required: an ISO 8601 instant such as 2026-12-24T08:00:00Z (or give for, a duration such as PT2H)' });
  let until: Instant;
  if (hasUntil) {
    if (typeof b.until !== 'string' || !INSTANT.test(b.until) || !Number.isFinite(Date.parse(b.until))) {
      return err({ field: 'until', message: 'must be an ISO 8601 instant with a zone, such as 2026-12-24T08:00:00Z' });
    }
    until = Date.parse(b.until);
    if (until <= now) return err({ field: 'until', message: `must be after now (${iso(now)})` });
  } else {
    if (typeof b.for !== 'string') return err({ field: 'for', message: 'must be an ISO 8601 duration such as PT2H or P1D' });
    const p = parsePeriod(b.for);
    if (!p.ok) return err({ field: 'for', message: `must be an ISO 8601 duration such as PT2H or P1D: ${p.error}` });
    const ms = Duration.fromObject(p.value).as('milliseconds');
    if (!(ms > 0)) return err({ field: 'for', message: 'must be longer than zero, e.g. PT2H' });
    until = now + ms;
  }
  if (!(until <= LATEST_INSTANT)) return err({ field: hasUntil ? 'until' : 'for', message: `must end by ${iso(LATEST_INSTANT)}` });
  const note = b.note ?? '';
  if (typeof note !== 'string') return err({ field: 'note', message: 'must be a string' });
  if (note.length > PAUSE_NOTE_MAX) return err({ field: 'note', message: `must be at most ${PAUSE_NOTE_MAX} characters` });
  const downstream = flag(b, 'downstream');
  if (!downstream.ok) return downstream;
  const prefix = flag(b, 'prefix');
  if (!prefix.ok) return prefix;
  return ok({ until, note, downstream: downstream.value, prefix: prefix.value });
}

/** The stored pause of a request made at `now` by `by`. */
export const pauseOf = (r: PauseRequest, by: string, now: Instant): JobPause => ({ until: iso(r.until), note: r.note, by, at: iso(now) });

/** When the pause ends, or null when there is none. */
export const pauseEnd = (pause: JobPause | undefined): Instant | null => (pause ? Date.parse(pause.until) : null);

/** True while the pause holds (it ends at `until`). */
export function isPaused(pause: JobPause | undefined, now: Instant): boolean {
  const end = pauseEnd(pause);
  return end !== null && now < end;
}

/** The SKIPPED run's message for a run the pause holds back; null when not paused. */
export function pausedReason(pause: JobPause | undefined, now: Instant): string | null {
  if (!pause || !isPaused(pause, now)) return null;
  return `skipped: ${describePause(pause)}`;
}

/** "paused by ops until 2026-12-24T08:00:00.000Z: upstream storage maintenance" (who and why when known). */
export function describePause(pause: JobPause): string {
  const by = pause.by ? ` by ${pause.by}` : '';
  const note = pause.note ? `: ${pause.note}` : '';
  return `paused${by} until ${pause.until}${note}`;
}

/**
 * The jobs a pause or resume of `name` covers: the job; with `downstream` every job downstream
 * of it too; with `prefix` every job whose name starts with `name` (and, with `downstream`, theirs).
 * Sorted by name; an unknown name with no match gives [].
 */
export function pauseTargets(
  name: string,
  opts: { downstream: boolean; prefix: boolean },
  names: readonly string[],
  descendants: (name: string) => readonly string[],
): string[] {
  const known = new Set(names);
  const roots = opts.prefix ? names.filter((n) => n.startsWith(name)) : known.has(name) ? [name] : [];
  const out = new Set(roots);
  if (opts.downstream) for (const r of roots) for (const d of descendants(r)) if (known.has(d)) out.add(d);
  return [...out].sort();
}

/** The earliest of the pauses' ends (`pauseEnd`; null: no pause), or null; an end already past is now. */
export function nextPauseEnd(ends: Iterable<Instant | null>, now: Instant): Instant | null {
  let next: Instant | null = null;
  for (const end of ends) if (end !== null && (next === null || end < next)) next = end;
  return next !== null && next <= now ? now : next;
}

/**
 * The job resumed at `now`: no pause, and a schedule whose instants fell inside the pause moved on
 * to its first instant at or after now (count unchanged: nothing ran), so a resume replays no
 * instant of the pause; an instant at its very end runs.
 */
export function resumedJob(job: Job, now: Instant): Job {
  const out: Job = { ...job };
  delete out.pause;
  if (!job.schedule) return out;
  const spec = parseScheduleSpec(job.schedule, job.scheduleTimeZone ?? '', now, { legacy: true });
  if (!spec.ok) return out;
  const due = nextDueOf(spec.value);
  if (due === null || due >= now) return out;
  out.schedule = formatSpec(advanceAfterSpec(spec.value, now - 1));
  return out;
}

/**
 * The job's next runs as its page shows them: an instant inside the pause (before `until`) is
 * flagged `paused`, since it will not run (the schedule moves on past the end).
 */
export function markPaused<R extends { at: Instant; flags: readonly string[] }>(runs: readonly R[], pause: JobPause | undefined, now: Instant): Array<R & { flags: Array<R['flags'][number] | 'paused'> }> {
  const end = isPaused(pause, now) ? pauseEnd(pause) : null;
  return runs.map((r) => ({ ...r, flags: end !== null && r.at < end ? [...r.flags, 'paused'] : [...r.flags] }));
}
