/**
 * The nightly-transcode example end to end (issue 19): `npm run example -- nightly-transcode`
 * loads the pipeline into the app through the Chronos API and starts a night (a short one: three
 * 2-second clips, renditions of 72/108/144 lines); mesos-local runs the real ffmpeg commands.
 * Every run of the night finishes, except the first attempt of the deliberately flaky publish
 * step, which fails and is retried; every published rendition is H.264 of its size and length by
 * ffprobe. Screenshots of the grid, the graph, the timeline and a run's log land in e2e/artifacts/
 * (nightly-transcode-*.png); with E2E_EXAMPLE_SCREENSHOTS=1, or when missing there, they are also
 * written to examples/nightly-transcode/screenshots/ for its README.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineSteps, rendition } from '../examples/nightly-transcode/pipeline';
import { ChronosApi, ROOT, appUrl, hydrated, launchBrowser, newPage, screenshot } from './harness';

const PREFIX = 'nightly-transcode';
const CLIPS = 3;
const SECONDS = 2;
const HEIGHTS = [72, 108, 144];
const EXAMPLE_SHOTS = path.join(ROOT, 'examples', 'nightly-transcode', 'screenshots');

let browser: Browser;
let base: string;
let api: ChronosApi;
let dir: string;
let loaderOut = '';
const names = () => pipelineSteps({ prefix: PREFIX, clips: CLIPS, seconds: SECONDS, heights: HEIGHTS, workDir: '/w', outDir: '/o' }).map((s) => s.name);

beforeAll(async () => {
  base = appUrl();
  api = new ChronosApi(base);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-e2e-nt-'));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A small viewport PNG in e2e/artifacts/, and in the example's folder when asked or missing. */
async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  const file = await screenshot(page, `nightly-transcode-${name}`);
  const target = path.join(EXAMPLE_SHOTS, `${name}.png`);
  if (process.env.E2E_EXAMPLE_SCREENSHOTS === '1' || !fs.existsSync(target)) {
    fs.mkdirSync(EXAMPLE_SHOTS, { recursive: true });
    // a 256-colour palette keeps the committed PNGs small (a third of the size)
    const raw = path.join(dir, `${name}.png`);
    await page.screenshot({ path: raw, fullPage });
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', raw, '-vf', 'split[a][b];[a]palettegen=max_colors=256[p];[b][p]paletteuse=dither=none', target]);
  }
  expect(fs.statSync(file).size).toBeGreaterThan(0);
}

describe('nightly-transcode example', () => {
  it('loads with one command and runs a night: every run FINISHED (publish after one retry), every rendition right by ffprobe', async () => {
    const args = ['--import', 'tsx', path.join(ROOT, 'examples', 'run.ts'), PREFIX, '--url', base, '--clips', String(CLIPS), '--seconds', String(SECONDS), '--heights', HEIGHTS.join(',')];
    args.push('--work', path.join(dir, 'work'), '--out', path.join(dir, 'out'), '--run-now');
    loaderOut = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, args, { cwd: ROOT }, (e, stdout, stderr) => (e ? reject(new Error(`loader failed: ${stderr}`)) : resolve(stdout))),
    );
    expect(loaderOut).toContain(`loaded ${CLIPS * 6 + 3} jobs`);
    expect(loaderOut).toContain('started a night now');

    const root = await api.getJob(`${PREFIX}.prepare`);
    expect(root).toMatchObject({ scheduleTimeZone: 'Asia/Shanghai', concurrencyPolicy: 'Forbid' });
    expect(String(root!.schedule)).toMatch(/T02:00:00.*\/P1D$/);

    await api.waitForRun(`${PREFIX}.cleanup`, ['FINISHED', 'FAILED'], 170_000);
    for (const name of names()) {
      const runs = await api.runs(name, 10);
      const states = runs.map((r) => `${r.attempt}:${r.state}`).reverse();
      expect(states, name).toEqual(name === `${PREFIX}.publish` ? ['0:FAILED', '1:FINISHED'] : ['0:FINISHED']);
    }

    const latest = path.join(dir, 'out', 'latest');
    for (let i = 1; i <= CLIPS; i++) {
      const clip = path.join(latest, `c0${i}`);
      expect(fs.readFileSync(path.join(clip, 'master.m3u8'), 'utf8').match(/RESOLUTION=/g)).toHaveLength(HEIGHTS.length);
      for (const h of HEIGHTS) {
        const r = rendition(h);
        const probe = JSON.parse(
          execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', path.join(clip, `${r.name}.m3u8`)], { encoding: 'utf8' }),
        ) as { streams: Array<{ codec_name: string; width: number; height: number }>; format: { duration: string } };
        expect(probe.streams[0], `c0${i} ${r.name}`).toMatchObject({ codec_name: 'h264', width: r.width, height: r.height });
        expect(Math.abs(Number(probe.format.duration) - SECONDS), `c0${i} ${r.name} duration`).toBeLessThanOrEqual(0.5);
      }
    }
    expect(fs.existsSync(path.join(dir, 'work', 'night'))).toBe(false); // cleanup ran
  }, 240_000);

  it('shows the night in the grid, the graph, the timeline and a retried run\'s log', async () => {
    const { page, errors, close } = await newPage(browser, { viewport: { width: 1280, height: 1150 } });
    await page.goto(`${base}/grid?prefix=${encodeURIComponent(`${PREFIX}.`)}`); // tall: the grid scrolls past 70% of it
    await page.getByTestId('grid-scroll').waitFor();
    await page.getByText(`${PREFIX}.c01.transcode-144p`).first().waitFor();
    await shot(page, 'grid', true);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.goto(`${base}/graph?focus=${encodeURIComponent(`${PREFIX}.publish`)}`);
    await page.getByText(`${PREFIX}.publish`).first().waitFor();
    await hydrated(page);
    await shot(page, 'graph');

    // the job filter is one job by name: the night shows among this hour's other runs
    await page.goto(`${base}/runs?view=timeline&window=1h`);
    await page.getByText(`${PREFIX}.prepare`).first().waitFor();
    await shot(page, 'timeline');

    const failed = (await api.runs(`${PREFIX}.publish`, 5)).find((r) => r.attempt === 0)!;
    await page.goto(`${base}/runs/${encodeURIComponent(failed.taskId)}`);
    await page.getByTestId('log-stderr').filter({ hasText: 'deliberately flaky' }).waitFor();
    await shot(page, 'run-log-retry');

    const verify = (await api.runs(`${PREFIX}.c01.verify`, 1))[0];
    await page.goto(`${base}/runs/${encodeURIComponent(verify.taskId)}`);
    await hydrated(page);
    await page.getByRole('tab', { name: 'stdout' }).click();
    await page.getByTestId('log-stdout').filter({ hasText: '144p: h264 256x144' }).waitFor();
    await shot(page, 'run-log-verify');
    expect(errors).toEqual([]);
    await close();
  }, 120_000);
});
