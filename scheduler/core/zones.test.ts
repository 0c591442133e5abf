import { DateTime, Info } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  JAVA_SHORT_IDS,
  formatInZone,
  localMillis,
  offsetAt,
  resolveWall,
  resolveZone,
  validateZone,
  wallOf,
  type LocalFields,
} from './zones';

/** Named instants. */
const WINTER_2008 = Date.parse('2008-03-01T13:00:00Z');
const SUMMER_2008 = Date.parse('2008-07-01T13:00:00Z');

const wall = (iso: string): LocalFields => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(iso)!;
  return { year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: 0, millisecond: 0 };
};

describe('validateZone (strict, API)', () => {
  const cases: { name: string; id: string; zone: string; winterOffset: number }[] = [
    { name: 'IANA id as-is', id: 'Europe/Paris', zone: 'Europe/Paris', winterOffset: 60 },
    { name: 'IANA id, case fixed', id: 'america/new_york', zone: 'America/New_York', winterOffset: -300 },
    { name: 'tzdb backward link', id: 'US/Eastern', zone: 'US/Eastern', winterOffset: -300 },
    { name: 'Etc/GMT+5 is UTC-5', id: 'Etc/GMT+5', zone: 'Etc/GMT+5', winterOffset: -300 },
    { name: 'UTC', id: 'UTC', zone: 'UTC', winterOffset: 0 },
    { name: 'GMT', id: 'GMT', zone: 'UTC', winterOffset: 0 },
    { name: 'Z', id: 'Z', zone: 'UTC', winterOffset: 0 },
    { name: 'GMT+hh:mm', id: 'GMT+05:30', zone: 'UTC+05:30', winterOffset: 330 },
    { name: 'GMT-h', id: 'GMT-5', zone: 'UTC-05:00', winterOffset: -300 },
    { name: 'GMT+hhmm', id: 'GMT+0545', zone: 'UTC+05:45', winterOffset: 345 },
    { name: 'GMT+0 is UTC', id: 'GMT+0', zone: 'UTC', winterOffset: 0 },
    { name: 'UTC-hh:mm accepted like GMT', id: 'UTC-03:00', zone: 'UTC-03:00', winterOffset: -180 },
    { name: 'EST fixed -05:00', id: 'EST', zone: 'UTC-05:00', winterOffset: -300 },
    { name: 'MST fixed -07:00', id: 'MST', zone: 'UTC-07:00', winterOffset: -420 },
    { name: 'HST fixed -10:00', id: 'HST', zone: 'UTC-10:00', winterOffset: -600 },
    { name: 'BST is Bangladesh', id: 'BST', zone: 'Asia/Dhaka', winterOffset: 360 },
    { name: 'PST is Los Angeles', id: 'PST', zone: 'America/Los_Angeles', winterOffset: -480 },
    { name: 'IST is India', id: 'IST', zone: 'Asia/Kolkata', winterOffset: 330 },
    { name: 'CTT is Shanghai', id: 'CTT', zone: 'Asia/Shanghai', winterOffset: 480 },
    { name: 'ECT is Paris', id: 'ECT', zone: 'Europe/Paris', winterOffset: 60 },
  ];
  it.each(cases)('$name: $id -> $zone', ({ id, zone, winterOffset }) => {
    const r = validateZone(id);
    expect(r).toEqual({ ok: true, value: zone });
    expect(offsetAt(WINTER_2008, zone)).toBe(winterOffset);
  });

  it.each(Object.entries(JAVA_SHORT_IDS))('short id %s -> %s resolves', (id, zone) => {
    expect(validateZone(id)).toEqual({ ok: true, value: zone });
    expect(Number.isFinite(offsetAt(WINTER_2008, zone))).toBe(true);
  });

  const bad = ['Mars/Olympus', 'XYZ', 'GMT+25', 'GMT+05:99', 'local', 'system', ''];
  it.each(bad)('unknown %j is a reason', (id) => {
    expect(validateZone(id)).toEqual({ ok: false, error: `Unknown scheduleTimeZone '${id}'` });
  });
});

describe('resolveZone (lenient, legacy jobs): Java turns an unknown id into GMT', () => {
  const cases = [
    { name: 'unknown', id: 'Mars/Olympus', zone: 'UTC' },
    { name: 'empty', id: '', zone: 'UTC' },
    { name: 'missing', id: undefined, zone: 'UTC' },
    { name: 'known', id: 'PST', zone: 'America/Los_Angeles' },
  ];
  it.each(cases)('$name', ({ id, zone }) => expect(resolveZone(id)).toBe(zone));
});

describe('offsets follow DST for regions, not for fixed ids', () => {
  const cases = [
    { name: 'PST in summer is PDT', zone: 'America/Los_Angeles', at: SUMMER_2008, offset: -420 },
    { name: 'EST in summer stays -05:00', zone: 'UTC-05:00', at: SUMMER_2008, offset: -300 },
    { name: 'Shanghai has no DST', zone: 'Asia/Shanghai', at: SUMMER_2008, offset: 480 },
  ];
  it.each(cases)('$name', ({ zone, at, offset }) => expect(offsetAt(at, zone)).toBe(offset));
});

