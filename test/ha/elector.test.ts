/**
 * ZkElector against the real ZooKeeper: lowest sequence leads, each candidate takes over from its
 * predecessor only, every instance knows the leader, epochs only grow, a lost session deposes at
 * once and the instance re-enters the election behind the others.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ZkElector, electionOrder, zkServers } from '../../scheduler/adapters/zookeeper';
import { ZK_SERVERS, waitFor } from './support';

const made: ZkElector[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((e) => e.stop()));
});

function elector(path: string, id: string): ZkElector {
  const e = new ZkElector({ servers: ZK_SERVERS, path, id, sessionTimeoutMs: 4_000 });
  made.push(e);
  return e;
}

describe('pure helpers', () => {
  it.each([
    { raw: '127.0.0.1:2181', servers: '127.0.0.1:2181' },
    { raw: 'a:2181,b:2181', servers: 'a:2181,b:2181' },
    { raw: 'zk://a:2181,b:2181/sisyphus', servers: 'a:2181,b:2181' },
    { raw: 'zk://u:p@a:2181/x', servers: 'a:2181' },
  ])('zkServers($raw)', ({ raw, servers }) => expect(zkServers(raw)).toBe(servers));

  it('orders candidates by sequence and ignores other children', () => {
    expect(electionOrder(['member_0000000010', 'epoch', 'member_0000000002', 'member_0000000100'])).toEqual([
      'member_0000000002',
      'member_0000000010',
      'member_0000000100',
    ]);
  });
});

describe('ZkElector on the real ZooKeeper', () => {
  it('elects the first, hands over in order, epochs grow, a lost session deposes at once', async () => {
    const path = `/sisyphus-test/${randomBytes(4).toString('hex')}/leader`;
    const a = elector(path, 'a:1');
    const events: string[] = [];
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
    await waitFor('everyone knows a leads', () => b.leader() === 'a:1' && c.leader() === 'a:1' && c.members().length === 3);
    expect(c.members()).toEqual(['a:1', 'b:2', 'c:3']);
    expect(b.isLeader() || c.isLeader()).toBe(false);

    // a leaves: its successor b leads; c (which watches b, not a) still learns the new leader
    await a.stop();
    expect(events).toEqual(['a elected', 'a deposed']);
    await waitFor('b leads', () => b.isLeader());
    expect(b.epoch()).toBeGreaterThan(e1);
    await waitFor('c knows b leads', () => c.leader() === 'b:2');
    expect(c.isLeader()).toBe(false);

    // b loses its session: deposed synchronously, c leads, b comes back as a follower
    let bDeposedAt = 0;
    b.on('deposed', () => (bDeposedAt = Date.now()));
    const before = Date.now();
    b.restartSession('test: session lost');
    expect(b.isLeader()).toBe(false);
    expect(bDeposedAt).toBeGreaterThanOrEqual(before);
    await waitFor('c leads', () => c.isLeader());
    expect(c.epoch()).toBeGreaterThan(b.epoch());
    await waitFor('b follows c', () => b.leader() === 'c:3' && b.members().length === 2);
    expect(b.isLeader()).toBe(false);
    expect(c.members()).toEqual(['c:3', 'b:2']);

    // advanceEpoch moves the counter past a larger value (a wiped ZooKeeper under an old database)
    const next = await c.advanceEpoch(1_000);
    expect(next).toBe(1_000);
    expect(c.epoch()).toBe(1_000);
  }, 30_000);

  it('never throws when ZooKeeper cannot be reached; it just does not lead', async () => {
    const e = new ZkElector({ servers: '127.0.0.1:1', path: '/x', id: 'nobody:1', sessionTimeoutMs: 2_000 });
    made.push(e);
    await e.start();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(e.isLeader()).toBe(false);
    expect(e.leader()).toBeNull();
  });
});
