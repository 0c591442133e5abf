/**
 * Issue 17 on mesos-local, end to end with real processes and the wall clock:
 *   - an overlapping job (it sleeps 5 s, its period is 2 s) under each concurrencyPolicy;
 *   - a task that writes out its environment: SISYPHUS_DUE is the run's due instant, on the retry
 *     too, beside Chronos's own variables; a jitter delays the launch, not SISYPHUS_DUE.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jitterDelay } from '../core/jitter';
import type { Run } from '../core/types';
import { startLocalCluster, type LocalCluster } from '../testing/local-cluster';

let cluster: LocalCluster;
let out: string;

beforeAll(async () => {
  cluster = await startLocalCluster({ dbPrefix: 'sisyphus_run_semantics', worker: { retryDelayMs: 300, killGraceMs: 300 } });
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-env-'));
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

const runsOf = async (job: string): Promise<Run[]> => (await cluster.store.runs.list({ jobName: job, limit: 1000 })).runs.sort((a, b) => a.due - b.due || a.attempt - b.attempt);

/** Waits (on run events, not sleeps) until the job's stored runs satisfy `cond`; returns them. */
async function runsUntil(job: string, cond: (runs: Run[]) => boolean, timeoutMs: number, what: string): Promise<Run[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // listening before the read: an event between the read and the wait is not missed
    const changed = cluster.scheduler.events.next('run', (e) => e.run.jobName === job, Math.max(1, end - Date.now())).catch(() => {});
    const runs = await runsOf(job);
    if (cond(runs)) return runs;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; runs: ${JSON.stringify(runs.map((r) => [r.state, r.message]))}`);
    await changed;
  }
}

const launched = (runs: Run[]) => runs.filter((r) => r.launchedAt !== null);
const overlaps = (a: Run, b: Run) => a.launchedAt! < (b.finishedAt ?? Infinity) && b.launchedAt! < (a.finishedAt ?? Infinity);
const anyOverlap = (runs: Run[]) => launched(runs).some((a, i, l) => l.slice(i + 1).some((b) => overlaps(a, b)));

describe('an overlapping job (sleeps 5 s, due every 2 s) under each concurrencyPolicy', () => {
  it('Allow overlaps, Forbid skips with the reason, Replace kills then starts, Queue starts right after the end', async () => {
    const start = new Date(Math.ceil((Date.now() + 1_500) / 1000) * 1000).toISOString();
    const job = (name: string, policy: string) => cluster.api.upsertIso8601({ name, command: 'sleep 5', schedule: `R/${start}/PT2S`, concurrencyPolicy: policy, retries: 0 });
    await Promise.all([job('ov-allow', 'Allow'), job('ov-forbid', 'Forbid'), job('ov-replace', 'Replace'), job('ov-queue', 'Queue')]);

    const allow = await runsUntil('ov-allow', anyOverlap, 30_000, 'two Allow runs in flight at once');
    expect(anyOverlap(allow)).toBe(true);

    const forbid = await runsUntil('ov-forbid', (rs) => rs.some((r) => r.state === 'SKIPPED') && rs.some((r) => r.state === 'FINISHED'), 30_000, 'a Forbid run skipped and one finished');
    const skip = forbid.find((r) => r.state === 'SKIPPED')!;
    const first = forbid.find((r) => r.state === 'FINISHED')!;
    expect(skip.message).toBe(`skipped: the run due at ${new Date(first.due).toISOString()} is still running (concurrencyPolicy Forbid)`);
    expect(skip.due).toBeGreaterThan(first.due);
    expect(skip.due).toBeLessThan(first.finishedAt!);
    expect(anyOverlap(forbid)).toBe(false);

    const replace = await runsUntil('ov-replace', (rs) => rs.some((r) => r.state === 'KILLED') && launched(rs).length >= 2, 30_000, 'a Replace run killed and its successor launched');
    const killed = replace.find((r) => r.state === 'KILLED')!;
    const successor = replace.find((r) => r.due > killed.due && r.launchedAt !== null)!;
    expect(killed.message).toMatch(new RegExp(`^killed: replaced by the run due at ${new Date(successor.due).toISOString().replace(/\./g, '\\.')} \\(concurrencyPolicy Replace\\)`));
    // killed when the next instant came (not after its 5 s), and the new run started only after it ended
    expect(killed.finishedAt! - killed.launchedAt!).toBeLessThan(4_500);
    expect(successor.launchedAt!).toBeGreaterThanOrEqual(killed.finishedAt!);
    expect(anyOverlap(replace)).toBe(false);

    const queue = await runsUntil('ov-queue', (rs) => rs.filter((r) => r.state === 'FINISHED').length >= 1 && launched(rs).length >= 2, 30_000, 'a Queue run launched after the first ended');
    const [q1, q2] = launched(queue);
    expect(q2.due).toBeLessThan(q1.finishedAt!); // it came while the first ran …
    expect(q2.launchedAt!).toBeGreaterThanOrEqual(q1.finishedAt!); // … waited for its end …
    expect(q2.launchedAt! - q1.finishedAt!).toBeLessThan(2_000); // … and started right after it
    expect(queue.filter((r) => r.state === 'QUEUED').length).toBeLessThanOrEqual(1);
    expect(anyOverlap(queue)).toBe(false);

    await Promise.all(['ov-allow', 'ov-forbid', 'ov-replace', 'ov-queue'].map((n) => cluster.api.deleteJob(n)));
  }, 90_000);
});

/** The variables a task wrote to `<out>/<file>.env`. */
function envFile(file: number | string): Record<string, string> {
  const text = fs.readFileSync(path.join(out, `${file}.env`), 'utf8');
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('the task environment', () => {
  it('SISYPHUS_DUE is the due instant on the first attempt and on its retry; jitter delays only the launch', async () => {
    const due = Math.ceil((Date.now() + 1_500) / 1000) * 1000;
    const name = 'print-env';
    await cluster.api.upsertIso8601({
      name,
      command: `env > ${out}/$SISYPHUS_ATTEMPT.env; exit 1`,
      schedule: `R1/${new Date(due).toISOString()}/PT1H`,
      retries: 1,
      owner: 'ops@example.com',
      jitter: 'PT3S',
      environmentVariables: [{ name: 'SISYPHUS_DUE', value: 'not overridable' }],
    });
    const runs = await runsUntil(name, (rs) => rs.filter((r) => r.state === 'FAILED').length === 2, 30_000, 'the run and its retry failed');
    const [first, retry] = runs;
    expect(first.due).toBe(due);
    expect(retry).toMatchObject({ attempt: 1, trigger: 'retry', intendedDue: due });

    const want = new Date(due).toISOString();
    expect(envFile(0)).toMatchObject({
      SISYPHUS_DUE: want,
      SISYPHUS_ATTEMPT: '0',
      SISYPHUS_TRIGGER: 'schedule',
      mesos_task_id: first.taskId,
      MESOS_TASK_ID: first.taskId,
      CHRONOS_JOB_NAME: name,
      CHRONOS_JOB_OWNER: 'ops@example.com',
      CHRONOS_JOB_RUN_TIME: String(due),
      CHRONOS_JOB_RUN_ATTEMPT: '0',
      CHRONOS_RESOURCE_CPU: '0.1',
      CHRONOS_RESOURCE_MEM: '128.0',
      CHRONOS_RESOURCE_DISK: '256.0',
    });
    expect(envFile(0).HOST).toBeTruthy();
    expect(envFile(1)).toMatchObject({
      SISYPHUS_DUE: want,
      SISYPHUS_ATTEMPT: '1',
      SISYPHUS_TRIGGER: 'retry',
      mesos_task_id: retry.taskId,
      CHRONOS_JOB_RUN_TIME: String(retry.due), // Chronos's run time is the retry's own
      CHRONOS_JOB_RUN_ATTEMPT: '1',
    });
    // the jitter: launched no earlier than due + its delay for this job and instant
    expect(first.launchedAt!).toBeGreaterThanOrEqual(due + jitterDelay(name, due, 3_000));
  }, 60_000);

  it("a dependency run is for its parent run's instant: every step of a nightly pipeline knows the night", async () => {
    const due = Math.ceil((Date.now() + 1_500) / 1000) * 1000;
    await cluster.api.upsertIso8601({ name: 'night-extract', command: 'true', schedule: `R1/${new Date(due).toISOString()}/PT1H` });
    await cluster.api.upsertDependency({ name: 'night-load', command: `env > ${out}/child.env`, parents: ['night-extract'] });
    const [child] = await runsUntil('night-load', (rs) => rs.some((r) => r.state === 'FINISHED'), 30_000, 'the child run finished');
    expect(child.due).toBeGreaterThan(due); // the child's own due is when its parent succeeded
    expect(envFile('child')).toMatchObject({ SISYPHUS_DUE: new Date(due).toISOString(), SISYPHUS_TRIGGER: 'dependency', SISYPHUS_ATTEMPT: '0' });
  }, 60_000);
});
