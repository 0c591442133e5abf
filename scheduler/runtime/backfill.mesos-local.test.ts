/**
 * Backfills really run: the worker, the backfill runner and the Mesos framework against the real
 * PostgreSQL and mesos-local (real task processes).
 *
 *   - 10 nights of a pipeline a → b → c with concurrency 2: every (job, night) runs once, with
 *     trigger backfill and due = the night, b after a and c after b of the same night, and never
 *     more than 2 roots at once; the job's own schedule does not move and nothing fires by the
 *     dependency rule.
 *   - A root that fails once is retried at its night (still a backfill run) and goes on; a job that
 *     fails for good blocks what is below it at that night only, and the backfill still ends.
 *   - Cancel kills the runs under way, with a message naming the backfill, and settles SKIPPED
 *     those still waiting for an offer.
 *   - A leader change in the middle (term 1 fenced by a newer epoch and stopped, term 2 built over
 *     the same database and master): the backfill ends with each (job, night) run exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from '../adapters/prisma';
import { BackfillService, type BackfillView } from '../api/backfill-service';
import type { ChronosService } from '../api/chronos-service';
import type { Run } from '../core/types';
import { startLocalCluster, type LocalCluster } from '../testing/local-cluster';
import { assemble, type Scheduler } from './assemble';
import { systemClock } from './system-clock';

let cluster: LocalCluster;
let store: PrismaStore;
let api: ChronosService;

beforeAll(async () => {
  cluster = await startLocalCluster({ dbPrefix: 'sisyphus_backfill', worker: { retryDelayMs: 300, killGraceMs: 500 } });
  ({ store, api } = cluster);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const night = (i: number) => Date.UTC(2026, 9, 1 + i, 2); // 2026-10-01T02:00Z + i days

async function pipeline(prefix: string): Promise<void> {
  // concurrent: two nights of one job may run at once (Chronos's default serializes a job's runs)
  const small = { cpus: 0.1, mem: 16, concurrent: true };
  await api.upsertIso8601({ name: `${prefix}-a`, command: 'sleep 0.2', schedule: 'R/2100-01-01T02:00:00Z/P1D', ...small });
  await api.upsertDependency({ name: `${prefix}-b`, command: 'sleep 0.1', parents: [`${prefix}-a`], ...small });
  await api.upsertDependency({ name: `${prefix}-c`, command: 'true', parents: [`${prefix}-b`], ...small });
}

function service(scheduler: () => Scheduler): BackfillService {
  return new BackfillService({ store, clock: systemClock, maxInstants: 1000, jobs: () => store.jobs.list(), kick: () => scheduler().backfills.kick() });
}

async function runsOf(job: string): Promise<Run[]> {
  return (await store.runs.list({ jobName: job, limit: 1000 })).runs;
}

/** Most runs of `runs` in flight at once (launched, not yet finished). */
function maxOverlap(runs: Run[]): number {
  let max = 0;
  for (const r of runs) {
    const t = r.launchedAt!;
    max = Math.max(max, runs.filter((o) => o.launchedAt! <= t && o.finishedAt! > t).length);
  }
  return max;
}

/** Every (job, night) ran exactly once, FINISHED, as a backfill run at the night, in dependency order. */
async function expectRanOnceInOrder(prefix: string, nights: number): Promise<void> {
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((j) => runsOf(`${prefix}-${j}`)));
  for (const [job, runs] of [['a', a], ['b', b], ['c', c]] as const) {
    expect(runs.length, job).toBe(nights);
    expect(new Set(runs.map((r) => r.due)).size, job).toBe(nights);
    expect(
      runs.every((r) => r.state === 'FINISHED' && r.trigger === 'backfill' && r.attempt === 0),
      job,
    ).toBe(true);
    expect([...runs.map((r) => r.due)].sort((x, y) => x - y)).toEqual(Array.from({ length: nights }, (_, i) => night(i)));
  }
  const at = (runs: Run[], due: number) => runs.find((r) => r.due === due)!;
  for (let i = 0; i < nights; i++) {
    expect(at(b, night(i)).launchedAt!, `b after a, night ${i}`).toBeGreaterThanOrEqual(at(a, night(i)).finishedAt!);
    expect(at(c, night(i)).launchedAt!, `c after b, night ${i}`).toBeGreaterThanOrEqual(at(b, night(i)).finishedAt!);
  }
}

