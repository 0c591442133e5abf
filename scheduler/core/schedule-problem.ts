/**
 * A schedule or zone error in plain words, for the person fixing it (the editor's field errors,
 * POST /api/validate, GET /api/preview): what is wrong and what is accepted, without the parser's
 * framing. `Cannot parse schedule 'R/…/PX1' (wtf bro)` stays the Chronos API's message; here it
 * becomes "period 'PX1' is not a duration: a period must look like PT1H or P1D (…)".
 *
 *   schedule error (UNPARSEABLE)  → its detail (iso8601.ts writes each in plain words)
 *   unknown zone                  → "'Asia/Shangai' is not a time zone … (did you mean Asia/Shanghai?)"
 *   cron, 1970, year 9999         → the message, which already says what is wrong
 *
 * Pure (time passed in): the list of zone names is the runtime's (Intl), read only when a zone is unknown.
 */
import { SHAPE_HINT, type ScheduleError } from './iso8601';
import { parseScheduleSpec } from './spec';
import type { Instant } from './types';
import { validateZone } from './zones';

export interface ScheduleProblem {
  field: 'schedule' | 'scheduleTimeZone';
  message: string;
}

export function scheduleProblem(e: ScheduleError, zoneId: string): ScheduleProblem {
  if (e.code === 'UNKNOWN_ZONE') {
    const near = nearestZone(zoneId);
    return {
      field: 'scheduleTimeZone',
      message: `'${zoneId}' is not a time zone: use a name like Europe/Berlin or America/New_York, an offset like +02:00, or leave it empty for UTC${near ? ` (did you mean ${near}?)` : ''}`,
    };
  }
  if (e.code === 'UNPARSEABLE') return { field: 'schedule', message: e.detail ?? SHAPE_HINT };
  return { field: 'schedule', message: e.detail && e.code === 'INVALID_CRON' ? `cron line: ${e.detail}` : e.message };
}

/**
 * Every problem of a schedule and its zone, at once (a bad zone does not hide a bad period): the
 * zone is checked on its own, then the schedule with the zone when it is known (else UTC).
 */
export function scheduleProblems(expr: string, zoneId: string, now: Instant): ScheduleProblem[] {
  const out: ScheduleProblem[] = [];
  const zone = zoneId.trim();
  const zoneKnown = zone === '' || validateZone(zone).ok;
  if (!zoneKnown) out.push(scheduleProblem({ code: 'UNKNOWN_ZONE', message: '' }, zone));
  const r = parseScheduleSpec(expr, zoneKnown ? zone : '', now);
  if (!r.ok) out.push(scheduleProblem(r.error, zone));
  return out;
}

/** Edit distance of two short strings (case-insensitive), capped: above `max` is "far". */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The known zone closest to a mistyped one (at most 2 edits away), or null. */
export function nearestZone(id: string): string | null {
  const wanted = id.trim().toLowerCase();
  if (wanted.length < 3) return null;
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  let best: string | null = null;
  let bestD = 3;
  for (const z of zones) {
    const d = distance(wanted, z.toLowerCase(), 2);
    if (d < bestD) {
      best = z;
      bestD = d;
    }
  }
  return best;
}
