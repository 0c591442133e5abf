/**
 * The graph at a real pipeline's size (issue 16, point 8): 531 jobs (the nightly transcoding
 * pipeline of the issue), the graph answered by a stub. Opening /graph fires no request for a job's
 * page (Next.js prefetched one per job link in view: 62 requests), and the caption under the
 * canvas never covers the zoom controls or the minimap, at 1440 × 900 and at a phone's 390 × 844.
 */
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticGraph } from '../app/components/graph/layout';
import { answersFromStubs, appUrl, hydrated, launchBrowser, newPage, screenshot } from './harness';

const JOBS = 531;
let browser: Browser;
let base: string;

beforeAll(async () => {
  base = appUrl();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const box = async (l: Locator): Promise<Box> => {
  const b = await l.boundingBox();
  if (!b) throw new Error(`${l} has no box`);
  return b;
};
/**
 * The browser's idle callbacks have run (Next.js prefetches from one once links are in view); on a
 * main thread that never idles (a loaded machine) each waits at most 2 s.
 */
const idle = (page: import('playwright-core').Page) =>
  page.evaluate(
    () => new Promise<void>((r) => requestIdleCallback(() => requestAnimationFrame(() => requestIdleCallback(() => r(), { timeout: 2000 })), { timeout: 2000 })),
  );

describe.each([
  { name: 'desktop', viewport: { width: 1440, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
])(`/graph with ${JOBS} jobs ($name)`, ({ name, viewport }) => {
  it('fires no per-job prefetch, and the caption never covers the zoom controls', { timeout: 120_000 }, async () => {
    const { page, errors, close } = await newPage(browser, { viewport, theme: name === 'phone' ? 'dark' : 'light' });
    const data = syntheticGraph(JOBS);
    await answersFromStubs(page);
    await page.route('**/api/graph*', (route) => route.fulfill({ json: data }));
    const jobPages: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/jobs/job-')) jobPages.push(`${u.pathname}${u.search}`);
    });

    await page.goto(`${base}/graph`);
    const caption = page.getByTestId('layout-time');
    await caption.waitFor({ timeout: 90_000 });
    expect(await caption.textContent()).toContain(`${JOBS} jobs`);
    await page.locator('.react-flow__node').first().waitFor({ state: 'visible' });
    await hydrated(page);
    await idle(page);
    // zoom out until a large part of the graph is in view (its links on screen); let the browser go idle again
    const links = page.locator('.react-flow__node a[href^="/jobs/job-"]');
    const first = await links.count();
    for (let i = 0; i < 12; i++) await page.locator('.react-flow__controls-zoomout').click();
    await expect.poll(() => links.count()).toBeGreaterThan(Math.max(15, first * 2));
    console.log(`[graph] ${JOBS} jobs (${name}): ${first} job links in view at first, ${await links.count()} zoomed out`);
    await idle(page);
    expect(jobPages).toEqual([]);

    // the caption is below the canvas: clear of the zoom controls and the minimap
    const captionBox = await box(caption);
    const controls = await box(page.locator('.react-flow__controls'));
    expect(overlaps(captionBox, controls), `caption ${JSON.stringify(captionBox)} vs controls ${JSON.stringify(controls)}`).toBe(false);
    const minimap = page.locator('.react-flow__minimap');
    if ((await minimap.count()) > 0 && (await minimap.isVisible())) expect(overlaps(captionBox, await box(minimap))).toBe(false);
    expect(captionBox.y).toBeGreaterThanOrEqual(controls.y + controls.height);
    await screenshot(page, `graph-${JOBS}-${name}`);

    // the counter sees a job page when one is asked for: opening a job fetches it
    await links.first().evaluate((a) => (a as HTMLAnchorElement).click()); // tiny at this zoom: clicked as a script would
    await page.waitForURL((u) => u.pathname.startsWith('/jobs/job-'));
    expect(jobPages.length).toBeGreaterThan(0);
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    await close();
  });
});
