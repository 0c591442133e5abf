/**
 * Time zones for schedules: Chronos `scheduleTimeZone` ids, resolved as Java's
 * `TimeZone.getTimeZone(id)` does, and wall-clock <-> instant conversion in a zone.
 *
 * A resolved zone is a string luxon understands:
 *   - an IANA id (`America/New_York`, `Asia/Dhaka`, `Etc/GMT+5`, `US/Eastern`), or
 *   - a fixed offset written `UTC`, `UTC+05:30`, `UTC-05:00`.
 *
 * Two entry points:
 *   - `validateZone(id)`: strict, for the API. An unknown id is an error
 *     ("Unknown scheduleTimeZone 'X'"); Sisyphus rejects it with 400.
 *   - `resolveZone(id)`: lenient, for legacy stored jobs. An unknown id becomes GMT (`UTC`),
 *     exactly as Java does silently.
 *
 * Differences from Java, on purpose: ids are matched case-insensitively (Java would turn
 * `america/new_york` into GMT; we read it as America/New_York), and `UTC+hh:mm` is accepted like
 * `GMT+hh:mm`.
 *
 * Pure: no clock. Every instant is passed in.
 */
import { DateTime, Info, type Zone } from 'luxon';
import { err, ok, type Instant, type Result } from './types';

/** The zero-offset zone. Java's GMT, our "JVM zone". */
export const UTC_ZONE = 'UTC';

/**
 * Java's three-letter legacy ids (`ZoneId.SHORT_IDS`, the same table `TimeZone.getTimeZone` uses).
 * EST, MST and HST are fixed offsets; the others are aliases of a region.
 * Note BST is Bangladesh (+06:00), not British Summer Time, and IST is India.
 */
export const JAVA_SHORT_IDS: Readonly<Record<string, string>> = Object.freeze({
  ACT: 'Australia/Darwin',
  AET: 'Australia/Sydney',
  AGT: 'America/Argentina/Buenos_Aires',
  ART: 'Africa/Cairo',
  AST: 'America/Anchorage',
  BET: 'America/Sao_Paulo',
  BST: 'Asia/Dhaka',
  CAT: 'Africa/Harare',
  CNT: 'America/St_Johns',
  CST: 'America/Chicago',
  CTT: 'Asia/Shanghai',
  EAT: 'Africa/Addis_Ababa',
  ECT: 'Europe/Paris',
  EST: 'UTC-05:00',
  HST: 'UTC-10:00',
  IET: 'America/Indiana/Indianapolis',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  MIT: 'Pacific/Apia',
  MST: 'UTC-07:00',
  NET: 'Asia/Yerevan',
  NST: 'Pacific/Auckland',
  PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix',
  PRT: 'America/Puerto_Rico',
  PST: 'America/Los_Angeles',
  SST: 'Pacific/Guadalcanal',
  VST: 'Asia/Ho_Chi_Minh',
});

/** Ids that mean the zero offset. */
const ZERO_IDS = new Set(['UTC', 'GMT', 'Z', 'UT', 'ZULU', 'UCT', 'UNIVERSAL', 'GREENWICH', 'ETC/UTC', 'ETC/GMT']);

