/** Parsed schedules: shared between jobs when they cannot depend on the time they were read. */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job } from '../core/types';
import { launchAdvance, nextDueAt, parseJobSchedule } from './schedules';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const job = (json: Record<string, unknown>): Job => {
  const r = parseJob({ command: 'true', ...json }, { now: T0 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const parsed = (j: Job, now: number) => {
  const r = parseJobSchedule(j, now);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('parseJobSchedule', () => {
  it('two jobs with the same written schedule, zone and epsilon share one parse; a launch of one leaves the other as it was', () => {
    const a = parsed(job({ name: 'a', schedule: 'R/2026-02-01T00:00:00Z/P1D', epsilon: 'PT5M' }), T0);
    const b = parsed(job({ name: 'b', schedule: 'R/2026-02-01T00:00:00Z/P1D', epsilon: 'PT5M' }), T0 + 60_000);
    expect(b).toBe(a);
    const { next } = launchAdvance(a, Date.parse('2026-02-01T00:00:01Z'));
    expect(nextDueAt(next)).toBe(Date.parse('2026-02-02T00:00:00Z'));
    expect(nextDueAt(b)).toBe(Date.parse('2026-02-01T00:00:00Z'));
  });

  it('another zone or epsilon is another parse', () => {
    const utc = parsed(job({ name: 'a', schedule: 'R/2026-02-01T00:00:00/P1D' }), T0);
    const paris = parsed(job({ name: 'b', schedule: 'R/2026-02-01T00:00:00/P1D', scheduleTimeZone: 'Europe/Paris' }), T0);
    expect(nextDueAt(paris)).toBe(nextDueAt(utc)! - 3_600_000);
    const eps = parsed(job({ name: 'c', schedule: 'R/2026-02-01T00:00:00/P1D', epsilon: 'PT1M' }), T0);
    expect(eps.epsilonMs).toBe(60_000);
    expect(utc.epsilonMs).toBeNull();
  });

  it('jobs read in turn, the same schedule in other zones or epsilons, each get their own', () => {
    const text = 'R/2026-03-01T00:00:00/P1D';
    const utc = job({ name: 'a', schedule: text });
    const tokyo = job({ name: 'b', schedule: text, scheduleTimeZone: 'Asia/Tokyo' });
    const late = job({ name: 'c', schedule: text, epsilon: 'PT10M' });
    for (let round = 0; round < 2; round++) {
      expect(nextDueAt(parsed(utc, T0))).toBe(Date.parse('2026-03-01T00:00:00Z'));
      expect(nextDueAt(parsed(tokyo, T0))).toBe(Date.parse('2026-02-28T15:00:00Z'));
      expect(parsed(late, T0).epsilonMs).toBe(600_000);
      expect(parsed(utc, T0).epsilonMs).toBeNull();
    }
  });

  it('a schedule starting "now" (R1//PT1H) is parsed at each read: due at the time it was read', () => {
    const j = job({ name: 'now', schedule: 'R1//PT1H' });
    expect(nextDueAt(parsed(j, T0))).toBe(T0 - 1000);
    expect(nextDueAt(parsed(j, T0 + 3_600_000))).toBe(T0 + 3_600_000 - 1000);
  });
});
