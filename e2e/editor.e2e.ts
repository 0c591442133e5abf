/**
 * The editor on existing jobs: the form is pre-filled with the stored job (Docker fields too) and
 * an edit shows on the detail page; the raw JSON mode saves what is typed, and names the field
 * when the JSON or a field is wrong, saving nothing; the parent picker refuses a parent that would
 * close a cycle (and so does the server, through the JSON mode). Every change is read back through
 * the Chronos API (GET /v1/scheduler/jobs/search?name=…).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, FAR } from './browser-suite';
import { hydrated, screenshot } from './harness';

const { base, api, suffix, newPage } = browserSuite();

async function openEditor(page: Page, name: string): Promise<void> {
  await page.goto(`${base}/jobs/${name}/edit`);
  await page.getByRole('heading', { level: 1, name: `Edit ${name}` }).waitFor();
}

/** Switches to the JSON tab and returns the JSON it shows. */
async function toJson(page: Page): Promise<Record<string, unknown>> {
  await page.getByRole('tab', { name: 'JSON' }).click();
  return JSON.parse(await page.getByLabel('Chronos job JSON').inputValue()) as Record<string, unknown>;
}

const rawError = (page: Page) => page.locator('#raw-json-error');

describe('editor', () => {
  it('editing a job: the form shows its current values (container included), and the saved change shows on its page', async () => {
    const name = `e2e-ed-edit-${suffix}`;
    await api.createJob({
      name,
      command: 'echo edit-me',
      schedule: FAR,
      cpus: 0.5,
      mem: 256,
      description: 'before the edit',
      owner: 'ed@example.com',
      environmentVariables: [{ name: 'STAGE', value: 'e2e' }],
      container: {
        type: 'DOCKER',
        image: 'alpine:3.20',
        network: 'BRIDGE',
        forcePullImage: true,
        parameters: [{ key: 'memory-swap', value: '-1' }],
        volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RO' }],
      },
    });
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/jobs/${name}`);
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.waitForURL(`**/jobs/${name}/edit`);
    await page.getByRole('heading', { level: 1, name: `Edit ${name}` }).waitFor();

    const value = (label: string) => page.getByLabel(label, { exact: true }).inputValue();
    expect(await value('Name')).toBe(name);
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('readonly')).not.toBeNull();
    expect(await value('Command')).toBe('echo edit-me');
    expect(await value('Description')).toBe('before the edit');
    expect(await value('Owner (emails)')).toBe('ed@example.com');
    expect(await value('CPUs')).toBe('0.5');
    expect(await value('Mem (MB)')).toBe('256');
    expect(await value('Schedule')).toBe(FAR);
    expect(await value('Variable 1 name')).toBe('STAGE');
    expect(await value('Variable 1 value')).toBe('e2e');
    expect(await page.getByLabel('Run in a Docker container').isChecked()).toBe(true);
    expect(await value('Image')).toBe('alpine:3.20');
    expect(await value('Network')).toBe('BRIDGE');
    expect(await page.getByLabel('Force pull the image').isChecked()).toBe(true);
    expect(await value('Parameter 1 key')).toBe('memory-swap');
    expect(await value('Parameter 1 value')).toBe('-1');
    expect(await value('Volume 1 container path')).toBe('/data');
    expect(await value('Volume 1 host path')).toBe('/srv/data');
    expect(await value('Volume 1 mode')).toBe('RO');
    await screenshot(page, 'editor-edit-prefilled');

    await page.getByLabel('CPUs', { exact: true }).fill('1.5');
    await page.getByLabel('Description', { exact: true }).fill('after the edit');
    await page.getByLabel('Schedule', { exact: true }).fill('R/2100-06-01T12:00:00Z/PT12H');
    await page.getByRole('button', { name: 'Save changes', exact: true }).click();
    await page.waitForURL(`**/jobs/${name}`);

    // the detail page shows the new values
    await page.getByText('after the edit').first().waitFor();
    await page.getByText('1.5 CPU · 256 MB mem').waitFor();
    await page.getByText('R/2100-06-01T12:00:00Z/PT12H', { exact: true }).first().waitFor();
    await page.getByText(/DOCKER alpine:3\.20 · network BRIDGE · force pull/).waitFor();
    await screenshot(page, 'job-detail-after-edit');

    const stored = await api.searchJob(name);
    expect(stored).toMatchObject({ cpus: 1.5, mem: 256, description: 'after the edit', schedule: 'R/2100-06-01T12:00:00Z/PT12H', command: 'echo edit-me' });
    // what the form did not touch is kept
    expect(stored?.environmentVariables).toEqual([{ name: 'STAGE', value: 'e2e' }]);
    expect(stored?.container).toMatchObject({ image: 'alpine:3.20', network: 'BRIDGE', forcePullImage: true, volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RO' }] });
    expect(errors).toEqual([]);
    await close();
  });

  it('raw JSON: a bad document or field is named and nothing is saved; a good one is saved as typed', async () => {
    const name = `e2e-ed-json-${suffix}`;
    await api.createJob({ name, command: 'echo v1', schedule: FAR });
    const { page, errors, close } = await newPage();
    await openEditor(page, name);
    const json = await toJson(page);
    expect(json).toMatchObject({ name, command: 'echo v1', schedule: FAR });
    const textarea = page.getByLabel('Chronos job JSON');
    const save = page.getByRole('button', { name: 'Save changes', exact: true });

    // not JSON at all
    await textarea.fill(`{ "name": "${name}", "command": "echo broken" `);
    await save.click();
    await rawError(page).filter({ hasText: /Invalid JSON/ }).waitFor();
    // a field the schema refuses (checked in the browser)
    await textarea.fill(JSON.stringify({ ...json, command: 'echo v2', cpus: -2 }, null, 2));
    await save.click();
    await rawError(page).filter({ hasText: /^cpus: .*positive/ }).waitFor();
    await screenshot(page, 'editor-json-field-error');
    // a field only the server can check (the zone)
    await textarea.fill(JSON.stringify({ ...json, command: 'echo v2', scheduleTimeZone: 'Mars/Olympus_Mons' }, null, 2));
    await save.click();
    await rawError(page).filter({ hasText: /scheduleTimeZone: .*Mars\/Olympus_Mons/ }).waitFor();
    // renaming while editing is refused, visibly
    await textarea.fill(JSON.stringify({ ...json, name: `${name}-renamed` }, null, 2));
    await save.click();
    await rawError(page).filter({ hasText: /^name: / }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/jobs/${name}/edit`);
    expect(await api.searchJob(name)).toMatchObject({ command: 'echo v1', cpus: 0.1, schedule: FAR });
    expect(await api.exists(`${name}-renamed`)).toBe(false);

    // a good change, saved from the JSON
    await textarea.fill(JSON.stringify({ ...json, command: 'echo v2', schedule: 'R/2100-02-01T00:00:00Z/PT6H' }, null, 2));
    await save.click();
    await page.waitForURL(`**/jobs/${name}`);
    await page.getByText('echo v2', { exact: true }).waitFor();
    expect(await api.searchJob(name)).toMatchObject({ command: 'echo v2', schedule: 'R/2100-02-01T00:00:00Z/PT6H' });

    // a field the form does not show, set in the JSON, survives switching back to the form
    await openEditor(page, name);
    const again = await toJson(page);
    expect(again).toMatchObject({ command: 'echo v2' });
    await textarea.fill(JSON.stringify({ ...again, epsilon: 'PT7M', description: 'set in JSON' }, null, 2));
    await page.getByRole('tab', { name: 'Form' }).click();
    expect(await page.getByLabel('Description', { exact: true }).inputValue()).toBe('set in JSON');
    await page.getByRole('button', { name: 'Save changes', exact: true }).click();
    await page.waitForURL(`**/jobs/${name}`);
    await page.getByText('set in JSON').first().waitFor();
    expect(await api.searchJob(name)).toMatchObject({ epsilon: 'PT7M', description: 'set in JSON', command: 'echo v2' });
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('the parent picker refuses a parent that would close a cycle; nothing is saved', async () => {
    const a = `e2e-ed-cyc-a-${suffix}`;
    const b = `e2e-ed-cyc-b-${suffix}`;
    const other = `e2e-ed-cyc-other-${suffix}`;
    await api.createJob({ name: a, command: 'echo a', schedule: FAR });
    await api.createDependent({ name: b, command: 'echo b', parents: [a] });
    await api.createJob({ name: other, command: 'echo other', schedule: FAR });
    const { page, errors, close } = await newPage();
    await openEditor(page, a);
    await page.getByLabel('After other jobs (dependent)').check();
    const search = page.getByLabel('Add a parent');
    const options = page.getByRole('listbox', { name: 'Matching jobs' });
    const chosen = page.getByRole('list', { name: 'Chosen parents' });

    await search.fill(b);
    const option = options.getByRole('option').filter({ hasText: b });
    await option.filter({ hasText: 'would create a cycle' }).waitFor();
    await expect.poll(() => options.getByRole('option').count()).toBe(1);
    expect(await option.getAttribute('aria-disabled')).toBe('true');
    // Enter picks the first match (the only one): refused, with the reason
    await search.press('Enter');
    const refusal = page.getByRole('alert').filter({ hasText: 'cycle' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(`${b} depends on ${a}: making it a parent would create a cycle.`);
    expect(await chosen.getByRole('listitem').count()).toBe(0);
    await screenshot(page, 'editor-parent-cycle-refused');

    // an unrelated job is accepted
    await search.fill(other);
    await options.getByRole('option').filter({ hasText: other }).getByRole('button').click();
    await chosen.getByRole('listitem').filter({ hasText: other }).waitFor();
    expect(await refusal.count()).toBe(0);

    // the same cycle typed in the JSON: the server refuses it, naming the field
    const json = await toJson(page);
    expect(json.parents).toEqual([other]);
    await page.getByLabel('Chronos job JSON').fill(JSON.stringify({ ...json, parents: [b] }, null, 2));
    await page.getByRole('button', { name: 'Save changes', exact: true }).click();
    await rawError(page).filter({ hasText: /^parents: .*cycle/i }).waitFor();
    expect(await rawError(page).textContent()).toContain(b);
    expect(new URL(page.url()).pathname).toBe(`/jobs/${a}/edit`);

    const stored = await api.searchJob(a);
    expect(stored?.parents).toBeUndefined();
    expect(stored?.schedule).toBe(FAR);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it.each(['light', 'dark'] as const)('%s mode: a failed save: the summary names every bad field in plain words, each linked to it; nothing typed changes', async (theme) => {
    const name = `e2e-ed-sum-${theme}-${suffix}`;
    const { page, errors, close } = await newPage({ theme });
    await page.goto(`${base}/jobs/new`);
    await page.getByRole('heading', { level: 1, name: 'New job' }).waitFor();
    await hydrated(page);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Command', { exact: true }).fill('echo summary');
    await page.getByLabel('CPUs', { exact: true }).fill('-1');
    await page.locator('#sb-start').fill('2100-01-01T03:00');
    await page.locator('#sb-period').selectOption('custom');
    await page.getByLabel('Custom period (ISO 8601 duration)').fill('PX1');
    await page.getByLabel('Time zone', { exact: true }).fill('Asia/Shangai');
    const typed = { schedule: 'R/2100-01-01T03:00:00Z/PX1', start: '2100-01-01T03:00', period: 'PX1', zone: 'Asia/Shangai' };
    expect(await page.getByLabel('Schedule', { exact: true }).inputValue()).toBe(typed.schedule);
    await page.getByRole('button', { name: 'Create job', exact: true }).click();

    const summary = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await summary.getByText('Not saved: fix these 3 fields.').waitFor();
    const items = summary.getByRole('listitem');
    // in page order, by the labels a person sees, each saying what is wrong and what is accepted
    expect(await items.allTextContents()).toEqual([
      expect.stringMatching(/^Schedule: period 'PX1' is not a duration: a period must look like PT1H or P1D/),
      expect.stringMatching(/^Time zone: 'Asia\/Shangai' is not a time zone: .*\(did you mean Asia\/Shanghai\?\)$/),
      expect.stringMatching(/^CPUs: .*positive/),
    ]);
    expect(await page.locator('body').textContent()).not.toMatch(/wtf bro|Cannot parse|ISO8601 period/);
    // each is a link to its field
    await summary.getByRole('link', { name: 'Time zone' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-scheduleTimeZone');
    await summary.getByRole('link', { name: 'Schedule' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-schedule');
    await screenshot(page, `editor-error-summary-${theme}`);
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');

    // what was typed is all still there: the period stays custom, the start keeps its time
    expect(await page.locator('#sb-period').inputValue()).toBe('custom');
    expect(await page.getByLabel('Custom period (ISO 8601 duration)').inputValue()).toBe(typed.period);
    expect(await page.locator('#sb-start').inputValue()).toBe(typed.start);
    expect(await page.getByLabel('Time zone', { exact: true }).inputValue()).toBe(typed.zone);
    expect(await page.getByLabel('Schedule', { exact: true }).inputValue()).toBe(typed.schedule);
    expect(await page.getByLabel('CPUs', { exact: true }).inputValue()).toBe('-1');
    // the preview says the same, in the same words
    await page.getByTestId('schedule-preview').getByText(/^Schedule: period 'PX1' is not a duration/).waitFor();

    // fixing one field keeps the others listed (the server's schedule error too)
    await page.getByLabel('Time zone', { exact: true }).fill('Asia/Shanghai');
    await summary.getByText('Not saved: fix these 2 fields.').waitFor();
    expect(await items.allTextContents()).toEqual([expect.stringMatching(/^Schedule: period 'PX1'/), expect.stringMatching(/^CPUs: /)]);
    // clearing the custom period while typing keeps the builder (it does not vanish)
    await page.getByLabel('Custom period (ISO 8601 duration)').fill('');
    expect(await page.locator('#sb-period').inputValue()).toBe('custom');
    await page.getByLabel('Custom period (ISO 8601 duration)').fill('PT1H');
    await page.getByLabel('CPUs', { exact: true }).fill('0.5');
    expect(await api.exists(name)).toBe(false);
    await page.getByRole('button', { name: 'Create job', exact: true }).click();
    await page.waitForURL(`**/jobs/${name}`);
    expect(await api.searchJob(name)).toMatchObject({ schedule: expect.stringMatching(/^R\/2100-01-01T03:00:00.*\/PT1H$/), scheduleTimeZone: 'Asia/Shanghai', cpus: 0.5 });
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });
});
