/**
 * ZkElector against the real ZooKeeper: lowest sequence leads, each candidate takes over from its
 * predecessor only, every instance knows the leader, epochs only grow, a lost session deposes at
 * once and the instance re-enters the election behind the others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ZkElector, electionOrder, zkServers } from '../../scheduler/adapters/zookeeper';
import { electsAndHandsOverInOrder } from './election-scenario';
import { ZK_SERVERS } from './support';

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
  it('elects the first, hands over in order, epochs grow, a lost session deposes at once', () => electsAndHandsOverInOrder(elector), 30_000);

  it('never throws when ZooKeeper cannot be reached; it just does not lead', async () => {
    const e = new ZkElector({ servers: '127.0.0.1:1', path: '/x', id: 'nobody:1', sessionTimeoutMs: 2_000 });
    made.push(e);
    await e.start();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(e.isLeader()).toBe(false);
    expect(e.leader()).toBeNull();
  });
});
