import { describe, expect, it } from 'vitest';
import { advanceCron, looksLikeCron, parseCron } from './cron';
import { advance, formatSpec, isDueSpec, nextDueOf, parseScheduleSpec, type ScheduleSpec } from './spec';
import { formatInZone } from './zones';

/** Named instants. */
const NOW = Date.parse('2026-05-14T10:23:45.678Z'); // a Thursday
const MON_2026_03_02 = Date.parse('2026-03-02T00:00:00Z');
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** The next `count` due instants of a cron spec in its zone's local time, launching at each. */
function runs(expr: string, zone: string, from: number, count: number): string[] {
  const r = parseCron(expr, zone, from);
  if (!r.ok) throw new Error(r.error.message);
  let c = r.value;
  const out: string[] = [];
  for (let i = 0; i < count && c.next !== null; i++) {
    out.push(formatInZone(c.next, c.zone));
    c = advanceCron(c, c.next);
  }
  return out;
}

describe('cron: next occurrences', () => {
  const cases = [
    {
      name: 'every 15 minutes (UTC)',
      expr: '*/15 * * * *', zone: '', from: NOW,
      runs: ['2026-05-14T10:30:00.000Z', '2026-05-14T10:45:00.000Z', '2026-05-14T11:00:00.000Z'],
    },
    {
      name: 'weekdays 02:30 New York before DST (EST)',
      expr: '30 2 * * 1-5', zone: 'America/New_York', from: MON_2026_03_02,
      runs: ['2026-03-02T02:30:00.000-05:00', '2026-03-03T02:30:00.000-05:00'],
    },
    {
      name: 'weekdays 02:30 New York across spring forward: Fri EST, then Mon EDT (weekend skipped)',
      expr: '30 2 * * 1-5', zone: 'America/New_York', from: Date.parse('2026-03-06T00:00:00Z'),
      runs: ['2026-03-06T02:30:00.000-05:00', '2026-03-09T02:30:00.000-04:00', '2026-03-10T02:30:00.000-04:00'],
    },
    {
      name: 'daily 02:30 New York in the gap runs at the first valid time (03:00 EDT, croner)',
      expr: '30 2 * * *', zone: 'America/New_York', from: Date.parse('2026-03-07T12:00:00Z'),
      runs: ['2026-03-08T03:00:00.000-04:00', '2026-03-09T02:30:00.000-04:00'],
    },
    {
      name: 'daily 01:30 New York on fall back runs once (first occurrence)',
      expr: '30 1 * * *', zone: 'America/New_York', from: Date.parse('2026-10-31T12:00:00Z'),
      runs: ['2026-11-01T01:30:00.000-04:00', '2026-11-02T01:30:00.000-05:00'],
    },
    {
      name: 'EST is a fixed -05:00: no DST in summer',
      expr: '0 9 * * *', zone: 'EST', from: Date.parse('2026-07-01T00:00:00Z'),
      runs: ['2026-07-01T09:00:00.000-05:00', '2026-07-02T09:00:00.000-05:00'],
    },
    {
      name: 'Asia/Shanghai',
      expr: '30 2 * * *', zone: 'Asia/Shanghai', from: Date.parse('2026-03-07T00:00:00Z'),
      runs: ['2026-03-08T02:30:00.000+08:00', '2026-03-09T02:30:00.000+08:00'],
    },
  ];
  it.each(cases)('$name', ({ expr, zone, from, runs: expected }) => {
    expect(runs(expr, zone, from, expected.length)).toEqual(expected);
  });

  it('the first occurrence is strictly after now', () => {
    const at = Date.parse('2026-05-14T10:30:00.000Z');
    const r = parseCron('*/15 * * * *', '', at);
    expect(r.ok && iso(r.value.next)).toBe('2026-05-14T10:45:00.000Z');
  });

  it('advance before the due time keeps it', () => {
    const r = parseCron('0 12 * * *', '', NOW);
    if (!r.ok) throw new Error(r.error.message);
    expect(advanceCron(r.value, NOW + 1000)).toEqual(r.value);
  });
});

