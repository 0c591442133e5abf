/**
 * What a browser test file against the running app (e2e/global-setup.ts) shares: the app's URL and
 * its Chronos API, a suffix for job names unique to this run, and one Chromium launched before the
 * file's tests and closed after them. Call once at the file's top level (it registers the vitest
 * hooks):
 *
 *   const { base, api, suffix, newPage } = browserSuite();
 *   it('…', async () => { const { page, errors, close } = await newPage({ theme: 'dark' }); … });
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ChronosApi, appUrl, launchBrowser, newPage, type TestPage } from './harness';

/** A schedule that never comes due while the suite runs: the job runs only when asked to. */
export const FAR = 'R/2100-01-01T00:00:00Z/P1D';

export interface BrowserSuite {
  base: string;
  api: ChronosApi;
  suffix: string;
  /** A page in a fresh context of the file's browser (harness.ts `newPage`). */
  newPage(opts?: Parameters<typeof newPage>[1]): Promise<TestPage>;
}

export function browserSuite(): BrowserSuite {
  const base = appUrl();
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    base,
    api: new ChronosApi(base),
    suffix: Date.now().toString(36),
    newPage: (opts) => {
      if (!browser) throw new Error('browserSuite: a page asked for before the browser was launched (call newPage inside a test)');
      return newPage(browser, opts);
    },
  };
}

/** Opens a job's page and waits for its heading. */
export async function openJob(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/jobs/${name}`);
  await page.getByRole('heading', { level: 1 }).filter({ hasText: name }).waitFor();
}
