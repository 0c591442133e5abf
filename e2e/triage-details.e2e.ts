/**
 * The operator's details (issue 16, point 8): the jobs search finds descriptions and owner names;
 * the list reads schedules as words with the raw text on hover; the timeline fits its window to
 * the runs shown (a seconds-long run is a bar, not a sliver at the edge of 24 h), and keeps the
 * zoom while runs come in; the graph's caption sits clear of its zoom controls and its job links
 * fetch nothing ahead; the cluster page marks this instance's framework, with whole ids.
 */
import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosApi, appUrl, hydrated, launchBrowser, newPage, screenshot } from './harness';

let browser: Browser;
let base: string;
let api: ChronosApi;
const suffix = Date.now().toString(36);
const name = `e2e-details-${suffix}`;
const child = `e2e-details-child-${suffix}`;
const WORD = `zebrafish${suffix}`;

beforeAll(async () => {
  base = appUrl();
  api = new ChronosApi(base);
  browser = await launchBrowser();
  await api.createJob({
    name,
    command: 'sleep 2',
    schedule: 'R/2100-01-01T03:00:00Z/PT1H',
    description: `Transcodes the ${WORD} uploads`,
    ownerName: `Oona ${suffix}`,
    owner: 'oona@example.com',
  });
  await api.createDependent({ name: child, command: 'true', parents: [name] });
  await api.runJob(name);
  await api.waitForRun(name, ['FINISHED'], 60_000);
  await api.waitForRun(child, ['FINISHED'], 60_000);
});
afterAll(async () => {
  await browser?.close();
});

describe('search, schedules in words, timeline, graph, cluster', () => {
  it('the jobs search finds a word of the description and the owner name; the schedule reads as words', async () => {
    const { page, errors, close } = await newPage(browser);
    const table = page.getByRole('table', { name: 'Jobs' });
    await page.goto(`${base}/jobs?q=${WORD}`);
    await table.getByRole('link', { name, exact: true }).waitFor();
    expect(await table.getByRole('link').filter({ hasText: /^e2e-/ }).count()).toBe(1);
    await page.goto(`${base}/jobs?q=${encodeURIComponent(`oona ${suffix}`)}`);
    await table.getByRole('link', { name, exact: true }).waitFor();

    const cell = table.getByRole('row').filter({ hasText: name }).getByText('every hour from 03:00 UTC', { exact: true });
    await cell.waitFor();
    expect(await cell.getAttribute('title')).toMatch(/^R\/2100-01-01T03:00:00(\.000)?Z\/PT1H$/);
    await screenshot(page, 'jobs-schedule-words');
    expect(errors).toEqual([]);
    await close();
  });

  it('the timeline fits the runs: a 2 s run is a bar, not a sliver; the zoom is kept, reset fits again', async () => {
    const { page, errors, close } = await newPage(browser);
    const [run] = await api.runs(name, 1);
    await page.goto(`${base}/runs?window=24h&job=${name}`);
    await hydrated(page);
    const bar = page.locator(`[data-testid="gantt"] rect[data-task-id="${run.taskId}"]`);
    await bar.waitFor();
    const chartWidth = (await page.locator('[data-testid="gantt"] svg').first().boundingBox())!.width;
    // 24 h at ~1000 px would draw 2 s as 0.02 px (2 px minimum); fitted (at least 2 min) it is a bar
    const fitted = Number(await bar.getAttribute('width'));
    expect(fitted).toBeGreaterThan(chartWidth / 80);
    await screenshot(page, 'timeline-fitted');
    const reset = page.getByRole('button', { name: 'Reset zoom' });
    expect(await reset.isEnabled()).toBe(false);
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await expect.poll(async () => Number(await bar.getAttribute('width'))).toBeLessThan(fitted * 0.75);
    const zoomed = Number(await bar.getAttribute('width'));
    // another run of the job arrives live (it moves the fitted window): the zoom stays
    await api.runJob(name);
    await expect.poll(async () => page.getByRole('region', { name: /All runs/i }).getByRole('row').filter({ hasText: name }).count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(Number(await bar.getAttribute('width'))).toBeCloseTo(zoomed, 0);
    await reset.click();
    await expect.poll(async () => Number(await bar.getAttribute('width'))).toBeGreaterThan(chartWidth / 80);
    expect(errors).toEqual([]);
    await close();
  });

  it('the graph: the caption does not cover the zoom controls, and job links fetch nothing ahead', async () => {
    const { page, errors, close } = await newPage(browser);
    const prefetches: string[] = [];
    page.on('request', (r: Request) => {
      const h = r.headers();
      if (/\/jobs\//.test(new URL(r.url()).pathname) && (h['next-router-prefetch'] || h.rsc || /_rsc=/.test(r.url()))) prefetches.push(r.url());
    });
    await page.goto(`${base}/graph`);
    await hydrated(page);
    const caption = page.getByTestId('layout-time');
    await caption.waitFor();
    await page.getByRole('link', { name, exact: true }).waitFor();
    await page.waitForLoadState('networkidle');
    const controls = (await page.locator('.react-flow__controls').boundingBox())!;
    const text = (await caption.boundingBox())!;
    const overlap = !(text.x > controls.x + controls.width || text.x + text.width < controls.x || text.y > controls.y + controls.height || text.y + text.height < controls.y);
    expect(overlap).toBe(false);
    expect(prefetches).toEqual([]);
    await screenshot(page, 'graph-caption-clear');
    expect(errors).toEqual([]);
    await close();
  });

  it('the cluster page marks the framework of this instance and shows whole ids', async () => {
    const { page, errors, close } = await newPage(browser);
    await page.goto(`${base}/cluster`);
    const frameworks = page.getByRole('region', { name: 'Frameworks' });
    const own = frameworks.getByRole('row').filter({ hasText: 'this instance' });
    await own.waitFor();
    expect(await own.count()).toBe(1);
    expect(await own.getAttribute('aria-current')).toBe('true');
    const id = (await own.locator('.font-mono').textContent())!;
    expect(id).toMatch(/^[\w-]{20,}$/);
    expect(await own.locator('.font-mono').evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });
});
