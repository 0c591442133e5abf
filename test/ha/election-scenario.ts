/**
 * The election both ZooKeeper electors hold to (ZkElector on the main thread, ThreadedElector with
 * its client in a worker thread), run by each one's test file against the real ZooKeeper.
 */
import { expect } from 'vitest';
import type { ZkElector } from '../../scheduler/adapters/zookeeper';
import { freshZkPath, waitFor } from './support';

/** What the scenario uses of an elector (ThreadedElector has the same). */
export type TestElector = Pick<ZkElector, 'start' | 'stop' | 'on' | 'isLeader' | 'leader' | 'members' | 'epoch' | 'advanceEpoch' | 'restartSession'>;

/**
 * Three candidates under a fresh path: the first leads, each hands over to its successor (which
 * every instance learns, also one that watches another node), epochs grow, a lost session deposes
 * at once and the instance comes back as a follower behind the others, and advanceEpoch moves the
 * counter past a larger value (a wiped ZooKeeper under an old database).
 */
export async function electsAndHandsOverInOrder(elector: (path: string, id: string) => TestElector): Promise<void> {
  const path = freshZkPath();
  const events: string[] = [];
  const a = elector(path, 'a:1');
  a.on('elected', () => events.push('a elected'));
  a.on('deposed', () => events.push('a deposed'));
  await a.start();
  await waitFor('a leads', () => a.isLeader());
  const e1 = a.epoch();
  const b = elector(path, 'b:2');
  const c = elector(path, 'c:3');
  await b.start();
  await waitFor('b is a candidate', () => b.leader() === 'a:1');
  await c.start();
  await waitFor('everyone knows a leads', () => b.leader() === 'a:1' && c.leader() === 'a:1' && c.members().length === 3 && a.members().length === 3);
  expect(c.members()).toEqual(['a:1', 'b:2', 'c:3']);
  expect(b.isLeader() || c.isLeader()).toBe(false);

  // a leaves: its successor b leads; c (which watches b, not a) still learns the new leader
  await a.stop();
  expect(events).toEqual(['a elected', 'a deposed']);
  await waitFor('b leads', () => b.isLeader());
  expect(b.epoch()).toBeGreaterThan(e1);
  await waitFor('c knows b leads', () => c.leader() === 'b:2');
  expect(c.isLeader()).toBe(false);

  // b loses its session (or is fenced): deposed synchronously, c leads, b comes back as a follower
  let bDeposedAt = 0;
  b.on('deposed', () => (bDeposedAt = Date.now()));
  const before = Date.now();
  b.restartSession('test: session lost');
  expect(b.isLeader()).toBe(false);
  expect(bDeposedAt).toBeGreaterThanOrEqual(before);
  await waitFor('c leads', () => c.isLeader());
  expect(c.epoch()).toBeGreaterThan(b.epoch());
  await waitFor('b follows c', () => b.leader() === 'c:3' && b.members().length === 2 && c.members().length === 2);
  expect(b.isLeader()).toBe(false);
  expect(c.members()).toEqual(['c:3', 'b:2']);

  expect(await c.advanceEpoch(1_000)).toBe(1_000);
  expect(c.epoch()).toBe(1_000);
}
