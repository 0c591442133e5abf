/**
 * vitest globalSetup of the e2e suite: builds the app when needed, starts one app (database,
 * mesos-local, next start) for every test file and provides its URL (`appUrl()` in harness.ts).
 */
import type { TestProject } from 'vitest/node';
import { ensureBuilt, startApp } from './harness';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  await ensureBuilt();
  const app = await startApp();
  console.log(`[e2e] app at ${app.url} (mesos-local ${app.mesosUrl}), ready in ${Math.round((Date.now() - started) / 1000)} s`);
  // Workers are forked after this returns and inherit the environment; also provided for inject().
  process.env.E2E_BASE_URL = app.url;
  project.provide('baseURL', app.url);
  return async () => {
    if (process.env.E2E_APP_LOG) console.log(app.output());
    await app.stop();
  };
}
