/**
 * ThreadedElector (the elector the app uses with ZooKeeper: its client in a worker thread) against
 * the real ZooKeeper: the same election as ZkElector, and a main thread busy for longer than twice
 * the session timeout (a leader launching 10,000 runs) keeps its leadership: no session lost, no
 * pause detected, no second election. On the main thread (ZkElector) the same busy loop deposes
 * the leader and elects the other candidate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ThreadedElector, electorThreadEntry } from '../../scheduler/adapters/zookeeper';
import { electsAndHandsOverInOrder } from './election-scenario';
import { ZK_SERVERS, freshZkPath, waitFor } from './support';

/** The shortest session a ZooKeeper with the default tickTime (2 s) grants: 2 ticks. */
const SESSION_MS = 4_000;
const made: ThreadedElector[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((e) => e.stop()));
});

function elector(path: string, id: string): ThreadedElector {
  const entry = electorThreadEntry();
  if (!entry) throw new Error('elector-thread.ts not found');
  const e = new ThreadedElector(entry, { servers: ZK_SERVERS, path, id, sessionTimeoutMs: SESSION_MS });
  made.push(e);
  return e;
}

function record(e: ThreadedElector, name: string, into: string[]): void {
  e.on('elected', () => into.push(`${name} elected`));
  e.on('deposed', () => into.push(`${name} deposed`));
}

describe('ThreadedElector on the real ZooKeeper', () => {
  it('elects the first, hands over in order, a lost session deposes at once, advanceEpoch', () => electsAndHandsOverInOrder(elector), 40_000);

  it('keeps the leadership while the main thread is busy for more than twice the session timeout', async () => {
    const path = freshZkPath();
    const events: string[] = [];
    const a = elector(path, 'a:1');
    const b = elector(path, 'b:2');
    record(a, 'a', events);
    record(b, 'b', events);
    await a.start();
    await waitFor('a leads', () => a.isLeader());
    await b.start();
    await waitFor('b follows a', () => b.leader() === 'a:1' && a.members().length === 2);
    const epoch = a.epoch();

    // the main thread does not return to its event loop for 2.5 session timeouts
    const until = performance.now() + 2.5 * SESSION_MS;
    while (performance.now() < until) {
      /* busy, like a leader recording and launching 10,000 runs */
    }

    // everything the threads said meanwhile is handled, and a newcomer reads ZooKeeper afresh
    await Promise.all([a.sync(), b.sync()]);
    const c = elector(path, 'c:3');
    await c.start();
    await waitFor('c sees every candidate', () => c.members().length === 3);
    await Promise.all([a.sync(), b.sync()]);
    expect(c.leader()).toBe('a:1');
    expect(c.members()).toEqual(['a:1', 'b:2', 'c:3']);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(a.epoch()).toBe(epoch);
    expect(events).toEqual(['a elected']);
  }, 60_000);
});
