/**
 * HA on real Apache Mesos (issue 13, point 2): two Sisyphus instances as real processes
 * (scripts/instance.ts) over ZooKeeper and PostgreSQL, against a real mesos-master and two agents.
 * The leader is killed with SIGKILL while a job it launched runs and another is due every two
 * seconds; the new leader re-subscribes with the stored framework id, nothing is launched twice
 * (counted where tasks run: each appends its Mesos task id to a file), and the UI's /api/cluster
 * and the run log endpoint answer from the real master over HTTP. Part of the real-Mesos tier: its
 * marker is the HA marker of scripts/lib/mesos-tier.mjs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HA_MARKER, writeTierMarker } from '../../scripts/lib/mesos-tier.mjs';
import { MesosCluster } from '../../scripts/mesos/cluster';
import { FRAMEWORK_ID_KEY } from '../../scheduler/adapters/prisma/sql';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { freshZkPath, startInstance, waitFor, waitForLeader, type Instance } from '../ha/support';
import { realMesosAvailable } from './target';

let db: TestDatabase;
let mesos: MesosCluster;
let dir: string;
const instances: Instance[] = [];
let passed = false;

describe.skipIf(!realMesosAvailable())('HA on real Apache Mesos', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-real-ha-'));
    [db, mesos] = await Promise.all([createTestDatabase('sisyphus_real_ha'), MesosCluster.start()]);
    const opts = { databaseUrl: db.url, zkPath: freshZkPath(), master: mesos.masterUrl, logDir: dir };
    instances.push(...(await Promise.all([startInstance(opts), startInstance(opts)])));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await mesos?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
    writeTierMarker(passed, HA_MARKER);
  }, 60_000);

  it('kill -9 of the leader: the other takes over the framework, nothing launched twice, the UI reads the real master', async () => {
    const { leader: first } = await waitForLeader(instances, 60_000);
    const other = instances.find((i) => i !== first)!;
    const launches = path.join(dir, 'launches.log');
    const post = async (job: Record<string, unknown>) => {
      const r = await fetch(`${other.url}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(job) });
      expect(r.status).toBe(204);
    };
    const log = `echo "$MESOS_TASK_ID" >> ${launches}`;
    await post({ name: 'long', command: `${log}; echo long-output; sleep 8`, schedule: 'R1//PT1H', cpus: 0.1, mem: 32 });
    await post({ name: 'tick', command: log, schedule: `R/${new Date(Math.ceil(Date.now() / 1000) * 1000 + 2_000).toISOString()}/PT2S`, cpus: 0.1, mem: 32 });
    const runs = () => db.query<{ job_name: string; task_id: string; state: string; due: Date }>('SELECT job_name, task_id, state, due FROM runs');
    const long = await waitFor('long running', async () => (await runs()).find((r) => r.job_name === 'long' && r.state === 'RUNNING'), 60_000);
    const frameworkId = (await db.query<{ value: string }>(`SELECT value FROM framework_state WHERE key = $1`, [FRAMEWORK_ID_KEY]))[0]?.value;
    expect(frameworkId).toBeTruthy();

    first.kill9();
    const { leader: second } = await waitForLeader(instances.filter((i) => i !== first), 60_000);
    expect(second).toBe(other);
    // the same framework, active again on the real master
    await waitFor('the framework active again under its id', async () => {
      const s = (await (await fetch(`${mesos.masterUrl}/master/frameworks`)).json()) as { frameworks: Array<{ id: string; active: boolean }> };
      return s.frameworks.some((f) => f.id === frameworkId && f.active);
    }, 60_000);
    // the task launched by the first leader finishes under the second, once
    await waitFor('long finished', async () => (await runs()).some((r) => r.task_id === long.task_id && r.state === 'FINISHED'), 60_000);
    const ticksBefore = (await runs()).filter((r) => r.job_name === 'tick' && r.state === 'FINISHED').length;
    await waitFor('two more ticks under the new leader', async () => (await runs()).filter((r) => r.job_name === 'tick' && r.state === 'FINISHED').length >= ticksBefore + 2, 60_000);

    const launched = fs.readFileSync(launches, 'utf8').trim().split('\n');
    expect(launched.filter((id) => id === long.task_id)).toHaveLength(1);
    expect(new Set(launched).size).toBe(launched.length); // no task id launched twice
    const all = await runs();
    expect(all.filter((r) => r.job_name === 'long')).toHaveLength(1);
    const perDue = new Map<number, number>();
    for (const r of all.filter((x) => x.job_name === 'tick')) perDue.set(r.due.getTime(), (perDue.get(r.due.getTime()) ?? 0) + 1);
    expect([...perDue.values()].every((c) => c === 1)).toBe(true);

    // the UI's API over HTTP, from the new leader, on the real master
    const cluster = (await (await fetch(`${second.url}/api/cluster`)).json()) as { reachable: boolean; agents: Array<{ attributes: Record<string, string> }>; frameworks: Array<{ id: string }> };
    expect(cluster.reachable).toBe(true);
    expect(cluster.agents.map((a) => a.attributes.rack).sort()).toEqual(['a', 'b']);
    expect(cluster.frameworks.map((f) => f.id)).toContain(frameworkId);
    const chunk = (await (await fetch(`${second.url}/api/runs/${encodeURIComponent(long.task_id)}/log?file=stdout&offset=0`)).json()) as { data: string; unavailable?: string };
    expect(chunk.unavailable).toBeUndefined();
    expect(chunk.data).toContain('long-output');
    passed = true;
  }, 300_000);
});
