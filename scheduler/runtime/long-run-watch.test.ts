import { describe, expect, it, vi } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job, Run } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { runFixture } from '../testing/run-fixture';
import { TestClock } from '../testing/test-clock';
import { EventBus } from './events';
import { LongRunWatch } from './long-run-watch';

const MIN = 60_000;

const job = (name: string, now: number, extra: Record<string, unknown> = {}): Job => {
  const r = parseJob({ name, command: 'true', schedule: 'R/2026-01-01T00:00:00Z/PT1H', owner: 'ops@example.com', ...extra }, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const running = (jobName: string, startedAt: number): Run =>
  runFixture({ id: jobName, jobName, due: startedAt, taskId: `ct:${startedAt}:0:${jobName}:`, state: 'RUNNING', queuedAt: startedAt, launchedAt: startedAt, startedAt, agentId: 'a1', host: 'h1' });

describe('the still-running watch', () => {
  it('reads no history for runs younger than any limit can be, and still finds a run past its maxCompletionTime', async () => {
    const clock = new TestClock('2026-01-01T06:00:00Z');
    const now = clock.now();
    const store = new MemoryStore();
    const durations = vi.spyOn(store.runs, 'durations');
    // 500 runs of a burst, each of its own job, started within the last few seconds; one old run
    // of a job with maxCompletionTime 60 s, running for 5 minutes
    const jobs = new Map<string, Job>();
    const runs: Run[] = [];
    for (let i = 0; i < 500; i++) {
      jobs.set(`burst-${i}`, job(`burst-${i}`, now));
      runs.push(running(`burst-${i}`, now - (i % 5) * 1000));
    }
    jobs.set('stuck', job('stuck', now, { maxCompletionTime: 60 }));
    runs.push(running('stuck', now - 5 * MIN));
    const watch = new LongRunWatch({
      worker: { inflightRuns: () => runs, jobsView: () => jobs },
      store,
      clock,
      events: new EventBus(),
      router: { route: (event) => [{ event, channel: 'webhook', recipient: 'http://hook.test/' }], gatherMs: 0 },
      settings: { pollMs: 5000, factor: 3, minRuns: 5, minMs: MIN },
    });
    expect(await watch.checkNow()).toBe(1);
    expect(durations.mock.calls.map((c) => c[0])).toEqual(['stuck']);
  });
});
