/**
 * A whole Run as a plain value: as the store returns a new one (queued, attempt 0, nothing launched,
 * no agent, no message), of job `j` due at 1 000 unless `over` says otherwise, for tests that build
 * runs without a store.
 */
import type { Run } from '../core/types';

export function runFixture(over: Partial<Run> = {}): Run {
  return {
    id: '1',
    jobName: 'j',
    due: 1_000,
    attempt: 0,
    taskId: 'ct:1000:0:j:',
    arguments: '',
    trigger: 'schedule',
    highPriority: false,
    state: 'QUEUED',
    queuedAt: 1_000,
    launchedAt: null,
    startedAt: null,
    finishedAt: null,
    agentId: null,
    host: null,
    message: null,
    reason: null,
    elementsProcessed: 0,
    ...over,
  };
}
