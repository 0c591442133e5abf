import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRun } from './notify-events';
import { eventMessage } from './notify-message';
import { longRunFloorMs, longRunLimit, stillRunningEvent, type LongRunSettings } from './notify-long-run';
import type { RunState } from './types';

const STARTED = Date.UTC(2026, 11, 7, 2, 0, 0);
const MIN = 60_000;
const SETTINGS: LongRunSettings = { factor: 3, minRuns: 5, minMs: MIN };
const job = (maxCompletionTime = 0) => ({ name: 'transcode', owner: 'ops@example.com, dev@example.com', maxCompletionTime });
const run = (state: RunState = 'RUNNING', startedAt: number | null = STARTED): EventRun => ({
  taskId: `ct:${STARTED}:0:transcode:`, due: STARTED, attempt: 0, state, queuedAt: STARTED, startedAt, finishedAt: null, agentId: 'a1', host: 'h1', message: null, reason: null,
});
/** Ten successful runs of 10 to 19 minutes: p95 (Codahale) = 19 min, limit 57 min. */
const TEN = Array.from({ length: 10 }, (_, i) => (10 + i) * MIN);

describe('the limit of a job’s runs', () => {
  const cases: Array<{ name: string; maxCompletionTime?: number; durations: number[]; settings?: Partial<LongRunSettings>; ms: number | null; why?: RegExp }> = [
    { name: 'maxCompletionTime plus a minute (Mesos should have ended it), even with no history', maxCompletionTime: 1800, durations: [], ms: 31 * MIN, why: /maxCompletionTime of 30 min 0 s \(Mesos did not stop it\)/ },
    { name: 'maxCompletionTime when it comes before factor × p95', maxCompletionTime: 600, durations: TEN, ms: 11 * MIN },
    { name: 'factor × p95 when it comes before maxCompletionTime', maxCompletionTime: 6 * 3600, durations: TEN, ms: 57 * MIN, why: /p95/ },
    { name: 'maxCompletionTime and too little history', maxCompletionTime: 600, durations: TEN.slice(0, 2), ms: 11 * MIN },
    { name: 'factor × p95 of the successful runs', durations: TEN, ms: 57 * MIN, why: /3 × its p95 duration of 19 min 0 s over 10 successful runs/ },
    { name: 'fewer runs than NOTIFY_LONG_RUN_MIN_RUNS: no limit', durations: TEN.slice(0, 4), ms: null },
    { name: 'exactly NOTIFY_LONG_RUN_MIN_RUNS: a limit', durations: TEN.slice(0, 5), ms: 3 * 14 * MIN },
    { name: 'a short job: at least NOTIFY_LONG_RUN_MIN_SECONDS', durations: [50, 60, 70, 80, 90], ms: MIN },
    { name: 'factor 0: only maxCompletionTime counts', durations: TEN, settings: { factor: 0 }, ms: null },
    { name: 'factor 0 with a maxCompletionTime', maxCompletionTime: 60, durations: TEN, settings: { factor: 0 }, ms: 2 * MIN },
    { name: 'no history and minRuns 0: no limit', durations: [], settings: { minRuns: 0 }, ms: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const limit = longRunLimit(job(c.maxCompletionTime), c.durations, { ...SETTINGS, ...c.settings });
      expect(limit?.ms ?? null).toBe(c.ms);
      if (c.why) expect(limit?.why).toMatch(c.why);
    });
  }
});

