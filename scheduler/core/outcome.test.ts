/**
 * decideOutcome: every rule of chronos.md §5 "Task status updates" and "Failure path", one named
 * case each, with named instants.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import { DependencyGraph } from './dag';
import { decideOutcome, type OutcomeInput } from './outcome';
import type { Job, RunState } from './types';

const NOW = Date.parse('2026-03-01T02:00:00.000Z');
const NOW_ISO = '2026-03-01T02:00:00.000Z';
const EARLIER = '2026-02-28T02:00:00.000Z';
const LATER_THAN_EARLIER = '2026-02-28T03:00:00.000Z';
const MINUTE = 60_000;

const job = (fields: Record<string, unknown>): Job => {
  const r = parseJob({ command: 'true', schedule: 'R/2026-01-01T00:00:00Z/P1D', ...fields }, { now: NOW });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** A graph: `transcode` → `package` (one parent); `transcode` + `probe` → `publish` (two parents). */
function pipeline(): { graph: DependencyGraph; jobs: Map<string, Job> } {
  const jobs = new Map<string, Job>([
    ['transcode', job({ name: 'transcode' })],
    ['probe', job({ name: 'probe' })],
    ['package', job({ name: 'package', parents: ['transcode'] })],
    ['publish', job({ name: 'publish', parents: ['transcode', 'probe'] })],
  ]);
  const { graph } = DependencyGraph.fromJobs([...jobs.values()]);
  return { graph, jobs };
}

function decide(state: RunState, fields: Record<string, unknown> = {}, extra: Partial<OutcomeInput> = {}) {
  const { graph, jobs } = pipeline();
  const j = job({ name: 'transcode', ...fields });
  jobs.set('transcode', j);
  const before = graph.counters();
  const out = decideOutcome({
    job: j,
    attempt: 0,
    arguments: '-v',
    state,
    now: NOW,
    retryDelayMs: MINUTE,
    disableAfterFailures: 0,
    recurrencesLeft: -1,
    graph,
    jobOf: (n) => jobs.get(n),
    ...extra,
  });
  // the decision never leaves the graph changed: the caller applies `counters` once stored
  expect(graph.counters()).toEqual(before);
  return out;
}

describe('a run that FINISHED', () => {
  it('counts a success: successCount+1, errorsSinceLastSuccess 0, lastSuccess now', () => {
    const out = decide('FINISHED', { successCount: 4, errorsSinceLastSuccess: 2, lastError: EARLIER });
    expect(out.job).toMatchObject({ successCount: 5, errorsSinceLastSuccess: 0, lastSuccess: NOW_ISO, lastError: EARLIER, disabled: false });
    expect(out.retry).toBeNull();
  });

  it('disables a job whose schedule has no runs left', () => {
    expect(decide('FINISHED', {}, { recurrencesLeft: 0 }).job?.disabled).toBe(true);
    expect(decide('FINISHED', {}, { recurrencesLeft: 3 }).job?.disabled).toBe(false);
    expect(decide('FINISHED', {}, { recurrencesLeft: null }).job?.disabled).toBe(false);
  });

  it('fires a child of one parent, and moves (but does not fire) a child of two parents', () => {
    const out = decide('FINISHED');
    expect(out.fire).toEqual(['package']);
    expect(out.touched.sort()).toEqual(['package', 'publish']);
    expect(out.counters).toEqual([{ child: 'publish', parent: 'transcode', count: 1 }]);
  });

  it('does not fire a disabled child', () => {
    const { graph, jobs } = pipeline();
    jobs.set('package', { ...jobs.get('package')!, disabled: true });
    const out = decideOutcome({
      job: jobs.get('transcode')!,
      attempt: 0,
      arguments: '',
      state: 'FINISHED',
      now: NOW,
      retryDelayMs: MINUTE,
      disableAfterFailures: 0,
      recurrencesLeft: -1,
      graph,
      jobOf: (n) => jobs.get(n),
    });
    expect(out.fire).toEqual([]);
  });
});

