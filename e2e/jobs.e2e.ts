/**
 * The job lifecycle through the UI: create with the form, find it in the list, watch it run, read
 * its history and log; bad input is refused field by field and nothing is stored; a failing job
 * shows on the dashboard; bulk actions ask first, then apply.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite } from './browser-suite';
import { hydrated, screenshot } from './harness';

const { base, api, suffix, newPage } = browserSuite();

describe('jobs', () => {
  it('a job created with the form appears in the list, runs, and shows its success and output', async () => {
    const name = `e2e-form-${suffix}`;
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs/new`);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Command', { exact: true }).fill('echo hello-from-e2e; echo warn-from-e2e >&2');
    await page.getByLabel('Owner name').fill('E2E');
    // the schedule builder: once, starting now
    await page.getByLabel('Repetitions').fill('1');
    await page.getByLabel('start now').check();
    expect(await page.getByLabel('Schedule', { exact: true }).inputValue()).toBe('R1//P1D');
    await page.getByTestId('schedule-preview').getByRole('table').waitFor();
    await screenshot(page, 'editor-new-filled');
    await page.getByRole('button', { name: 'Create job', exact: true }).click();
    await page.waitForURL(`**/jobs/${name}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: name }).waitFor();

    // in the list, through the search box ("/" focuses it)
    await page.goto(`${base}/jobs`);
    await page.getByRole('table', { name: 'Jobs' }).getByRole('link').first().waitFor();
    await hydrated(page); // shortcuts are live
    await page.keyboard.press('/');
    await page.keyboard.type(name);
    // (clicked at once: a search still debouncing must not cancel the click's navigation)
    const link = page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name });
    await link.waitFor();
    await link.click();
    await page.waitForURL(`**/jobs/${name}`);

    // it runs: history shows the success, the log the command's output
    await page.getByRole('table', { name: 'Run history' }).getByText('finished').waitFor({ timeout: 30_000 });
    await page.getByTestId('log-stdout').filter({ hasText: 'hello-from-e2e' }).waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'stderr' }).click();
    await page.getByTestId('log-stderr').filter({ hasText: 'warn-from-e2e' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'job-detail-after-run');
    const stored = await api.getJob(name);
    expect(stored?.successCount).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  const badInput: Array<{ case: string; fill: Record<string, string>; field: string; message: RegExp }> = [
    { case: 'an unparseable schedule', fill: { Schedule: 'every day at noon' }, field: 'schedule', message: /^a schedule must look like R\/2026-01-31T02:00:00Z\/P1D .*or be a 5-field cron line/ },
    { case: 'an unknown time zone', fill: { 'Time zone': 'Mars/Olympus_Mons' }, field: 'scheduleTimeZone', message: /zone/i },
    { case: 'a negative cpus value', fill: { CPUs: '-1' }, field: 'cpus', message: /positive number/ },
    { case: 'a name with spaces', fill: { Name: 'has spaces' }, field: 'name', message: /must match/ },
  ];
  it.each(badInput)('$case shows a field error and nothing is saved', async ({ case: what, fill, field, message }) => {
    const name = `e2e-bad-${field.toLowerCase()}-${suffix}`;
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs/new`);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Command', { exact: true }).fill('true');
    for (const [label, value] of Object.entries(fill)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: 'Create job', exact: true }).click();
    const fieldError = page.locator(`#f-${field}-error`);
    await fieldError.waitFor();
    expect(await fieldError.textContent(), what).toMatch(message);
    expect(await page.getByLabel(Object.keys(fill)[0], { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).pathname).toBe('/jobs/new');
    if (field === 'schedule') await screenshot(page, 'editor-bad-schedule');
    expect(await api.exists(fill.Name ?? name)).toBe(false);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('a failing job shows its failure on the dashboard', async () => {
    const name = `e2e-fails-${suffix}`;
    await api.createJob({ name, command: 'echo boom >&2; exit 3', retries: 0, owner: 'e2e@example.com' });
    await api.runJob(name);
    await api.waitForRun(name, ['FAILED', 'ERROR', 'LOST'], 30_000);
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/`);
    const failures = page.getByRole('region', { name: /Recent failed attempts/ });
    await failures.getByRole('link', { name, exact: true }).waitFor();
    // the counters follow live (the failure count is at least this job)
    await page.getByRole('link', { name: /^Failure\s*[1-9]/ }).waitFor();
    await screenshot(page, 'dashboard-with-failure');
    expect(errors).toEqual([]);
    await close();
  });

  it('bulk disable asks for confirmation, then disables the selected jobs', async () => {
    const names = [`e2e-bulk-a-${suffix}`, `e2e-bulk-b-${suffix}`];
    for (const n of names) await api.createJob({ name: n, command: 'true' });
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs?q=e2e-bulk-`);
    const table = page.getByRole('table', { name: 'Jobs' });
    for (const n of names) await table.getByRole('checkbox', { name: `Select ${n}` }).check();
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Disable 2 jobs?').waitFor();
    await screenshot(page, 'jobs-bulk-confirm');
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: '2 ok' }).waitFor();
    for (const n of names) expect((await api.getJob(n))?.disabled).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it('the header checkbox selects the loaded rows, then offers all N matching jobs; a bulk disable reaches every match and nothing else', async () => {
    // More matches than one page of the table (100 rows are loaded at first).
    const prefix = `e2e-allsel-${suffix}-`;
    const names = Array.from({ length: 103 }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
    const bystander = `e2e-bystander-${suffix}`;
    const all = [...names, bystander];
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((n) => api.createJob({ name: n, command: 'true' })));

    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs`);
    await page.getByRole('table', { name: 'Jobs' }).getByRole('link').first().waitFor();
    await hydrated(page); // shortcuts are live
    await page.keyboard.press('/');
    expect(await page.getByLabel(/^Search/).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type(prefix);
    // the whole prefix applied (a partial one matches the same jobs, and a new search clears the selection)
    await page.waitForURL((u) => new URL(u).searchParams.get('q') === prefix);
    await page.getByText('103 jobs match').waitFor();
    const table = page.getByRole('table', { name: 'Jobs' });
    await table.getByRole('link', { name: names[0] }).waitFor();
    await table.getByRole('checkbox', { name: 'Select all loaded jobs' }).check();
    const toolbar = page.getByRole('toolbar', { name: 'Bulk actions' });
    await toolbar.getByText('100 selected').waitFor();
    await toolbar.getByText('The 100 loaded jobs are selected.').waitFor();
    await toolbar.getByRole('button', { name: 'Select all 103 jobs matching this search' }).click();
    await toolbar.getByText('All 103 jobs matching this search selected').waitFor();
    await screenshot(page, 'jobs-select-all-matching');

    await toolbar.getByRole('button', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Disable all 103 jobs matching this search?').waitFor();
    expect(await dialog.textContent()).toContain(`search “${prefix}”`);
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: 'Disable: 103 ok' }).waitFor();
    await expect.poll(() => toolbar.count()).toBe(0); // the selection is spent

    const stored = (await api.searchJobs(prefix)).filter((j) => names.includes(String(j.name)));
    expect(stored).toHaveLength(103);
    expect(stored.filter((j) => j.disabled !== true).map((j) => j.name)).toEqual([]);
    expect((await api.searchJob(bystander))?.disabled).toBe(false);

    // a new search clears the selection: what is selected is what the table shows
    await table.getByRole('checkbox', { name: 'Select all loaded jobs' }).check();
    await toolbar.getByText('100 selected').waitFor();
    await page.getByLabel(/^Search/).fill(bystander);
    await page.getByText('1 job match').waitFor();
    await table.getByRole('link', { name: bystander }).waitFor();
    expect(await toolbar.count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});
