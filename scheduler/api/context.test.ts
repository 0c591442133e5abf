/**
 * The API's runtime handle (RegisteredRuntime) reaches whatever worker registered itself, for every
 * call the API makes — the optional ones too: a wrapper that drops storeJob or jobsView silently
 * falls back to slower paths (one commit per POST, a database read for GET /jobs).
 */
import { afterEach, expect, test } from 'vitest';
import type { Job } from '../core/types';
import type { SchedulerRuntime } from '../ports';
import { registry } from '../registry';
import { RegisteredRuntime } from './context';

afterEach(() => {
  registry.runtime.set(undefined);
});

test('storeJob and jobsView go to the registered worker; without one they fall back', async () => {
  const api = new RegisteredRuntime();
  const job = { name: 'a' } as Job;
  expect(await api.storeJob(job, [])).toBe(false);
  expect(api.jobsView()).toBeNull();

  const stored: Array<[string, readonly (keyof Job)[]]> = [];
  const view = new Map([['a', job]]);
  registry.runtime.set({
    storeJob: async (j: Job, keep: readonly (keyof Job)[]) => (stored.push([j.name, keep]), true),
    jobsView: () => view,
  } as unknown as SchedulerRuntime);
  expect(await api.storeJob(job, ['successCount'])).toBe(true);
  expect(stored).toEqual([['a', ['successCount']]]);
  expect(api.jobsView()).toBe(view);
});
