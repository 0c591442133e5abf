/**
 * The job page's next runs of a paused job (issue 17 point 5): the instants inside the pause are
 * flagged `paused` (the page shows a "paused" badge), those after its end are not; once the pause
 * has ended nothing is flagged.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { JobDetailService, type JobDetailServiceDeps } from './job-detail-service';
import { parseJob } from './job-schema';

const NOW = Date.parse('2026-06-10T00:30:00Z');
const pause = { until: '2026-06-10T03:30:00.000Z', note: 'upstream storage maintenance', by: 'ops', at: '2026-06-10T00:00:00.000Z' };

const job = (json: Record<string, unknown>): Job => {
  const r = parseJob({ command: 'true', ...json }, { now: NOW });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

async function service() {
  const clock = new TestClock(NOW);
  const store = new MemoryStore();
  await store.jobs.put({ ...job({ name: 'hourly', schedule: 'R/2026-06-10T01:00:00Z/PT1H' }), pause });
  // jobNext reads only the store and the clock
  const deps = { store, clock } as unknown as JobDetailServiceDeps;
  return { clock, details: new JobDetailService(deps) };
}

const shown = (runs: { isoUtc: string; flags: string[] }[]) => runs.map((r) => `${r.isoUtc.slice(11, 16)}${r.flags.length ? ` ${r.flags.join(',')}` : ''}`);

describe('the next runs of a paused job', () => {
  it('flags the instants inside the pause, not those after its end', async () => {
    const { details } = await service();
    expect(shown(await details.jobNext('hourly', 5))).toEqual(['01:00 paused', '02:00 paused', '03:00 paused', '04:00', '05:00']);
  });

  it('flags nothing once the pause has ended (a pause not yet cleared by the leader)', async () => {
    const { clock, details } = await service();
    clock.set('2026-06-10T03:30:00Z');
    // the schedule moves on when the leader resumes the job; until then 01:00 is overdue, not paused
    expect(shown(await details.jobNext('hourly', 2))).toEqual(['01:00 overdue', '04:00']);
  });
});
