/**
 * A backfill across a leader's death, with real processes: two Sisyphus instances over the real
 * ZooKeeper and PostgreSQL and one mesos-local running real task processes. The backfill (6
 * nights of a → b → c, concurrency 2) is started through the follower (proxied to the leader);
 * once some nights are done and others run, the leader is killed with SIGKILL. The new leader goes
 * on with it from the database: every (job, night) ends with exactly one successful run, and no
 * task is launched twice (each task appends its Mesos task id to a file where it runs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackfillDetailView, BackfillView } from '../../scheduler/api/backfill-service';
import { useHaCluster } from './ha-cluster';
import { waitFor, waitForLeader } from './support';

const NIGHTS = 6;
const cluster = useHaCluster({ name: 'backfill', agents: [{ cpus: 8, mem: 8192, disk: 10000 }], instances: 2 });
const { instances } = cluster;

async function call<T>(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${base}${p}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
}

describe('a backfill across a leader killed with SIGKILL', () => {
  it('the new leader goes on: each (job, night) succeeds once, no task launched twice', async () => {
    const { leader: first } = await waitForLeader(instances);
    const via = instances.find((i) => i !== first)!;
    const launches = path.join(cluster.dir, 'launches.log');
    const task = { cpus: 0.1, mem: 16, disk: 1, concurrent: true, command: `echo "$mesos_task_id" >> ${launches}; sleep 0.5` };
    expect((await call(via.url, 'POST', '/v1/scheduler/iso8601', { name: 'ha-a', schedule: 'R/2100-01-01T02:00:00Z/P1D', ...task })).status).toBe(204);
    expect((await call(via.url, 'POST', '/v1/scheduler/dependency', { name: 'ha-b', parents: ['ha-a'], ...task })).status).toBe(204);
    expect((await call(via.url, 'POST', '/v1/scheduler/dependency', { name: 'ha-c', parents: ['ha-b'], ...task })).status).toBe(204);

    const started = await call<BackfillView>(via.url, 'POST', '/api/jobs/ha-a/backfill', { from: '2026-10-01T00:00:00Z', to: `2026-10-0${NIGHTS}T23:59:59Z`, downstream: true, concurrency: 2 });
    expect(started.status).toBe(201);
    const id = started.body.id;
    const detail = async (base: string) => (await call<BackfillDetailView>(base, 'GET', `/api/backfills/${id}`)).body;
    const mid = await waitFor('some nights done and others running', async () => {
      const d = await detail(via.url);
      return d && d.counts.succeeded >= NIGHTS && d.counts.running > 0 ? d : null;
    }, 90_000, 100);
    first.kill9();
    await first.exited;
    const { leader: second } = await waitForLeader(instances, 30_000);
    expect(second).toBe(via);
    const done = await waitFor('the backfill done under the new leader', async () => {
      const d = await detail(second.url);
      return d?.state === 'done' ? d : null;
    }, 180_000, 200);
    console.log(`[ha backfill] leader killed with ${mid.counts.succeeded} of ${mid.total} done and ${mid.counts.running} running`);
    expect(done.counts).toMatchObject({ succeeded: NIGHTS * 3, failed: 0, blocked: 0, pending: 0, running: 0 });

    const rows = await cluster.db.query<{ job_name: string; due: Date; attempt: number; task_id: string; state: string; trigger: string }>(
      `SELECT job_name, due, attempt, task_id, state, trigger FROM runs WHERE job_name LIKE 'ha-%' ORDER BY job_name, due, attempt`,
    );
    // exactly one successful run per (job, night), all backfill runs at their night
    const finished = rows.filter((r) => r.state === 'FINISHED');
    expect(finished.length).toBe(NIGHTS * 3);
    expect(new Set(finished.map((r) => `${r.job_name}@${r.due.toISOString()}`)).size).toBe(NIGHTS * 3);
    expect(rows.every((r) => r.trigger === 'backfill')).toBe(true);
    // no task launched twice, and every successful run was launched
    const launched = fs.readFileSync(launches, 'utf8').split('\n').filter(Boolean);
    expect(launched.length).toBe(new Set(launched).size);
    for (const r of finished) expect(launched).toContain(r.task_id);
  }, 420_000);
});
