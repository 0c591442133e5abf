/**
 * Sisyphus under the burst: N immediate jobs POSTed one by one to /v1/scheduler/iso8601 of the
 * real app (the server (`server/main.ts`)), 16 requests in flight, until every run is FINISHED in the database.
 * Also counts what the database did per run (commits and row writes, from pg_stat).
 */
import http from 'node:http';
import { cpuSince, cpuSnapshot, type CpuUse } from './proc';
import type { AppProcess, BenchDb, DbStats } from './services';

/**
 * The client of the burst: keep-alive sockets, as a Chronos client library keeps its session
 * (chronos-python: requests.Session). Node's fetch cost ~1.4 ms of this process's CPU per POST,
 * taken from the two cores the app, mesos-local and PostgreSQL share; this costs ~0.2 ms.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
import { pool, sleep, waitFor } from './util';

export interface SisyphusBurstResult {
  seconds: number;
  perSecond: number;
  submitSeconds: number;
  failed: number;
  db: DbStats;
  polls: number;
  /** CPU of each process tree from the first POST to the last run FINISHED (with `cpuRoots`) */
  cpu?: CpuUse;
}

export interface BurstJobShape {
  command: string;
  shell: boolean;
  cpus: number;
  mem: number;
}

export async function sisyphusBurst(
  app: AppProcess,
  db: BenchDb,
  n: number,
  prefix: string,
  shape: BurstJobShape,
  onProgress: (done: number, submitted: number) => void,
  timeoutMs = 900_000,
  cpuRoots?: Record<string, number | null>,
): Promise<SisyphusBurstResult> {
  await sleep(1200); // let pg_stat settle before the baseline
  const before = await db.stats();
  let submitted = 0;
  let polls = 0;
  const cpu0 = cpuRoots ? cpuSnapshot(cpuRoots) : null;
  const t0 = performance.now();
  let submitSeconds = 0;
  const submit = pool(n, 16, async (i) => {
    const body = JSON.stringify({
      name: `${prefix}${i}`,
      command: shape.command,
      shell: shape.shell,
      arguments: [],
      schedule: 'R1//PT1H',
      epsilon: 'PT1H',
      cpus: shape.cpus,
      mem: shape.mem,
      disk: 0,
      owner: 'bench@example.com',
    });
    for (let attempt = 0; ; attempt++) {
      const r = await post(`${app.url}/v1/scheduler/iso8601`, body);
      if (r.status === 204) break;
      if (attempt >= 3) throw new Error(`POST iso8601 answered ${r.status}: ${r.text.slice(0, 300)}`);
      await sleep(100);
    }
    submitted++;
  }).then(() => {
    submitSeconds = (performance.now() - t0) / 1000;
  });
  let failed = 0;
  let submitError: unknown = null;
  submit.catch((e) => (submitError = e));
  await waitFor(
    'every run FINISHED',
    async () => {
      if (submitError) throw submitError;
      polls++;
      const rows = await db.query<{ state: string; c: string }>(
        `SELECT state, count(*)::text AS c FROM runs WHERE job_name LIKE $1 AND state IN ('FINISHED','FAILED','ERROR','LOST','KILLED','DROPPED') GROUP BY state`,
        [`${prefix}%`],
      );
      let done = 0;
      failed = 0;
      for (const r of rows) {
        done += Number(r.c);
        if (r.state !== 'FINISHED') failed += Number(r.c);
      }
      onProgress(done, submitted);
      return done >= n;
    },
    timeoutMs,
    50,
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpu0 && cpuRoots ? cpuSince(cpu0, cpuSnapshot(cpuRoots)) : undefined;
  await submit;
  await sleep(1500); // pg_stat is flushed by backends about once a second
  const after = await db.stats();
  return {
    seconds,
    perSecond: n / seconds,
    submitSeconds,
    failed,
    polls,
    cpu,
    db: {
      commits: after.commits - before.commits - polls - 2,
      inserted: after.inserted - before.inserted,
      updated: after.updated - before.updated,
      deleted: after.deleted - before.deleted,
    },
  };
}
