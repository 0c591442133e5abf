/**
 * Issue 17 points 2 and 5 in the browser against the running app: the job page pauses a job for a
 * duration with a note and shows the pause (why and until when) with "Resume now"; it pauses a
 * family of jobs by name prefix; a pause that
 * ends by itself disappears from the page live; the editor sets the catch-up policy and window,
 * and the job page names them.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, FAR, openJob } from './browser-suite';
import { screenshot } from './harness';

const { base, api, suffix, newPage } = browserSuite();

describe('pause on the job page', () => {
  it('pause for 4 hours with a note: the banner says why and until when; Resume now ends it', async () => {
    const name = `e2e-pause-${suffix}`;
    await api.createJob({ name, command: 'true', schedule: FAR });
    const { page, errors, close } = await newPage();
    await openJob(page, base, name);
    await page.getByText('Pause…', { exact: true }).click();
    await page.getByLabel('Pause for').selectOption('PT4H');
    await page.getByLabel('Note').fill('upstream storage maintenance');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const banner = page.getByTestId('job-paused');
    await banner.filter({ hasText: 'upstream storage maintenance' }).waitFor();
    expect(await banner.textContent()).toMatch(/Paused until .*\(in (3 h 5\d min|4 h)\)/);
    await screenshot(page, 'job-paused');
    const stored = (await api.getJob(name)) as { pause?: { note: string; until: string } };
    expect(stored.pause?.note).toBe('upstream storage maintenance');
    expect(Date.parse(stored.pause!.until) - Date.now()).toBeGreaterThan(3.9 * 3_600_000);

    await banner.getByRole('button', { name: 'Resume now' }).click();
    await banner.waitFor({ state: 'hidden' });
    await page.getByText('Pause…', { exact: true }).waitFor();
    expect(((await api.getJob(name)) as { pause?: unknown }).pause).toBeUndefined();
    expect(errors).toEqual([]);
    await close();
  });

  it('pause by name prefix from the form: every job of the family paused, and the form says which', async () => {
    const family = `e2e-fam-${suffix}`;
    for (const n of ['a', 'b']) await api.createJob({ name: `${family}-${n}`, command: 'true', schedule: FAR });
    await api.createJob({ name: `e2e-other-${suffix}`, command: 'true', schedule: FAR });
    const { page, errors, close } = await newPage();
    await openJob(page, base, `${family}-a`);
    await page.getByText('Pause…', { exact: true }).click();
    await page.getByText('Every job whose name starts with').click();
    await page.getByLabel('Name prefix').fill(`${family}-`);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Paused 2 jobs: ${family}-a, ${family}-b` }).waitFor();
    await page.getByTestId('job-paused').waitFor();
    const paused = async (n: string) => ((await api.getJob(n)) as { pause?: unknown }).pause !== undefined;
    expect([await paused(`${family}-a`), await paused(`${family}-b`), await paused(`e2e-other-${suffix}`)]).toEqual([true, true, false]);
    expect(errors).toEqual([]);
    await close();
  });

  it('a pause that ends by itself leaves the page live (no reload)', async () => {
    const name = `e2e-pause-short-${suffix}`;
    await api.createJob({ name, command: 'true', schedule: FAR });
    const { page, errors, close } = await newPage();
    await openJob(page, base, name);
    const r = await fetch(`${base}/api/jobs/${name}/pause`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ for: 'PT3S', note: 'a short one' }) });
    expect(r.status).toBe(200);
    const banner = page.getByTestId('job-paused');
    await banner.filter({ hasText: 'a short one' }).waitFor({ timeout: 10_000 });
    await banner.waitFor({ state: 'hidden', timeout: 15_000 });
    // the page hides the banner once its own clock passes the end; the server stores the resume at
    // its timer, which a loaded machine runs a little later: awaited, not read at once
    await expect.poll(async () => ((await api.getJob(name)) as { pause?: unknown }).pause, { timeout: 10_000 }).toBeUndefined();
    expect(errors).toEqual([]);
    await close();
  });
});

describe('catch-up in the editor', () => {
  it('After downtime: All within PT6H is saved, shown on the job page, and absent from the JSON at the default', async () => {
    const name = `e2e-catchup-${suffix}`;
    await api.createJob({ name, command: 'true', schedule: FAR });
    expect(await api.getJob(name)).not.toHaveProperty('catchUp');
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs/${name}/edit`);
    await page.getByLabel('After downtime').selectOption('all');
    await page.getByLabel('Catch-up window').fill('PT6H');
    await screenshot(page, 'editor-catch-up');
    await page.getByRole('button', { name: 'Save changes', exact: true }).click();
    await page.waitForURL(`**/jobs/${name}`);
    await page.getByText('run every missed instant within PT6H (catchUp all)').waitFor();
    expect(await api.getJob(name)).toMatchObject({ catchUp: 'all', catchUpWindow: 'PT6H' });

    // a window that is not an ISO 8601 duration is refused, naming the field
    await page.goto(`${base}/jobs/${name}/edit`);
    await page.getByLabel('Catch-up window').fill('6 hours');
    await page.getByRole('button', { name: 'Save changes', exact: true }).click();
    await page.getByText(/ISO 8601 duration/).first().waitFor();
    expect(await api.getJob(name)).toMatchObject({ catchUpWindow: 'PT6H' });
    expect(errors.filter((e) => !/400/.test(e))).toEqual([]);
    await close();
  });
});
