/**
 * formatInstant (Intl) against luxon, which the UI formatted with before: the same text for named
 * instants around DST changes, half-hour zones, seconds, and zones without a short name.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { elapsed, formatAgo, formatInstant, normalizeZone, noteServerClock, serverClock } from './time';

/** The luxon rendering formatInstant replaced. */
function viaLuxon(ms: number, zone: string, seconds: boolean): string {
  const dt = DateTime.fromMillis(ms, { zone });
  const fmt = seconds || dt.second !== 0 ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm';
  const short = dt.offsetNameShort;
  let abbrev: string;
  if (short && /^[A-Z]{2,5}$/.test(short)) abbrev = short;
  else if (dt.offset === 0) abbrev = 'UTC';
  else {
    const h = Math.trunc(Math.abs(dt.offset) / 60);
    const m = Math.abs(dt.offset) % 60;
    abbrev = `UTC${dt.offset < 0 ? '−' : '+'}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
  }
  return `${dt.toFormat(fmt)} ${abbrev}`;
}

const at = (iso: string) => Date.parse(iso);

describe('formatInstant', () => {
  const cases = [
    { name: 'UTC, on the minute', iso: '2026-05-01T14:30:00Z', zone: 'UTC', text: '2026-05-01 14:30 UTC' },
    { name: 'seconds shown when not zero', iso: '2026-05-01T14:30:07Z', zone: 'UTC', text: '2026-05-01 14:30:07 UTC' },
    { name: 'midnight is 00, not 24', iso: '2026-05-01T22:00:00Z', zone: 'Europe/Berlin', text: '2026-05-02 00:00 UTC+2' },
    { name: 'New York before spring forward', iso: '2026-03-08T06:59:00Z', zone: 'America/New_York', text: '2026-03-08 01:59 EST' },
    { name: 'New York after spring forward', iso: '2026-03-08T07:00:00Z', zone: 'America/New_York', text: '2026-03-08 03:00 EDT' },
    { name: 'New York, the repeated hour, first', iso: '2026-11-01T05:30:00Z', zone: 'America/New_York', text: '2026-11-01 01:30 EDT' },
    { name: 'New York, the repeated hour, second', iso: '2026-11-01T06:30:00Z', zone: 'America/New_York', text: '2026-11-01 01:30 EST' },
    { name: 'Tokyo: no short name in en-US', iso: '2026-05-01T00:00:00Z', zone: 'Asia/Tokyo', text: '2026-05-01 09:00 UTC+9' },
    { name: 'Kolkata: half an hour', iso: '2026-05-01T00:00:00Z', zone: 'Asia/Kolkata', text: '2026-05-01 05:30 UTC+5:30' },
    { name: 'west of UTC without a name', iso: '2026-05-01T12:00:00Z', zone: 'America/Sao_Paulo', text: '2026-05-01 09:00 UTC−3' },
    { name: 'an unknown zone falls back to UTC', iso: '2026-05-01T14:30:00Z', zone: 'Nowhere/Else', text: '2026-05-01 14:30 UTC' },
  ];
  it.each(cases)('$name', ({ iso, zone, text }) => {
    const ms = at(iso);
    expect(formatInstant(ms, zone)).toBe(text);
    expect(formatInstant(ms, zone)).toBe(viaLuxon(ms, normalizeZone(zone), false));
    expect(formatInstant(ms, zone, { seconds: true })).toBe(viaLuxon(ms, normalizeZone(zone), true));
  });
  it('an instant with milliseconds is shown to the second, as luxon did', () => {
    const ms = at('2026-05-01T14:30:07.999Z');
    expect(formatInstant(ms, 'Europe/London')).toBe(viaLuxon(ms, 'Europe/London', false));
  });
  it('normalizeZone: empty or unknown is UTC', () => {
    expect(normalizeZone('')).toBe('UTC');
    expect(normalizeZone(null)).toBe('UTC');
    expect(normalizeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(normalizeZone('Mars/Olympus')).toBe('UTC');
  });
});

describe('past and running times never read as future or negative', () => {
  const now = Date.UTC(2026, 11, 6, 23, 32, 33);
  it('formatAgo: the past is "ago"; an instant the clock has not reached is "just now", never "in 1 s"', () => {
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now + 1_200, now)).toBe('just now');
    expect(formatAgo(now + 40_000, now)).toBe('just now');
  });
  it('elapsed: a start ahead of the clock is 0, not -2334 ms', () => {
    expect(elapsed(now + 2334, now)).toBe(0);
    expect(elapsed(now - 1500, now)).toBe(1500);
  });
  it("serverClock follows the server's Date header when the browser's clock is off by more than its precision", () => {
    const sent = Date.now();
    noteServerClock(new Date(sent + 60_000).toUTCString(), sent, sent);
    expect(Math.abs(serverClock() - (Date.now() + 60_000))).toBeLessThan(1_500);
    noteServerClock(new Date(Date.now()).toUTCString(), Date.now(), Date.now());
    expect(Math.abs(serverClock() - Date.now())).toBeLessThan(50);
    noteServerClock(null, 0, 0); // no header: unchanged
    expect(Math.abs(serverClock() - Date.now())).toBeLessThan(50);
  });
});
