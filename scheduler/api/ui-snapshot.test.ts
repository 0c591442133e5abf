/**
 * The UI's jobs snapshot follows the scheduler's job events, also when it is old enough to be
 * reloaded: a change the user already saw happen (a run failed) is in the next answer.
 */
import { expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import type { Scheduler } from '../runtime/assemble';
import { EventBus } from '../runtime/events';
import { FakeRuntime } from '../testing/fake-runtime';
import { TestClock } from '../testing/test-clock';
import { parseJob } from './job-schema';
import { UiService } from './ui-service';

const pg = useTestStore('sisyphus_ui_snapshot');

it('an old snapshot still answers with the jobs that changed since (a failure shows at once)', async () => {
  const clock = new TestClock('2026-03-01T12:00:00Z');
  const events = new EventBus();
  const scheduler = { events, worker: null, framework: null, client: null } as unknown as Scheduler;
  const ui = new UiService({ store: pg.store, runtime: new FakeRuntime(clock), clock, scheduler: () => scheduler, elector: () => null, master: () => null });
  const parsed = parseJob({ name: 'snap-a', command: 'false', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: clock.now() });
  if (!parsed.ok) throw new Error(parsed.error.message);
  await pg.store.jobs.put(parsed.value);
  expect((await ui.jobs({ status: ['failure'], limit: 10 })).total).toBe(0); // snapshot loaded

  clock.advance(10 * 60_000); // long past the snapshot's reload age
  await pg.store.jobs.put({ ...parsed.value, errorCount: 1, errorsSinceLastSuccess: 1, lastError: '2026-03-01T12:10:00.000Z' });
  events.emit('job', { name: 'snap-a', change: 'stats' });

  const page = await ui.jobs({ status: ['failure'], limit: 10 });
  expect(page.jobs.map((j) => j.name)).toEqual(['snap-a']);
});

it('on the leader the snapshot is the worker’s own jobs: no second copy read from the store', async () => {
  const clock = new TestClock('2026-03-01T12:00:00Z');
  const scheduler = { events: new EventBus(), worker: null, framework: null, client: null } as unknown as Scheduler;
  const held = new Map<string, ReturnType<typeof mustParse>>();
  for (const name of ['lead-b', 'lead-a', 'lead-c']) held.set(name, mustParse(name, clock.now()));
  const runtime = Object.assign(new FakeRuntime(clock), { jobsView: () => held });
  let listed = 0;
  const counting = new Proxy(pg.store, {
    get(target, key, receiver) {
      if (key !== 'jobs') return Reflect.get(target, key, receiver);
      return new Proxy(target.jobs, {
        get(jobs, k, r) {
          if (k === 'list') listed++;
          const v = Reflect.get(jobs, k, r);
          return typeof v === 'function' ? v.bind(jobs) : v;
        },
      });
    },
  });
  const ui = new UiService({ store: counting, runtime, clock, scheduler: () => scheduler, elector: () => null, master: () => null });
  const page = await ui.jobs({ q: 'lead-', limit: 10 });
  expect(page.jobs.map((j) => j.name)).toEqual(['lead-a', 'lead-b', 'lead-c']); // the store's order
  expect(listed).toBe(0);
});

function mustParse(name: string, now: number) {
  const parsed = parseJob({ name, command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}
