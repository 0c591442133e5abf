/**
 * The operator's triage pages against the real app and mesos-local (issue 16, points 1, 2, 3, 5):
 * - a failed run's page is reached from every entry point (runs row, timeline bar, dashboard
 *   failure, job history) and shows the exit status, the Mesos reason and stderr first, and its
 *   state timeline with each Mesos status update and the agent;
 * - every attempt of the due instant is a tab;
 * - a job no agent can hold: the job page and the run page say why it waits, the editor warns;
 * - the pipeline grid shows the failed step of the night; "rerun failed and downstream" lists
 *   what will run and runs it; a downstream job's runs of that night are attempts on its run page;
 * - the run page and the grid at 390 px wide have no horizontal page scroll.
 * Screenshots in e2e/artifacts/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRow } from '../scheduler/api/ui-types';
import { ChronosApi, appUrl, hydrated, launchBrowser, newPage, screenshot, waitFor } from './harness';

let browser: Browser;
let base: string;
let api: ChronosApi;
const suffix = Date.now().toString(36);
const FAR = 'R/2100-01-01T00:00:00Z/P1D';
const failing = `e2e-rp-fail-${suffix}`;
let failed: RunRow;

beforeAll(async () => {
  base = appUrl();
  api = new ChronosApi(base);
  // fails once more after its first failure (retries 1): two attempts, the retry due a moment later
  await api.createJob({ name: failing, command: 'echo all-fine-here; echo boom-in-stderr >&2; exit 3', schedule: FAR, retries: 1 });
  await api.runJob(failing);
  await waitFor('two failed attempts', async () => {
    const runs = await api.runs(failing, 5);
    return runs.filter((r) => r.state === 'FAILED').length === 2 && runs;
  }, 60_000);
  failed = (await api.runs(failing, 5)).find((r) => r.attempt === 0)!;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

const runPath = (taskId: string) => `/runs/${encodeURIComponent(taskId)}`;

async function expectRunPage(page: Page, jobName: string): Promise<void> {
  await page.waitForURL((u) => u.pathname.startsWith('/runs/ct'));
  await page.getByRole('heading', { level: 1 }).filter({ hasText: jobName }).waitFor();
}

/** No horizontal page scroll at 390 × 844. */
async function fitsPhone(page: Page): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

