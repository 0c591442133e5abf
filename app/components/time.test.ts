/**
 * formatInstant (Intl) against luxon, which the UI formatted with before: the same text for named
 * instants around DST changes, half-hour zones, seconds, and zones without a short name.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatInstant, normalizeZone } from './time';

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
