/**
 * The job page's actions against the real scheduler and mesos-local: run now with arguments (the
 * run carries them and the command sees them), kill a running task, mark success (a dependent
 * fires), and delete, whose confirmation says what becomes of the children (re-parented, or made
 * scheduled with the deleted job's schedule) before it happens.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, FAR, openJob } from './browser-suite';
import { screenshot } from './harness';

const { base, api, suffix, newPage } = browserSuite();

/** Clicks an action in the page header, then the dialog's confirm button. */
async function act(page: Page, action: string, dialogTitle: string, fill?: () => Promise<void>): Promise<void> {
  await page.getByRole('main').getByRole('button', { name: action, exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: dialogTitle });
  await dialog.waitFor();
  if (fill) await fill();
  await dialog.getByRole('button', { name: action, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('job actions', () => {
  it('run now with arguments: the run carries them and the command prints them', async () => {
    const name = `e2e-act-args-${suffix}`;
    await api.createJob({ name, command: 'echo got-args', schedule: FAR });
    const { page, errors, close } = await newPage();
    await openJob(page, base, name);
    await act(page, 'Run now', `Run ${name} now?`, async () => {
      await page.getByLabel('Arguments (optional)').fill('alpha beta');
      await screenshot(page, 'job-run-with-arguments');
    });
    await page.getByRole('status').filter({ hasText: 'Queued a manual run.' }).waitFor();
    const history = page.getByRole('table', { name: 'Run history' });
    const row = history.locator('tbody tr').filter({ hasText: 'alpha beta' });
    await row.getByText('finished').waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('manual');
    await page.getByTestId('log-stdout').filter({ hasText: 'got-args alpha beta' }).waitFor({ timeout: 15_000 });
    const [run] = await api.runs(name, 1);
    expect(run).toMatchObject({ arguments: 'alpha beta', trigger: 'manual', state: 'FINISHED' });
    expect(errors).toEqual([]);
    await close();
  });

  it('kill: the running task is killed and its run shows so', async () => {
    const name = `e2e-act-kill-${suffix}`;
    await api.createJob({ name, command: 'sleep 120', schedule: FAR, retries: 0 });
    const { page, errors, close } = await newPage();
    await openJob(page, base, name);
    const kill = page.getByRole('main').getByRole('button', { name: 'Kill', exact: true });
    expect(await kill.isDisabled()).toBe(true); // nothing to kill yet
    await api.runJob(name);
    await api.waitForRun(name, ['RUNNING'], 30_000);
    await expect.poll(() => kill.isEnabled(), { timeout: 15_000 }).toBe(true);
    await act(page, 'Kill', `Kill the tasks of ${name}?`);
    await page.getByRole('status').filter({ hasText: 'Kill requested' }).waitFor();
    await page.getByRole('table', { name: 'Run history' }).getByText('killed').waitFor({ timeout: 20_000 });
    expect((await api.runs(name, 1))[0].state).toBe('KILLED');
    await expect.poll(() => kill.isDisabled(), { timeout: 10_000 }).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it('mark success: the job counts a success and its dependent fires', async () => {
    const name = `e2e-act-success-${suffix}`;
    const child = `e2e-act-success-child-${suffix}`;
    await api.createJob({ name, command: 'exit 1', schedule: FAR });
    await api.createDependent({ name: child, command: 'echo child-fired', parents: [name] });
    const { page, errors, close } = await newPage();
    await openJob(page, base, name);
    await page.getByText('0 successes · 0 errors').waitFor();
    await act(page, 'Mark success', `Mark ${name} as successful?`);
    await page.getByText('1 success · 0 errors').waitFor();
    expect((await api.getJob(name))?.successCount).toBe(1);
    // a never-run job marked successful satisfies its dependent, which then runs
    await api.waitForRun(child, ['FINISHED'], 30_000);
    expect(errors).toEqual([]);
    await close();
  });

  it('delete: the confirmation says what happens to the children, then it happens', async () => {
    const grand = `e2e-act-del-grand-${suffix}`;
    const mid = `e2e-act-del-mid-${suffix}`;
    const leaf = `e2e-act-del-leaf-${suffix}`;
    await api.createJob({ name: grand, command: 'echo grand', schedule: 'R/2100-03-04T05:06:00Z/PT8H' });
    await api.createDependent({ name: mid, command: 'echo mid', parents: [grand] });
    await api.createDependent({ name: leaf, command: 'echo leaf', parents: [mid] });
    const { page, errors, close } = await newPage();

    // a dependent job: its children are re-parented to its parents
    await openJob(page, base, mid);
    await page.getByRole('main').getByRole('button', { name: 'Delete', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: `Delete ${mid}?` });
    await dialog.waitFor();
    expect((await dialog.textContent())?.replace(/\s+/g, ' ')).toContain(`Its 1 dependent (${leaf}) will be re-parented to its parents (${grand})`);
    await screenshot(page, 'job-delete-confirm-reparent');
    // Cancel keeps it
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await api.exists(mid)).toBe(true);
    await act(page, 'Delete', `Delete ${mid}?`);
    await page.waitForURL((u) => new URL(u).pathname === '/jobs');
    expect(await api.exists(mid)).toBe(false);
    expect((await api.getJob(leaf))?.parents).toEqual([grand]);

    // a scheduled job: its children become scheduled jobs with its schedule
    await openJob(page, base, grand);
    await page.getByRole('main').getByRole('button', { name: 'Delete', exact: true }).click();
    dialog = page.getByRole('dialog', { name: `Delete ${grand}?` });
    await dialog.waitFor();
    const text = (await dialog.textContent())?.replace(/\s+/g, ' ');
    expect(text).toContain(`Its 1 dependent (${leaf}) will become scheduled job with its schedule R/2100-03-04T05:06:00Z/PT8H`);
    await screenshot(page, 'job-delete-confirm-scheduled');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL((u) => new URL(u).pathname === '/jobs');
    const stored = await api.getJob(leaf);
    expect(stored?.parents).toBeUndefined();
    expect(stored?.schedule).toBe('R/2100-03-04T05:06:00Z/PT8H');
    expect(errors).toEqual([]);
    await close();
  });
});