/** `GMT+5`, `GMT-05:00`, `GMT+0530`, `UTC+5:30` (Java's custom-id syntax; UTC accepted too). */
const CUSTOM_OFFSET = /^(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** Our own fixed-offset spelling, as produced by `fixedZone`. */
const OUR_FIXED = /^UTC(?:([+-])(\d{2}):(\d{2}))?$/;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The fixed-offset zone string for an offset in minutes: `UTC`, `UTC+06:00`, `UTC-03:30`. */
export function fixedZone(offsetMinutes: number): string {
  if (offsetMinutes === 0) return UTC_ZONE;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `UTC${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** The offset in minutes when `zone` is a fixed-offset zone string from this module, else null. */
export function fixedOffsetMinutes(zone: string): number | null {
  const m = OUR_FIXED.exec(zone);
  if (!m) return null;
  if (!m[1]) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** The canonical spelling of an IANA id when only its case differs, else the id as given. */
function canonicalIana(id: string): string {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === id.toLowerCase() ? resolved : id;
  } catch {
    return id;
  }
}

/**
 * Zone ids resolved so far. Asking Intl about an IANA id costs about a millisecond, and every
 * job's schedule is parsed with its zone (100,000 jobs at start), so each id is resolved once.
 * The map only grows by distinct ids written in jobs (a few hundred at most in practice).
 */
const resolved = new Map<string, string | null>();

function lookup(raw: string): string | null {
  let r = resolved.get(raw);
  if (r === undefined) {
    r = lookupUncached(raw);
    if (resolved.size < 10_000) resolved.set(raw, r);
  }
  return r;
}

function lookupUncached(raw: string): string | null {
  const id = raw.trim();
  if (id === '') return null;
  const upper = id.toUpperCase();
  if (ZERO_IDS.has(upper)) return UTC_ZONE;
  const short = JAVA_SHORT_IDS[upper];
  if (short !== undefined) return short;
  const custom = CUSTOM_OFFSET.exec(id);
  if (custom) {
    const hours = Number(custom[2]);
    const minutes = custom[3] === undefined ? 0 : Number(custom[3]);
    if (hours > 23 || minutes > 59) return null;
    const total = hours * 60 + minutes;
    return fixedZone(custom[1] === '-' ? -total : total);
  }
  // An IANA id (luxon asks Intl). Reject anything luxon would read as a fixed offset of its own.
  if (/^(?:utc|gmt)[+-]/i.test(id)) return null;
  const zone = Info.normalizeZone(id);
  if (!zone.isValid || zone.type !== 'iana') return null;
  return canonicalIana(id);
}

/**
 * Strict: the resolved zone, or the reason `Unknown scheduleTimeZone 'X'`.
 * An empty id is not a zone (a caller treats "" as "no scheduleTimeZone" before asking).
 */
export function validateZone(id: string): Result<string> {
  const zone = lookup(id);
  return zone === null ? err(`Unknown scheduleTimeZone '${id}'`) : ok(zone);
}

/** Lenient, Java's rule: the resolved zone; an unknown, empty or missing id becomes GMT (`UTC`). */
export function resolveZone(id: string | null | undefined): string {
  if (id === null || id === undefined) return UTC_ZONE;
  return lookup(id) ?? UTC_ZONE;
}

/* ---------------- wall clock <-> instant ---------------- */

/** Wall-clock fields, without a zone. month is 1-12. */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** The wall-clock fields of a luxon DateTime, in the zone it is in. */
export const fieldsOfDateTime = (d: DateTime): LocalFields => ({
  year: d.year,
  month: d.month,
  day: d.day,
  hour: d.hour,
  minute: d.minute,
  second: d.second,
  millisecond: d.millisecond,
});

const zoneCache = new Map<string, Zone>();
function zoneOf(zone: string): Zone {
  let z = zoneCache.get(zone);
  if (z === undefined) {
    z = Info.normalizeZone(zone);
    if (!z.isValid) throw new Error(`invalid zone '${zone}'`);
    zoneCache.set(zone, z);
  }
  return z;
}

/* ---------------- offsets of IANA zones, cached by hour ----------------
 *
 * luxon asks Intl for every offset of an IANA zone (~20-40 µs each) and parsing one schedule with a
 * named zone asks 6-8 times, so a new leader loading 100,000 such jobs spent seconds here. The
 * offset luxon gives depends only on the whole second of the instant, so it is cached per zone and
 * per hour of the timeline:
 *   - the offset at each hour boundary asked so far is kept;
 *   - an hour whose two boundaries have the same offset has that offset throughout (tzdata never
 *     moves a zone's offset and back within one hour);
 *   - an hour whose boundaries differ holds a transition: its second is found by bisection (a dozen
 *     lookups, once per transition), and the hour answers "before" or "after" it; should the
 *     offset after that second not be the one at the end of the hour (two changes in one hour),
 *     that hour is never cached and luxon answers each time.
 * Every answer is the number luxon itself computed for an instant of the same constant stretch.
 */

const HOUR_MS = 3_600_000;
/** luxon's range of valid timestamps (±8.64e15 ms), less a margin for the hour boundaries. */
const CACHED_RANGE = 8.64e15 - 2 * 86_400_000;

/** An hour with a transition: the first whole second (ms) of the new offset, and both offsets. */
interface HourTransition {
  at: number;
  before: number;
  after: number;
}

interface ZoneOffsets {
  /** Offset at the start of hour h (h = floor(instant / 1 h)). */
  edges: Map<number, number>;
  /** Per hour: its constant offset, its transition, or null (not cacheable). */
  hours: Map<number, number | HourTransition | null>;
}

/** Cached hours of all zones together before the cache starts over (bounds memory: a few MB). */
const MAX_CACHED_HOURS = 50_000;
const offsetCaches = new Map<string, ZoneOffsets>();
let cachedHours = 0;

function edgeOffset(c: ZoneOffsets, z: Zone, h: number): number {
  let o = c.edges.get(h);
  if (o === undefined) {
    o = z.offset(h * HOUR_MS);
    c.edges.set(h, o);
  }
  return o;
}

function hourOffsets(c: ZoneOffsets, z: Zone, h: number): number | HourTransition | null {
  const before = edgeOffset(c, z, h);
  const end = edgeOffset(c, z, h + 1);
  if (before === end) return before;
  // The last second with the old offset (lo) and the first with another one (hi).
  let lo = h * 3600;
  let hi = lo + 3600;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (z.offset(mid * 1000) === before) lo = mid;
    else hi = mid;
  }
  const after = z.offset(hi * 1000);
  return after === end ? { at: hi * 1000, before, after } : null;
}

/** The offset of `zone` at `instant`, in minutes. */
export function offsetAt(instant: Instant, zone: string): number {
  const z = zoneOf(zone);
  if (z.type !== 'iana' || !(instant >= -CACHED_RANGE && instant <= CACHED_RANGE)) return z.offset(instant);
  let c = offsetCaches.get(zone);
  if (c === undefined) {
    c = { edges: new Map(), hours: new Map() };
    offsetCaches.set(zone, c);
  }
  const h = Math.floor(instant / HOUR_MS);
  let entry = c.hours.get(h);
  if (entry === undefined) {
    if (cachedHours >= MAX_CACHED_HOURS) {
      for (const other of offsetCaches.values()) {
        other.edges.clear();
        other.hours.clear();
      }
      cachedHours = 0;
    }
    entry = hourOffsets(c, z, h);
    c.hours.set(h, entry);
    cachedHours++;
  }
  if (typeof entry === 'number') return entry;
  if (entry === null) return z.offset(instant);
  return instant < entry.at ? entry.before : entry.after;
}

/** True when `zone` resolves (luxon can use it). */
export function isUsableZone(zone: string): boolean {
  return Info.normalizeZone(zone).isValid;
}

/** The wall clock of `instant` in `zone`. */
export function wallOf(instant: Instant, zone: string): LocalFields {
  if (instant >= -CACHED_RANGE && instant <= CACHED_RANGE) {
    // What DateTime.fromMillis computes (its tsToObj), with the offset from the cache.
    const w = new Date(instant + offsetAt(instant, zone) * 60 * 1000);
    return {
      year: w.getUTCFullYear(),
      month: w.getUTCMonth() + 1,
      day: w.getUTCDate(),
      hour: w.getUTCHours(),
      minute: w.getUTCMinutes(),
      second: w.getUTCSeconds(),
      millisecond: w.getUTCMilliseconds(),
    };
  }
  return fieldsOfDateTime(DateTime.fromMillis(instant, { zone: zoneOf(zone) }));
}

const isInt = (n: number, lo: number, hi: number): boolean => Number.isInteger(n) && n >= lo && n <= hi;

/** Days in a month of the proleptic Gregorian calendar (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when luxon takes these fields as they are (hour 24 aside): integers, each in its range. */
export function plainValidFields(f: LocalFields): boolean {
  return (
    Number.isInteger(f.year) &&
    isInt(f.month, 1, 12) &&
    isInt(f.day, 1, daysInMonth(f.year, f.month)) &&
    isInt(f.hour, 0, 23) &&
    isInt(f.minute, 0, 59) &&
    isInt(f.second, 0, 59) &&
    isInt(f.millisecond, 0, 999)
  );
}

/** The wall clock read as if it were UTC, in ms (plain calendar arithmetic, no zone). */
export function localMillis(f: LocalFields): number {
  if (plainValidFields(f)) {
    // luxon's objToLocalTS, without building a DateTime.
    let d = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millisecond);
    if (f.year < 100 && f.year >= 0) {
      const fixed = new Date(d);
      fixed.setUTCFullYear(f.year, f.month - 1, f.day);
      d = +fixed;
    }
    return d;
  }
  return DateTime.fromObject(f, { zone: 'utc' }).toMillis();
}

export function fieldsFromLocalMillis(ms: number): LocalFields {
  return wallOf(ms, UTC_ZONE);
}

/** How a wall-clock time maps onto a zone's timeline. */
export type WallKind = 'exact' | 'gap' | 'repeat';

export interface ResolvedWall {
  instant: Instant;
  /** exact: one instant; gap: the wall time does not exist (moved forward); repeat: it exists twice. */
  kind: WallKind;
  /** The instants the wall time denotes, ascending: one for exact, two for repeat, none for gap. */
  candidates: Instant[];
}

const DAY_MS = 86_400_000;

/**
 * The instant of a wall-clock time in `zone`.
 * - A time in a DST gap (02:30 on a spring-forward day in America/New_York) moves forward by the
 *   length of the gap: 03:30 EDT. This is luxon's (and Joda's) behaviour.
 * - A time that occurs twice (01:30 on a fall-back day) is its FIRST occurrence (01:30 EDT), unless
 *   `preferOffset` (minutes) names the other one. Note luxon alone would pick the second.
 */
export function resolveWall(f: LocalFields, zone: string, preferOffset?: number | null): ResolvedWall {
  const local = localMillis(f);
  const offsets = new Set<number>([
    offsetAt(local - DAY_MS, zone),
    offsetAt(local, zone),
    offsetAt(local + DAY_MS, zone),
  ]);
  const candidates: Instant[] = [];
  for (const o of offsets) {
    const t = local - o * 60_000;
    if (offsetAt(t, zone) === o && !candidates.includes(t)) candidates.push(t);
  }
  candidates.sort((a, b) => a - b);
  if (candidates.length === 0) {
    // In a gap: read the wall time with the offset in force before the gap.
    const before = offsetAt(local - DAY_MS, zone);
    return { instant: local - before * 60_000, kind: 'gap', candidates };
  }
  if (candidates.length === 1) return { instant: candidates[0], kind: 'exact', candidates };
  const preferred =
    preferOffset === null || preferOffset === undefined
      ? undefined
      : candidates.find((t) => t === local - preferOffset * 60_000);
  return { instant: preferred ?? candidates[0], kind: 'repeat', candidates };
}

export const sameFields = (a: LocalFields, b: LocalFields): boolean =>
  a.year === b.year &&
  a.month === b.month &&
  a.day === b.day &&
  a.hour === b.hour &&
  a.minute === b.minute &&
  a.second === b.second &&
  a.millisecond === b.millisecond;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** `yyyy-MM-ddTHH:mm:ss.SSS` (no offset). */
export function formatFields(f: LocalFields): string {
  const year = f.year < 0 ? `-${pad(-f.year, 4)}` : pad(f.year, 4);
  return (
    `${year}-${pad(f.month, 2)}-${pad(f.day, 2)}T` +
    `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}.${pad(f.millisecond, 3)}`
  );
}

/** An offset as Joda's `ZZ`: `Z` for zero, else `+06:00` / `-08:00`. */
export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `yyyy-MM-ddTHH:mm:ss.SSS±hh:mm` (or `Z`) of an instant in a zone. */
export function formatInZone(instant: Instant, zone: string): string {
  return formatFields(wallOf(instant, zone)) + formatOffset(offsetAt(instant, zone));
}

/** ISO UTC with milliseconds, `2014-03-08T16:57:17.507Z`. */
export function formatUtc(instant: Instant): string {
  return new Date(instant).toISOString();
}
