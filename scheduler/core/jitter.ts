/**
 * Jitter (issue 17, point 6): an optional per-job spread of launches, so a thousand jobs due at
 * 00:00 do not all start in the same second. A job with `jitter: "PT5M"` launches each scheduled
 * run between 0 and 5 minutes after its due instant; the delay is a hash of the job's name and
 * the instant, so it is the same on every instance and after a restart, and different per night.
 * The run keeps its due instant (its task id and SISYPHUS_DUE); only the launch waits.
 *
 * The value is an ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds; no
 * years or months) of at most MAX_JITTER (PT1H). Pure: no clock.
 */
import { parsePeriod } from './iso8601';
import { err, ok, type Instant, type Result } from './types';

export const MAX_JITTER = 'PT1H';
export const MAX_JITTER_MS = 3_600_000;

/** The spread in ms of a jitter value, or why it is refused (a sentence for the 400). */
export function parseJitter(text: string): Result<number> {
  const p = parsePeriod(text);
  if (!p.ok) return err(`must be an ISO 8601 duration such as PT5M (at most ${MAX_JITTER})`);
  const v = p.value;
  if (v.years !== 0 || v.months !== 0) return err(`must be a fixed duration (no years or months) such as PT5M`);
  const ms = ((((v.weeks * 7 + v.days) * 24 + v.hours) * 60 + v.minutes) * 60 + v.seconds) * 1000 + v.milliseconds;
  if (ms > MAX_JITTER_MS) return err(`must be at most ${MAX_JITTER}`);
  return ok(ms);
}

/** FNV-1a, 32 bits, over the UTF-16 code units of the text. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * How long after `due` the job's run launches: in [0, spreadMs], whole seconds when the spread is
 * at least a second, the same for the same job and instant.
 */
export function jitterDelay(jobName: string, due: Instant, spreadMs: number): number {
  if (spreadMs <= 0) return 0;
  const h = fnv1a(`${jobName}\u0000${due}`);
  // mix again so neighbouring instants do not give neighbouring delays
  const mixed = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  if (spreadMs >= 1000) return (mixed % (Math.floor(spreadMs / 1000) + 1)) * 1000;
  return mixed % (spreadMs + 1);
}

/** The launch instant of a job's scheduled run due at `due`: `due` when the job has no jitter. */
export function launchNotBefore(job: { name: string; jitter?: string }, due: Instant): Instant {
  if (!job.jitter) return due;
  const spread = parseJitter(job.jitter);
  return spread.ok ? due + jitterDelay(job.name, due, spread.value) : due;
}
