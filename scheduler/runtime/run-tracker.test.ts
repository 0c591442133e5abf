import { describe, expect, it } from 'vitest';
import type { Run } from '../core/types';
import { runFixture } from '../testing/run-fixture';
import { RunTracker } from './run-tracker';

const NOW = 1_000_000;
const run = (p: Partial<Run> & Pick<Run, 'taskId' | 'jobName'>): Run => runFixture({ id: p.taskId, due: NOW, queuedAt: NOW, ...p });

describe('RunTracker.activity: retrying', () => {
  it('names the highest retry attempt held, queued, due later or in flight; none for first attempts', () => {
    const t = new RunTracker();
    t.track(run({ taskId: 'a0', jobName: 'a' }), NOW);
    t.track(run({ taskId: 'b1', jobName: 'b', attempt: 1, trigger: 'retry', due: NOW + 60_000 }), NOW); // delayed
    t.track(run({ taskId: 'c2', jobName: 'c', attempt: 2, trigger: 'retry', state: 'RUNNING' }), NOW); // in flight
    t.track(run({ taskId: 'c0', jobName: 'c', attempt: 0, trigger: 'manual' }), NOW);
    expect(t.activity('a')).toEqual({ queued: 1, running: 0 });
    expect(t.activity('b')).toEqual({ queued: 1, running: 0, retrying: 1 });
    expect(t.activity('c')).toEqual({ queued: 1, running: 1, retrying: 2 });
    expect(t.activity('nobody')).toEqual({ queued: 0, running: 0 });
  });
});

describe('RunTracker.inflightOf', () => {
  it("a job's runs in flight, as they are now; none once they ended; other jobs' never", () => {
    const t = new RunTracker();
    t.track(run({ taskId: 'a1', jobName: 'a', state: 'STAGING' }), NOW);
    t.track(run({ taskId: 'a2', jobName: 'a', state: 'RUNNING' }), NOW);
    t.track(run({ taskId: 'b1', jobName: 'b', state: 'RUNNING' }), NOW);
    t.track(run({ taskId: 'a3', jobName: 'a' }), NOW); // queued, not in flight
    t.inflight.set('a1', run({ taskId: 'a1', jobName: 'a', state: 'KILLING' })); // an update replaced it
    expect(t.inflightOf('a').map((r) => [r.taskId, r.state])).toEqual([
      ['a1', 'KILLING'],
      ['a2', 'RUNNING'],
    ]);
    t.untrackInflight(run({ taskId: 'a1', jobName: 'a' }));
    t.untrackInflight(run({ taskId: 'a2', jobName: 'a' }));
    expect(t.inflightOf('a')).toEqual([]);
    expect(t.inflightOf('b').map((r) => r.taskId)).toEqual(['b1']);
    expect(t.inflightOf('nobody')).toEqual([]);
  });
});