describe('cron: errors are reasons', () => {
  const cases = [
    { name: 'minute out of range', expr: '61 * * * *', zone: '', code: 'INVALID_CRON', message: /^Cannot parse schedule '61 \* \* \* \*' as cron: .*minute/ },
    { name: 'hour out of range', expr: '0 25 * * *', zone: '', code: 'INVALID_CRON', message: /hour/ },
    { name: 'garbage field', expr: 'a b c d e', zone: '', code: 'INVALID_CRON', message: /as cron/ },
    { name: '? would read the clock', expr: '? * * * *', zone: '', code: 'INVALID_CRON', message: /'\?' is not supported/ },
    { name: 'never fires (Feb 30)', expr: '0 0 30 2 *', zone: '', code: 'INVALID_CRON', message: /never fires/ },
    { name: 'unknown zone', expr: '0 0 * * *', zone: 'Mars/Olympus', code: 'UNKNOWN_ZONE', message: /^Unknown scheduleTimeZone 'Mars\/Olympus'$/ },
  ];
  it.each(cases)('$name', ({ expr, zone, code, message }) => {
    const r = parseCron(expr, zone, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message).toMatch(message);
    }
  });
});

describe('ScheduleSpec: one interface for ISO8601 and cron', () => {
  const classify = [
    { name: 'R… is ISO8601', expr: 'R/2008-03-01T13:00:00Z/P1D', kind: 'iso' },
    { name: '5 fields is cron', expr: '30 2 * * 1-5', kind: 'cron' },
    { name: '5 fields with extra spaces is cron', expr: '  */5  *  * * * ', kind: 'cron' },
  ];
  it.each(classify)('$name', ({ expr, kind }) => {
    const r = parseScheduleSpec(expr, '', NOW);
    expect(r.ok && r.value.kind).toBe(kind);
  });

  const unparseable = ['FOO', '* * * *', '0 0 * * * *', '@daily', ''];
  it.each(unparseable)('%j is Chronos\'s parse error', (expr) => {
    const r = parseScheduleSpec(expr, '', NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'UNPARSEABLE', message: `Cannot parse schedule '${expr}' (wtf bro)` });
  });

  it('looksLikeCron', () => {
    expect(looksLikeCron('30 2 * * 1-5')).toBe(true);
    expect(looksLikeCron('R/2008-03-01T13:00:00Z/P1D')).toBe(false);
  });

  it('formatSpec keeps cron verbatim and rewrites ISO the Chronos way', () => {
    const c = parseScheduleSpec('30 2 * * 1-5', 'America/New_York', NOW);
    const i = parseScheduleSpec('R5/2008-03-01T13:00:00Z/P1D', 'BST', NOW);
    expect(c.ok && formatSpec(c.value)).toBe('30 2 * * 1-5');
    expect(i.ok && formatSpec(i.value)).toBe('R5/2008-03-01T13:00:00.000+06:00/P1D');
  });

  it('nextDueOf / isDueSpec / advance behave the same for both kinds', () => {
    const specs: [string, ScheduleSpec][] = [];
    for (const expr of ['R/2026-05-14T10:30:00Z/PT15M', '*/15 * * * *']) {
      const r = parseScheduleSpec(expr, '', NOW);
      if (!r.ok) throw new Error(r.error.message);
      specs.push([expr, r.value]);
    }
    for (const [, spec] of specs) {
      expect(iso(nextDueOf(spec))).toBe('2026-05-14T10:30:00.000Z');
      expect(isDueSpec(spec, NOW)).toBe(false);
      const launchAt = Date.parse('2026-05-14T10:30:00.250Z');
      expect(isDueSpec(spec, launchAt)).toBe(true);
      const next = advance(spec, launchAt);
      expect(iso(nextDueOf(next))).toBe('2026-05-14T10:45:00.000Z');
      expect(isDueSpec(next, launchAt)).toBe(false);
    }
  });

  it('an ISO spec ends after its count; a cron spec never does', () => {
    const r = parseScheduleSpec('R1/2026-05-14T10:30:00Z/PT15M', '', NOW);
    if (!r.ok) throw new Error(r.error.message);
    const after = advance(r.value, Date.parse('2026-05-14T10:31:00Z'));
    expect(nextDueOf(after)).toBeNull();
  });
});