describe('a backfill on mesos-local', () => {
  it('10 nights of a → b → c with concurrency 2: each (job, night) once, in order, never more than 2 roots at once', async () => {
    await pipeline('p');
    const before = (await api.getJob('p-a')).schedule;
    const backfills = service(() => cluster.scheduler);
    // listening from before the start (its id is known only after)
    const done = cluster.scheduler.events.next('backfill', (e) => e.job === 'p-a' && e.state === 'done', 240_000);
    const t0 = Date.now();
    const { status, body } = await backfills.start('p-a', { from: '2026-10-01T00:00:00Z', to: '2026-10-10T23:59:59Z', downstream: true, concurrency: 2 });
    expect(status).toBe(201);
    const b = body as BackfillView;
    expect(b.total).toBe(30);
    expect((await done).id).toBe(b.id);
    console.log(`[backfill] 10 nights × 3 jobs, concurrency 2: done in ${Date.now() - t0} ms`);

    const detail = await backfills.get(b.id);
    expect(detail.counts).toMatchObject({ succeeded: 30, running: 0, pending: 0, failed: 0 });
    await expectRanOnceInOrder('p', 10);
    const roots = await runsOf('p-a');
    expect(maxOverlap(roots)).toBeLessThanOrEqual(2);
    expect(maxOverlap(roots)).toBe(2); // the limit was used, not just kept
    // the schedule did not move, and nothing else ran
    expect((await api.getJob('p-a')).schedule).toBe(before);
    expect((await store.runs.list({ limit: 1000 })).runs.filter((r) => r.jobName.startsWith('p-') && r.trigger !== 'backfill')).toEqual([]);
  }, 300_000);

  it('a retry stays at its night; a failure blocks what is below it at that night only', async () => {
    const small = { cpus: 0.1, mem: 16, concurrent: true };
    // f-a fails its first attempt at night 0 (then its retry succeeds); f-b fails for good at night 1
    await api.upsertIso8601({ name: 'f-a', command: `[ "$CHRONOS_JOB_RUN_ATTEMPT" -ge 1 ] || [ "$CHRONOS_JOB_RUN_TIME" != "${night(0)}" ]`, schedule: 'R/2100-01-01T02:00:00Z/P1D', retries: 1, ...small });
    await api.upsertDependency({ name: 'f-b', command: `[ "$CHRONOS_JOB_RUN_TIME" != "${night(1)}" ]`, parents: ['f-a'], ...small });
    // f-c (nights 0 and 2) checks the instant and trigger it is told (SISYPHUS_DUE, SISYPHUS_TRIGGER)
    await api.upsertDependency({ name: 'f-c', command: '[ "$SISYPHUS_TRIGGER" = backfill ] && case "$SISYPHUS_DUE" in 2026-10-0[13]T02:00:00*) true;; *) false;; esac', parents: ['f-b'], ...small });
    const backfills = service(() => cluster.scheduler);
    const done = cluster.scheduler.events.next('backfill', (e) => e.job === 'f-a' && e.state === 'done', 120_000);
    const { body } = await backfills.start('f-a', { from: '2026-10-01T00:00:00Z', to: '2026-10-03T23:59:59Z', downstream: true, concurrency: 2 });
    const id = (body as BackfillView).id;
    expect((await done).id).toBe(id);
    const d = await backfills.get(id);
    expect(d.items.map((i) => `${i.job}@${i.due.slice(0, 10)}:${i.state}`)).toEqual([
      'f-a@2026-10-01:succeeded',
      'f-b@2026-10-01:succeeded',
      'f-c@2026-10-01:succeeded',
      'f-a@2026-10-02:succeeded',
      'f-b@2026-10-02:failed',
      'f-c@2026-10-02:blocked',
      'f-a@2026-10-03:succeeded',
      'f-b@2026-10-03:succeeded',
      'f-c@2026-10-03:succeeded',
    ]);
    expect(d.items[5].note).toBe('f-b did not succeed at this instant');
    const a0 = (await runsOf('f-a')).filter((r) => r.due === night(0));
    expect(a0.map((r) => [r.attempt, r.state, r.trigger]).sort()).toEqual([
      [0, 'FAILED', 'backfill'],
      [1, 'FINISHED', 'backfill'],
    ]);
    expect(d.items[0].taskId).toBe(a0.find((r) => r.attempt === 1)!.taskId);
    expect((await runsOf('f-c')).map((r) => r.due).sort()).toEqual([night(0), night(2)]);
  }, 180_000);

  it('cancel kills the runs under way (their message names the backfill) and cancels the rest', async () => {
    await api.upsertIso8601({ name: 'k-a', command: 'sleep 600', schedule: 'R/2100-01-01T02:00:00Z/P1D', cpus: 0.1, mem: 16, concurrent: true });
    const backfills = service(() => cluster.scheduler);
    // both nights running (counted from the start: their updates may come in one batch)
    const started = new Set<string>();
    let bothRunning: () => void = () => {};
    const running = new Promise<void>((resolve) => (bothRunning = resolve));
    const off = cluster.scheduler.events.on('run', (e) => {
      if (e.run.jobName === 'k-a' && e.run.state === 'RUNNING') started.add(e.run.taskId);
      if (started.size === 2) bothRunning();
    });
    const { body } = await backfills.start('k-a', { from: '2026-10-01T00:00:00Z', to: '2026-10-04T23:59:59Z', concurrency: 2 });
    const id = (body as BackfillView).id;
    await running;
    off();
    const cancelled = cluster.scheduler.events.next('backfill', (e) => e.id === id && e.state === 'cancelled', 60_000);
    await backfills.act(id, 'cancel');
    await cancelled;
    const runs = await runsOf('k-a');
    expect(runs.map((r) => r.state)).toEqual(['KILLED', 'KILLED']);
    for (const r of runs) expect(r.message).toMatch(new RegExp(`^killed: cancelled by backfill ${id}`));
    const d = await backfills.get(id);
    expect(d.items.map((i) => i.state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(d.items[0].note).toMatch(/^killed: cancelled by backfill/);
    expect(d.items[3].note).toBe('backfill cancelled');
  }, 120_000);

  it('cancel settles SKIPPED the runs still waiting for an offer (none fits them), so the backfill ends', async () => {
    await api.upsertIso8601({ name: 'q-a', command: 'true', schedule: 'R/2100-01-01T02:00:00Z/P1D', cpus: 512, mem: 16, concurrent: true });
    const backfills = service(() => cluster.scheduler);
    const queued = cluster.scheduler.events.next('run', (e) => e.run.jobName === 'q-a' && e.run.state === 'QUEUED', 30_000);
    const { body } = await backfills.start('q-a', { from: '2026-10-01T00:00:00Z', to: '2026-10-02T23:59:59Z', concurrency: 2 });
    const id = (body as BackfillView).id;
    await queued;
    const cancelled = cluster.scheduler.events.next('backfill', (e) => e.id === id && e.state === 'cancelled', 30_000);
    await backfills.act(id, 'cancel');
    await cancelled;
    const runs = await runsOf('q-a');
    expect(runs.map((r) => [r.state, r.message])).toEqual(runs.map(() => ['SKIPPED', `skipped: cancelled by backfill ${id} before it launched`]));
    expect(runs.length).toBeGreaterThan(0);
    expect((await backfills.get(id)).items.map((i) => i.state)).toEqual(['cancelled', 'cancelled']);
    expect(cluster.scheduler.worker.queuedRuns().filter((r) => r.jobName === 'q-a')).toEqual([]);
  }, 60_000);

  it('a leader change mid-backfill neither loses nor repeats an instant', async () => {
    await pipeline('h');
    // term 1: the cluster's scheduler, over a store fenced by epoch 1
    await cluster.scheduler.stop();
    await store.raiseEpoch(1);
    const term = (epoch: number) =>
      assemble({
        store: store.fenced(epoch),
        clock: systemClock,
        master: cluster.mesos.url,
        worker: { retryDelayMs: 300, killGraceMs: 500 },
        framework: { declineIdleSeconds: 1, declineBusySeconds: 0.2, reviveMinIntervalMs: 100 },
      });
    let current = await term(1);
    const backfills = service(() => current);
    const { body } = await backfills.start('h-a', { from: '2026-10-01T00:00:00Z', to: '2026-10-10T23:59:59Z', downstream: true, concurrency: 2 });
    const id = (body as BackfillView).id;
    // the leader changes once some nights are done and others run
    for (;;) {
      await current.events.next('run', (e) => e.run.trigger === 'backfill' && e.run.state === 'FINISHED', 60_000);
      const d = await backfills.get(id);
      if (d.counts.succeeded >= 7 && d.counts.running > 0) break;
    }
    await store.raiseEpoch(2); // a newer leader: term 1's writes are refused from now on
    const old = current;
    await old.stop();
    const mid = await backfills.get(id);
    current = await term(2);
    cluster.scheduler = current; // stopped by the cluster at the end
    // listening before the check: the backfill may end between the two
    const done = current.events.next('backfill', (e) => e.id === id && e.state === 'done', 180_000);
    if ((await backfills.get(id)).state !== 'done') await done;
    else done.catch(() => {});
    console.log(`[backfill] leader change with ${mid.counts.succeeded} succeeded and ${mid.counts.running} running of 30`);
    expect((await backfills.get(id)).counts).toMatchObject({ succeeded: 30, failed: 0, running: 0, pending: 0 });
    await expectRanOnceInOrder('h', 10);
  }, 300_000);
});
