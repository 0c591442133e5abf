/**
 * Backfilling a paused job (issue 17 points 4 and 5 together): refused with a 409 that names the
 * job and its pause (who, until when, why), and nothing is stored; the same for a paused job
 * downstream when `downstream` is asked; once the pause has ended the backfill starts.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { BackfillService } from './backfill-service';
import { ApiError } from './errors';
import { parseJob } from './job-schema';

const NOW = Date.parse('2026-06-10T12:00:00Z');
const UNTIL = '2026-06-10T16:00:00.000Z';
const pause = { until: UNTIL, note: 'upstream storage maintenance', by: 'ops', at: '2026-06-10T11:00:00.000Z' };
const body = { from: '2026-06-01T00:00:00Z', to: '2026-06-03T23:59:59Z', downstream: true, concurrency: 1 };

const job = (json: Record<string, unknown>): Job => {
  const r = parseJob({ command: 'true', ...json }, { now: NOW });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

async function setup(paused: 'root' | 'child') {
  const clock = new TestClock(NOW);
  const store = new MemoryStore();
  const root = job({ name: 'extract', schedule: 'R/2026-05-01T02:00:00Z/P1D' });
  const child = job({ name: 'load', parents: ['extract'] });
  await store.jobs.put(paused === 'root' ? { ...root, pause } : root);
  await store.jobs.put(paused === 'child' ? { ...child, pause } : child);
  const service = new BackfillService({ store, clock, maxInstants: 1000, jobs: () => store.jobs.list(), kick: () => {} });
  return { clock, store, service };
}

const refusal = async (p: Promise<unknown>): Promise<ApiError> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(e)}`);
  return e;
};

describe('a backfill over a paused job', () => {
  it.each([
    { name: 'the job itself paused', paused: 'root' as const, job: 'extract' },
    { name: 'a job downstream paused', paused: 'child' as const, job: 'load' },
  ])('$name: 409 naming the job and its pause, nothing stored', async ({ paused, job: named }) => {
    const { store, service } = await setup(paused);
    const e = await refusal(service.start('extract', body));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe(`job '${named}' is paused by ops until ${UNTIL}: upstream storage maintenance; resume it before backfilling it`);
    expect(await store.backfills.list({ limit: 10 })).toEqual([]);
    expect((await store.runs.list({})).runs).toEqual([]);
  });

  it('without downstream, a paused child does not matter; once the pause ended, the paused job backfills', async () => {
    const child = await setup('child');
    expect((await child.service.start('extract', { ...body, downstream: false })).status).toBe(201);
    const root = await setup('root');
    root.clock.set(Date.parse(UNTIL));
    expect((await root.service.start('extract', body)).status).toBe(201);
  });
});
