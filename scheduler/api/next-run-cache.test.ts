/**
 * The jobs page's next runs: what a job shows, and that a kept answer is given again only while it
 * holds (a cron next passes, an empty start follows now, a changed schedule is read again).
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import { parseJob } from './job-schema';
import { NextRunCache } from './next-run-cache';

/** Named instants. */
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const NEXT_0300 = Date.parse('2026-03-02T03:00:00.000Z');
const AFTER_0300 = NEXT_0300 + 1;
const NEXT_DAY_0300 = Date.parse('2026-03-03T03:00:00.000Z');
const START_2030 = Date.parse('2030-01-01T00:00:00.000Z');

function job(name: string, extra: Record<string, unknown>): Job {
  const r = parseJob({ name, command: 'true', ...extra }, { now: NOW });
  if (!r.ok) throw new Error(`${name}: ${r.error.field}: ${r.error.message}`);
  return r.value;
}

describe('NextRunCache', () => {
  const cases: { name: string; job: Job; now: number; at: number | null }[] = [
    { name: 'an ISO start', job: job('iso', { schedule: 'R/2030-01-01T00:00:00Z/P1D' }), now: NOW, at: START_2030 },
    { name: 'a cron expression: the next occurrence', job: job('cron', { schedule: '0 3 * * *' }), now: NOW, at: NEXT_0300 },
    { name: 'a disabled job: none', job: job('off', { schedule: 'R/2030-01-01T00:00:00Z/P1D', disabled: true }), now: NOW, at: null },
    { name: 'a dependent job: none', job: { ...job('dep', { schedule: 'R/2030-01-01T00:00:00Z/P1D' }), schedule: undefined, parents: ['iso'] }, now: NOW, at: null },
    { name: 'R0: none', job: job('r0', { schedule: 'R0/2030-01-01T00:00:00Z/P1D' }), now: NOW, at: null },
  ];
  it.each(cases)('$name', ({ job: j, now, at }) => {
    expect(new NextRunCache().of(j, now)).toBe(at);
  });

  it('a cron next is given until it passes, then the following one', () => {
    const c = new NextRunCache();
    const j = job('cron', { schedule: '0 3 * * *' });
    expect(c.of(j, NOW)).toBe(NEXT_0300);
    expect(c.of(j, NEXT_0300 - 1)).toBe(NEXT_0300);
    expect(c.of(j, AFTER_0300)).toBe(NEXT_DAY_0300);
  });

  it('an empty start is now − 1 s whenever it is asked', () => {
    const c = new NextRunCache();
    const j = job('asap', { schedule: 'R//PT1H' });
    expect(c.of(j, NOW)).toBe(NOW - 1000);
    expect(c.of(j, NOW + 60_000)).toBe(NOW + 59_000);
  });

  it('jobs sharing a schedule share the answer; a changed schedule or zone is read again', () => {
    const c = new NextRunCache();
    const a = job('a', { schedule: 'R/2030-01-01T00:00:00/P1D' });
    const b = job('b', { schedule: 'R/2030-01-01T00:00:00/P1D' });
    expect(c.of(a, NOW)).toBe(START_2030);
    expect(c.of(b, NOW)).toBe(START_2030);
    expect(c.of({ ...a, schedule: 'R/2031-01-01T00:00:00/P1D' }, NOW)).toBe(Date.parse('2031-01-01T00:00:00Z'));
    expect(c.of({ ...a, scheduleTimeZone: 'America/New_York' }, NOW)).toBe(Date.parse('2030-01-01T05:00:00Z'));
  });
});
