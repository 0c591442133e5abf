/**
 * The UI's JSON API with a real scheduler (worker + Mesos framework) on an in-process
 * mesos-local: logs read through the agent's files API, dashboard counts, the waiting reason of a
 * run no offer fits, the cluster view and the server-sent event stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesosLocal } from '../../mesos-local/master';
import type { PrismaStore } from '../adapters/prisma';
import type { Scheduler } from '../runtime/assemble';
import { systemClock } from '../runtime/system-clock';
import { waitFor } from '../testing/wait-for';
import { ChronosService } from './chronos-service';
import { UiService } from './ui-service';
import type { UiEvent } from './ui-types';
import { uiEventStream } from './ui-http';
import { startLocalCluster, type LocalCluster } from '../testing/local-cluster';

describe('UI API with a running scheduler on mesos-local', () => {
  let cluster: LocalCluster;
  let store: PrismaStore;
  let mesos: MesosLocal;
  let scheduler: Scheduler;
  let api: ChronosService;
  let ui: UiService;

  beforeAll(async () => {
    cluster = await startLocalCluster({ dbPrefix: 'sisyphus_ui_e2e' });
    ({ store, mesos, scheduler, api } = cluster);
    ui = new UiService({
      store,
      runtime: scheduler.worker,
      clock: systemClock,
      chronos: api,
      scheduler: () => scheduler,
      elector: () => null,
      options: { stateCacheMs: 200, jobsCacheMs: 0 },
    });
    ui.instance();
  }, 60_000);

  afterAll(async () => {
    ui?.dispose();
    await cluster?.stop();
  });

  const FAR = 'R/2100-01-01T00:00:00Z/P1D';
  const lastRun = async (job: string) => (await store.runs.recent(job, 1))[0] ?? null;

  it('reads stdout and stderr of a finished run through the agent', async () => {
    await api.upsertIso8601({ name: 'hello', command: 'echo hello-from-sandbox; echo oops-on-stderr >&2', schedule: FAR });
    const taskId = await api.runJob('hello', '');
    await waitFor('hello finished', async () => (await lastRun('hello'))?.state === 'FINISHED');
    const out = await ui.log(taskId, new URLSearchParams('file=stdout'));
    expect(out.unavailable).toBeUndefined();
    expect(out.data).toContain('hello-from-sandbox');
    expect(out.offset).toBe(0);
    expect(out.nextOffset).toBe(Buffer.byteLength(out.data));
    expect(out.eof).toBe(true);
    const err = await ui.log(taskId, new URLSearchParams('file=stderr'));
    expect(err.data).toContain('oops-on-stderr');
    // offset=-1 tails the last `length` bytes
    const tail = await ui.log(taskId, new URLSearchParams('offset=-1&length=8'));
    expect(tail.data).toBe('sandbox\n');
    expect(tail.nextOffset).toBe(out.nextOffset);
    expect(tail.eof).toBe(true);
    // a read from the end has nothing new
    const again = await ui.log(taskId, new URLSearchParams(`offset=${out.nextOffset}`));
    expect(again).toMatchObject({ data: '', nextOffset: out.nextOffset, eof: true });
  });

  it('tails a running task: the next read from nextOffset returns only the new bytes', async () => {
    await api.upsertIso8601({ name: 'talker', command: 'echo part-one; sleep 1.5; echo part-two', schedule: FAR });
    const taskId = await api.runJob('talker', '');
    const first = await waitFor('part-one', async () => {
      const c = await ui.log(taskId, new URLSearchParams());
      return c.data.includes('part-one') ? c : null;
    });
    expect(first.data).toBe('part-one\n');
    expect(first.eof).toBe(false);
    await waitFor('talker finished', async () => (await lastRun('talker'))?.state === 'FINISHED');
    const second = await ui.log(taskId, new URLSearchParams(`offset=${first.nextOffset}`));
    expect(second).toMatchObject({ offset: first.nextOffset, data: 'part-two\n', eof: true });
  });

  it('dashboard: counts after a success and a failure, framework health, utilization', async () => {
    await api.upsertIso8601({ name: 'fails', command: 'exit 3', schedule: FAR });
    await api.runJob('fails', '');
    await waitFor('fails counted', async () => (await store.jobs.get('fails'))!.errorCount === 1);
    const d = await ui.dashboard();
    expect(d.counts.jobs).toBe(3);
    expect(d.counts.success).toBe(2); // hello, talker
    expect(d.counts.failure).toBe(1);
    expect(d.counts.idle).toBe(3);
    expect(d.recentFailures[0]).toMatchObject({ jobName: 'fails', state: 'FAILED' });
    expect(d.framework).toMatchObject({ configured: true, connected: true, master: mesos.url });
    expect(d.framework.frameworkId).toBeTruthy();
    expect(d.framework.counters.offersReceived).toBeGreaterThan(0);
    expect(d.framework.recent.length).toBeGreaterThan(0);
    expect(d.utilization).toEqual({ cpus: { used: 0, total: 8 }, mem: { used: 0, total: 8192 } });
    expect(d.leader).toMatchObject({ isLeader: true, members: [] });
  });

  it('a run no offer fits waits with the reason (cpus)', async () => {
    await api.upsertIso8601({ name: 'huge', command: 'true', schedule: FAR, cpus: 1000 });
    const taskId = await api.runJob('huge', '');
    const q = await waitFor('a reason naming cpus', async () => {
      const d = await ui.dashboard();
      const item = d.queued.find((x) => x.run.taskId === taskId);
      return item && /cpus/.test(item.reason) ? item : null;
    });
    expect(q.reason).toMatch(/needs 1000 cpus/);
    expect((await ui.jobs({ state: ['queued'] })).jobs.map((j) => j.name)).toEqual(['huge']);
    const log = await ui.log(taskId, new URLSearchParams());
    expect(log.unavailable).toMatch(/not been launched/);
    await api.deleteJob('huge');
  });

  it('cluster: agents, our framework, offer counters and a utilization sample', async () => {
    const c = await ui.cluster();
    expect(c).toMatchObject({ master: mesos.url, reachable: true });
    expect(c.agents).toHaveLength(1);
    expect(c.agents[0]).toMatchObject({ active: true, resources: { cpus: 8, mem: 8192, disk: 10000 } });
    expect(c.frameworks.map((f) => f.id)).toContain(scheduler.framework!.state().frameworkId);
    expect(c.offers.received).toBeGreaterThan(0);
    expect(c.history).toHaveLength(1);
    expect(c.history[0]).toMatchObject({ cpusTotal: 8, memTotal: 8192 });
  });

  it('events: the event stream carries run events as UiEvent JSON and stops on abort', async () => {
    const abort = new AbortController();
    {
      const res = uiEventStream({ bus: () => scheduler.events, signal: abort.signal });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('cache-control')).toMatch(/no-cache/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      await api.upsertIso8601({ name: 'streamed', command: 'true', schedule: FAR });
      const taskId = await api.runJob('streamed', '');
      let buffer = '';
      const events: UiEvent[] = [];
      const deadline = Date.now() + 15_000;
      while (!events.some((e) => e.type === 'run' && e.run.taskId === taskId && e.run.state === 'FINISHED')) {
        if (Date.now() > deadline) throw new Error(`no FINISHED run event; got ${JSON.stringify(events.map((e) => e.type))}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended early');
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as UiEvent);
        }
      }
      expect(buffer === '' || buffer.startsWith('data: ') || buffer.startsWith(':')).toBe(true);
      const runs = events.filter((e): e is Extract<UiEvent, { type: 'run' }> => e.type === 'run' && e.run.taskId === taskId);
      expect(runs[0]).toMatchObject({ previous: null, run: { state: 'QUEUED', jobName: 'streamed' } });
      expect(runs.map((e) => e.run.state)).toEqual(expect.arrayContaining(['QUEUED', 'STAGING', 'FINISHED']));
      expect(events.some((e) => e.type === 'job' && e.name === 'streamed')).toBe(true);
      abort.abort();
      // frames already queued may still arrive; then the stream ends
      let end = await reader.read();
      for (let i = 0; i < 50 && !end.done; i++) end = await reader.read();
      expect(end.done).toBe(true);
    }
  });
});
