import { describe, expect, it } from 'vitest';
import type { FencingStore, LeaderElector, SchedulerRuntime, Store } from '../ports';
import type { Scheduler } from './assemble';
import { EventBus } from './events';
import { Leadership } from './leadership';
import { Listeners } from '../adapters/zookeeper/listeners';

class FakeElector implements LeaderElector {
  readonly id = 'me:1';
  private readonly listeners = new Listeners();
  leading = false;
  isLeader(): boolean {
    return this.leading;
  }
  leader(): string | null {
    return this.leading ? this.id : null;
  }
  epoch(): number {
    return 7;
  }
  on(event: 'elected' | 'deposed' | 'leader-changed', fn: () => void): () => void {
    return this.listeners.on(event, fn);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  elect(): void {
    this.leading = true;
    this.listeners.emit('elected');
  }
}

function fakeStore(): Store & FencingStore {
  const fail = () => Promise.reject(new Error('not in this test'));
  const store = {
    raiseEpoch: async (e: number) => e,
    storedEpoch: async () => 0,
    fenced: () => store,
    jobs: { count: fail },
    edges: { load: fail },
    transaction: fail,
  };
  return store as unknown as Store & FencingStore;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Leadership takeover', () => {
  it('a build that fails after its worker started stops that worker before retrying', async () => {
    const elector = new FakeElector();
    const workers: Array<{ stopped: boolean }> = [];
    let builds = 0;
    const leadership = new Leadership({
      elector,
      store: fakeStore(),
      retryDelayMs: 10,
      build: async (_store, events, onRuntime) => {
        builds++;
        const worker = { stopped: false, stop: () => (worker.stopped = true) };
        workers.push(worker);
        onRuntime(worker as unknown as SchedulerRuntime); // the worker exists (and has loaded)
        if (builds === 1) throw new Error('cannot load the framework id: database down');
        return { worker, framework: null, client: null, events, stop: async () => {} } as unknown as Scheduler;
      },
    });
    await leadership.start();
    elector.elect();
    for (let i = 0; i < 100 && !leadership.current; i++) await sleep(10);
    expect(builds).toBe(2);
    expect(workers.map((w) => w.stopped)).toEqual([true, false]); // before: [false, false], two workers ticking
    expect(leadership.current?.worker).toBe(workers[1]);
    await leadership.stop();
  });

  it('runs the term built after an election and stops it when deposed', async () => {
    const elector = new FakeElector();
    const events = new EventBus();
    let stopped = 0;
    const leadership = new Leadership({
      elector,
      store: fakeStore(),
      events,
      build: async (_store, ev, onRuntime) => {
        const worker = { stop: () => stopped++ };
        onRuntime(worker as unknown as SchedulerRuntime);
        return { worker, framework: null, client: null, events: ev, stop: async () => {} } as unknown as Scheduler;
      },
    });
    await leadership.start();
    elector.elect();
    for (let i = 0; i < 100 && !leadership.current; i++) await sleep(10);
    expect(leadership.isLeader()).toBe(true);
    expect(leadership.termInfo?.epoch).toBe(7);
    elector.leading = false;
    (elector as unknown as { listeners: Listeners }).listeners.emit('deposed');
    expect(leadership.current).toBeNull();
    expect(stopped).toBe(1);
    await leadership.stop();
  });
});
