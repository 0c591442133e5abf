import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPaused, nextPauseEnd, parsePauseRequest, pauseEnd, pauseOf, pauseTargets, pausedReason, resumedJob, type JobPause } from './pause';
import type { Job } from './types';

/** Named instants. */
const NOW = Date.parse('2026-06-01T10:00:00Z');
const HOUR = 3_600_000;
const iso = (t: number): string => new Date(t).toISOString();

describe('parsePauseRequest', () => {
  const cases: { name: string; body: unknown; until?: number; field?: string; message?: RegExp }[] = [
    { name: 'for PT2H', body: { for: 'PT2H', note: 'storage maintenance' }, until: NOW + 2 * HOUR },
    { name: 'until an instant with Z', body: { until: '2026-06-02T08:00:00Z' }, until: Date.parse('2026-06-02T08:00:00Z') },
    { name: 'until an instant with an offset', body: { until: '2026-06-01T12:30:00+02:00' }, until: Date.parse('2026-06-01T10:30:00Z') },
    { name: 'neither', body: { note: 'x' }, field: 'until', message: /required/ },
    { name: 'both', body: { until: '2026-06-02T08:00:00Z', for: 'PT1H' }, field: 'for', message: /not both/ },
    { name: 'until in the past', body: { until: '2026-06-01T09:00:00Z' }, field: 'until', message: /after now/ },
    { name: 'until without a zone', body: { until: '2026-06-02T08:00:00' }, field: 'until', message: /with a zone/ },
    { name: 'until a date only', body: { until: '2026-06-02' }, field: 'until', message: /ISO 8601 instant/ },
    { name: 'until a number', body: { until: 1_800_000_000_000 }, field: 'until' },
    { name: 'for not a duration', body: { for: '2h' }, field: 'for', message: /ISO 8601 duration/ },
    { name: 'for zero', body: { for: 'PT0S' }, field: 'for', message: /longer than zero/ },
    { name: 'for past year 9999', body: { for: 'P9000Y' }, field: 'for', message: /9999/ },
    { name: 'note not a string', body: { for: 'PT1H', note: 3 }, field: 'note' },
    { name: 'note too long', body: { for: 'PT1H', note: 'x'.repeat(501) }, field: 'note' },
    { name: 'downstream not a boolean', body: { for: 'PT1H', downstream: 'yes' }, field: 'downstream' },
    { name: 'not an object', body: [], field: 'body' },
  ];
  it.each(cases)('$name', ({ body, until, field, message }) => {
    const r = parsePauseRequest(body, NOW);
    if (until !== undefined) {
      expect(r.ok && r.value.until).toBe(until);
      return;
    }
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe(field);
      if (message) expect(r.error.message).toMatch(message);
    }
  });

  it('any body: a pause after now, or an error naming one of the fields (fast-check)', () => {
    const fields = ['until', 'for', 'note', 'downstream', 'prefix', 'body'];
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('PT1H', 'P1D', 'PT0S', 'P1M'));
    fc.assert(
      fc.property(fc.oneof(fc.record({ until: value, for: value, note: value, downstream: value, prefix: value }, { requiredKeys: [] }), fc.anything()), (body) => {
        const r = parsePauseRequest(body, NOW);
        if (r.ok) expect(r.value.until).toBeGreaterThan(NOW);
        else expect(fields).toContain(r.error.field);
      }),
      { seed: 17, numRuns: 500 },
    );
  });
});

describe('the pause in time', () => {
  const pause: JobPause = pauseOf({ until: NOW + HOUR, note: 'upstream storage maintenance', downstream: false, prefix: false }, 'ops', NOW);

  it('holds until its end, not at it', () => {
    expect(isPaused(pause, NOW)).toBe(true);
    expect(isPaused(pause, NOW + HOUR - 1)).toBe(true);
    expect(isPaused(pause, NOW + HOUR)).toBe(false);
    expect(isPaused(undefined, NOW)).toBe(false);
  });

  it('a held-back run says who, until when and why', () => {
    expect(pausedReason(pause, NOW)).toBe('skipped: paused by ops until 2026-06-01T11:00:00.000Z: upstream storage maintenance');
    expect(pausedReason({ ...pause, by: '', note: '' }, NOW)).toBe('skipped: paused until 2026-06-01T11:00:00.000Z');
    expect(pausedReason(pause, NOW + HOUR)).toBeNull();
  });

  it('the next end: the earliest; one already past is due now', () => {
    const ends = (ps: (JobPause | undefined)[]) => ps.map(pauseEnd);
    expect(nextPauseEnd(ends([undefined, pause, { ...pause, until: iso(NOW + 2 * HOUR) }]), NOW)).toBe(NOW + HOUR);
    expect(nextPauseEnd(ends([{ ...pause, until: iso(NOW - 1) }]), NOW)).toBe(NOW);
    expect(nextPauseEnd(ends([undefined]), NOW)).toBeNull();
  });
});

describe('pauseTargets', () => {
  // etl-extract → etl-transform → etl-load; report is a child of etl-load
  const names = ['etl-extract', 'etl-load', 'etl-transform', 'report', 'other'];
  const children: Record<string, string[]> = { 'etl-extract': ['etl-transform'], 'etl-transform': ['etl-load'], 'etl-load': ['report'] };
  const descendants = (n: string): string[] => {
    const out: string[] = [];
    const walk = (x: string) => (children[x] ?? []).forEach((c) => (out.push(c), walk(c)));
    walk(n);
    return out;
  };
  const cases: { name: string; root: string; downstream: boolean; prefix: boolean; targets: string[] }[] = [
    { name: 'one job', root: 'etl-transform', downstream: false, prefix: false, targets: ['etl-transform'] },
    { name: 'the job and its downstream', root: 'etl-transform', downstream: true, prefix: false, targets: ['etl-load', 'etl-transform', 'report'] },
    { name: 'by name prefix', root: 'etl-', downstream: false, prefix: true, targets: ['etl-extract', 'etl-load', 'etl-transform'] },
    { name: 'by name prefix and downstream', root: 'etl-', downstream: true, prefix: true, targets: ['etl-extract', 'etl-load', 'etl-transform', 'report'] },
    { name: 'an unknown job', root: 'nope', downstream: true, prefix: false, targets: [] },
  ];
  it.each(cases)('$name', ({ root, downstream, prefix, targets }) => {
    expect(pauseTargets(root, { downstream, prefix }, names, descendants)).toEqual(targets);
  });
});

describe('resumedJob', () => {
  const job = { name: 'nightly', schedule: 'R/2026-06-01T02:00:00.000Z/P1D', scheduleTimeZone: '', pause: { until: iso(NOW), note: '', by: '', at: iso(NOW - HOUR) } } as Job;

  it('drops the pause and moves an instant that fell inside it past now (no run replayed)', () => {
    const r = resumedJob(job, NOW);
    expect(r.pause).toBeUndefined();
    expect(r.schedule).toBe('R/2026-06-02T02:00:00.000Z/P1D');
  });

  it('keeps a schedule whose next instant is still ahead', () => {
    expect(resumedJob({ ...job, schedule: 'R5/2026-06-01T12:00:00.000Z/P1D' }, NOW).schedule).toBe('R5/2026-06-01T12:00:00.000Z/P1D');
  });
});
