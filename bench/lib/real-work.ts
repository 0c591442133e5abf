/**
 * "Real work" (issue 19, point 4): one night of the nightly-transcode example
 * (examples/nightly-transcode/) for N clips through Sisyphus — the built app on a fresh database,
 * mesos-local with one agent holding this machine's cores and memory, the jobs posted by the
 * example's loader, the night started with PUT /v1/scheduler/job/<prefix>.prepare — against the
 * same ffmpeg commands run by the plain shell script of shell-baseline.ts on every core (the
 * limit). Wall time from the start of the night to the end of `cleanup`; the two sides alternate
 * which goes first, repetition by repetition, so both see the same machine load.
 *
 * The flaky `publish` fails once in both: Sisyphus retries it after RETRY_DELAY_MS (set to 100 ms
 * here), the shell script at once.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from '../../examples/nightly-transcode/load';
import { layout, pipelineSteps, type PipelineOptions } from '../../examples/nightly-transcode/pipeline';
import { baselineScript } from '../../examples/nightly-transcode/shell-baseline';
import { createBenchDb, startApp, startMesos } from './services';
import { progress, waitFor } from './util';

export interface RealWorkResult {
  clips: number;
  seconds: number;
  heights: number[];
  cores: number;
  jobs: number;
  /** Wall ms per repetition. */
  sisyphusMs: number[];
  shellMs: number[];
}

const PREFIX = 'rw';

function options(root: string, clips: number, seconds: number, heights: number[]): PipelineOptions {
  fs.mkdirSync(root, { recursive: true });
  return { prefix: PREFIX, clips, seconds, heights, workDir: path.join(root, 'work'), outDir: path.join(root, 'out') };
}

/** Published renditions of the night: one HLS playlist per clip and height. */
function published(o: PipelineOptions): number {
  const latest = layout(o).latest;
  let n = 0;
  for (let i = 1; i <= o.clips; i++) for (const h of o.heights) if (fs.existsSync(path.join(latest, `c${String(i).padStart(2, '0')}`, `${h}p.m3u8`))) n++;
  return n;
}

async function shellNight(o: PipelineOptions, tag: string): Promise<number> {
  const script = path.join(path.dirname(o.workDir), 'night.sh');
  fs.writeFileSync(script, baselineScript(pipelineSteps(o)));
  const t0 = Date.now();
  const tick = setInterval(() => progress(`${tag} shell: ${Math.round((Date.now() - t0) / 1000)} s`), 1000);
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const child = spawn('sh', [script], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, JOBS: String(os.cpus().length) } });
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the shell night failed (exit ${code}): ${err}`))));
    });
  } finally {
    clearInterval(tick);
  }
  return Date.now() - t0;
}

async function sisyphusNight(o: PipelineOptions, tag: string): Promise<number> {
  const db = await createBenchDb();
  const mesos = await startMesos({
    agents: [{ cpus: os.cpus().length, mem: Math.floor(os.totalmem() / 2 ** 20), disk: 100_000 }],
    workDir: path.join(path.dirname(o.workDir), 'mesos'),
  });
  const app = await startApp({ dbUrl: db.url, master: mesos.url, mesos, env: { RETRY_DELAY_MS: '100' } });
  try {
    await load({ ...o, url: app.url, runNow: false }, process.env, () => {});
    const t0 = Date.now();
    const r = await fetch(`${app.url}/v1/scheduler/job/${PREFIX}.prepare`, { method: 'PUT' });
    if (!r.ok) throw new Error(`PUT ${PREFIX}.prepare answered ${r.status}`);
    await waitFor(
      'the night to end (cleanup FINISHED)',
      async () => {
        progress(`${tag} Sisyphus: ${Math.round((Date.now() - t0) / 1000)} s`);
        const runs = (await (await fetch(`${app.url}/api/runs?job=${PREFIX}.cleanup&limit=1`)).json()) as { runs: Array<{ state: string }> };
        const state = runs.runs[0]?.state;
        if (state === 'FAILED' || state === 'KILLED' || state === 'LOST' || state === 'ERROR') throw new Error(`cleanup ended ${state}`);
        return state === 'FINISHED';
      },
      3 * 60 * 60_000,
      250,
    );
    return Date.now() - t0;
  } finally {
    await app.stop();
    await mesos.stop();
    await db.drop();
  }
}

export async function realWork(opts: { clips: number; seconds: number; heights: number[]; runs: number; say: (s: string) => void }): Promise<RealWorkResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-real-work-'));
  const res: RealWorkResult = { clips: opts.clips, seconds: opts.seconds, heights: opts.heights, cores: os.cpus().length, jobs: 0, sisyphusMs: [], shellMs: [] };
  try {
    for (let rep = 0; rep < opts.runs; rep++) {
      const tag = `real work ${rep + 1}/${opts.runs}`;
      const sides = [
        async () => {
          const o = options(path.join(root, `shell-${rep}`), opts.clips, opts.seconds, opts.heights);
          res.shellMs.push(await shellNight(o, tag));
          if (published(o) !== o.clips * o.heights.length) throw new Error('the shell night published too few renditions');
        },
        async () => {
          const o = options(path.join(root, `sisyphus-${rep}`), opts.clips, opts.seconds, opts.heights);
          res.jobs = pipelineSteps(o).length;
          res.sisyphusMs.push(await sisyphusNight(o, tag));
          if (published(o) !== o.clips * o.heights.length) throw new Error('the Sisyphus night published too few renditions');
        },
      ];
      if (rep % 2) sides.reverse();
      for (const side of sides) await side();
      opts.say(`${tag}: Sisyphus ${(res.sisyphusMs.at(-1)! / 1000).toFixed(1)} s, plain shell on ${res.cores} cores ${(res.shellMs.at(-1)! / 1000).toFixed(1)} s`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return res;
}

/** The report's row: Sisyphus's wall time for the night against the plain shell script's (the limit). */
export function realWorkRows(r: RealWorkResult, median: (xs: number[]) => number): Array<{ figure: string; value: string; peer: string; ratio: string; goal: string; met: boolean | null }> {
  const s = median(r.sisyphusMs);
  const sh = median(r.shellMs);
  return [
    {
      figure: `Real work: one night of examples/nightly-transcode, ${r.clips} clips × ${r.seconds} s, ${r.heights.map((h) => `${h}p`).join('/')} H.264 + HLS + ffprobe (${r.jobs} jobs), wall time (median of ${r.sisyphusMs.length})`,
      value: `${(s / 1000).toFixed(1)} s`,
      peer: `plain shell script, same commands, ${r.cores} cores: ${(sh / 1000).toFixed(1)} s`,
      ratio: `${(s / sh).toFixed(2)}×`,
      goal: '—',
      met: null,
    },
  ];
}
