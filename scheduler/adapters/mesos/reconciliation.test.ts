/** Reconciliation after SUBSCRIBED (reconciliation.ts), through MesosFramework on a fake connection. */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../proto';
import { setup, startSubscribed, update } from './testing/framework-setup';

describe('MesosFramework: reconciliation', () => {
  it('reconciles every active task after SUBSCRIBED, repeating for the silent ones, then goes implicit', async () => {
    const { conn, ports, fw, clock } = setup({ reconcileInitialMs: 5000 });
    ports.active = [
      { taskId: 't1', agentId: 'A1' },
      { taskId: 't2', agentId: null },
      { taskId: 't3', agentId: 'A2' },
    ];
    await startSubscribed({ fw, conn, clock });
    const first = conn.ofType('RECONCILE');
    expect(first).toHaveLength(1);
    expect(first[0].reconcile.tasks).toEqual([
      { task_id: { value: 't1' }, agent_id: { value: 'A1' } },
      { task_id: { value: 't2' } },
      { task_id: { value: 't3' }, agent_id: { value: 'A2' } },
    ]);
    conn.push(update('t1', 'TASK_RUNNING'));
    await clock.advanceAsync(5000);
    const second = conn.ofType('RECONCILE')[1];
    expect(second.reconcile.tasks.map((t: Json) => t.task_id.value)).toEqual(['t2', 't3']);
    conn.push(update('t2', 'TASK_LOST', undefined, null));
    await clock.advanceAsync(10_000);
    expect(conn.ofType('RECONCILE')[2].reconcile.tasks.map((t: Json) => t.task_id.value)).toEqual(['t3']);
    conn.push(update('t3', 'TASK_FINISHED'));
    await clock.advanceAsync(0);
    expect(fw.state().reconciling).toBe(0);
    const n = conn.ofType('RECONCILE').length;
    const withHeartbeats = async (ms: number) => {
      for (let t = 0; t < ms; t += 10_000) {
        await clock.advanceAsync(Math.min(10_000, ms - t));
        conn.push({ type: 'HEARTBEAT' });
      }
    };
    await withHeartbeats(14 * 60_000);
    expect(conn.ofType('RECONCILE')).toHaveLength(n); // no more explicit rounds
    await withHeartbeats(60_000 + 1);
    expect(fw.state().connected).toBe(true);
    const implicit = conn.ofType('RECONCILE')[n];
    expect(implicit.reconcile.tasks).toEqual([]);
  });
  it('keeps a task pending when its reconciliation answer could not be persisted', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.active = [{ taskId: 't1', agentId: 'A1' }];
    ports.update = async () => {
      throw new Error('db down');
    };
    await startSubscribed({ fw, conn, clock });
    conn.push(update('t1', 'TASK_RUNNING'));
    await clock.advanceAsync(5000);
    expect(conn.ofType('RECONCILE')).toHaveLength(2);
    expect(fw.state().reconciling).toBe(1);
  });
});
