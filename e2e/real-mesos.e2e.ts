/**
 * The UI on real Apache Mesos (issue 13, point 2): the app (server/main.ts over the build) with
 * MESOS_MASTER on a real mesos-master and two agents (scripts/mesos/cluster.ts). The cluster page
 * lists both agents from the real /master/state; a job's page shows its run finished and its
 * stdout, read through the real agent's files API. Skipped where there is no Mesos build (the
 * vitest tier test/mesos/ is what `npm test` requires there).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesosCluster } from '../scripts/mesos/cluster';
import { mesosBuild } from '../scripts/mesos/install';
import { ChronosApi, launchBrowser, newPage, screenshot, startApp, type RunningApp } from './harness';

let browser: Browser;
let mesos: MesosCluster;
let app: RunningApp;
let api: ChronosApi;

describe.skipIf(mesosBuild() === null)('the UI on real Apache Mesos', () => {
  beforeAll(async () => {
    mesos = await MesosCluster.start();
    app = await startApp({ env: { MESOS_MASTER: mesos.masterUrl } });
    api = new ChronosApi(app.url);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await mesos?.stop();
  }, 60_000);

  it('the cluster page lists both real agents, the master reachable', async () => {
    const { page, errors, close } = await newPage(browser);
    await page.goto(`${app.url}/cluster`);
    await page.getByRole('heading', { level: 1, name: 'Cluster' }).waitFor();
    const rows = page.getByTestId('agent-row');
    await rows.nth(1).waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBe(2);
    for (const text of await rows.allTextContents()) expect(text).toMatch(/of 4 cpus/);
    expect(await page.getByText('reachable', { exact: true }).count()).toBeGreaterThan(0);
    await screenshot(page, 'real-mesos-cluster');
    expect(errors).toEqual([]);
    await close();
  });

  it("a job's page shows its run finished and its stdout from the real agent", async () => {
    const name = `real-mesos-log-${Date.now().toString(36)}`;
    await api.createJob({ name, command: 'echo printed-on-real-mesos', schedule: 'R1//PT1H' });
    const { page, errors, close } = await newPage(browser);
    await page.goto(`${app.url}/jobs/${name}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: name }).waitFor();
    const history = page.getByRole('table', { name: 'Run history' });
    await history.locator('tbody tr').first().getByText('finished').waitFor({ timeout: 60_000 });
    await page.getByTestId('log-stdout').filter({ hasText: 'printed-on-real-mesos' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'real-mesos-log');
    expect(errors).toEqual([]);
    await close();
  }, 120_000);
});
