/**
 * The nightly-transcode loader: bad input stops with one line saying what to do (exit 1), and a
 * good load posts every job, parents first, as Chronos job JSON Sisyphus accepts.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJob } from '../../scheduler/api/job-schema';
import { chronosJobs, nightlySchedule } from './chronos-jobs';
import { main } from './load';
import { pipelineSteps } from './pipeline';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-load-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function runLoader(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, env, dir, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

const folders = () => ['--work', path.join(dir, 'work'), '--out', path.join(dir, 'out')];

describe('loader: bad input stops with one line saying what to do', () => {
  it('ffmpeg missing: says to install it', async () => {
    const r = await runLoader(folders(), { ...process.env, PATH: path.join(dir, 'empty-bin') });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^nightly-transcode: ffmpeg is not installed or not on the PATH \(ENOENT\); install it with: sudo apt-get install -y ffmpeg/)]);
  });

  it('output folder not writable: names it and the option', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    const r = await runLoader(['--work', path.join(dir, 'work'), '--out', path.join(file, 'out')]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`nightly-transcode: the output folder ${path.join(file, 'out')} is not writable (ENOTDIR); pass a folder you can write to with --out DIR`]);
  });

  it('server unreachable: says to start it or pass --url', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await runLoader([...folders(), '--url', url]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`nightly-transcode: no Sisyphus answers at ${url} (ECONNREFUSED); start it with: npm start (or pass its address with --url URL)`]);
  });

  it('bad options: names the option and what it takes', async () => {
    expect((await runLoader(['--clips', 'many'])).err).toEqual(['nightly-transcode: clips NaN must be a whole number from 1 to 999']);
    expect((await runLoader(['--heights', '360,721'])).err).toEqual(['nightly-transcode: heights 360,721 must be even whole numbers from 36 to 2160']);
    expect((await runLoader(['--url', 'localhost'])).err).toEqual(['nightly-transcode: --url localhost is not a URL; pass e.g. --url http://127.0.0.1:8080']);
    const unknown = await runLoader(['--clip', '3']);
    expect(unknown.code).toBe(1);
    expect(unknown.err[0]).toMatch(/^nightly-transcode: Unknown option '--clip'; options: --url --clips/);
  });
});

describe('loader: a good load', () => {
  it('posts the root to /iso8601 and every other step to /dependency after its parents, then starts a night', async () => {
    const calls: Array<{ method: string; url: string; body: { name?: string; parents?: string[] } }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url === '/ping') return res.end('pong');
        calls.push({ method: req.method!, url: req.url!, body: body ? JSON.parse(body) : {} });
        if (req.url!.startsWith('/v1/scheduler/jobs/search')) {
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify([{ name: 'nt.c09.verify' }, { name: 'nt.c09.source' }, { name: 'other.c09.source' }]));
        }
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const r = await runLoader([...folders(), '--url', url, '--prefix', 'nt', '--clips', '2', '--run-now']);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      const posts = calls.filter((c) => c.method === 'POST');
      expect(posts).toHaveLength(2 * 6 + 3);
      expect(posts[0]).toMatchObject({ url: '/v1/scheduler/iso8601', body: { name: 'nt.prepare' } });
      const seen = new Set<string>();
      for (const p of posts.slice(1)) {
        expect(p.url).toBe('/v1/scheduler/dependency');
        for (const parent of p.body.parents!) expect(seen.has(parent) || parent === 'nt.prepare').toBe(true);
        seen.add(p.body.name!);
      }
      // stale jobs of the prefix go, children first; other prefixes stay
      expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual(['/v1/scheduler/job/nt.c09.verify', '/v1/scheduler/job/nt.c09.source']);
      expect(calls.at(-1)).toMatchObject({ method: 'PUT', url: '/v1/scheduler/job/nt.prepare' });
      expect(r.out.at(-1)).toContain('/grid?prefix=nt.');
    } finally {
      server.close();
    }
  });
});

describe('the jobs', () => {
  const steps = pipelineSteps({ prefix: 'nightly-transcode', clips: 3, seconds: 4, heights: [360, 720, 1080], workDir: '/srv/nt/work', outDir: '/srv/nt/out' });
  const jobs = chronosJobs(steps, new Date('2026-12-07T14:00:00Z'));

  it('every job is Chronos job JSON Sisyphus accepts', () => {
    for (const j of jobs) {
      const parsed = parseJob(j, { now: Date.parse('2026-12-07T14:00:00Z'), kind: 'parents' in j ? 'dependency' : 'iso8601' });
      expect(parsed, j.name).toMatchObject({ ok: true });
    }
  });

  it('runs at 02:00 in Shanghai: the next one after now, wall clock in the zone', () => {
    expect(jobs[0]).toMatchObject({ name: 'nightly-transcode.prepare', schedule: 'R/2026-12-08T02:00:00/P1D', scheduleTimeZone: 'Asia/Shanghai' });
    expect(nightlySchedule(new Date('2026-12-07T17:59:00Z'))).toBe('R/2026-12-08T02:00:00/P1D'); // 01:59 in Shanghai
    expect(nightlySchedule(new Date('2026-12-07T18:00:00Z'))).toBe('R/2026-12-09T02:00:00/P1D');
  });

  it('three renditions per clip, each asking the cpus its ffmpeg threads use', () => {
    const t = jobs.filter((j) => j.name.startsWith('nightly-transcode.c01.transcode-'));
    expect(t.map((j) => [j.name.split('-').pop(), j.cpus, j.command.match(/-threads (\d+)/)![1]])).toEqual([
      ['360p', 1, '1'],
      ['720p', 1, '1'],
      ['1080p', 2, '2'],
    ]);
    expect(jobs.find((j) => j.name === 'nightly-transcode.c01.package')!.parents).toEqual(t.map((j) => j.name));
    expect(jobs.find((j) => j.name === 'nightly-transcode.publish')).toMatchObject({ retries: 3, parents: ['nightly-transcode.c01.verify', 'nightly-transcode.c02.verify', 'nightly-transcode.c03.verify'] });
  });
});
