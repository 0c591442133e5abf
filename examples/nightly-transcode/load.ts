/**
 * Loads the nightly transcoding pipeline into a running Sisyphus (or Chronos) through the Chronos
 * REST API: `npm run example -- nightly-transcode [options]`.
 *
 *   --url URL        the server (default http://127.0.0.1:8080, what `npm start` serves)
 *   --clips N        source clips per night (default 6)
 *   --seconds S      length of each clip (default 4)
 *   --heights LIST   rendition heights (default 360,720,1080; e.g. 72,108,144 for a quick try)
 *   --work DIR       scratch folder of the night (default ./data/examples/nightly-transcode/work)
 *   --out DIR        where the HLS packages are published (default ./data/examples/nightly-transcode/out)
 *   --prefix NAME    job name prefix (default nightly-transcode)
 *   --run-now        also start a night at once (PUT /v1/scheduler/job/<prefix>.prepare)
 *
 * Jobs are posted parents first (POST /v1/scheduler/iso8601 for the root, /dependency for the
 * rest); jobs under the prefix that the new pipeline no longer has (fewer clips, other heights)
 * are deleted afterwards. Bad input stops with one line saying what to do, exit code 1.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chronosJobs, type ChronosJob } from './chronos-jobs';
import { DEFAULT_HEIGHTS, pipelineSteps, validateOptions, type PipelineOptions } from './pipeline';
import { LoaderError, checkServer, checkTools, checkWritable } from './preflight';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface LoadOptions extends PipelineOptions {
  url: string;
  runNow: boolean;
}

export function parseLoadArgs(argv: string[], cwd: string): LoadOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        url: { type: 'string', default: DEFAULT_URL },
        clips: { type: 'string', default: '6' },
        seconds: { type: 'string', default: '4' },
        heights: { type: 'string', default: DEFAULT_HEIGHTS.join(',') },
        work: { type: 'string', default: 'data/examples/nightly-transcode/work' },
        out: { type: 'string', default: 'data/examples/nightly-transcode/out' },
        prefix: { type: 'string', default: 'nightly-transcode' },
        'run-now': { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new LoaderError(`${(e as Error).message.split('\n')[0]}; options: --url --clips --seconds --heights --work --out --prefix --run-now (see examples/nightly-transcode/README.md)`);
  }
  try {
    new URL(values.url);
  } catch {
    throw new LoaderError(`--url ${values.url} is not a URL; pass e.g. --url http://127.0.0.1:8080`);
  }
  const o: LoadOptions = {
    url: values.url,
    clips: Number(values.clips),
    seconds: Number(values.seconds),
    heights: values.heights.split(',').map((h) => Number(h.trim())),
    workDir: path.resolve(cwd, values.work),
    outDir: path.resolve(cwd, values.out),
    prefix: values.prefix,
    runNow: values['run-now'],
  };
  const problem = validateOptions(o);
  if (problem) throw new LoaderError(problem);
  return o;
}

async function call(base: string, method: string, p: string, body?: unknown): Promise<string> {
  const r = await fetch(new URL(p, base), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new LoaderError(`${method} ${p} answered ${r.status}: ${text.slice(0, 300)}`);
  return text;
}

/** Removal order of stale jobs: children before parents. */
const RANK = ['verify', 'package', 'transcode', 'source'];
const rank = (name: string) => RANK.findIndex((r) => name.split('.').pop()!.startsWith(r));

export async function load(o: LoadOptions, env: NodeJS.ProcessEnv, say: (line: string) => void, now = new Date()): Promise<ChronosJob[]> {
  checkTools(env);
  checkWritable(o.workDir, 'work', '--work');
  checkWritable(o.outDir, 'output', '--out');
  await checkServer(o.url);

  const jobs = chronosJobs(pipelineSteps(o), now);
  say(`posting ${jobs.length} jobs (${o.clips} clips × ${o.heights.length} renditions) to ${o.url} …`);
  for (const job of jobs) {
    await call(o.url, 'POST', 'parents' in job ? '/v1/scheduler/dependency' : '/v1/scheduler/iso8601', job);
  }
  const wanted = new Set(jobs.map((j) => j.name));
  const existing = JSON.parse(await call(o.url, 'GET', `/v1/scheduler/jobs/search?name=${encodeURIComponent(`${o.prefix}.`)}&limit=100000`)) as Array<{ name: string }>;
  const stale = existing
    .map((j) => j.name)
    .filter((n) => n.startsWith(`${o.prefix}.`) && !wanted.has(n))
    .sort((a, b) => rank(a) - rank(b));
  for (const name of stale) await call(o.url, 'DELETE', `/v1/scheduler/job/${encodeURIComponent(name)}`);
  const root = jobs.find((j) => !('parents' in j))!;
  say(
    `loaded ${jobs.length} jobs${stale.length ? ` (removed ${stale.length} stale)` : ''}; the night starts ${String(root.schedule)} ${String(root.scheduleTimeZone)}; ` +
      `work ${o.workDir}, output ${o.outDir}`,
  );
  if (o.runNow) {
    await call(o.url, 'PUT', `/v1/scheduler/job/${encodeURIComponent(root.name)}`);
    say(`started a night now: watch ${new URL(`/grid?prefix=${encodeURIComponent(`${o.prefix}.`)}`, o.url)}`);
  }
  return jobs;
}

/** The command: returns the exit code; every failure is one line on `err`. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, cwd: string, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  try {
    await load(parseLoadArgs(argv, cwd), env, out);
    return 0;
  } catch (e) {
    if (e instanceof LoaderError) {
      err(`nightly-transcode: ${e.message}`);
      return 1;
    }
    const cause = (e as Error & { cause?: { code?: string } }).cause?.code;
    err(`nightly-transcode: ${(e as Error).message}${cause ? ` (${cause})` : ''}; is the server at --url still up?`);
    return 1;
  }
}
