import { describe, expect, it } from 'vitest';
import { catchUpWindowMs, planCatchUp, type CatchUpPolicy } from './catch-up';
import { parseScheduleSpec, type ScheduleSpec } from './spec';

/** Named instants: an hourly job whose scheduler was down from 00:00 to 06:00:30. */
const DOWN = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;
const NOW = DOWN + 6 * HOUR + 30_000; // 06:00:30
const at = (h: number, m = 0): number => DOWN + h * HOUR + m * 60_000;
const iso = (t: number): string => new Date(t).toISOString().slice(11, 16);

function spec(expr: string, now = DOWN - 1): ScheduleSpec {
  const r = parseScheduleSpec(expr, 'UTC', now);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const HOURLY = spec('R/2026-06-01T01:00:00Z/PT1H'); // first missed instant 01:00
const base = { windowMs: 24 * HOUR, windowText: 'P1D', max: 100, graceMs: 60_000, now: NOW };

describe('planCatchUp: an hourly job, down 00:00 → 06:00:30 (instants 01:00 … 06:00 missed)', () => {
  const cases: { name: string; policy: CatchUpPolicy; windowMs?: number; max?: number; graceMs?: number; run: string[]; skip: string[]; unrecorded: number }[] = [
    { name: 'latest: one run, for the oldest instant (Chronos)', policy: 'latest', run: ['01:00'], skip: [], unrecorded: 0 },
    { name: 'none: 06:00 is 30 s late, within the grace: it runs; the rest skipped', policy: 'none', run: ['06:00'], skip: ['01:00', '02:00', '03:00', '04:00', '05:00'], unrecorded: 0 },
    { name: 'none, grace 10 s: all six skipped', policy: 'none', graceMs: 10_000, run: [], skip: ['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'], unrecorded: 0 },
    { name: 'all: six runs, oldest first', policy: 'all', run: ['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'], skip: [], unrecorded: 0 },
    { name: 'all, window PT3H: 04:00 … 06:00 run, older skipped', policy: 'all', windowMs: 3 * HOUR, run: ['04:00', '05:00', '06:00'], skip: ['01:00', '02:00', '03:00'], unrecorded: 0 },
    { name: 'all, max 2: the latest two run, the rest skipped', policy: 'all', max: 2, run: ['05:00', '06:00'], skip: ['03:00', '04:00'], unrecorded: 2 },
  ];
  it.each(cases)('$name', (c) => {
    const plan = planCatchUp({ ...base, spec: HOURLY, policy: c.policy, windowMs: c.windowMs ?? base.windowMs, max: c.max ?? base.max, graceMs: c.graceMs ?? base.graceMs });
    expect(plan.run.map(iso)).toEqual(c.run);
    expect(plan.skip.map((s) => iso(s.due))).toEqual(c.skip);
    expect(plan.unrecorded).toBe(c.unrecorded);
  });
});

describe('planCatchUp: reasons and bounds', () => {
  it('a skip says why, naming the policy and the window', () => {
    const plan = planCatchUp({ ...base, spec: HOURLY, policy: 'all', windowMs: HOUR, windowText: 'PT1H' });
    expect(plan.skip[0].reason).toBe('skipped: missed, and older than catchUpWindow PT1H (catchUp: all)');
    expect(planCatchUp({ ...base, spec: HOURLY, policy: 'none', graceMs: 0 }).skip[0].reason).toMatch(/^skipped: missed by 18030 s \(catchUp: none\)$/);
  });

  it('10,000 missed instants (a PT1S job down 2 h 46 m 40 s): at most max runs, max records, the rest counted', () => {
    const s = spec('R/2026-06-01T00:00:00Z/PT1S');
    const plan = planCatchUp({ ...base, spec: s, policy: 'all', now: DOWN + 10_000_000, max: 50 });
    expect(plan.run).toHaveLength(50);
    expect(plan.run[49]).toBe(DOWN + 9_999_000);
    expect(plan.skip).toHaveLength(50);
    expect(plan.unrecorded).toBe(10_000 - 100);
    expect(plan.skip[0].reason).toContain('9900 older missed instants (from 2026-06-01T00:00:00.000Z) skipped without a record');
    expect(plan.partial).toBe(false);
  });

  it('more instants than it walks (a PT0.01S job down a day): it jumps to the window and still runs the latest', () => {
    const s = spec('R/2026-06-01T00:00:00Z/PT0.01S');
    const now = DOWN + 24 * HOUR;
    const plan = planCatchUp({ ...base, spec: s, policy: 'all', now, windowMs: 1_000, max: 10 });
    expect(plan.partial).toBe(true);
    expect(plan.run).toHaveLength(10);
    expect(plan.run[9]).toBe(now - 10);
    expect(plan.skip[0].reason).toContain('at least');
  });

  it('a bounded schedule (R3) catches up at most its remaining count', () => {
    const plan = planCatchUp({ ...base, spec: spec('R3/2026-06-01T01:00:00Z/PT1H'), policy: 'all' });
    expect(plan.run.map(iso)).toEqual(['01:00', '02:00', '03:00']);
  });

  it('a cron schedule catches up the same way', () => {
    const plan = planCatchUp({ ...base, spec: spec('0 * * * *', at(0, 30)), policy: 'all' });
    expect(plan.run.map(iso)).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00']);
  });

  it('nothing missed: an on-time instant runs under every policy', () => {
    for (const policy of ['latest', 'none', 'all'] as const) {
      const plan = planCatchUp({ ...base, spec: HOURLY, policy, now: at(1) + 1 });
      expect(plan.run.map(iso), policy).toEqual(['01:00']);
      expect(plan.skip, policy).toEqual([]);
    }
  });
});

describe('catchUpWindowMs', () => {
  const cases: { text: string; ms?: number; error?: RegExp }[] = [
    { text: 'PT6H', ms: 6 * HOUR },
    { text: 'P1D', ms: 24 * HOUR },
    { text: 'P1W', ms: 7 * 24 * HOUR },
    { text: 'PT0S', error: /longer than zero/ },
    { text: '6h', error: /ISO 8601 duration/ },
    { text: 'P-1D', error: /ISO 8601 duration/ },
  ];
  it.each(cases)('$text', ({ text, ms, error }) => {
    const r = catchUpWindowMs(text);
    if (ms !== undefined) expect(r).toEqual({ ok: true, value: ms });
    else expect(!r.ok && r.error).toMatch(error!);
  });
});
