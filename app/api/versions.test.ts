/**
 * The history of every job through the route handlers a client calls (Chronos REST writes, the
 * UI's bulk actions, the versions API), over the real PostgreSQL and a worker without Mesos.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from '@/scheduler/adapters/prisma';
import { reloadConfig } from '@/scheduler/config';
import type { JobVersion } from '@/scheduler/core/job-version';
import type { DeletedJobs, RestoreResult, VersionPage } from '@/scheduler/api/job-history';
import type { RunDetail } from '@/scheduler/api/ui-types';
import { routeParams as ctx, startRouteApp, type RouteApp } from '@/scheduler/testing/route-app';
import { POST as isoPOST } from '../v1/scheduler/iso8601/route';
import { POST as depPOST } from '../v1/scheduler/dependency/route';
import { DELETE as jobDELETE, PUT as jobPUT } from '../v1/scheduler/job/[name]/route';
import { POST as bulkPOST } from './jobs/bulk/route';
import { GET as versionsGET } from './jobs/[name]/versions/route';
import { GET as versionGET } from './jobs/[name]/versions/[n]/route';
import { POST as restorePOST } from './jobs/[name]/versions/[n]/restore/route';
import { GET as deletedGET } from './versions/route';
import { POST as pausePOST } from './jobs/[name]/pause/route';
import { POST as resumePOST } from './jobs/[name]/resume/route';
import { GET as runGET } from './runs/[taskId]/route';

let app: RouteApp;
let store: PrismaStore;
const savedCredentials = process.env.HTTP_CREDENTIALS;

const ALICE = { authorization: `Basic ${btoa('alice:pw')}` };
const req = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });

const SCHEDULE = 'R/2100-01-01T00:00:00Z/P1D';
const versionsOf = async (name: string, query = ''): Promise<VersionPage> => {
  const res = await versionsGET(req('GET', `/api/jobs/${name}/versions${query}`), ctx({ name }));
  expect(res.status).toBe(200);
  return (await res.json()) as VersionPage;
};
const restore = (name: string, n: string, headers: Record<string, string> = {}) =>
  restorePOST(req('POST', `/api/jobs/${name}/versions/${n}/restore`, undefined, headers), ctx({ name, n }));

beforeAll(async () => {
  app = await startRouteApp('sisyphus_job_versions', { versionsKept: 5 });
  ({ store } = app);
});

afterAll(async () => {
  if (savedCredentials === undefined) delete process.env.HTTP_CREDENTIALS;
  else process.env.HTTP_CREDENTIALS = savedCredentials;
  reloadConfig();
  await app?.stop();
});

describe('job history through the API', () => {
  it('create, update, disable, enable, delete and restore each make a version with its diff', async () => {
    expect((await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-a', command: 'echo 1', schedule: SCHEDULE }))).status).toBe(204);
    expect((await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-a', command: 'echo 2', schedule: SCHEDULE, retries: 4 }))).status).toBe(204);
    for (const action of ['disable', 'enable']) {
      const res = await bulkPOST(req('POST', '/api/jobs/bulk', { action, names: ['h-a'] }));
      expect(await res.json()).toEqual({ ok: ['h-a'], failed: [] });
    }
    let page = await versionsOf('h-a');
    expect(page.exists).toBe(true);
    expect(page.versions.map((v) => [v.n, v.kind])).toEqual([
      [4, 'enable'],
      [3, 'disable'],
      [2, 'update'],
      [1, 'create'],
    ]);
    expect(page.versions[2].diff).toEqual([
      { field: 'command', before: 'echo 1', after: 'echo 2' },
      { field: 'retries', before: 2, after: 4 },
    ]);
    expect(page.versions[1].diff).toEqual([{ field: 'disabled', before: false, after: true }]);
    expect(page.versions[0].by).toBeNull();

    // back to version 1: a new version 5, and the job is as version 1 had it
    const res = await restore('h-a', '1');
    expect(res.status).toBe(200);
    expect((await res.json()) as RestoreResult).toEqual({ name: 'h-a', from: 1, n: 5 });
    const job = (await store.jobs.get('h-a'))!;
    expect([job.command, job.retries]).toEqual(['echo 1', 2]);
    page = await versionsOf('h-a', '?limit=1');
    expect(page.versions[0]).toMatchObject({ n: 5, kind: 'restore', note: 'restored from version 1' });
    expect(page.versions[0].diff).toEqual([
      { field: 'command', before: 'echo 2', after: 'echo 1' },
      { field: 'retries', before: 4, after: 2 },
    ]);
    expect(page.nextBefore).toBe(5);
    expect((await versionsOf('h-a', '?limit=2&before=5')).versions.map((v) => v.n)).toEqual([4, 3]);
  });

  it('a deleted job is listed with its history, and restoring it brings it back', async () => {
    await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-del', command: 'echo keep me', schedule: SCHEDULE }));
    await depPOST(req('POST', '/v1/scheduler/dependency', { name: 'h-child', command: 'true', parents: ['h-del'] }));
    expect((await jobDELETE(req('DELETE', '/v1/scheduler/job/h-del'), ctx({ name: 'h-del' }))).status).toBe(204);
    const deleted = (await (await deletedGET(req('GET', '/api/versions?deleted=1'))).json()) as DeletedJobs;
    expect(deleted.jobs.map((j) => j.name)).toContain('h-del');
    expect(deleted.jobs.find((j) => j.name === 'h-del')).toMatchObject({ n: 2, job: { command: 'echo keep me' } });
    const page = await versionsOf('h-del');
    expect(page.exists).toBe(false);
    expect(page.versions.map((v) => v.kind)).toEqual(['delete', 'create']);
    // the child became a scheduled job in the same transaction: recorded as an update, with why
    const child = await versionsOf('h-child');
    expect(child.versions[0]).toMatchObject({ kind: 'update', note: 'parent h-del deleted' });
    expect(child.versions[0].diff.map((c) => c.field)).toContain('parents');

    expect((await restore('h-del', '1')).status).toBe(200);
    expect((await store.jobs.get('h-del'))?.command).toBe('echo keep me');
    const after = (await (await deletedGET(req('GET', '/api/versions?deleted=1'))).json()) as DeletedJobs;
    expect(after.jobs.map((j) => j.name)).not.toContain('h-del');
    expect((await versionsOf('h-del')).versions[0]).toMatchObject({ n: 3, kind: 'restore' });
  });

  it('records the user when basic auth is on, and not when the API is open', async () => {
    process.env.HTTP_CREDENTIALS = 'alice:pw';
    reloadConfig();
    try {
      await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-user', command: 'a', schedule: SCHEDULE }, ALICE));
      await bulkPOST(req('POST', '/api/jobs/bulk', { action: 'disable', names: ['h-user'] }, ALICE));
      expect((await restore('h-user', '1', ALICE)).status).toBe(200);
      await jobDELETE(req('DELETE', '/v1/scheduler/job/h-user', undefined, ALICE), ctx({ name: 'h-user' }));
    } finally {
      delete process.env.HTTP_CREDENTIALS;
      reloadConfig();
    }
    const page = await versionsOf('h-user');
    expect(page.versions.map((v) => [v.kind, v.by])).toEqual([
      ['delete', 'alice'],
      ['restore', 'alice'],
      ['disable', 'alice'],
      ['create', 'alice'],
    ]);
    // open: a header's name proves nothing
    await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-user', command: 'b', schedule: SCHEDULE }, ALICE));
    expect((await versionsOf('h-user', '?limit=1')).versions[0]).toMatchObject({ kind: 'create', by: null });
  });

  it('a pause and a resume are versions too, with who and why', async () => {
    await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-pause', command: 'true', schedule: SCHEDULE }));
    process.env.HTTP_CREDENTIALS = 'alice:pw';
    reloadConfig();
    try {
      const p = await pausePOST(req('POST', '/api/jobs/h-pause/pause', { for: 'PT2H', note: 'storage maintenance' }, ALICE), ctx({ name: 'h-pause' }));
      expect(p.status).toBe(200);
      expect((await resumePOST(req('POST', '/api/jobs/h-pause/resume', undefined, ALICE), ctx({ name: 'h-pause' }))).status).toBe(200);
    } finally {
      delete process.env.HTTP_CREDENTIALS;
      reloadConfig();
    }
    const [resumed, paused] = (await versionsOf('h-pause')).versions;
    expect(paused).toMatchObject({ n: 2, kind: 'pause', by: 'alice' });
    expect(paused.note).toMatch(/^paused until .*: storage maintenance$/);
    expect(paused.diff.map((c) => c.field)).toContain('pause');
    expect(resumed).toMatchObject({ n: 3, kind: 'resume', by: 'alice', note: 'resumed early' });
  });

  it('keeps at most the configured number of versions per job (5 here), dropping the oldest', async () => {
    for (let i = 0; i < 8; i++) await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-many', command: `echo ${i}`, schedule: SCHEDULE }));
    const page = await versionsOf('h-many', '?limit=100');
    expect(page.versions.map((v) => v.n)).toEqual([8, 7, 6, 5, 4]);
    const gone = await versionGET(req('GET', '/api/jobs/h-many/versions/2'), ctx({ name: 'h-many', n: '2' }));
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: string }).error).toBe(
      "job 'h-many' has no version 2 (its latest is 8; older ones may have been dropped, see JOB_VERSIONS_KEPT)",
    );
  });

  it('a run records the version it ran with, and the run API gives it', async () => {
    await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-run', command: 'echo 1', schedule: SCHEDULE }));
    await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-run', command: 'echo 2', schedule: SCHEDULE }));
    const res = await jobPUT(req('PUT', '/v1/scheduler/job/h-run'), ctx({ name: 'h-run' }));
    expect(res.status).toBe(204);
    const { runs } = await store.runs.list({ jobName: 'h-run' });
    expect(runs[0].jobVersion).toBe(2);
    const detail = (await (await runGET(req('GET', `/api/runs/${runs[0].taskId}`), ctx({ taskId: runs[0].taskId }))).json()) as RunDetail;
    expect(detail.attempts[0].run.jobVersion).toBe(2);
    const v = (await (await versionGET(req('GET', '/api/jobs/h-run/versions/2'), ctx({ name: 'h-run', n: '2' }))).json()) as JobVersion;
    expect(v.job.command).toBe('echo 2');
  });

  const errors: Array<{ name: string; call: () => Promise<Response>; status: number; body: Record<string, string> }> = [
    {
      name: 'an unknown job',
      call: () => versionsGET(req('GET', '/api/jobs/nope/versions'), ctx({ name: 'nope' })),
      status: 404,
      body: { error: "job 'nope' not found and has no history" },
    },
    {
      name: 'a version that is not a number',
      call: () => versionGET(req('GET', '/api/jobs/h-a/versions/x'), ctx({ name: 'h-a', n: 'x' })),
      status: 400,
      body: { field: 'version', error: "version must be an integer from 1 to 2147483647, not 'x'" },
    },
    {
      name: 'a version beyond the latest',
      call: () => restore('h-a', '99'),
      status: 404,
      body: { error: "job 'h-a' has no version 99 (its latest is 5; older ones may have been dropped, see JOB_VERSIONS_KEPT)" },
    },
    {
      name: 'a limit out of range',
      call: () => versionsGET(req('GET', '/api/jobs/h-a/versions?limit=500'), ctx({ name: 'h-a' })),
      status: 400,
      body: { field: 'limit', error: "limit must be an integer from 1 to 100, not '500'" },
    },
    {
      name: 'the versions listing without deleted=1',
      call: () => deletedGET(req('GET', '/api/versions')),
      status: 400,
      body: { field: 'deleted' },
    },
  ];
  it.each(errors)('$name: $status naming what is wrong', async ({ call, status, body }) => {
    const res = await call();
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject(body);
  });

  it('a version whose parent is gone cannot be restored: 400 saying why, nothing written', async () => {
    await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-p', command: 'true', schedule: SCHEDULE }));
    await depPOST(req('POST', '/v1/scheduler/dependency', { name: 'h-c', command: 'true', parents: ['h-p'] }));
    await isoPOST(req('POST', '/v1/scheduler/iso8601', { name: 'h-c', command: 'true', schedule: SCHEDULE }));
    await jobDELETE(req('DELETE', '/v1/scheduler/job/h-p'), ctx({ name: 'h-p' }));
    const before = await versionsOf('h-c');
    const res = await restore('h-c', '1');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      field: 'version',
      error: "version 1 of 'h-c' cannot be restored: JobSchedule h-c does not have all parents defined! Unknown parent: h-p",
    });
    expect((await versionsOf('h-c')).versions).toEqual(before.versions);
    expect((await store.jobs.get('h-c'))?.parents).toBeUndefined();
  });
});
