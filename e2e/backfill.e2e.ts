/**
 * A backfill from the job page, in Chromium against the real scheduler and mesos-local: the dialog
 * previews the instants and what runs downstream, a refused field is named, and once started the
 * page shows the backfill's progress, pause and resume, to done; the runs are backfill runs at
 * their instants.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite } from './browser-suite';
import { hydrated, screenshot } from './harness';

const { base, api, suffix, newPage } = browserSuite();

describe('backfill from the job page', () => {
  it('previews, names a refused field, starts, pauses, resumes and shows progress to done', async () => {
    const root = `e2e-bf-${suffix}`;
    const child = `e2e-bf-child-${suffix}`;
    await api.createJob({ name: root, command: 'sleep 1', schedule: 'R/2100-01-01T02:00:00Z/P1D', cpus: 0.1, mem: 16 });
    await api.createDependent({ name: child, command: 'true', parents: [root], cpus: 0.1, mem: 16 });
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs/${root}`);
    await hydrated(page);
    const panel = page.getByRole('region', { name: 'Backfills' });
    await panel.getByRole('button', { name: 'Backfill…' }).click();
    const dialog = page.getByRole('dialog', { name: `Backfill ${root}` });
    await dialog.waitFor();
    await dialog.getByLabel('From').fill('2026-11-01T00:00:00Z');
    await dialog.getByLabel('To').fill('2026-11-03T23:00:00Z');
    await dialog.getByLabel('Concurrency').fill('0');
    await expect.poll(() => dialog.getByTestId('backfill-problem').textContent()).toMatch(/^concurrency: concurrency must be a whole number/);
    await dialog.getByLabel('Concurrency').fill('1');
    const preview = dialog.getByTestId('backfill-preview');
    await expect.poll(() => preview.textContent()).toContain('3 instants × 2 jobs: 6 runs, at most 1 instant at once');
    expect(await preview.getByRole('list', { name: 'Instants' }).textContent()).toBe('2026-11-01T02:00:00.000Z2026-11-02T02:00:00.000Z2026-11-03T02:00:00.000Z');
    expect(await preview.textContent()).toContain(`${root} → ${child}`);
    await screenshot(page, 'backfill-dialog');
    await dialog.getByRole('button', { name: 'Start backfill' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const item = panel.getByRole('listitem').first();
    await expect.poll(() => item.getAttribute('data-state')).toBe('running');
    await item.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => item.getAttribute('data-state')).toBe('paused');
    await screenshot(page, 'backfill-paused');
    await item.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await item.getByTestId('backfill-progress').textContent()).toBe('6 of 6 done: 6 succeeded');
    expect(await item.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    // its instants: a row per night, each job's cell linked to its run
    await item.getByText('Instants', { exact: true }).click();
    const table = item.getByRole('table', { name: /instants$/ });
    await expect.poll(() => table.getByRole('row').count()).toBe(4);
    expect(await table.getByRole('row').nth(1).textContent()).toBe('2026-11-01T02:00:00.000Zsucceededsucceeded');
    expect(await table.getByRole('link', { name: 'succeeded' }).first().getAttribute('href')).toMatch(new RegExp(`^/runs/ct%3A1793498400000%3A0%3A${root}`));
    await screenshot(page, 'backfill-done');

    const runs = [...(await api.runs(root)), ...(await api.runs(child))];
    expect(runs.map((r) => `${r.jobName}@${new Date(r.due).toISOString()}:${r.trigger}:${r.state}`).sort()).toEqual(
      [root, child].flatMap((j) => [1, 2, 3].map((d) => `${j}@2026-11-0${d}T02:00:00.000Z:backfill:FINISHED`)).sort(),
    );
    // the only console errors: the refused preview (concurrency 0), a 400 the dialog showed
    expect(errors.filter((e) => !(e.includes('status of 400') && e.includes(`/api/jobs/${root}/backfill`)))).toEqual([]);
    await close();
  }, 120_000);
});