describe('the "still running" event', () => {
  const limit = { ms: 57 * MIN, why: '3 × its p95 duration of 19 min 0 s over 10 successful runs (NOTIFY_LONG_RUN_FACTOR)' };
  const cases: Array<{ name: string; run: EventRun; now: number; limit?: typeof limit | null; event: boolean }> = [
    { name: 'within its limit: nothing', run: run(), now: STARTED + 57 * MIN, event: false },
    { name: 'one millisecond past its limit: still running', run: run(), now: STARTED + 57 * MIN + 1, event: true },
    { name: 'no limit: nothing, however long', run: run(), now: STARTED + 100 * 60 * MIN, limit: null, event: false },
    { name: 'not started yet (staging): nothing', run: run('STAGING', null), now: STARTED + 100 * MIN, event: false },
    { name: 'ended: nothing', run: run('FAILED'), now: STARTED + 100 * MIN, event: false },
    { name: 'being killed: nothing (the kill is the news)', run: run('KILLING'), now: STARTED + 100 * MIN, event: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = stillRunningEvent(job(), c.run, c.limit === undefined ? limit : c.limit, c.now);
      expect(e !== null).toBe(c.event);
    });
  }

  it('names the job, its owners, the run and how long it has run against what', () => {
    const e = stillRunningEvent(job(), run(), limit, STARTED + 61 * MIN + 30_000);
    expect(e).toMatchObject({ kind: 'still-running', job: 'transcode', owners: ['ops@example.com', 'dev@example.com'], at: STARTED + 61 * MIN + 30_000 });
    expect(e?.run?.taskId).toBe(run().taskId);
    expect(e?.detail).toBe('still running after 1 h 1 min, beyond 3 × its p95 duration of 19 min 0 s over 10 successful runs (NOTIFY_LONG_RUN_FACTOR)');
  });

  it('its mail says how long the run has run so far, and has no exit status yet', () => {
    const e = stillRunningEvent(job(), run(), limit, STARTED + 61 * MIN + 30_000)!;
    const m = eventMessage(e, { baseUrl: 'http://sisyphus.test' });
    expect(m.subject).toBe('[sisyphus] transcode is still running');
    expect(m.text).toMatch(/^running for {2}1 h 1 min$/m);
    expect(m.text).toMatch(/^state {8}RUNNING$/m);
    expect(m.text).not.toContain('exit status');
    expect(m.level).toBe('warning');
  });

  it('for any history, a run is still running exactly when it has run longer than the limit, and the limit is at least the p95 floor', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10 * 60 * MIN), { maxLength: 30 }), fc.nat(20 * 60 * MIN), (durations, elapsed) => {
        const l = longRunLimit(job(), durations, SETTINGS);
        if (durations.length < SETTINGS.minRuns) return l === null;
        if (l === null || l.ms < MIN) return false;
        const e = stillRunningEvent(job(), run(), l, STARTED + elapsed);
        return (e !== null) === elapsed > l.ms;
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});

describe('the shortest limit there can be (no history read for a younger run)', () => {
  const cases: Array<{ name: string; settings: LongRunSettings; ms: number }> = [
    { name: 'the defaults: NOTIFY_LONG_RUN_MIN_SECONDS', settings: SETTINGS, ms: MIN },
    { name: 'factor 0: a minute past the shortest maxCompletionTime', settings: { ...SETTINGS, factor: 0 }, ms: MIN },
    { name: 'a longer p95 floor: still the maxCompletionTime grace', settings: { ...SETTINGS, minMs: 10 * MIN }, ms: MIN },
    { name: 'a p95 floor of 0: every run is looked at', settings: { ...SETTINGS, minMs: 0 }, ms: 0 },
  ];
  for (const c of cases) it(c.name, () => expect(longRunFloorMs(c.settings)).toBe(c.ms));

  it('for any job, history and settings, a run no older than the floor is not still running', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(10 * 60 * MIN), { maxLength: 30 }),
        fc.nat(100_000),
        fc.record({ factor: fc.nat(5), minRuns: fc.nat(8), minMs: fc.nat(10 * MIN) }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (durations, mct, settings, share) => {
          const elapsed = Math.floor(longRunFloorMs(settings) * share);
          const l = longRunLimit(job(mct), durations, settings);
          return stillRunningEvent(job(mct), run(), l, STARTED + elapsed) === null;
        },
      ),
      { seed: 18, numRuns: 500 },
    );
  });
});
