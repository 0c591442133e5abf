/**
 * The production server (server/main.ts over a snapshot of the build) as one process for the
 * generated-request tests: a single instance (no ZooKeeper: it always leads), no Mesos master,
 * HTTP_CREDENTIALS set. Started as test/ha/support.ts starts its processes, but with an
 * environment of its own (not the HA tests' timers) and ready once /ping answers "pong" with the
 * credentials (`startNextInstance` probes without them).
 */
import path from 'node:path';
import { childEnv, freePort, serverArgs, serverEnv, startProcess, type Instance } from '../ha/support';
import { basic } from './client';

export async function startServer(o: { appDir: string; databaseUrl: string; credentials: string; logDir: string; env?: Record<string, string> }): Promise<Instance> {
  const port = await freePort();
  return startProcess({
    port,
    logFile: path.join(o.logDir, `server-${port}.log`),
    args: serverArgs(o.appDir, port),
    cwd: o.appDir,
    env: childEnv({
      ...serverEnv(port),
      SISYPHUS_HOSTNAME: '127.0.0.1',
      DATABASE_URL: o.databaseUrl,
      HTTP_CREDENTIALS: o.credentials,
      LOG_LEVEL: 'warn',
      ...(o.env ?? {}),
      ZK: undefined,
      MESOS_MASTER: undefined,
    }),
    who: 'the server',
    answers: '/ping',
    ready: async (inst) => (await fetch(`${inst.url}/ping`, { headers: { authorization: basic(o.credentials) }, signal: AbortSignal.timeout(5_000) })).ok,
    timeoutMs: 90_000,
  });
}
