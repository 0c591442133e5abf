/**
 * GET /jobs at scale: the list is served from the leader's worker memory (each job's text made as
 * it is sent) and must be byte-identical to what the store gives, and fresh after every change
 * (API upserts and deletes, the worker's own bookkeeping and schedule advances). Against the real
 * PostgreSQL and a real Worker (no Mesos: offers are handed to it directly).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import type { Job, Offer, OfferResource } from '../core/types';
import type { SchedulerRuntime } from '../ports';
import { Worker } from '../runtime/worker';
import { TestClock } from '../testing/test-clock';
import { ChronosService, NameOrder } from './chronos-service';
import { jsonArrayResponse } from './http';
import { jobToChronosJsonViaTree, jobsListView } from './job-json';

let clock: TestClock;
let worker: Worker;
let svc: ChronosService;

const pg = useTestStore('sisyphus_jobs_list', { poolSize: 4 });

beforeEach(async () => {
  worker?.stop();
  vi.restoreAllMocks();
  await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
  clock = new TestClock('2026-01-01T00:00:00Z');
  worker = new Worker({ store: pg.store, clock });
  await worker.start();
  svc = new ChronosService({ store: pg.store, runtime: worker, clock });
});

/** What GET /jobs answered before this change: the store's jobs through the JSON tree writer. */
async function reference(): Promise<string> {
  const jobs = await pg.store.jobs.list();
  return `[${jobs.map((j) => jobToChronosJsonViaTree(jobsListView(j))).join(',')}]`;
}

/** The body GET /jobs answers now. */
async function listed(service = svc): Promise<string> {
  const { jobs, text } = await service.listJobsJson();
  return jsonArrayResponse(jobs, text).text();
}

/** `listed()`, asserting the store's list was not read for it. */
async function listedFromMemory(): Promise<string> {
  const spy = vi.spyOn(pg.store.jobs, 'list');
  try {
    const text = await listed();
    expect(spy).not.toHaveBeenCalled();
    return text;
  } finally {
    spy.mockRestore();
  }
}

const scheduled = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  command: `echo ${name}`,
  schedule: 'R/2030-01-01T00:00:00Z/PT1H',
  ...extra,
});

/** Jobs of every shape, with names whose order differs between byte order and a linguistic one. */
async function postVariety(): Promise<void> {
  for (const name of ['b', 'B', 'a', 'A_b', 'a-b', 'a.b', 'ab', 'Z9', '0x', 'a_B', '_x', '-y']) {
    await svc.upsertIso8601(scheduled(name));
  }
  await svc.upsertIso8601(
    scheduled('zoned', { schedule: 'R5/2030-03-10T02:30:00/P1D', scheduleTimeZone: 'America/New_York', cpus: 0.25, mem: 1e7, disk: 0.0001 }),
  );
  await svc.upsertIso8601(scheduled('uris', { uris: ['http://x/a', 'http://x/b'] }));
  await svc.upsertIso8601(
    scheduled('fetch', { fetch: [{ uri: 'http://x/c.tgz', output_file: 'c', executable: true, cache: false, extract: true }] }),
  );
  await svc.upsertIso8601(
    scheduled('escapes', {
      command: 'printf "%s\\n" \u0001 é 😀 \u2028',
      description: 'tab\there "quoted" back\\slash',
      environmentVariables: [{ name: 'K', value: 'v"1' }],
      arguments: ['-a', ''],
      constraints: [['rack', 'LIKE', 'r-[1-3]']],
      epsilon: 'PT30S',
      async: true,
    }),
  );
  await svc.upsertIso8601(
    scheduled('docker', {
      container: {
        type: 'DOCKER',
        image: 'busybox',
        network: 'BRIDGE',
        networkInfos: [{ name: 'n', portMappings: [{ hostPort: 31000, containerPort: 80, protocol: 'tcp' }] }],
        volumes: [{ containerPath: '/data', hostPath: '/srv', mode: 'RO' }],
        forcePullImage: true,
        parameters: [{ key: 'privileged', value: 'true' }],
      },
    }),
  );
  await svc.upsertDependency({ name: 'child', command: 'echo child', parents: ['a', 'b'] });
  await svc.upsertDependency({ name: 'grandchild', command: 'echo gc', parents: ['child'] });
}

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1.example.com', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

const jobIn = (text: string, name: string): Record<string, unknown> =>
  (JSON.parse(text) as Record<string, unknown>[]).find((j) => j.name === name)!;

