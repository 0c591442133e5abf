/**
 * The follower → leader proxy under the real server: two instances of the built app served by
 * server/main.ts (proxy.ts runs before every route handler, the server boots the scheduler) over
 * the real ZooKeeper and PostgreSQL. scripts/instance.ts serves the same route handlers without
 * Next.js; this is the production path.
 *
 *   - a job POSTed to the follower is created by the leader (the answer names both);
 *   - a bad job through the follower gets the leader's 400, byte for byte;
 *   - GET /v1/scheduler/leader on either names the leader;
 *   - the UI's /api/instance on the follower names the follower as itself and who leads;
 *   - the UI's event stream reaches the follower's browser through the proxy as it comes.
 *
 * Needs a build: `next build` runs first when .next is missing or older than its inputs (the
 * rule of e2e/harness.ts, so the e2e step reuses it); both instances serve a private copy of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtAppSnapshot } from '../../e2e/harness';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { freshZkPath, makeLogDir, removeLogDir, startNextInstance, waitFor, type Instance } from './support';

interface InstanceInfo {
  self: string;
  leader: string | null;
  isLeader: boolean;
  members: string[];
}

let db: TestDatabase;
let dir: string;
let app: { dir: string; remove(): void } | null = null;
const instances: Instance[] = [];
let leader: Instance;
let follower: Instance;

const instanceInfo = async (i: Instance): Promise<InstanceInfo> => (await (await fetch(`${i.url}/api/instance`)).json()) as InstanceInfo;

beforeAll(async () => {
  dir = makeLogDir('ha-next');
  [app, db] = await Promise.all([builtAppSnapshot((s) => console.log(`[ha] ${s}`)), createTestDatabase('sisyphus_ha_next')]);
  const opts = { databaseUrl: db.url, zkPath: freshZkPath(), logDir: dir, appDir: app.dir };
  // one after the other: the first one's candidate node is the lowest, so it leads
  instances.push(await startNextInstance(opts));
  instances.push(await startNextInstance(opts));
  const roles = await waitFor('both instances to agree on a leader', async () => {
    const infos = await Promise.all(instances.map(instanceInfo));
    const lead = infos.findIndex((x) => x.isLeader);
    if (lead < 0 || !infos.every((x) => x.leader === infos[lead].self)) return null;
    return { leader: instances[lead], follower: instances[1 - lead] };
  }, 30_000, 100);
  ({ leader, follower } = roles);
}, 420_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop()));
  app?.remove();
  await db?.drop();
  removeLogDir(dir);
});

const post = (base: string, body: string) =>
  fetch(`${base}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('follower → leader proxy under the production server', () => {
  it('a job POSTed to the follower is created by the leader', async () => {
    const res = await post(follower.url, JSON.stringify({ name: 'next-via-follower', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D', owner: 'ha@example.com' }));
    expect(res.status).toBe(204);
    expect(res.headers.get('x-sisyphus-instance')).toBe(follower.id);
    expect(res.headers.get('x-sisyphus-leader')).toBe(leader.id);
    // the leader's worker holds it (its detail has the schedule's next runs), and the leader lists it
    const detail = await fetch(`${leader.url}/api/jobs/next-via-follower`);
    expect(detail.status).toBe(200);
    const found = (await (await fetch(`${leader.url}/v1/scheduler/jobs/search?name=next-via-follower`)).json()) as Array<{ name: string; owner: string }>;
    expect(found.map((j) => [j.name, j.owner])).toEqual([['next-via-follower', 'ha@example.com']]);
    // other methods go through too
    const del = await fetch(`${follower.url}/v1/scheduler/job/next-via-follower`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await (await fetch(`${leader.url}/v1/scheduler/jobs/search?name=next-via-follower`)).json()).toEqual([]);
  });

  it('a bad job through the follower gets the 400 body of the leader', async () => {
    const bad = JSON.stringify({ name: 'bad name!', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' });
    const direct = await post(leader.url, bad);
    const proxied = await post(follower.url, bad);
    expect(direct.status).toBe(400);
    expect(proxied.status).toBe(400);
    expect(proxied.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    const body = await proxied.text();
    expect(body).toBe(await direct.text());
    expect(body).toMatch(/name/i);
    expect(proxied.headers.get('x-sisyphus-instance')).toBe(follower.id);
  });

  it('an X-Sisyphus-Proxied-By header sent from outside does not make the follower answer a write itself: it reaches the leader', async () => {
    const res = await fetch(`${follower.url}/v1/scheduler/iso8601`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sisyphus-proxied-by': `${leader.id} ${Date.now()} forged` },
      body: JSON.stringify({ name: 'forged-proxied-by', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' }),
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-sisyphus-leader')).toBe(leader.id);
    // the leader's worker holds it (GET /jobs answers from the worker's memory on the leader)
    const listed = (await (await fetch(`${leader.url}/v1/scheduler/jobs`)).json()) as Array<{ name: string }>;
    expect(listed.map((j) => j.name)).toContain('forged-proxied-by');
    // a manual run with a forged header: answered by the follower itself it was a 503 (no worker there)
    const run = await fetch(`${follower.url}/v1/scheduler/job/forged-proxied-by`, {
      method: 'PUT',
      headers: { 'x-sisyphus-proxied-by': `${leader.id} ${Date.now()} forged` },
    });
    expect(run.status).toBe(204);
    await fetch(`${leader.url}/v1/scheduler/job/forged-proxied-by`, { method: 'DELETE' });
  });

  it('GET /v1/scheduler/leader names the leader on both instances', async () => {
    for (const i of [leader, follower]) {
      const r = await fetch(`${i.url}/v1/scheduler/leader`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ leader: leader.id });
      expect(r.headers.get('x-sisyphus-instance')).toBe(i.id);
    }
  });

  it('the UI API /api/instance on the follower says which instance answered and who leads', async () => {
    const f = await instanceInfo(follower);
    expect(f).toMatchObject({ self: follower.id, leader: leader.id, isLeader: false });
    expect([...f.members].sort()).toEqual([leader.id, follower.id].sort());
    expect(await instanceInfo(leader)).toMatchObject({ self: leader.id, leader: leader.id, isLeader: true });
  });

  it('the UI event stream reaches a follower client through the proxy as it comes', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${follower.url}/api/events`, { signal: AbortSignal.any([ctl.signal, AbortSignal.timeout(10_000)]) });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      expect(res.headers.get('x-sisyphus-leader')).toBe(leader.id);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toContain(': connected');
    } finally {
      ctl.abort();
    }
  });
});
