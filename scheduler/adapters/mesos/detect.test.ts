import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zookeeper from 'node-zookeeper-client';
import { requireTestZk, TEST_ZK } from '../../testing/test-zookeeper';
import { createDetector, ipFromNetworkOrder, leaderNode, masterAddress, parseZkUrl, StaticDetector, ZkDetector } from './detect';

describe('master detection helpers', () => {
  const zkUrls: Array<[string, string, ReturnType<typeof parseZkUrl>]> = [
    ['one host', 'zk://h1:2181/mesos', { servers: 'h1:2181', path: '/mesos', auth: null }],
    ['several hosts', 'zk://h1:2181,h2:2181,h3:2181/mesos', { servers: 'h1:2181,h2:2181,h3:2181', path: '/mesos', auth: null }],
    ['credentials and a deep path', 'zk://u:p@h1:2181/a/b/', { servers: 'h1:2181', path: '/a/b', auth: 'u:p' }],
    ['no path', 'zk://h1:2181', { servers: 'h1:2181', path: '/', auth: null }],
  ];
  for (const [name, url, want] of zkUrls) {
    it(`parses a zk URL with ${name}`, () => expect(parseZkUrl(url)).toEqual(want));
  }

  it('converts a network-order uint32 IP (as MasterInfo.ip) to dotted form', () => {
    expect(ipFromNetworkOrder(16777343)).toBe('127.0.0.1');
    expect(ipFromNetworkOrder(0x0a01a8c0)).toBe('192.168.1.10');
  });

  const infos: Array<[string, unknown, string]> = [
    ['address.hostname', { address: { hostname: 'm1.example', ip: '10.0.0.1', port: 5050 }, hostname: 'x', ip: 1, port: 1 }, 'm1.example:5050'],
    ['address.ip', { address: { ip: '10.0.0.2', port: 5051 } }, '10.0.0.2:5051'],
    ['hostname + port', { hostname: 'm3', port: 5052 }, 'm3:5052'],
    ['uint32 ip only', { ip: 16777343, port: 5053 }, '127.0.0.1:5053'],
  ];
  for (const [name, info, want] of infos) {
    it(`reads the master address from ${name}`, () => {
      const a = masterAddress(info);
      expect(a.ok && `${a.host}:${a.port}`).toBe(want);
    });
  }
  it('explains a MasterInfo without an address', () => {
    const a = masterAddress({ id: 'x' });
    expect(a.ok).toBe(false);
  });

  it('picks the lowest json.info_ sequence and ignores other nodes', () => {
    expect(leaderNode(['log_replicas', 'info_0000000001', 'json.info_0000000012', 'json.info_0000000003'])).toBe('json.info_0000000003');
    expect(leaderNode(['log_replicas'])).toBeNull();
  });

  it('builds a static detector from a comma-separated list', () => {
    const d = createDetector('http://a:5050, b:5051');
    expect(d).toBeInstanceOf(StaticDetector);
    expect(d.describe()).toBe('http://a:5050,http://b:5051');
    expect(createDetector('zk://h:2181/mesos')).toBeInstanceOf(ZkDetector);
  });
});

/* ------------------------------- against a real ZooKeeper ----------------------------------- */

const ZK = TEST_ZK;

interface Zk {
  connect(): void;
  close(): void;
  once(e: string, fn: () => void): void;
  mkdirp(p: string, cb: (e: Error | null) => void): void;
  create(p: string, data: Buffer, mode: number, cb: (e: Error | null, path: string) => void): void;
  remove(p: string, cb: (e: Error | null) => void): void;
  removeRecursive(p: string, cb: (e: Error | null) => void): void;
}

describe(`ZkDetector against ZooKeeper at ${ZK}`, () => {
  beforeAll(requireTestZk);

  const root = `/sisyphus-test-${process.pid}-${Date.now()}`;
  let zk: Zk;
  const detectors: ZkDetector[] = [];

  afterAll(async () => {
    for (const d of detectors) await d.close();
    if (zk) {
      await new Promise<void>((r) => zk.removeRecursive(root, () => r()));
      zk.close();
    }
  });

  const call = <T>(fn: (cb: (e: Error | null, v: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v))));

  it('follows the lowest json.info_ node and its changes', async () => {
    zk = zookeeper.createClient(ZK, { sessionTimeout: 5000 }) as Zk;
    await new Promise<void>((r) => {
      zk.once('connected', r);
      zk.connect();
    });
    const dir = `${root}/mesos`;
    await call<void>((cb) => zk.mkdirp(dir, (e) => cb(e, undefined)));
    const mode = zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL as number;
    const info = (o: object) => Buffer.from(JSON.stringify(o));
    // Noise the detector must ignore.
    await call<string>((cb) => zk.create(`${dir}/log_replicas`, Buffer.from(''), zookeeper.CreateMode.PERSISTENT, cb));
    const a = await call<string>((cb) => zk.create(`${dir}/json.info_`, info({ id: 'a', address: { hostname: 'master-a', ip: '10.0.0.1', port: 5051 } }), mode, cb));
    const b = await call<string>((cb) => zk.create(`${dir}/json.info_`, info({ id: 'b', ip: 16777343, port: 5052 }), mode, cb));
    expect(a < b).toBe(true);

    const det = new ZkDetector(`zk://${ZK}${dir}`, { zkWaitMs: 5000 });
    detectors.push(det);
    const changes: Array<string | null> = [];
    det.onChange((u) => changes.push(u?.origin ?? null));
    expect((await det.detect()).origin).toBe('http://master-a:5051');

    // The leader's node goes away (its session ended): the next lowest leads.
    const next = new Promise<string | null>((r) => det.onChange((u) => r(u?.origin ?? null)));
    await call<void>((cb) => zk.remove(a, (e) => cb(e, undefined)));
    expect(await next).toBe('http://127.0.0.1:5052');

    // A newer node does not take over.
    await call<string>((cb) => zk.create(`${dir}/json.info_`, info({ id: 'c', hostname: 'master-c', port: 5053 }), mode, cb));
    await new Promise((r) => setTimeout(r, 300));
    expect(det.current()?.origin).toBe('http://127.0.0.1:5052');
    expect(changes).toEqual(['http://master-a:5051', 'http://127.0.0.1:5052']);
  });

  it('waits for a leader when the directory is empty or missing', async () => {
    const dir = `${root}/later`;
    const det = new ZkDetector(`zk://${ZK}${dir}`, { zkWaitMs: 5000 });
    detectors.push(det);
    const found = det.detect();
    await new Promise((r) => setTimeout(r, 300));
    await call<void>((cb) => zk.mkdirp(dir, (e) => cb(e, undefined)));
    await call<string>((cb) =>
      zk.create(`${dir}/json.info_`, Buffer.from(JSON.stringify({ hostname: 'late', port: 5050 })), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb),
    );
    expect((await found).origin).toBe('http://late:5050');
  });
});
