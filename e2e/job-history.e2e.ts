/**
 * A job's change history in the browser, against the running app: the run page links to the
 * version its run ran with, the job page shows that version's diff, an earlier version is restored
 * from the job page (a new version), and a deleted job is found in /jobs/deleted and restored.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, FAR } from './browser-suite';
import { screenshot, waitFor } from './harness';

const { base, api, suffix, newPage } = browserSuite();

describe('job history', () => {
  it('the run page links to its version; an earlier version is restored from the job page', async () => {
    const name = `e2e-hist-${suffix}`;
    await api.createJob({ name, command: 'echo first', schedule: FAR });
    await api.createJob({ name, command: 'echo second', schedule: FAR, retries: 1 });
    await api.runJob(name);
    const run = await waitFor('the manual run', async () => (await api.runs(name, 1))[0]);
    expect(run.jobVersion).toBe(2);

    const { page, errors, close } = await newPage();
    await page.goto(`${base}/runs/${encodeURIComponent(run.taskId)}`);
    await page.getByRole('link', { name: 'version 2' }).click();
    await page.waitForURL(/\/jobs\/.*\?version=2/);
    const history = page.getByRole('region', { name: 'Change history' });
    const v2 = history.getByRole('listitem', { name: 'Version 2' });
    // the version the run ran with is open: what it changed
    const diff = v2.getByRole('table', { name: 'Changes' });
    await diff.getByRole('cell', { name: 'command' }).waitFor();
    expect(await diff.textContent()).toContain('"echo first"');
    expect(await diff.textContent()).toContain('"echo second"');
    await screenshot(page, 'job-history-version');
    // the job's run history says which version each run ran with
    await page.getByRole('table', { name: 'Run history' }).getByRole('link', { name: 'v2' }).waitFor();

    await history.getByRole('listitem', { name: 'Version 1' }).getByRole('button', { name: 'Restore v1' }).click();
    const dialog = page.getByRole('dialog', { name: `Restore version 1 of ${name}?` });
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await history.getByRole('status').filter({ hasText: 'Restored version 1 as version 3.' }).waitFor();
    const v3 = history.getByRole('listitem', { name: 'Version 3' });
    await v3.getByText('restored from version 1').waitFor();
    expect(await api.getJob(name)).toMatchObject({ command: 'echo first', retries: 2 });
    // the page's configuration follows the restore
    await page.getByRole('region', { name: 'Configuration' }).getByText('echo first').waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  it('a deleted job is listed in /jobs/deleted and restored from there', async () => {
    const name = `e2e-hist-del-${suffix}`;
    await api.createJob({ name, command: 'echo bring me back', schedule: FAR });
    await api.deleteJob(name);
    expect(await api.exists(name)).toBe(false);

    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs`);
    await page.getByRole('link', { name: 'Deleted jobs' }).click();
    const row = page.getByRole('table', { name: 'Deleted jobs' }).locator('tbody tr').filter({ hasText: name });
    await row.getByText('echo bring me back').waitFor();
    await screenshot(page, 'deleted-jobs');
    await row.getByRole('button', { name: 'Restore' }).click();
    const dialog = page.getByRole('dialog', { name: `Restore ${name}?` });
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: `Restored ${name}` }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await api.getJob(name)).toMatchObject({ command: 'echo bring me back' });
    expect(errors).toEqual([]);
    await close();
  });
});
