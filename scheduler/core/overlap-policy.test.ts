import { describe, expect, it } from 'vitest';
import { decideOverlap, effectivePolicy, normalizePolicy, supersededRuns, type InflightRun, type LaunchedRun, type OverlapDecision, type OverlapInput, type WaitingRun } from './overlap-policy';

// named instants: an hourly job whose 01:00 run is still running when 02:00 comes
const T0100 = Date.UTC(2026, 0, 31, 1);
const T0200 = Date.UTC(2026, 0, 31, 2);
const running: InflightRun = { taskId: `ct:${T0100}:0:nightly:`, due: T0100, killing: false };
const killing: InflightRun = { ...running, killing: true };
const retryRunning: InflightRun = { taskId: `ct:${T0100 + 60_000}:1:nightly:`, due: T0100 + 60_000, killing: false };

describe('decideOverlap', () => {
  const cases: Array<{ name: string; input: Omit<OverlapInput, 'due'>; want: OverlapDecision }> = [
    { name: 'nothing running: every policy starts (Allow)', input: { policy: 'Allow', inflight: [], waiting: 0 }, want: { action: 'start' } },
    { name: 'nothing running: Forbid starts', input: { policy: 'Forbid', inflight: [], waiting: 0 }, want: { action: 'start' } },
    { name: 'nothing running: Replace starts', input: { policy: 'Replace', inflight: [], waiting: 0 }, want: { action: 'start' } },
    { name: 'nothing running, a manual run waiting for an offer: Queue starts', input: { policy: 'Queue', inflight: [], waiting: 1 }, want: { action: 'start' } },
    { name: 'running: Allow starts beside it', input: { policy: 'Allow', inflight: [running], waiting: 0 }, want: { action: 'start' } },
    {
      name: 'running: Forbid skips, naming the running run',
      input: { policy: 'Forbid', inflight: [running], waiting: 0 },
      want: { action: 'skip', message: 'skipped: the run due at 2026-01-31T01:00:00.000Z is still running (concurrencyPolicy Forbid)' },
    },
    {
      name: 'two running (a retry and its first attempt never both, but Allow before): Forbid names the oldest',
      input: { policy: 'Forbid', inflight: [retryRunning, running], waiting: 0 },
      want: { action: 'skip', message: 'skipped: the run due at 2026-01-31T01:00:00.000Z is still running (concurrencyPolicy Forbid)' },
    },
    { name: 'running: Replace kills it, then starts', input: { policy: 'Replace', inflight: [running], waiting: 0 }, want: { action: 'replace', kill: [running.taskId] } },
    { name: 'already being killed: Replace does not kill twice', input: { policy: 'Replace', inflight: [killing], waiting: 0 }, want: { action: 'replace', kill: [] } },
    { name: 'running, none waiting: Queue starts (launches when it ends)', input: { policy: 'Queue', inflight: [running], waiting: 0 }, want: { action: 'start' } },
    {
      name: 'running and one waiting: Queue skips (at most one waits)',
      input: { policy: 'Queue', inflight: [running], waiting: 1 },
      want: { action: 'skip', message: 'skipped: a run is already waiting for the running one to end (concurrencyPolicy Queue)' },
    },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    expect(decideOverlap({ ...input, due: T0200 })).toEqual(want);
  });
});

describe('effectivePolicy and normalizePolicy', () => {
  it.each([
    { job: { concurrent: true }, want: 'Allow' },
    { job: { concurrent: false }, want: 'Queue' },
    { job: { concurrent: false, concurrencyPolicy: 'Forbid' as const }, want: 'Forbid' },
    { job: { concurrent: false, concurrencyPolicy: 'Replace' as const }, want: 'Replace' },
  ])('$job → $want', ({ job, want }) => expect(effectivePolicy(job)).toBe(want));

  it.each([
    { policy: 'Allow' as const, want: { concurrent: true } },
    { policy: 'Queue' as const, want: { concurrent: false } },
    { policy: 'Forbid' as const, want: { concurrent: false, concurrencyPolicy: 'Forbid' } },
    { policy: 'Replace' as const, want: { concurrent: false, concurrencyPolicy: 'Replace' } },
  ])('$policy is kept as $want, and reads back as itself', ({ policy, want }) => {
    expect(normalizePolicy(policy)).toEqual(want);
    expect(effectivePolicy(normalizePolicy(policy))).toBe(policy);
  });
});

describe('supersededRuns: Replace on stored state (a leader change between the replacement and the kill)', () => {
  const L0101 = T0100 + 60_000; // the 01:00 run launched at 01:01
  const launched: LaunchedRun = { ...running, launchedAt: L0101 };
  const T0300 = Date.UTC(2026, 0, 31, 3);
  const replacement: WaitingRun = { due: T0200, queuedAt: T0200, trigger: 'schedule' };
  const cases: Array<{ name: string; policy: 'Allow' | 'Forbid' | 'Replace' | 'Queue'; inflight: LaunchedRun[]; waiting: WaitingRun[]; want: { taskId: string; by: number }[] }> = [
    { name: 'Replace, the 02:00 run queued while 01:00 runs: kill 01:00', policy: 'Replace', inflight: [launched], waiting: [replacement], want: [{ taskId: running.taskId, by: T0200 }] },
    { name: 'Replace, two replacements waiting: named after the newest', policy: 'Replace', inflight: [launched], waiting: [replacement, { ...replacement, due: T0300, queuedAt: T0300 }], want: [{ taskId: running.taskId, by: T0300 }] },
    { name: 'Queue: the waiting run waits, nothing killed', policy: 'Queue', inflight: [launched], waiting: [replacement], want: [] },
    { name: 'Allow: nothing killed', policy: 'Allow', inflight: [launched], waiting: [replacement], want: [] },
    { name: 'Forbid: nothing killed', policy: 'Forbid', inflight: [launched], waiting: [replacement], want: [] },
    { name: 'Replace, nothing waiting: nothing killed', policy: 'Replace', inflight: [launched], waiting: [], want: [] },
    { name: 'Replace, already being killed: not killed twice', policy: 'Replace', inflight: [{ ...launched, killing: true }], waiting: [replacement], want: [] },
    { name: 'Replace, catch-up all (queued before the launch): not killed', policy: 'Replace', inflight: [launched], waiting: [{ due: T0200, queuedAt: T0100, trigger: 'schedule' }], want: [] },
    { name: 'Replace, a manual run waiting: not killed', policy: 'Replace', inflight: [launched], waiting: [{ ...replacement, trigger: 'manual' }], want: [] },
    { name: 'Replace, a waiting run due earlier (a backfill instant): not killed', policy: 'Replace', inflight: [launched], waiting: [{ due: T0100 - 3_600_000, queuedAt: T0200, trigger: 'schedule' }], want: [] },
    { name: 'Replace, not launched yet: not killed', policy: 'Replace', inflight: [{ ...launched, launchedAt: null }], waiting: [replacement], want: [] },
  ];
  it.each(cases)('$name', ({ policy, inflight, waiting, want }) => {
    expect(supersededRuns(policy, inflight, waiting)).toEqual(want);
  });
});