describe('GET /jobs from the worker', () => {
  it('the store orders names by code point here (the test database is C.UTF-8)', async () => {
    expect(await pg.store.jobs.sortsByCodePoint?.()).toBe(true);
  });

  it('is byte-identical to the store-built list, in the store order, without reading the store', async () => {
    await postVariety();
    const text = await listedFromMemory();
    expect(text).toBe(await reference());
    expect(JSON.parse(text).length).toBe(19);
    // the same bytes twice
    expect(await listedFromMemory()).toBe(text);
    expect(await svc.listJobs()).toEqual(JSON.parse(text).map(() => expect.any(Object)));
  });

  it('an empty list is []', async () => {
    expect(await listedFromMemory()).toBe('[]');
  });

  it('shows an update, a new job and a delete (children rewired) at once', async () => {
    await postVariety();
    await listedFromMemory();
    await svc.upsertIso8601(scheduled('a', { command: 'echo changed', disabled: true }));
    await svc.upsertIso8601(scheduled('aa'));
    await svc.deleteJob('child'); // grandchild now depends on a and b
    const text = await listedFromMemory();
    expect(text).toBe(await reference());
    expect(jobIn(text, 'a')).toMatchObject({ command: 'echo changed', disabled: true });
    expect(jobIn(text, 'aa')).toBeDefined();
    expect(jobIn(text, 'child')).toBeUndefined();
    expect(jobIn(text, 'grandchild').parents).toEqual(['a', 'b']);
  });

  it("shows the worker's bookkeeping at once (success counters)", async () => {
    await postVariety();
    const before = await listedFromMemory();
    expect(jobIn(before, 'b')).toMatchObject({ successCount: 0, lastSuccess: '' });
    await clock.advanceAsync(5_000);
    await svc.markSuccess('b');
    const after = await listedFromMemory();
    expect(after).toBe(await reference());
    expect(jobIn(after, 'b')).toMatchObject({ successCount: 1, errorsSinceLastSuccess: 0, lastSuccess: '2026-01-01T00:00:05.000Z' });
  });

  it('shows the schedule advanced at launch at once', async () => {
    await svc.upsertIso8601(scheduled('due', { schedule: 'R3/2026-01-01T00:00:00Z/PT1H' }));
    await clock.advanceAsync(1_000); // the timer fires: the run is queued
    await worker.idle();
    await listedFromMemory(); // the pre-launch text
    const decision = await worker.onOffers([offer('o-1')]);
    expect(decision.launches).toHaveLength(1);
    const text = await listedFromMemory();
    expect(text).toBe(await reference());
    expect(jobIn(text, 'due').schedule).toBe('R2/2026-01-01T01:00:00.000Z/PT1H');
  });

  it('reads the store while no worker has loaded (following, taking over, offline)', async () => {
    await postVariety();
    worker.stop();
    expect(worker.jobsView()).toBeNull();
    const spy = vi.spyOn(pg.store.jobs, 'list');
    const text = await listed();
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(text).toBe(await reference());
  });

  it('reads the store when names are not plain ASCII, or the store order is not code-point order', async () => {
    await postVariety();
    const expected = await reference();
    const view = new Map(worker.jobsView()!);
    const odd = { ...view.get('a')!, name: 'é-not-ascii' } as Job;
    const withOdd = new Map([...view, [odd.name, odd]]);
    const viewOf = (m: ReadonlyMap<string, Job>) => Object.assign(Object.create(worker) as SchedulerRuntime, { jobsView: () => m });
    const spy = vi.spyOn(pg.store.jobs, 'list');
    expect(await listed(new ChronosService({ store: pg.store, runtime: viewOf(withOdd), clock }))).toBe(expected);
    expect(spy).toHaveBeenCalledTimes(1);
    const linguistic = Object.create(pg.store, { jobs: { value: Object.assign(Object.create(pg.store.jobs), { sortsByCodePoint: async () => false }) } });
    expect(await listed(new ChronosService({ store: linguistic, runtime: viewOf(view), clock }))).toBe(expected);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('GET /jobs/summary reads the same memory, with the same answer as from the store', async () => {
    await postVariety();
    const fromMemory = await svc.summary();
    worker.stop();
    expect(await svc.summary()).toEqual(fromMemory);
  });
});

describe('NameOrder', () => {
  const jobsOf = (names: string[]) => new Map(names.map((name) => [name, { name } as Job]));
  const order = (o: NameOrder, names: string[]) => o.sorted(jobsOf(names))?.map((j) => j.name) ?? null;

  it('sorts like the store (code points), and follows additions and removals', () => {
    const o = new NameOrder();
    let names = ['b', 'B', 'a', 'A_b', 'a-b', 'a.b', 'ab', '_', '-', '0'];
    expect(order(o, names)).toEqual([...names].sort());
    let seed = 7;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let step = 0; step < 200; step++) {
      const next = names.filter(() => rand() > 0.1);
      for (let k = Math.floor(rand() * 4); k > 0; k--) next.push(`n${Math.floor(rand() * 1000)}`);
      names = [...new Set(next)];
      expect(order(o, names)).toEqual([...names].sort());
    }
  });

  it('the same set with other objects gives those objects', () => {
    const o = new NameOrder();
    const first = jobsOf(['x', 'y']);
    o.sorted(first);
    const second = jobsOf(['y', 'x']);
    const got = o.sorted(second)!;
    expect(got[0]).toBe(second.get('x'));
    expect(got[1]).toBe(second.get('y'));
  });

  it('gives null for a name that is not plain ASCII', () => {
    expect(new NameOrder().sorted(jobsOf(['a', 'ü']))).toBeNull();
  });
});

describe('jsonArrayResponse', () => {
  it('streams [a,b,…] in chunks, byte for byte', async () => {
    const parts = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, pad: 'é'.repeat(i % 400) }));
    const res = jsonArrayResponse(parts, (p) => p);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-transform'); // the server must not gzip 70 MB per request
    expect(await res.text()).toBe(`[${parts.join(',')}]`);
    expect(await jsonArrayResponse([], (p) => p).text()).toBe('[]');
    expect(await jsonArrayResponse(['1'], (p) => p).text()).toBe('[1]');
    // texts and bytes mixed, each made only when its chunk is pulled
    const made: number[] = [];
    const big = jsonArrayResponse(parts, (p) => {
      made.push(1);
      return made.length % 2 ? p : Buffer.from(p, 'utf8');
    });
    expect(made).toHaveLength(0);
    const reader = big.body!.getReader();
    await reader.read();
    expect(made.length).toBeGreaterThan(0);
    expect(made.length).toBeLessThan(parts.length);
    await reader.cancel();
    expect(await jsonArrayResponse(parts, (p) => Buffer.from(p, 'utf8')).text()).toBe(`[${parts.join(',')}]`);
  });
});

