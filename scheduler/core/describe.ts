/**
 * A schedule in words, for the job page and the editor's preview:
 *   R/2026-03-07T02:30:00/P1D in America/New_York  → "every day at 02:30 America/New_York, forever"
 *   R3/2026-03-07T10:00:00Z/PT15M                  → "every 15 minutes, 3 more times"
 *   R1/2026-03-07T10:00:00Z/PT24H                  → "once at 2026-03-07 10:00 UTC"
 *   30 2 * * 1-5                                    → "cron '30 2 * * 1-5' in UTC (at 02:30 on Monday–Friday)"
 * Modest on purpose: what it cannot say simply it leaves out (a cron expression it does not
 * understand is shown without the parenthesis). Never throws: an unparseable expression is
 * described as such.
 *
 * Pure: `now` is a parameter (it only matters for an empty start, `R//P1D`, which is "now").
 */
import type { Instant } from './types';
import type { Period, Schedule } from './iso8601';
import { hasEmptyStart, isZeroPeriod, wallFieldsOf } from './iso8601';
import { looksLikeCron } from './cron';
import { parseScheduleSpec } from './spec';
import { UTC_ZONE, type LocalFields } from './zones';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const two = (n: number): string => String(n).padStart(2, '0');
const plural = (n: number, unit: string): string => (n === 1 ? unit : `${n} ${unit}s`);
/** The zone as people read it: "UTC" for the UTC/GMT/empty ids. */
const zoneLabel = (zone: string): string => (zone === '' || zone === 'UTC' || zone === 'GMT' || zone === 'Etc/UTC' ? 'UTC' : zone);

function clockTime(f: Pick<LocalFields, 'hour' | 'minute' | 'second'>): string {
  return f.second ? `${two(f.hour)}:${two(f.minute)}:${two(f.second)}` : `${two(f.hour)}:${two(f.minute)}`;
}

const PERIOD_UNITS: Array<[keyof Period, string]> = [
  ['years', 'year'],
  ['months', 'month'],
  ['weeks', 'week'],
  ['days', 'day'],
  ['hours', 'hour'],
  ['minutes', 'minute'],
  ['seconds', 'second'],
  ['milliseconds', 'millisecond'],
];

function periodWords(p: Period): string {
  const set = PERIOD_UNITS.filter(([k]) => p[k] !== 0);
  // one unit: "every day", "every 15 minutes"; several: every count spelled ("every 1 day 2 hours")
  if (set.length === 1) return `every ${plural(p[set[0][0]], set[0][1])}`;
  return `every ${set.map(([k, unit]) => `${p[k]} ${unit}${p[k] === 1 ? '' : 's'}`).join(' ')}`;
}

const hasTimePart = (p: Period): boolean => p.hours !== 0 || p.minutes !== 0 || p.seconds !== 0 || p.milliseconds !== 0;

function ordinal(n: number): string {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
}

function countWords(recurrences: number): string {
  if (recurrences < 0) return 'forever';
  if (recurrences === 0) return 'no runs left';
  return recurrences === 1 ? '1 more time' : `${recurrences} more times`;
}

function describeIso(s: Schedule): string {
  const zone = zoneLabel(s.zone);
  const wall = wallFieldsOf(s);
  const date = `${wall.year}-${two(wall.month)}-${two(wall.day)}`;
  if (s.recurrences === 0) return `no runs left (was ${s.periodIso} from ${date} ${clockTime(wall)} ${zone})`;
  if (s.recurrences === 1 || isZeroPeriod(s.period)) return `once at ${date} ${clockTime(wall)} ${zone}`;
  const p = s.period;
  let text = periodWords(p);
  if (!hasTimePart(p)) {
    // calendar periods keep the wall time: say when in the day (and which day) they run
    const onlyWeeks = p.years === 0 && p.months === 0 && p.days === 0 && p.weeks !== 0;
    const onlyMonths = p.years === 0 && p.weeks === 0 && p.days === 0 && p.months !== 0;
    const onlyYears = p.months === 0 && p.weeks === 0 && p.days === 0 && p.years !== 0;
    const weekday = DAY_NAMES[new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay()];
    if (onlyWeeks) text += ` on ${weekday}`;
    else if (onlyMonths) text += ` on the ${ordinal(wall.day)}`;
    else if (onlyYears) text += ` on ${MONTH_NAMES[wall.month - 1]} ${wall.day}`;
    text += ` at ${clockTime(wall)} ${zone}`;
  }
  return `${text}, ${countWords(s.recurrences)}`;
}

/* ---------------- cron ---------------- */

const isInt = (t: string): boolean => /^\d+$/.test(t);

