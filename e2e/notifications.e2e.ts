/**
 * Notifications in the UI, on an app of its own whose SMTP server is down and whose Slack URL is
 * malformed: the bad setting is listed on the notifications page (the app started and runs jobs);
 * a job that fails gets its owner's mail retried, and its page and the failed-deliveries list show
 * why; another job runs meanwhile as usual.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosApi, launchBrowser, newPage, screenshot, startApp, type RunningApp } from './harness';

let app: RunningApp;
let browser: Browser;
let api: ChronosApi;

beforeAll(async () => {
  // a port nobody listens on: the SMTP server is down
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const downPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  app = await startApp({
    env: { MAIL_SERVER: `127.0.0.1:${downPort}`, MAIL_FROM: 'sisyphus@example.com', SLACK_URL: 'hooks.slack.com/services/T0/B0/x', NOTIFY_GATHER_MS: '0' },
  });
  api = new ChronosApi(app.url);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('notifications in the UI', () => {
  it('a failed delivery shows its reason on the job page and the notifications page; a bad setting is listed; jobs run meanwhile', async () => {
    await api.createJob({ name: 'e2e-notify-fails', command: 'exit 3', retries: 0, owner: 'ops@example.com' });
    await api.createJob({ name: 'e2e-notify-fine', command: 'true' });
    await api.runJob('e2e-notify-fails');
    await api.runJob('e2e-notify-fine');
    await api.waitForRun('e2e-notify-fine', ['FINISHED'], 30_000);

    const { page, errors, close } = await newPage(browser);
    await page.goto(`${app.url}/jobs/e2e-notify-fails`);
    const panel = page.getByRole('region', { name: 'Notifications' });
    const row = panel.locator('tbody tr').filter({ hasText: 'mail → ops@example.com' });
    await row.filter({ hasText: 'ECONNREFUSED' }).waitFor({ timeout: 45_000 });
    expect(await row.textContent()).toMatch(/failed.*mail → ops@example\.com.*retrying \(attempt \d+\).*SMTP server 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    await screenshot(page, 'job-notifications-retrying');

    await page.goto(`${app.url}/notifications`);
    await page.getByRole('list', { name: 'Notification problems' }).filter({ hasText: 'SLACK_URL' }).waitFor();
    expect(await page.getByRole('list', { name: 'Notification problems' }).textContent()).toContain("must be an http(s) URL, got 'hooks.slack.com/services/T0/B0/x'");
    const failed = page.getByRole('region', { name: 'Failed deliveries' });
    await failed.locator('tbody tr').filter({ hasText: 'e2e-notify-fails' }).filter({ hasText: 'ECONNREFUSED' }).waitFor();
    expect(await page.getByRole('region', { name: 'Channels' }).textContent()).toContain('Sending on: mail.');
    await screenshot(page, 'notifications-page');
    expect(errors).toEqual([]);
    await close();
  }, 120_000);
});
