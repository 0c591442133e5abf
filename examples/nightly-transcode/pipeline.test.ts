/**
 * The pipeline's commands really transcode: one tiny night run as the plain shell baseline
 * (no scheduler) publishes an HLS package per clip whose renditions ffprobe reads as H.264 of the
 * asked size and length, and cleans up after itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layout, pipelineSteps, rendition } from './pipeline';
import { baselineScript, levels } from './shell-baseline';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-pipeline-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('nightly-transcode pipeline', () => {
  const o = { prefix: 'nt', clips: 2, seconds: 2, heights: [72, 108, 144], workDir: path.join(dir, 'work'), outDir: path.join(dir, 'out') };
  const steps = pipelineSteps(o);

  it('levels: prepare, sources, transcodes, packages, verifies, publish, cleanup', () => {
    expect(levels(steps).map((l) => l.length)).toEqual([1, 2, 6, 2, 2, 1, 1]);
  });

  it('the plain shell run of the commands publishes verified HLS renditions', () => {
    const script = path.join(dir, 'night.sh');
    fs.writeFileSync(script, baselineScript(steps));
    const r = spawnSync('sh', [script], { encoding: 'utf8', env: { ...process.env, JOBS: '2' }, timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const latest = layout(o).latest;
    expect(fs.existsSync(layout(o).night)).toBe(false); // cleaned up
    expect(fs.readdirSync(o.outDir).filter((f) => f.startsWith('.'))).toEqual([]);
    for (const clip of ['c01', 'c02']) {
      expect(fs.readFileSync(path.join(latest, clip, 'master.m3u8'), 'utf8')).toContain('RESOLUTION=256x144');
      for (const h of o.heights) {
        const want = rendition(h);
        const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', path.join(latest, clip, `${want.name}.m3u8`)], { encoding: 'utf8' });
        const j = JSON.parse(probe) as { streams: Array<{ codec_name: string; width: number; height: number }>; format: { duration: string } };
        expect(j.streams[0]).toMatchObject({ codec_name: 'h264', width: want.width, height: want.height });
        expect(Number(j.format.duration)).toBeCloseTo(2, 0);
      }
    }
  }, 180_000); // a 2-core machine shared by other work can take a minute
});