describe('resolveWall', () => {
  const NY = 'America/New_York';
  const cases = [
    { name: 'ordinary time', wall: '2026-03-07T02:30', kind: 'exact', at: '2026-03-07T07:30:00.000Z' },
    { name: 'spring-forward gap moves forward by the gap (03:30 EDT)', wall: '2026-03-08T02:30', kind: 'gap', at: '2026-03-08T07:30:00.000Z' },
    { name: 'fall-back repeat is the first occurrence (EDT)', wall: '2026-11-01T01:30', kind: 'repeat', at: '2026-11-01T05:30:00.000Z' },
  ];
  it.each(cases)('$name', ({ wall: w, kind, at }) => {
    const r = resolveWall(wall(w), NY);
    expect(r.kind).toBe(kind);
    expect(new Date(r.instant).toISOString()).toBe(at);
  });

  it('a written offset picks the second occurrence of a repeated time', () => {
    const r = resolveWall(wall('2026-11-01T01:30'), NY, -300);
    expect(new Date(r.instant).toISOString()).toBe('2026-11-01T06:30:00.000Z');
  });

  it('formats Joda ZZ style offsets', () => {
    expect(formatInZone(WINTER_2008, 'UTC')).toBe('2008-03-01T13:00:00.000Z');
    expect(formatInZone(WINTER_2008, 'Asia/Dhaka')).toBe('2008-03-01T19:00:00.000+06:00');
    expect(formatInZone(WINTER_2008, 'America/St_Johns')).toBe('2008-03-01T09:30:00.000-03:30');
  });
});

describe('the hour cache of IANA offsets gives exactly what luxon computes', () => {
  // Zones with unusual transitions: 30-minute DST, negative DST, +2 h DST, midnight changes,
  // a skipped day (Apia 2011), many changes a year (Casablanca), half-hour offsets.
  const ZONES = ['America/New_York', 'Australia/Lord_Howe', 'Europe/Dublin', 'Antarctica/Troll', 'America/Havana', 'Pacific/Apia', 'Africa/Casablanca', 'Asia/Kolkata'];
  const HOUR = 3_600_000;

  it.each(ZONES)('%s: around every transition of 2011 and 2021 to the millisecond, and hourly between', (zone) => {
    const luxon = Info.normalizeZone(zone);
    for (const year of [2011, 2021]) {
      const from = Date.UTC(year, 0, 1);
      const to = Date.UTC(year + 1, 0, 1);
      for (let t = from; t < to; t += HOUR + 61_001) {
        expect(offsetAt(t, zone)).toBe(luxon.offset(t));
      }
      // each transition: the second it happens, ±3 s by the second, ±2 ms
      for (let h = from; h < to; h += HOUR) {
        if (luxon.offset(h) === luxon.offset(h + HOUR)) continue;
        let lo = h;
        let hi = h + HOUR;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (luxon.offset(mid) === luxon.offset(h)) lo = mid;
          else hi = mid;
        }
        for (let d = -3000; d <= 3000; d += 1000) expect(offsetAt(hi + d, zone), `${zone} ${hi + d}`).toBe(luxon.offset(hi + d));
        for (let d = -2; d <= 2; d++) expect(offsetAt(hi + d, zone), `${zone} ${hi + d}`).toBe(luxon.offset(hi + d));
      }
    }
  });

  it('wallOf is DateTime.fromMillis, also for LMT offsets with seconds and before 1970', () => {
    for (const zone of ['America/New_York', 'Europe/Amsterdam', 'Asia/Kolkata', 'UTC', 'UTC+05:30']) {
      for (let t = Date.UTC(1880, 0, 1) + 123; t < Date.UTC(2040, 0, 1); t += 37 * 86_400_000 + 3_601_007) {
        const d = DateTime.fromMillis(t, { zone });
        expect(wallOf(t, zone)).toEqual({ year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second, millisecond: d.millisecond });
      }
    }
  });

  it('localMillis is DateTime.fromObject(utc).toMillis(), for valid and invalid fields', () => {
    const f = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): LocalFields => ({ year, month, day, hour, minute, second, millisecond });
    for (const fields of [
      f(2024, 2, 29, 12, 30, 15, 500), f(2023, 2, 29), f(50, 2, 28), f(0, 1, 1), f(99, 12, 31, 23, 59, 59, 999), f(100, 2, 29),
      f(-5, 3, 1), f(2021, 12, 31, 24), f(2021, 4, 31), f(2021, 13, 1), f(2021, 1, 1, 1.5), f(275760, 9, 13), f(275760, 9, 14),
    ]) {
      const expected = DateTime.fromObject(fields, { zone: 'utc' }).toMillis();
      if (Number.isNaN(expected)) expect(localMillis(fields)).toBeNaN();
      else expect(localMillis(fields)).toBe(expected);
    }
  });
});
