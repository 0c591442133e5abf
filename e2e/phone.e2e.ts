/**
 * Phone and narrow windows (issue 16, point 6): at 390×844, light and dark, no page is wider than
 * the viewport (document scrollWidth ≤ innerWidth), on every page route, with data that stretches
 * them (long names, commands, descriptions, schedules, a dependent, finished and failed runs).
 * Tables become stacked rows or scroll inside their card; the timeline keeps a usable width.
 * Screenshots of every page land in e2e/artifacts/phone-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosApi, appUrl, hydrated, launchBrowser, newPage, screenshot } from './harness';

let browser: Browser;
let base: string;
let api: ChronosApi;
const suffix = Date.now().toString(36);
const parent = `e2e-phone-nightly-transcode-parent-with-a-long-name-${suffix}`;
const child = `e2e-phone-child-${suffix}`;
const deleted = `e2e-phone-deleted-nightly-archive-job-with-a-long-name-${suffix}`;
const PHONE = { width: 390, height: 844 };

let taskId = '';

/** Every page route of the app, with the data above (the job routes name the parent, the run page its run). */
function routes(): Array<[string, string]> {
  const job = encodeURIComponent(parent);
  return [
    ['dashboard', '/'],
    ['jobs', '/jobs'],
    ['jobs-filtered', `/jobs?q=${encodeURIComponent('e2e-phone')}`],
    ['new-job', '/jobs/new'],
    ['job-detail', `/jobs/${job}`],
    ['job-edit', `/jobs/${job}/edit`],
    ['runs', '/runs'],
    ['runs-timeline', '/runs?view=timeline'],
    ['run', `/runs/${encodeURIComponent(taskId)}`],
    ['grid', '/grid'],
    ['notifications', '/notifications'],
    ['graph', '/graph'],
    ['cluster', '/cluster'],
    ['deleted-jobs', '/jobs/deleted'],
  ];
}

beforeAll(async () => {
  base = appUrl();
  api = new ChronosApi(base);
  browser = await launchBrowser();
  await api.createJob({
    name: parent,
    command: `ffmpeg -hide_banner -i /srv/media/incoming/very/long/path/to/the/source-file.mkv -c:v libx264 -preset veryslow -crf 18 /srv/media/out/${suffix}.mp4 || echo transcoded`,
    schedule: 'R/2100-01-01T03:00:00Z/PT1H',
    scheduleTimeZone: 'Europe/Berlin',
    description: 'Transcodes the nightly uploads into the streaming formats; a description long enough to wrap over several lines on a phone',
    owner: 'media-pipeline-operators@example.com',
  });
  await api.createDependent({ name: child, command: 'exit 2', parents: [parent] });
  await api.createJob({ name: deleted, command: 'true', schedule: 'R/2100-01-01T03:00:00Z/P1D', owner: 'archive-operators@example.com' });
  await api.deleteJob(deleted); // listed on /jobs/deleted
  await api.runJob(parent);
  await api.waitForRun(parent, ['FINISHED', 'FAILED'], 60_000);
  await api.waitForRun(child, ['FAILED', 'FINISHED'], 60_000);
  taskId = (await api.runs(parent, 1))[0].taskId;
});
afterAll(async () => {
  await browser?.close();
});

/** How much wider than the viewport the document is, and the widest elements that stick out. */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const culprits: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > innerWidth + 1 && r.width > 0) {
        // only the outermost element sticking out that is not inside a scroller of its own
        let p = el.parentElement;
        let clipped = false;
        while (p && p !== document.body) {
          const s = getComputedStyle(p);
          if (/(auto|scroll|hidden|clip)/.test(s.overflowX)) {
            clipped = true;
            break;
          }
          p = p.parentElement;
        }
        if (!clipped) culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).slice(0, 60)} right=${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, culprits: culprits.slice(0, 8) };
  });
}

describe('390 px: no page wider than the screen', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`every page route, ${theme}`, async () => {
      const { page, errors, close } = await newPage(browser, { theme, viewport: PHONE });
      const failures: string[] = [];
      for (const [label, route] of routes()) {
        await page.goto(`${base}${route}`);
        await hydrated(page);
        await page.locator('main h1').first().waitFor();
        // what loads after the HTML (charts, the graph's layout, the timeline) has had its turn
        await page.waitForLoadState('networkidle').catch(() => {});
        const o = await overflow(page);
        if (o.scrollWidth > o.innerWidth) failures.push(`${route}: ${o.scrollWidth} px wide at ${o.innerWidth} (${o.culprits.join('; ')})`);
        await screenshot(page, `phone-${label}-${theme}`);
      }
      expect(failures).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    });
  }

  it('the jobs table scrolls inside its card, long names whole on hover; the timeline keeps most of the screen for its bars', async () => {
    const { page, errors, close } = await newPage(browser, { viewport: PHONE });
    await page.goto(`${base}/jobs?q=${encodeURIComponent('e2e-phone')}`);
    const table = page.getByRole('table', { name: 'Jobs' });
    const link = table.getByRole('link', { name: parent, exact: true });
    await link.waitFor();
    // the name starts on screen; a name longer than its column ends in an ellipsis, whole on hover
    const box = (await link.boundingBox())!;
    expect(box.x).toBeLessThan(PHONE.width);
    expect(await link.getAttribute('title')).toBe(parent);

    await page.goto(`${base}/runs?view=timeline`);
    await hydrated(page);
    // the bars' area (the time axis spans it): most of the screen, and all of it on screen (it had ~30 px)
    const axis = page.getByRole('img', { name: /^Time axis/ });
    await axis.waitFor();
    const a = (await axis.boundingBox())!;
    expect(a.width).toBeGreaterThanOrEqual(200);
    expect(a.x + a.width).toBeLessThanOrEqual(PHONE.width);
    expect(errors).toEqual([]);
    await close();
  });
});
