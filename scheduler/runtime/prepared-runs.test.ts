/**
 * Runs prepared ahead of their instant (SCHEDULE_PREPARE_AHEAD_MS; TestClock, real PostgreSQL, no
 * Mesos): a herd of jobs gets its runs before the instant, each once, and they launch only from
 * the instant on; a job changed in between is decided at its instant as without the preparation;
 * a new leader adopts prepared runs and makes none twice.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import { parseJob } from '../api/job-schema';
import type { Job, Offer, OfferResource } from '../core/types';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';
import { OFFERS_AHEAD_MS, OFFERS_KEPT_AFTER_MS } from './prepared-runs';

const pg = useTestStore('sisyphus_prepared');
beforeEach(async () => {
  await pg.db.query('TRUNCATE jobs, runs, run_events, job_versions, dependency_edges, framework_state RESTART IDENTITY');
});

const START = '2026-01-01T00:00:00Z';
const DUE = Date.parse('2026-01-01T00:10:00Z');
const AHEAD = 2_000;

const job = (json: Record<string, unknown>, now: number): Job => {
  const r = parseJob({ command: 'true', cpus: 0.1, mem: 16, disk: 0, ...json }, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offer = (id: string, cpus: number, agent = 'agent-1'): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: agent, hostname: agent, resources: [res('cpus', cpus), res('mem', 1_000_000), res('disk', 1_000_000)], attributes: [] };
};
const launchedIds = (d: Awaited<ReturnType<Worker['onOffers']>>) => d.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));

async function runsOf(name?: string) {
  const rows = await pg.db.query<{ job_name: string; due: Date; state: string; launched_at: Date | null }>(
    `SELECT job_name, due, state, launched_at FROM runs ${name ? 'WHERE job_name = $1' : ''} ORDER BY job_name, due`,
    name ? [name] : [],
  );
  return rows;
}

describe('runs prepared ahead of their instant', () => {
  it('a herd of 200 jobs: each run is stored once before the instant, none launches before it, all launch at it', async () => {
    const clock = new TestClock(START);
    const jobs = Array.from({ length: 200 }, (_, i) => job({ name: `herd-${i}`, schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()));
    await pg.store.jobs.apply({ put: jobs });
    const worker = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    await worker.start();

    // AHEAD before the instant: every run is stored and held, nothing can launch yet
    await clock.advanceAsync(DUE - AHEAD + 1 - clock.now());
    await worker.idle();
    const prepared = await runsOf();
    expect(prepared).toHaveLength(200);
    expect(new Set(prepared.map((r) => r.due.getTime()))).toEqual(new Set([DUE]));
    expect(prepared.every((r) => r.state === 'QUEUED')).toBe(true);
    expect(worker.hasWork()).toBe(false);
    expect(worker.waitingReason(`ct:${DUE}:0:herd-0:`)).toBe(`prepared: launches at ${new Date(DUE).toISOString()}`);
    expect(launchedIds(await worker.onOffers([offer('early', 100)]))).toEqual([]);

    // the instant: released together, launched once each
    const released = worker.events.next('queue', (q) => q.high + q.normal === 200, 5_000);
    await clock.advanceAsync(DUE + 1 - clock.now());
    await released;
    const launched = launchedIds(await worker.onOffers([offer('at-due', 100)]));
    expect(launched).toHaveLength(200);
    expect(new Set(launched).size).toBe(200);
    const after = await runsOf();
    expect(after).toHaveLength(200);
    expect(after.every((r) => r.state === 'STAGING' && r.launched_at !== null && r.launched_at.getTime() >= DUE)).toBe(true);

    // the next instant is prepared the same way, again once per job
    await clock.advanceAsync(DUE + 3_600_000 - AHEAD + 1 - clock.now());
    await worker.idle();
    const next = await pg.db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE due = $1`, [new Date(DUE + 3_600_000)]);
    expect(Number(next[0].c)).toBe(200);
    worker.stop();
  }, 60_000);

  it('a job changed between the preparation and its instant: the run is withdrawn and the instant decided as without it', async () => {
    const clock = new TestClock(START);
    await pg.store.jobs.apply({
      put: [
        job({ name: 'moved', schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()),
        job({ name: 'disabled', schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()),
        job({ name: 'renamed-command', schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()),
        job({ name: 'unchanged', schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()),
      ],
    });
    const worker = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    await worker.start();
    await clock.advanceAsync(DUE - AHEAD + 1 - clock.now());
    await worker.idle();
    expect(await runsOf()).toHaveLength(4);

    // within the window: one job moved to another instant, one disabled, one given a new command
    const jobs = worker.jobsView()!;
    await worker.storeJob({ ...jobs.get('moved')!, schedule: 'R/2026-01-01T00:30:00Z/PT1H' });
    await worker.storeJob({ ...jobs.get('disabled')!, disabled: true });
    await worker.storeJob({ ...jobs.get('renamed-command')!, command: 'echo new' });

    await clock.advanceAsync(DUE + 1 - clock.now());
    await worker.idle();
    // the moved job has no run at the old instant; the disabled one none at all; the others one each
    expect((await runsOf('moved')).map((r) => r.due.getTime())).toEqual([]);
    expect(await runsOf('disabled')).toEqual([]);
    expect((await runsOf('renamed-command')).map((r) => [r.due.getTime(), r.state])).toEqual([[DUE, 'QUEUED']]);
    expect((await runsOf('unchanged')).map((r) => [r.due.getTime(), r.state])).toEqual([[DUE, 'QUEUED']]);
    const d = await worker.onOffers([offer('o', 10)]);
    const launched = launchedIds(d);
    expect(launched.sort()).toEqual([`ct:${DUE}:0:renamed-command:`, `ct:${DUE}:0:unchanged:`]);
    // the task is built from the job as it is at the launch
    const info = d.launches[0].taskInfos.find((t) => (t as { task_id: { value: string } }).task_id.value.includes('renamed-command')) as { command: { value: string } };
    expect(info.command.value).toBe('echo new');

    // the moved job runs at its new instant, once
    await clock.advanceAsync(Date.parse('2026-01-01T00:30:00Z') + 1 - clock.now());
    await worker.idle();
    expect((await runsOf('moved')).map((r) => r.due.toISOString())).toEqual(['2026-01-01T00:30:00.000Z']);
    worker.stop();
  }, 60_000);

  it('a job only counted between the preparation and its instant (a run of it ended, marked success) keeps its prepared run', async () => {
    const clock = new TestClock(START);
    await pg.store.jobs.apply({ put: [job({ name: 'counted', schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now())] });
    const worker = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    await worker.start();
    await clock.advanceAsync(DUE - AHEAD + 1 - clock.now());
    await worker.idle();
    const [prepared] = await pg.db.query<{ id: string; task_id: string }>(`SELECT id::text, task_id FROM runs WHERE job_name = 'counted'`);
    await worker.markSuccess(worker.jobsView()!.get('counted')!);
    expect(worker.jobsView()!.get('counted')!.successCount).toBe(1);
    const released = worker.events.next('queue', (q) => q.normal === 1, 5_000);
    await clock.advanceAsync(DUE + 1 - clock.now());
    await released;
    // the very run prepared (its row), not withdrawn and made again
    expect(launchedIds(await worker.onOffers([offer('o', 1)]))).toEqual([prepared.task_id]);
    const rows = await pg.db.query<{ id: string; state: string }>(`SELECT id::text, state FROM runs WHERE job_name = 'counted'`);
    expect(rows).toEqual([{ id: prepared.id, state: 'STAGING' }]);
    worker.stop();
  }, 60_000);

  it('a job whose run is still in flight at the preparation is decided at its instant (its overlap policy), not ahead', async () => {
    const clock = new TestClock(START);
    await pg.store.jobs.apply({ put: [job({ name: 'busy', schedule: 'R/2026-01-01T00:10:00Z/PT1H', concurrencyPolicy: 'Forbid' }, clock.now())] });
    const worker = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    await worker.start();
    // a manual run launched a minute before the instant, still running through it
    await clock.advanceAsync(DUE - 60_000 - clock.now());
    const manual = await worker.runNow(worker.jobsView()!.get('busy')!, '');
    expect(launchedIds(await worker.onOffers([offer('o-1', 1)]))).toEqual([manual]);

    await clock.advanceAsync(DUE - AHEAD + 1 - clock.now());
    await worker.idle();
    expect((await runsOf('busy')).map((r) => r.due.getTime())).toEqual([DUE - 60_000]); // nothing prepared
    await clock.advanceAsync(DUE + 1 - clock.now());
    await worker.idle();
    // at the instant, as without the preparation: Forbid skips it, with the reason
    const rows = await pg.db.query<{ state: string; message: string | null }>(`SELECT state, message FROM runs WHERE job_name = 'busy' AND due = $1`, [new Date(DUE)]);
    expect(rows.map((r) => r.state)).toEqual(['SKIPPED']);
    worker.stop();
  }, 60_000);

  it('a new leader adopts the runs the last one prepared: released at the instant (a job changed since withdrawn), none made twice', async () => {
    const clock = new TestClock(START);
    const jobs = Array.from({ length: 50 }, (_, i) => job({ name: `adopt-${i}`, schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()));
    await pg.store.jobs.apply({ put: jobs });
    const first = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    await first.start();
    await clock.advanceAsync(DUE - AHEAD + 1 - clock.now());
    await first.idle();
    expect(await runsOf()).toHaveLength(50);
    first.stop(); // the leader dies between the preparation and the instant

    const second = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    await second.start();
    expect(second.hasWork()).toBe(false);
    // a job disabled under the new leader: its adopted run is withdrawn, as if never prepared
    await second.storeJob({ ...second.jobsView()!.get('adopt-0')!, disabled: true });
    const released = second.events.next('queue', (q) => q.high + q.normal === 49, 5_000);
    await clock.advanceAsync(DUE + 1 - clock.now());
    await released;
    const launched = launchedIds(await second.onOffers([offer('o', 100)]));
    expect(new Set(launched).size).toBe(49);
    const rows = await pg.db.query<{ c: string; n: string }>(`SELECT count(*)::text AS c, count(DISTINCT job_name)::text AS n FROM runs WHERE due = $1 AND launched_at IS NOT NULL`, [new Date(DUE)]);
    expect(rows[0]).toEqual({ c: '49', n: '49' });
    expect(await runsOf('adopt-0')).toEqual([]);
    expect(await runsOf()).toHaveLength(49);
    second.stop();
  }, 60_000);

  it('offers are asked for shortly before a prepared herd is due and kept for it, then used at the instant', async () => {
    const clock = new TestClock(START);
    const jobs = Array.from({ length: 50 }, (_, i) => job({ name: `kept-${i}`, schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()));
    await pg.store.jobs.apply({ put: jobs });
    const worker = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    let asked = 0;
    worker.attachFramework({ workArrived: () => void asked++, kill: async () => {} });
    await worker.start();

    // prepared, not yet due soon: no offers wanted, an offer is declined as before
    await clock.advanceAsync(DUE - AHEAD + 1 - clock.now());
    await worker.idle();
    expect(worker.hasWork()).toBe(false);
    expect(asked).toBe(0);
    expect(await worker.onOffers([offer('early', 100)])).toEqual({ launches: [], declines: ['early'] });

    // OFFERS_AHEAD_MS before the instant: offers are asked for (REVIVE), and those that come are kept
    await clock.advanceAsync(DUE - OFFERS_AHEAD_MS + 1 - clock.now());
    await worker.idle();
    expect(asked).toBe(1);
    expect(worker.hasWork()).toBe(true);
    const kept = await worker.onOffers([offer('ahead', 100)]);
    expect(kept).toEqual({ launches: [], declines: [], hold: { offerIds: ['ahead'], until: DUE + OFFERS_KEPT_AFTER_MS } });
    expect((await runsOf()).every((r) => r.state === 'QUEUED')).toBe(true);

    // the instant: released, the framework told (it hands the kept offers over again), all launch on them
    const released = worker.events.next('queue', (q) => q.high + q.normal === 50, 5_000);
    await clock.advanceAsync(DUE + 1 - clock.now());
    await released;
    expect(asked).toBe(2);
    const launched = launchedIds(await worker.onOffers([offer('ahead', 100)]));
    expect(launched).toHaveLength(50);
    expect(worker.hasWork()).toBe(false);
    expect((await runsOf()).every((r) => r.state === 'STAGING' && r.launched_at!.getTime() >= DUE)).toBe(true);
    worker.stop();
  }, 60_000);

  it('only the offers the prepared runs need are kept: the rest of a shared cluster is declined as usual', async () => {
    const clock = new TestClock(START);
    // 50 runs of 0.1 cpu: 5 cpus, kept with a margin (core/offers-to-keep.ts) on 2-cpu agents: 4 of them
    const jobs = Array.from({ length: 50 }, (_, i) => job({ name: `few-${i}`, schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()));
    await pg.store.jobs.apply({ put: jobs });
    const worker = new Worker({ store: pg.store, clock, prepareAheadMs: AHEAD });
    worker.attachFramework({ workArrived: () => {}, kill: async () => {} });
    await worker.start();
    await clock.advanceAsync(DUE - OFFERS_AHEAD_MS + 1 - clock.now());
    await worker.idle();

    const cluster = Array.from({ length: 10 }, (_, i) => offer(`a${i}`, 2, `agent-${i}`));
    const first = await worker.onOffers(cluster);
    expect(first.launches).toEqual([]);
    expect(first.hold?.offerIds).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(first.declines).toEqual(['a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
    // covered already: what comes next before the instant is declined
    expect(await worker.onOffers([offer('late', 2, 'agent-10')])).toEqual({ launches: [], declines: ['late'] });

    // at the instant the kept offers take every run
    const released = worker.events.next('queue', (q) => q.high + q.normal === 50, 5_000);
    await clock.advanceAsync(DUE + 1 - clock.now());
    await released;
    expect(launchedIds(await worker.onOffers(cluster.slice(0, 4)))).toHaveLength(50);
    worker.stop();
  }, 60_000);

  it('with SCHEDULE_PREPARE_AHEAD_MS 0 the run is made at its instant, not before', async () => {
    const clock = new TestClock(START);
    await pg.store.jobs.apply({ put: [job({ name: 'plain', schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now())] });
    const worker = new Worker({ store: pg.store, clock, prepareAheadMs: 0 });
    await worker.start();
    await clock.advanceAsync(DUE - 1 - clock.now());
    await worker.idle();
    expect(await runsOf('plain')).toEqual([]);
    await clock.advanceAsync(2);
    await worker.idle();
    expect((await runsOf('plain')).map((r) => r.state)).toEqual(['QUEUED']);
    worker.stop();
  }, 60_000);
});
