import { describe, expect, it } from 'vitest';
import type { Run } from '../core/types';
import { RunQueue } from './run-queue';

const run = (taskId: string, due: number, highPriority = false): Run =>
  ({ id: taskId, taskId, jobName: taskId, due, attempt: 0, highPriority, state: 'QUEUED' }) as unknown as Run;
const ids = (q: RunQueue) => [...q.inOrder()].map((r) => r.taskId);

describe('RunQueue', () => {
  it('gives the runs in launch order: high priority first, then earlier due, then task id', () => {
    const q = new RunQueue();
    q.set('c', run('c', 30));
    q.set('a', run('a', 10));
    q.set('b2', run('b2', 20));
    q.set('b1', run('b1', 20));
    q.set('h', run('h', 99, true));
    expect(ids(q)).toEqual(['h', 'a', 'b1', 'b2', 'c']);
    expect(q.size).toBe(5);
    expect(q.high).toBe(1);
  });

  it('a deleted run is gone from the order; a run queued again appears once, where it now belongs', () => {
    const q = new RunQueue();
    const a = run('a', 10);
    q.set('a', a);
    q.set('b', run('b', 20));
    q.delete('a');
    expect(ids(q)).toEqual(['b']);
    q.set('a', a); // the same object again
    expect(ids(q)).toEqual(['a', 'b']);
    q.set('b', run('b', 5, true)); // replaced: now high priority
    expect(ids(q)).toEqual(['b', 'a']);
    expect(q.high).toBe(1);
    expect(q.delete('b')).toBe(true);
    expect(q.delete('b')).toBe(false);
    expect(q.high).toBe(0);
    expect([...q].map(([id]) => id)).toEqual(['a']);
  });

  it('stays right across many deletes and inserts (compaction), and stopping early reads nothing more', () => {
    const q = new RunQueue();
    const expected = new Map<string, Run>();
    let seed = 7;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 5000; i++) {
      const id = `t${Math.floor(rnd() * 800)}`;
      if (rnd() < 0.4) {
        q.delete(id);
        expected.delete(id);
      } else {
        const r = run(id, Math.floor(rnd() * 100), rnd() < 0.1);
        q.set(id, r);
        expected.set(id, r);
      }
      if (i % 500 === 0) ids(q); // ordered reads in between
    }
    const want = [...expected.values()]
      .sort((a, b) => (a.highPriority !== b.highPriority ? (a.highPriority ? -1 : 1) : a.due - b.due || (a.taskId < b.taskId ? -1 : 1)))
      .map((r) => r.taskId);
    expect(ids(q)).toEqual(want);
    expect(q.high).toBe([...expected.values()].filter((r) => r.highPriority).length);
    const firstThree: string[] = [];
    for (const r of q.inOrder()) {
      firstThree.push(r.taskId);
      if (firstThree.length === 3) break;
    }
    expect(firstThree).toEqual(want.slice(0, 3));
  });
});
