/**
 * The production server (server/main.ts over a snapshot of the build) as one process for the
 * generated-request tests: a single instance (no ZooKeeper: it always leads), no Mesos master,
 * HTTP_CREDENTIALS set. Like test/ha/support.ts `startNextInstance`, whose readiness probe does
 * not send credentials; ready here once /ping answers "pong" with them.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, freePort, waitFor, Instance } from '../ha/support';
import { basic } from './client';

export async function startServer(o: { appDir: string; databaseUrl: string; credentials: string; logDir: string; env?: Record<string, string> }): Promise<Instance> {
  const port = await freePort();
  const logFile = path.join(o.logDir, `server-${port}.log`);
  const out = fs.openSync(logFile, 'a');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    SISYPHUS_HOSTNAME: '127.0.0.1',
    DATABASE_URL: o.databaseUrl,
    HTTP_CREDENTIALS: o.credentials,
    LOG_LEVEL: 'warn',
    ...(o.env ?? {}),
  };
  for (const k of ['VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'ZK', 'MESOS_MASTER']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts'), o.appDir, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: o.appDir,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const inst = new Instance(port, child, logFile);
  await waitFor(
    `the server ${inst.id} to answer /ping`,
    async () => {
      if (!inst.alive) throw new Error(`the server ${inst.id} exited:\n${inst.log().slice(-3000)}`);
      const r = await fetch(`${inst.url}/ping`, { headers: { authorization: basic(o.credentials) }, signal: AbortSignal.timeout(5_000) });
      return r.ok;
    },
    90_000,
    150,
  );
  return inst;
}
