/**
 * Honest state and times (issue 16, point 4): a job whose first attempt failed and whose retry is
 * running reads "retrying (attempt 2 of 3)" on the jobs list, its page, the graph and the
 * dashboard (not "fresh", "Last error: never"); the dashboard's counters agree with the list's
 * filters; the failed run's duration counts; a browser whose clock is 45 s behind the server still
 * shows running durations and past events from the server's clock ("so far" ≥ 0, "ago", never
 * "in 1 s"); times use one format (no raw ISO). The list, dashboard and job page in light and dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosApi, appUrl, hydrated, launchBrowser, newPage, screenshot, waitFor } from './harness';

let browser: Browser;
let base: string;
let api: ChronosApi;
const suffix = Date.now().toString(36);
const name = `e2e-honest-${suffix}`;
const marker = `/tmp/sisyphus-e2e-honest-${suffix}`;
/** The first attempt fails; the retry runs for a minute. */
const COMMAND = `if [ -e ${marker} ]; then sleep 60; else touch ${marker}; exit 3; fi`;
const RAW_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
const FUTURE_OR_NEGATIVE = /\bin \d+ (s|min)\b|-\d+ ?(ms|s)\b/;

beforeAll(async () => {
  base = appUrl();
  api = new ChronosApi(base);
  browser = await launchBrowser();
  await api.createJob({ name, command: COMMAND, retries: 2, description: 'fails once, then retries' });
  await api.runJob(name);
  // the retry (attempt 2) is running
  await waitFor('the retry running', async () => {
    const runs = await api.runs(name, 5);
    return runs.some((r) => r.attempt === 1 && r.state === 'RUNNING') && runs.some((r) => r.attempt === 0 && r.state === 'FAILED');
  }, 60_000);
});
afterAll(async () => {
  await fetch(`${base}/v1/scheduler/task/kill/${encodeURIComponent(name)}`, { method: 'DELETE' }).catch(() => {});
  await browser?.close();
});

/** A page whose browser clock is 45 s behind the server's. */
async function skewedPage(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const p = await newPage(browser);
  await p.page.clock.install({ time: Date.now() - 45_000 });
  return p;
}

const text = async (page: Page) => (await page.locator('main').textContent()) ?? '';

describe('honest state and times', () => {
  // light and dark: the states and counters read the same in both
  describe.each(['light', 'dark'] as const)('%s mode', (theme) => {
    it('the jobs list and its filter say "retrying (attempt 2 of 3)"; the dashboard counts it the same', async () => {
      const { page, errors, close } = await newPage(browser, { theme });
      await page.goto(`${base}/jobs?q=${name}`);
      const row = page.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ hasText: name });
      await row.getByText('retrying (attempt 2 of 3)').waitFor();
      expect(await row.textContent()).not.toMatch(/\bfresh\b/);
      await page.goto(`${base}/jobs?state=retrying`);
      await page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name }).waitFor();
      const listed = await api.dashboard();
      expect(listed.counts.retrying).toBeGreaterThanOrEqual(1);

      await page.goto(`${base}/`);
      const retrying = page.getByRole('link').filter({ hasText: /^Retrying\d+$/ });
      await retrying.waitFor();
      const shown = Number((await retrying.textContent())!.replace(/\D/g, ''));
      expect(shown).toBeGreaterThanOrEqual(1);
      // the dashboard's number is the list's number
      await retrying.click();
      await page.waitForURL('**/jobs?state=retrying');
      await page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name }).waitFor();
      expect(await page.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ hasText: 'retrying (attempt' }).count()).toBe(shown);
      expect(errors).toEqual([]);
      await close();
    });

    it('the job page: retrying, the failed attempt counted in words, the failed run in the durations', async () => {
      const { page, errors, close } = await newPage(browser, { theme });
      await page.goto(`${base}/jobs/${name}`);
      await page.getByRole('heading', { level: 1 }).getByText('retrying (attempt 2 of 3)').waitFor();
      const body = await text(page);
      expect(body).toMatch(/attempt 1 failed, retrying \(attempt 2 of 3\)/);
      expect(body).not.toMatch(/Last error\s*never/);
      expect(body).toMatch(/Durations\s*p50 .*\(1 run, 1 failed\)/);
      expect(body).not.toMatch(/no finished runs yet|no run has ended yet/);
      await screenshot(page, `honest-job-retrying-${theme}`);
      expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');
      expect(errors).toEqual([]);
      await close();
    });
  });

  it('a browser 45 s behind the server: running durations, starts and events from the server clock', async () => {
    const { page, errors, close } = await skewedPage();
    await page.goto(`${base}/runs?job=${name}`);
    await hydrated(page);
    const running = page.getByRole('row').filter({ hasText: 'so far' });
    await running.first().waitFor();
    // once the server's clock is learnt, "so far" counts from it: seconds, not 0 or negative
    await expect.poll(async () => (await running.first().textContent()) ?? '', { timeout: 20_000 }).toMatch(/(\d+(\.\d)? s|\d+m \d+s) so far/);
    expect(await text(page)).not.toMatch(FUTURE_OR_NEGATIVE);
    await screenshot(page, 'honest-runs-skewed-clock');

    await page.goto(`${base}/`);
    await hydrated(page);
    await page.getByText(/Recent failed attempts \(\d+\)/).waitFor();
    await expect.poll(async () => text(page), { timeout: 20_000 }).toMatch(new RegExp(`${name}[\\s\\S]*started (\\d+ s ago|just now)`));
    const dash = await text(page);
    expect(dash).not.toMatch(FUTURE_OR_NEGATIVE);
    expect(dash).not.toMatch(RAW_ISO);
    expect(dash).toMatch(/Last event\s*(\d+ (s|min) ago|just now)/);
    await screenshot(page, 'honest-dashboard-skewed-clock');
    expect(errors).toEqual([]);
    await close();
  });
});
