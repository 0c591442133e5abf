import { describe, expect, it } from 'vitest';
import type { Run } from '../core/types';
import { RunTracker } from './run-tracker';

const NOW = 1_000_000;
function run(p: Partial<Run> & Pick<Run, 'taskId' | 'jobName'>): Run {
  return {
    id: p.taskId,
    due: NOW,
    attempt: 0,
    arguments: '',
    trigger: 'schedule',
    highPriority: false,
    state: 'QUEUED',
    queuedAt: NOW,
    launchedAt: null,
    startedAt: null,
    finishedAt: null,
    agentId: null,
    host: null,
    message: null,
    reason: null,
    elementsProcessed: 0,
    ...p,
  };
}

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
