/**
 * Every page of the shell renders without console errors, in light and dark mode (the system
 * preference), with a screenshot of each under e2e/artifacts/. Keyboard shortcuts navigate.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosApi, answersFromStubs, appUrl, hydrated, launchBrowser, newPage, screenshot } from './harness';

let browser: Browser;
let base: string;
const suffix = Date.now().toString(36);
const parent = `e2e-pages-parent-${suffix}`;
const child = `e2e-pages-child-${suffix}`;

beforeAll(async () => {
  base = appUrl();
  const api = new ChronosApi(base);
  await api.createJob({
    name: parent,
    command: 'echo parent',
    schedule: 'R/2030-03-08T02:30:00/P1D',
    scheduleTimeZone: 'America/New_York',
    owner: 'ops@example.com',
    ownerName: 'Ops',
    description: 'A daily job across a DST change',
    environmentVariables: [{ name: 'STAGE', value: 'e2e' }],
  });
  await api.createDependent({ name: child, command: 'echo child', parents: [parent] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const PAGES: Array<{ name: string; path: () => string; heading: RegExp }> = [
  { name: 'dashboard', path: () => '/', heading: /Dashboard/ },
  { name: 'jobs', path: () => '/jobs', heading: /^Jobs$/ },
  { name: 'job-new', path: () => '/jobs/new', heading: /New job/ },
  { name: 'job-detail', path: () => `/jobs/${parent}`, heading: new RegExp(parent) },
  { name: 'job-detail-dependent', path: () => `/jobs/${child}`, heading: new RegExp(child) },
  { name: 'job-edit', path: () => `/jobs/${parent}/edit`, heading: /Edit/ },
  { name: 'job-edit-dependent', path: () => `/jobs/${child}/edit`, heading: /Edit/ },
];

describe.each(['light', 'dark'] as const)('%s mode', (theme) => {
  it.each(PAGES)('$name renders without console errors', async ({ name, path, heading }) => {
    const { page, errors, close } = await newPage(browser, { theme, timezoneId: 'Europe/Berlin' });
    await page.goto(`${base}${path()}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    // (no 'networkidle': the live event stream keeps a request open)
    if (name === 'job-detail') await page.getByRole('table', { name: 'Next runs' }).or(page.getByText('No future runs')).first().waitFor();
    const dark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
    expect(dark).toBe(theme === 'dark');
    await screenshot(page, `${name}-${theme}`);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('shell', () => {
  it('keyboard shortcuts: ? shows help, g j / g d navigate, n opens the editor', async () => {
    const { page, errors, close } = await newPage(browser);
    await page.goto(`${base}/`);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await hydrated(page); // shortcuts are live
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await screenshot(page, 'shortcuts-help');
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('j');
    await page.waitForURL('**/jobs');
    await page.keyboard.press('n');
    await page.waitForURL('**/jobs/new');
    await page.keyboard.press('g');
    await page.keyboard.press('d');
    await page.waitForURL((u) => new URL(u).pathname === '/');
    expect(errors).toEqual([]);
    await close();
  });

  it('the theme toggle persists the choice, and the time-zone toggle changes displayed times', async () => {
    const { page, errors, close } = await newPage(browser, { theme: 'light', timezoneId: 'Asia/Tokyo' });
    await page.goto(`${base}/jobs/${parent}`);
    await page.getByRole('table', { name: 'Next runs' }).waitFor();
    // a first visit: the server rendered the times in UTC; once hydrated they are in the browser's zone
    await hydrated(page);
    const firstRun = page.getByRole('table', { name: 'Next runs' }).locator('tbody tr').first().locator('td').nth(1);
    // local (the default): the browser's zone, Tokyo here
    expect(await firstRun.textContent()).toMatch(/UTC\+9$/);
    await page.getByLabel('Time zone for displayed times').selectOption('utc');
    expect(await firstRun.textContent()).toMatch(/UTC/);
    await page.getByLabel('Time zone for displayed times').selectOption('job');
    expect(await firstRun.textContent()).toMatch(/E[DS]T/);
    // light → dark, kept across a reload
    await page.getByRole('button', { name: /^Theme: system/ }).click(); // system → light
    await page.getByRole('button', { name: /^Theme: light/ }).click(); // light → dark
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    // the zone choice is kept too
    await page.getByRole('table', { name: 'Next runs' }).waitFor();
    expect(await firstRun.textContent()).toMatch(/E[DS]T/);
    expect(errors).toEqual([]);
    await close();
  });

  it('input made before the page hydrates is not lost: a search typed while its JavaScript loads filters the list', async () => {
    const { page, errors, close } = await newPage(browser);
    // hold the page's scripts back: the server-rendered HTML shows, nothing listens yet
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await page.route('**/_next/static/**/*.js', async (route) => {
      await gate;
      await route.continue();
    });
    await page.goto(`${base}/jobs`, { waitUntil: 'commit' });
    const search = page.getByLabel(/^Search/);
    await search.waitFor();
    await page.getByRole('table', { name: 'Jobs' }).getByRole('link').first().waitFor(); // rows from the server
    expect(await page.evaluate(() => document.documentElement.hasAttribute('data-hydrated'))).toBe(false);
    await search.fill(child);
    release();
    await hydrated(page);
    // the typed text is kept and applied: the list shows only the matching job, the URL says so
    await page.waitForURL((u) => new URL(u).searchParams.get('q') === child);
    const links = page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name: child });
    await links.first().waitFor();
    expect(await search.inputValue()).toBe(child);
    expect(await page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name: parent, exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('empty states tell a new user what to do (an empty scheduler answered by stubs; no match for real)', async () => {
    const { page, errors, close } = await newPage(browser);
    // No jobs at all: the dashboard, jobs and graph pages say how to create the first one.
    await answersFromStubs(page);
    await page.route('**/api/dashboard', async (route) => {
      const real = (await (await route.fetch()).json()) as { counts: Record<string, number> };
      const counts = Object.fromEntries(Object.keys(real.counts).map((k) => [k, 0]));
      await route.fulfill({ json: { ...real, counts, running: [], queued: [], recentFailures: [] } });
    });
    await page.route('**/api/jobs?*', (route) => route.fulfill({ json: { jobs: [], total: 0, offset: 0, limit: 100 } }));
    await page.route('**/api/graph*', (route) => route.fulfill({ json: { nodes: [], edges: [] } }));
    await page.goto(`${base}/`);
    await page.getByText('No jobs yet').waitFor();
    await page.getByText('/v1/scheduler/iso8601').first().waitFor(); // the curl example
    await screenshot(page, 'empty-dashboard');
    await page.goto(`${base}/jobs`);
    await page.getByText('No jobs yet').waitFor();
    await page.goto(`${base}/graph`);
    await page.getByText('No jobs yet').waitFor();
    await page.getByRole('link', { name: 'Create a job' }).click();
    await page.waitForURL('**/jobs/new');
    await page.unrouteAll();
    await page.context().clearCookies(); // the real answers again, with the pages' HTML

    // A search that matches nothing says so and offers the way back.
    await page.goto(`${base}/jobs?q=no-such-job-${suffix}`);
    await page.getByText('No job matches these filters').waitFor();
    await screenshot(page, 'empty-jobs-no-match');
    await page.getByRole('button', { name: 'Clear filters' }).last().click();
    await page.getByRole('table', { name: 'Jobs' }).getByRole('link').first().waitFor();
    expect(await page.getByLabel(/^Search/).inputValue()).toBe('');
    expect(new URL(page.url()).search).toBe('');
    // No runs in the window for a job that never ran.
    await page.goto(`${base}/runs?job=${encodeURIComponent(parent)}&window=1h`);
    await page.getByText('No runs in this window').waitFor();
    expect(errors).toEqual([]);
    await close();
  });
});
