/**
 * PostgreSQL outage during a burst, without touching the shared server: the instance reaches the
 * database through a TCP proxy this test cuts (every connection reset, new ones refused) and
 * restores. While it is down the API answers 503 "database unavailable: …"; the worker stops
 * acknowledging status updates it cannot store (Mesos re-sends them) and does not lose due
 * instants; when it is back every run completes and nothing ran twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MesosLocal } from '../../mesos-local/master';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { TcpProxy, makeLogDir, removeLogDir, sleep, startInstance, viaPort, waitFor, type Instance, startMesosLocal } from './support';

let db: TestDatabase;
let mesos: MesosLocal;
let dir: string;
let pgProxy: TcpProxy;
let inst: Instance;

beforeAll(async () => {
  dir = makeLogDir('ha-pg');
  db = await createTestDatabase('sisyphus_ha_pg');
  pgProxy = new TcpProxy();
  await pgProxy.start();
  mesos = await startMesosLocal(dir, [{ cpus: 16, mem: 32768, disk: 100000 }], { statusUpdateRetryMs: 300, statusUpdateRetryMaxMs: 1_000 });
  inst = await startInstance({ databaseUrl: viaPort(db.url, pgProxy.port), zk: null, master: mesos.url, logDir: dir });
}, 180_000);

afterAll(async () => {
  pgProxy?.restore();
  await inst?.stop();
  await mesos?.stop();
  await pgProxy?.stop();
  await db?.drop();
  removeLogDir(dir);
});

describe('PostgreSQL goes away during a burst', () => {
  it('503 while down, nothing lost or doubled after', async () => {
    await waitFor('leading', async () => (await inst.health())?.isLeader);
    const launches = path.join(dir, 'launches.log');
    const start = Math.ceil((Date.now() + 2_000) / 1000) * 1000;
    for (let k = 0; k < 8; k++) {
      const r = await fetch(`${inst.url}/v1/scheduler/iso8601`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // a task that is still running when the database goes: its updates must wait, not vanish
        body: JSON.stringify({ name: `b-${k}`, command: `echo "$mesos_task_id" >> ${launches}; sleep 1`, schedule: `R/${new Date(start).toISOString()}/PT2S`, cpus: 0.01, mem: 16, disk: 1 }),
      });
      expect(r.status).toBe(204);
    }
    await sleep(start - Date.now() + 4_500);
    pgProxy.cutAll();
    const cutAt = Date.now();
    // A write needs the database (reads of jobs are answered from the leader's memory).
    const probe = JSON.stringify({ name: 'probe', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' });
    const post = (signal?: AbortSignal) =>
      fetch(`${inst.url}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: probe, signal });
    const down = await waitFor('a 503', async () => {
      const r = await post(AbortSignal.timeout(15_000));
      return r.status === 503 ? r : null;
    }, 15_000, 200);
    const body = (await down.json()) as { message: string; status: string };
    expect(body.status).toBe('Service Unavailable');
    expect(body.message).toMatch(/^database unavailable: /);
    await sleep(Math.max(0, cutAt + 5_000 - Date.now()));
    pgProxy.restore();
    const restoredAt = Date.now();
    await waitFor('the API answers again', async () => (await post()).status === 204, 20_000, 200);
    const apiBackMs = Date.now() - restoredAt;
    // every run due before the restore ends (updates sent during the outage are sent again and
    // stored), and every job runs again after it; awaited, not slept for (a loaded machine runs
    // the one-second tasks late)
    const query = () =>
      db.query<{ job_name: string; due: Date; task_id: string; state: string }>(
        `SELECT job_name, due, task_id, state FROM runs WHERE job_name LIKE 'b-%' AND attempt = 0 ORDER BY job_name, due`,
      );
    const rows = await waitFor(
      'every run due before the restore to finish, and each job to run after it',
      async () => {
        const rs = await query();
        const settled = rs.filter((r) => r.due.getTime() < restoredAt).every((r) => r.state === 'FINISHED');
        const resumed = Array.from({ length: 8 }, (_, k) => rs.some((r) => r.job_name === `b-${k}` && r.due.getTime() > restoredAt && r.state === 'FINISHED'));
        return settled && resumed.every(Boolean) ? rs : null;
      },
      30_000,
      250,
    );
    const launched = fs.readFileSync(launches, 'utf8').split('\n').filter(Boolean);
    expect(launched.filter((t, i) => launched.indexOf(t) !== i)).toEqual([]);
    for (let k = 0; k < 8; k++) {
      const mine = rows.filter((r) => r.job_name === `b-${k}`);
      const dues = mine.map((r) => r.due.getTime());
      // every instant before the outage ran, and runs resumed after it
      for (let t = start; t < cutAt - 2_000; t += 2_000) expect(dues, `b-${k} at ${t - start}`).toContain(t);
      expect(dues.some((d) => d > restoredAt)).toBe(true);
      // nothing stuck: every run due before the restore finished (updates sent during the outage were re-sent)
      const stuck = mine.filter((r) => r.due.getTime() < restoredAt && r.state !== 'FINISHED');
      expect(stuck.map((r) => `${r.task_id} ${r.state}`)).toEqual([]);
    }
    console.log(
      `[ha] PostgreSQL cut for ${restoredAt - cutAt} ms: API 503 "${body.message}", back ${apiBackMs} ms after restore; ` +
        `${rows.length} runs, ${launched.length} launches, 0 duplicates, none stuck`,
    );
  }, 60_000);
});