describe('a run that failed (the failure path)', () => {
  it.each(['FAILED', 'LOST', 'ERROR', 'DROPPED'] as const)('%s with attempts left and no earlier failure: retried after the delay, same arguments, nothing counted', (state) => {
    const out = decide(state, { retries: 2 });
    expect(out.retry).toEqual({ due: NOW + MINUTE, attempt: 1, arguments: '-v' });
    expect(out.job).toBeNull();
    expect(out.fire).toEqual([]);
  });

  it('a launch Mesos refused for its offers (DROPPED, launchRefused): launched again at once with the same attempt, no retry spent, nothing counted, no child fired', () => {
    // even with no retries at all and the last run a failure: the task never ran
    const out = decide('DROPPED', { retries: 0, lastError: LATER_THAN_EARLIER, lastSuccess: EARLIER, errorCount: 1, errorsSinceLastSuccess: 1, softError: true }, { attempt: 2, launchRefused: true });
    expect(out.retry).toEqual({ due: NOW, attempt: 2, arguments: '-v', relaunch: true });
    expect(out.job).toBeNull();
    expect(out.fire).toEqual([]);
    // a refusal whose free relaunches are used up takes the failure path
    expect(decide('DROPPED', { retries: 0 }, { launchRefused: false }).job).toMatchObject({ errorCount: 1 });
    // only DROPPED is a refused launch
    expect(decide('FAILED', { retries: 0 }, { launchRefused: true }).retry).toBeNull();
  });

  it('retried when the last success is at or after the last error', () => {
    expect(decide('FAILED', { retries: 2, lastError: EARLIER, lastSuccess: EARLIER }).retry).not.toBeNull();
    expect(decide('FAILED', { retries: 2, lastError: EARLIER, lastSuccess: LATER_THAN_EARLIER }).retry).not.toBeNull();
  });

  it('not retried at all when the previous run failed for good (lastError after lastSuccess): counted', () => {
    const out = decide('FAILED', { retries: 2, lastError: LATER_THAN_EARLIER, lastSuccess: EARLIER, errorCount: 1, errorsSinceLastSuccess: 1 });
    expect(out.retry).toBeNull();
    expect(out.job).toMatchObject({ errorCount: 2, errorsSinceLastSuccess: 2, lastError: NOW_ISO });
  });

  it('attempts used up: errorCount+1, errorsSinceLastSuccess+1, lastError now; no children', () => {
    const out = decide('FAILED', { retries: 2, errorCount: 3 }, { attempt: 2 });
    expect(out.retry).toBeNull();
    expect(out.job).toMatchObject({ errorCount: 4, errorsSinceLastSuccess: 1, lastError: NOW_ISO, disabled: false });
    expect(out.fire).toEqual([]);
    expect(out.counters).toEqual([]);
  });

  it('disable after failures: disabled when errorsSinceLastSuccess reaches N', () => {
    expect(decide('FAILED', { retries: 0, errorsSinceLastSuccess: 1 }, { disableAfterFailures: 2 }).job?.disabled).toBe(true);
    expect(decide('FAILED', { retries: 0, errorsSinceLastSuccess: 0 }, { disableAfterFailures: 2 }).job?.disabled).toBe(false);
    expect(decide('FAILED', { retries: 0, errorsSinceLastSuccess: 99 }, { disableAfterFailures: 0 }).job?.disabled).toBe(false);
  });

  it('softError: a final failure fires the children as a success would', () => {
    const out = decide('FAILED', { retries: 0, softError: true });
    expect(out.fire).toEqual(['package']);
    expect(out.counters).toEqual([{ child: 'publish', parent: 'transcode', count: 1 }]);
    expect(out.job?.errorCount).toBe(1);
  });

  it('softError with attempts left: retried first, nothing fires yet', () => {
    const out = decide('FAILED', { retries: 1, softError: true });
    expect(out.retry).not.toBeNull();
    expect(out.fire).toEqual([]);
  });
});

describe('runs that count nothing', () => {
  it.each(['KILLED', 'SKIPPED', 'RUNNING'] as const)('%s: no bookkeeping, no retry, no children', (state) => {
    const out = decide(state, { retries: 2 });
    expect(out).toMatchObject({ job: null, retry: null, fire: [], counters: [] });
  });
});