function dayName(t: string): string | null {
  if (!isInt(t)) {
    const i = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].indexOf(t.toLowerCase());
    return i >= 0 ? DAY_NAMES[i] : null;
  }
  const n = Number(t);
  return n >= 0 && n <= 7 ? DAY_NAMES[n % 7] : null;
}

/** "Monday–Friday", "Monday, Wednesday and Friday"; null when not a plain list/range of days. */
function daysWords(field: string): string | null {
  const parts: string[] = [];
  for (const item of field.split(',')) {
    const range = /^(\w+)-(\w+)$/.exec(item);
    if (range) {
      const a = dayName(range[1]);
      const b = dayName(range[2]);
      if (!a || !b) return null;
      parts.push(`${a}–${b}`);
    } else {
      const d = dayName(item);
      if (!d) return null;
      parts.push(d);
    }
  }
  if (parts.length === 1) return parts[0];
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function monthWords(field: string): string | null {
  const names: string[] = [];
  for (const item of field.split(',')) {
    if (!isInt(item) || Number(item) < 1 || Number(item) > 12) return null;
    names.push(MONTH_NAMES[Number(item) - 1]);
  }
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function cronWords(expr: string): string | null {
  const [min, hour, dom, month, dow] = expr.trim().split(/\s+/);
  let when: string;
  if (isInt(min) && isInt(hour)) when = `at ${two(Number(hour))}:${two(Number(min))}`;
  else if (min === '*' && hour === '*') when = 'every minute';
  else if (/^\*\/\d+$/.test(min) && hour === '*') when = `every ${plural(Number(min.slice(2)), 'minute')}`;
  else if (isInt(min) && hour === '*') when = `at minute ${Number(min)} of every hour`;
  else if (isInt(min) && /^\*\/\d+$/.test(hour)) when = `at minute ${Number(min)} every ${plural(Number(hour.slice(2)), 'hour')}`;
  else return null;
  const parts = [when];
  if (dom !== '*') {
    if (!isInt(dom)) return null;
    parts.push(`on the ${ordinal(Number(dom))}`);
  }
  if (month !== '*') {
    const m = monthWords(month);
    if (!m) return null;
    parts.push(`in ${m}`);
  }
  if (dow !== '*') {
    const d = daysWords(dow);
    if (!d) return null;
    parts.push(dom !== '*' ? `or on ${d}` : `on ${d}`);
  }
  return parts.join(' ');
}

/**
 * The schedule in a few words, for a list where the raw text is cut before its period:
 *   R/2026-12-07T03:00:00Z/PT1H            → "every hour from 03:00 UTC"
 *   R5/2026-12-07T03:15:00Z/PT15M          → "every 15 minutes from 03:15 UTC, 5 more times"
 *   R/2026-12-07T03:00:00/P1D (Berlin)     → "every day at 03:00 Europe/Berlin"
 *   0 2 * * 1-5                            → "at 02:00 on Monday–Friday UTC"
 * "forever" is left out (it is the usual case); a finite count is kept.
 */
export function scheduleInWords(expr: string, zone: string | null | undefined, now: Instant = 0): string {
  const text = expr.trim();
  if (text === '') return 'no schedule';
  const spec = parseScheduleSpec(text, zone ?? '', now, { legacy: true });
  if (!spec.ok) return 'invalid schedule';
  if (spec.value.kind === 'cron') {
    const words = cronWords(text);
    return `${words ?? `cron ${text}`} ${zoneLabel(spec.value.cron.zone)}`;
  }
  const s = spec.value.schedule;
  if (s.recurrences === 0 || s.recurrences === 1 || isZeroPeriod(s.period)) return describeIso(s);
  if (hasTimePart(s.period)) {
    const from = hasEmptyStart(text) ? 'from now' : `from ${clockTime(wallFieldsOf(s))} ${zoneLabel(s.zone)}`;
    return `${periodWords(s.period)} ${from}${s.recurrences < 0 ? '' : `, ${countWords(s.recurrences)}`}`;
  }
  return describeIso(s).replace(/, forever$/, '');
}

/** The schedule expression (ISO8601 or 5-field cron) in words, in the job's zone. */
export function describeSchedule(expr: string, zone: string | null | undefined, now: Instant = 0): string {
  const text = expr.trim();
  if (text === '') return 'no schedule';
  const spec = parseScheduleSpec(text, zone ?? '', now, { legacy: true });
  if (!spec.ok) return `invalid schedule: ${spec.error.message}`;
  if (spec.value.kind === 'cron' || looksLikeCron(text)) {
    const z = spec.value.kind === 'cron' ? spec.value.cron.zone : (zone || UTC_ZONE);
    const words = cronWords(text);
    return `cron '${text}' in ${zoneLabel(z)}${words ? ` (${words})` : ''}`;
  }
  return describeIso(spec.value.schedule);
}