describe('run page', () => {
  it('a failed attempt shows the exit status, the Mesos reason and stderr first; every attempt is a tab', async () => {
    const { page, errors, close } = await newPage(browser);
    await page.goto(`${base}${runPath(failed.taskId)}`);
    await expectRunPage(page, failing);
    const tabs = page.getByRole('tablist', { name: 'Attempts' }).getByRole('tab');
    expect(await tabs.allTextContents()).toEqual(['Attempt 1 · failed', 'Attempt 2 · failed']);
    expect(await tabs.first().getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('exit-status').textContent()).toBe('Command exited with status 3');
    expect(await page.getByRole('tab', { name: 'stderr' }).getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('log-stderr').filter({ hasText: 'boom-in-stderr' }).waitFor();
    // the state timeline: queued → offered → launched → each Mesos status update, with the agent
    const steps = await page.getByTestId('run-step').allTextContents();
    expect(steps.map((s) => /^[A-Z_]+/.exec(s)?.[0])).toEqual(['QUEUED', 'OFFERED', 'LAUNCHED', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    expect(steps[1]).toMatch(/matched to offer .*source\s*SCHEDULER/);
    expect(steps[2]).toContain('launched on');
    for (const s of steps.slice(3)) expect(s).toContain(`agent${failed.agentId}`);
    expect(steps[5]).toMatch(/Command exited with status 3.*source\s*SOURCE_EXECUTOR/);
    await hydrated(page);
    await tabs.nth(1).click();
    const retry = (await api.runs(failing, 5)).find((r) => r.attempt === 1)!;
    await page.waitForURL((u) => decodeURIComponent(u.pathname) === `/runs/${retry.taskId}`);
    await page.getByTestId('log-stderr').filter({ hasText: 'boom-in-stderr' }).waitFor();
    await screenshot(page, 'run-page-failed');
    await fitsPhone(page);
    await screenshot(page, 'run-page-failed-390');
    expect(errors).toEqual([]);
    await close();
  });

  it('is reached from a runs row, a timeline bar, a dashboard failure and the job history', async () => {
    const { page, errors, close } = await newPage(browser);
    // runs table row
    await page.goto(`${base}/runs?job=${encodeURIComponent(failing)}`);
    await hydrated(page);
    await page.getByRole('link', { name: `Open run ${failed.taskId}` }).click();
    await expectRunPage(page, failing);
    // timeline bar
    await page.goto(`${base}/runs?job=${encodeURIComponent(failing)}`);
    await hydrated(page);
    // the bar is a button: focused and pressed (a 2 px bar can sit under the chart's edge)
    await page.locator(`[data-testid="gantt"] rect[data-task-id="${failed.taskId}"]`).focus();
    await page.keyboard.press('Enter');
    await expectRunPage(page, failing);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/runs/${failed.taskId}`);
    // dashboard's recent failures
    await page.goto(`${base}/`);
    await hydrated(page);
    await page.getByRole('link', { name: /^Open run ct:\d+:1:e2e-rp-fail-/ }).filter({ hasText: 'failed' }).first().click();
    await expectRunPage(page, 'e2e-rp-fail-');
    // job history; its log panel shows the latest launched run's stderr, where the error is
    await page.goto(`${base}/jobs/${encodeURIComponent(failing)}`);
    await page.getByTestId('log-stderr').filter({ hasText: 'boom-in-stderr' }).waitFor();
    await hydrated(page);
    await page.getByRole('table', { name: 'Run history' }).getByRole('link', { name: `Open run ${failed.taskId}` }).click();
    await expectRunPage(page, failing);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('why it waits', () => {
  it('a job asking for 500 cpus: the editor warns, the job page and the run page say why it waits', async () => {
    const name = `e2e-rp-big-${suffix}`;
    const { page, errors, close } = await newPage(browser);
    await page.goto(`${base}/jobs/new`);
    await hydrated(page);
    await page.getByLabel('CPUs', { exact: true }).fill('500');
    const warning = page.getByTestId('resource-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/asks for 500 cpus, more than any agent has: the largest of 1 agent has 4 /);
    await screenshot(page, 'editor-resource-warning');

    await api.createJob({ name, command: 'echo never', schedule: FAR, cpus: 500 });
    await api.runJob(name);
    const queued = await api.waitForRun(name, ['QUEUED']);
    await page.goto(`${base}/jobs/${encodeURIComponent(name)}`);
    await expect.poll(async () => (await page.getByTestId('queue-reason').textContent({ timeout: 2000 }).catch(() => '')) ?? '', { timeout: 20_000 }).toContain('needs 500 cpus');
    await page.goto(`${base}${runPath(queued.taskId)}`);
    await expectRunPage(page, name);
    await expect.poll(async () => (await page.getByTestId('queue-reason').textContent()) ?? '', { timeout: 20_000 }).toContain('the most free on an eligible agent is');
    expect(await page.getByText('This attempt has not been launched yet').count()).toBe(1);
    await screenshot(page, 'run-page-queued');
    await api.deleteJob(name);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('pipeline grid', () => {
  it("shows the night's failed step; rerun failed and downstream lists what will run, then runs it", async () => {
    const a = `e2e-gr-${suffix}-a`;
    const b = `e2e-gr-${suffix}-b`;
    const c = `e2e-gr-${suffix}-c`;
    const marker = `/tmp/e2e-gr-${suffix}`;
    await api.createJob({ name: a, command: 'echo extract', schedule: FAR, retries: 0 });
    // b fails the first time only
    await api.createDependent({ name: b, command: `if [ -f ${marker} ]; then echo ok; else touch ${marker}; echo first-time-fails >&2; exit 1; fi`, parents: [a], retries: 0 });
    await api.createDependent({ name: c, command: 'echo load', parents: [b], retries: 0 });
    await api.runJob(a);
    await api.waitForRun(b, ['FAILED'], 45_000);

    const { page, errors, close } = await newPage(browser);
    await page.goto(`${base}/grid?job=${encodeURIComponent(a)}`);
    const grid = page.getByRole('table', { name: 'Pipeline grid' });
    await grid.waitFor();
    expect(await grid.locator('tbody th').allTextContents()).toEqual([a, `└ ${b}`, `└ ${c}`]);
    const cell = (job: string) => grid.locator('tbody tr').filter({ hasText: job }).locator('td a');
    expect(await cell(a).getAttribute('data-state')).toBe('FINISHED');
    expect(await cell(b).getAttribute('data-state')).toBe('FAILED');
    expect(await cell(c).count()).toBe(0);
    await screenshot(page, 'grid-failed-night');
    await hydrated(page);
    await page.getByRole('button', { name: /^Rerun the 1 failed jobs of .* and their downstream$/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('rerun-plan').waitFor();
    expect(await dialog.getByRole('list', { name: 'Rerun now' }).textContent()).toContain(b);
    expect(await dialog.getByRole('list', { name: 'Then downstream' }).textContent()).toBe(c);
    await screenshot(page, 'grid-rerun-confirm');
    await dialog.getByRole('button', { name: 'Rerun', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Queued 1 rerun' }).waitFor();
    await api.waitForRun(c, ['FINISHED'], 45_000);
    const bRuns = await api.runs(b, 5);
    expect(bRuns.map((r) => [r.attempt, r.state])).toEqual([[1, 'FINISHED'], [0, 'FAILED']]);
    expect(bRuns[0].due).toBe(bRuns[1].due); // the rerun belongs to the same night
    await expect.poll(() => cell(b).getAttribute('data-state'), { timeout: 15_000 }).toBe('FINISHED');
    await expect.poll(() => cell(c).getAttribute('data-state'), { timeout: 15_000 }).toBe('FINISHED');
    // a cell opens its run page, with both attempts
    await cell(b).click();
    await expectRunPage(page, b);
    expect(await page.getByRole('tablist', { name: 'Attempts' }).getByRole('tab').count()).toBe(2);
    // the night rerun again from b's run page: c's second run, fired by it, is a further attempt
    // of that night on c's run page (not a run of its own)
    await hydrated(page);
    await page.getByRole('button', { name: 'Rerun with downstream' }).click();
    await page.getByRole('dialog').getByTestId('rerun-plan').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Rerun', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Queued 1 rerun' }).waitFor();
    await waitFor('a second finished run of c', async () => (await api.runs(c, 5)).filter((r) => r.state === 'FINISHED').length === 2, 45_000);
    const [cLatest] = await api.runs(c, 1);
    await page.goto(`${base}${runPath(cLatest.taskId)}`);
    await expectRunPage(page, c);
    expect(await page.getByRole('tablist', { name: 'Attempts' }).getByRole('tab').allTextContents()).toEqual(['Attempt 1 · finished', 'Attempt 2 · finished']);
    await page.goto(`${base}/grid?job=${encodeURIComponent(a)}`);
    await grid.waitFor();
    await fitsPhone(page);
    await screenshot(page, 'grid-390');
    expect(errors).toEqual([]);
    await close();
  });
});
