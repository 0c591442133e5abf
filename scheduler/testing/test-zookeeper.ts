/** The ZooKeeper the tests use, and the check that it is there. */
import net from 'node:net';
import { testZookeeper } from '../config';

/** `host:port` of the tests' ZooKeeper (SISYPHUS_TEST_ZK, scheduler/config.ts). */
export const TEST_ZK = testZookeeper();

/**
 * Throws, saying how to start it, when nothing listens at TEST_ZK within 1 s. For a file's
 * beforeAll: its ZooKeeper tests fail, never skip (`npm test` starts ZooKeeper: scripts/services.mjs).
 */
export async function requireTestZk(): Promise<void> {
  const [host, port] = TEST_ZK.split(':');
  const up = await new Promise<boolean>((resolve) => {
    const s = net.connect(Number(port), host);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
  if (!up) throw new Error(`nothing listens on ${TEST_ZK}: start ZooKeeper (node scripts/services.mjs --only=zookeeper) or set SISYPHUS_TEST_ZK=host:port`);
}
