import { expect, test } from 'vitest';
import { jobFixture } from '../../testing/job-fixture';
import { useTestStore } from './use-test-store';

const pg = useTestStore('sisyphus_job_counters');

test("counters: every job's name and run counters, in list's order", async () => {
  const names = ['b-job', 'A-job', 'a_job', 'Zeta', 'ä-job', '10-job', '9-job'];
  for (const [i, name] of names.entries()) await pg.store.jobs.put(jobFixture({ name, successCount: i * 1_000_000_007, errorCount: i }));
  const expected = (await pg.store.jobs.list()).map(({ name, successCount, errorCount }) => ({ name, successCount, errorCount }));
  expect(await pg.store.jobs.counters()).toEqual(expected);
});
