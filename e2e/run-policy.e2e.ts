/**
 * Issue 17 in the browser: the editor's "When a run is still going" and "Jitter" settings. A bad
 * jitter is named under its field and nothing is saved; a good one and a policy are saved, read
 * back through the Chronos API (the field only when away from its default) and shown on the job
 * page in words.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, FAR } from './browser-suite';
import { screenshot } from './harness';

const { base, api, suffix, newPage } = browserSuite();

describe('run policy settings', () => {
  it('overlap policy and jitter: a bad jitter is refused under its field, good values are saved and shown', async () => {
    const name = `e2e-policy-${suffix}`;
    await api.createJob({ name, command: 'sleep 1', schedule: FAR, concurrent: true });
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs/${name}/edit`);
    await page.getByRole('heading', { level: 1, name: `Edit ${name}` }).waitFor();

    const policy = page.getByLabel('When a run is still going', { exact: true });
    expect(await policy.inputValue()).toBe('Allow'); // concurrent: true
    await policy.selectOption('Forbid');
    await page.getByText('The instant is recorded as a skipped run, with the reason.').waitFor();
    const jitter = page.getByLabel('Jitter', { exact: true });
    await jitter.fill('PT2H');
    const save = page.getByRole('button', { name: 'Save changes', exact: true });
    await save.click();
    await page.locator('#f-jitter-error').filter({ hasText: 'must be at most PT1H' }).waitFor();
    await screenshot(page, 'editor-jitter-error');
    expect(new URL(page.url()).pathname).toBe(`/jobs/${name}/edit`);
    expect(await api.searchJob(name)).toMatchObject({ concurrent: true });
    expect(await api.searchJob(name)).not.toHaveProperty('jitter');

    await jitter.fill('PT5M');
    await save.click();
    await page.waitForURL(`**/jobs/${name}`);
    await page.getByText('Forbid: the instant is skipped, recorded with the reason').waitFor();
    await page.getByText(/launches spread up to PT5M after each instant/).waitFor();
    await screenshot(page, 'job-detail-run-policy');
    const stored = await api.searchJob(name);
    expect(stored).toMatchObject({ concurrent: false, concurrencyPolicy: 'Forbid', jitter: 'PT5M' });

    // back to the default: the fields leave the Chronos JSON
    await page.goto(`${base}/jobs/${name}/edit`);
    await page.getByRole('heading', { level: 1, name: `Edit ${name}` }).waitFor();
    expect(await policy.inputValue()).toBe('Forbid');
    expect(await jitter.inputValue()).toBe('PT5M');
    await policy.selectOption('Queue');
    await jitter.fill('');
    await save.click();
    await page.waitForURL(`**/jobs/${name}`);
    await page.getByText('Queue: the next run starts right after it ends (default, as Chronos)').waitFor();
    const back = await api.searchJob(name);
    expect(back).toMatchObject({ concurrent: false });
    expect(back).not.toHaveProperty('concurrencyPolicy');
    expect(back).not.toHaveProperty('jitter');
    expect(errors).toEqual([]);
    await close();
  });
});
