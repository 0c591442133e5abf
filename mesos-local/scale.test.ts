/** Scale mode: simulated agents, timer-only tasks. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MesosLocal } from './master';
import { Subscription, getJson } from './test-client';
import type { Json } from '../proto';

const master = new MesosLocal({ port: 0, allocationIntervalMs: 50, heartbeatIntervalSeconds: 5, statusUpdateRetryMs: 5000, scale: { agents: 100, cpusPerAgent: 8, memPerAgent: 8192, taskDurationMs: 300 } });

beforeAll(() => master.start());
afterAll(() => master.stop());

it('runs 2,000 simulated tasks to TASK_FINISHED', async () => {
  const sub = await Subscription.open(master.url);
  try {
    const TOTAL = 2000;
    let launched = 0;
    let finished = 0;
    const acks: Promise<unknown>[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${finished} of ${TOTAL} finished`)), 90_000); // correctness, not speed: the figure is in the bench
      const loop = async () => {
        while (finished < TOTAL) {
          const e = await sub.next((x) => x.type === 'UPDATE' || x.type === 'OFFERS', 10_000);
          if (e.type === 'OFFERS') {
            for (const offer of e.offers.offers as Json[]) {
              const n = Math.min(40, TOTAL - launched);
              if (n === 0) {
                await sub.call({ type: 'DECLINE', decline: { offer_ids: [offer.id] } });
                continue;
              }
              const tasks = Array.from({ length: n }, () => ({ task_id: { value: `t${launched++}` }, command: { value: 'true' } }));
              void sub.launch(offer, tasks, { refuse_seconds: 0 });
            }
          } else {
            const s = e.update.status;
            if (s.uuid) acks.push(sub.ack(s));
            if (s.state === 'TASK_FINISHED') finished++;
          }
        }
        clearTimeout(timer);
        resolve();
      };
      loop().catch(reject);
    });
    await done;
    await Promise.all(acks);
    expect(finished).toBe(TOTAL);
    const state = await getJson(master.url + '/master/state');
    expect(state.tasks_launched).toBe(TOTAL);
    expect(state.slaves).toHaveLength(100);
  } finally {
    sub.close();
  }
}, 120_000);
