/**
 * Helpers of the HA tests and the soak: Sisyphus instances as real processes
 * (`node --import tsx scripts/instance.ts`, or the built app under the server (`server/main.ts`)), a TCP proxy in
 * front of PostgreSQL that a test can cut and restore, free ports, polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MesosLocal, type MesosLocalOptions } from '../../mesos-local/master';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ZK_SERVERS = process.env.SISYPHUS_TEST_ZK ?? '127.0.0.1:2181';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * mesos-local on a free loopback port, running real task processes under `<dir>/mesos`, with the
 * short timers of the HA tests (1 s heartbeats, 100 ms allocation, 500 ms update retries); started.
 */
export async function startMesosLocal(dir: string, agents: MesosLocalOptions['agents'], options: Partial<MesosLocalOptions> = {}): Promise<MesosLocal> {
  const mesos = new MesosLocal({
    port: 0,
    host: '127.0.0.1',
    heartbeatIntervalSeconds: 1,
    allocationIntervalMs: 100,
    statusUpdateRetryMs: 500,
    workDir: path.join(dir, 'mesos'),
    agents,
    ...options,
  });
  await mesos.start();
  return mesos;
}

export interface Health {
  id: string;
  leader: string | null;
  isLeader: boolean;
  members: string[];
  epoch: number | null;
  lastEpoch: number;
  takeoverMs: number | null;
  fencedWrites: number;
  pid: number;
  /** What the standby holds (scheduler/runtime/leadership.ts StandbyStatus); null: no standby. */
  standby?: { jobs: number; runs: number; warm: boolean } | null;
}

export class Instance {
  readonly id: string;
  readonly url: string;
  exited: Promise<number | null>;
  private exitCode: number | null | undefined = undefined;

  constructor(
    readonly port: number,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.id = `127.0.0.1:${port}`;
    this.url = `http://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      }),
    );
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  async health(timeoutMs = 5_000): Promise<Health | null> {
    try {
      const r = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      return r.ok ? ((await r.json()) as Health) : null;
    } catch {
      return null;
    }
  }

  /** kill -9 */
  kill9(): void {
    this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await this.exited;
    clearTimeout(t);
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}

export interface InstanceOptions {
  port?: number;
  databaseUrl: string;
  zkPath?: string;
  zk?: string | null;
  master?: string | null;
  sessionTimeoutMs?: number;
  logDir: string;
  env?: Record<string, string>;
  /** How long to wait for /health (default 150 s: a loaded machine compiles slowly). */
  startTimeoutMs?: number;
}

export async function startInstance(o: InstanceOptions): Promise<Instance> {
  const port = o.port ?? (await freePort());
  const logFile = path.join(o.logDir, `instance-${port}.log`);
  const out = fs.openSync(logFile, 'a');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    SISYPHUS_HOSTNAME: '127.0.0.1',
    DATABASE_URL: o.databaseUrl,
    ZK_PATH: o.zkPath ?? '/sisyphus-test/leader',
    ZK_SESSION_TIMEOUT_MS: String(o.sessionTimeoutMs ?? 4_000),
    LOG_LEVEL: process.env.HA_LOG_LEVEL ?? 'info',
    SISYPHUS_DEBUG: '1',
    RETRY_DELAY_MS: '500',
    TAKEOVER_RETRY_MS: '300',
    MESOS_REVIVE_MIN_INTERVAL_MS: '100',
    MESOS_DECLINE_IDLE_SECONDS: '1',
    MESOS_DECLINE_BUSY_SECONDS: '0.2',
    ...(o.env ?? {}),
  };
  delete env.VITEST; // the instance logs like production (LOG_LEVEL above)
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  if (o.zk !== null) env.ZK = o.zk ?? ZK_SERVERS;
  else delete env.ZK;
  if (o.master) env.MESOS_MASTER = o.master;
  else delete env.MESOS_MASTER;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'instance.ts')], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const inst = new Instance(port, child, logFile);
  await waitFor(`instance ${inst.id} to answer /health`, async () => {
    if (!inst.alive) throw new Error(`instance ${inst.id} exited:\n${inst.log().slice(-3000)}`);
    return inst.health();
  }, o.startTimeoutMs ?? 150_000, 150);
  return inst;
}

/**
 * A private copy of the built app to serve with the server (`server/main.ts`): `.next` copied without its caches,
 * everything else symlinked. The working tree is shared (another `next build` may rewrite .next
 * while instances run), as in e2e/harness.ts. Null when there is no complete build right now.
 */
export function snapshotNextBuild(): { dir: string; remove(): void } | null {
  const src = path.join(ROOT, '.next');
  const idFile = path.join(src, 'BUILD_ID');
  const buildId = () => (fs.existsSync(idFile) ? fs.readFileSync(idFile, 'utf8') : null);
  const before = buildId();
  if (!before) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-ha-app-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    for (const entry of fs.readdirSync(ROOT)) {
      if (entry === '.next' || entry === '.git') continue;
      fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
    }
    fs.cpSync(src, path.join(dir, '.next'), {
      recursive: true,
      filter: (f) => {
        const rel = path.relative(src, f);
        return !['cache', 'dev'].some((d) => rel === d || rel.startsWith(`${d}${path.sep}`));
      },
    });
  } catch {
    remove(); // a build replaced files while we copied
    return null;
  }
  if (buildId() !== before || !fs.existsSync(path.join(dir, '.next', 'BUILD_ID'))) {
    remove();
    return null;
  }
  return { dir, remove };
}

export interface NextInstanceOptions extends Omit<InstanceOptions, 'master'> {
  /** A directory holding the built app (snapshotNextBuild). */
  appDir: string;
  master?: string | null;
}

/**
 * The built app under the server (`server/main.ts`) as one instance (instrumentation.ts boots the scheduler), on a
 * free port; resolves once it answers /api/instance. Same environment as startInstance.
 */
export async function startNextInstance(o: NextInstanceOptions): Promise<Instance> {
  const port = o.port ?? (await freePort());
  const logFile = path.join(o.logDir, `next-${port}.log`);
  const out = fs.openSync(logFile, 'a');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    SISYPHUS_HOSTNAME: '127.0.0.1',
    DATABASE_URL: o.databaseUrl,
    ZK_PATH: o.zkPath ?? '/sisyphus-test/leader',
    ZK_SESSION_TIMEOUT_MS: String(o.sessionTimeoutMs ?? 4_000),
    LOG_LEVEL: process.env.HA_LOG_LEVEL ?? 'info',
    TAKEOVER_RETRY_MS: '300',
    ...(o.env ?? {}),
  };
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  if (o.zk !== null) env.ZK = o.zk ?? ZK_SERVERS;
  else delete env.ZK;
  if (o.master) env.MESOS_MASTER = o.master;
  else delete env.MESOS_MASTER;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts'), o.appDir, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: o.appDir,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const inst = new Instance(port, child, logFile);
  await waitFor(`the server ${inst.id} to answer /api/instance`, async () => {
    if (!inst.alive) throw new Error(`the server ${inst.id} exited:\n${inst.log().slice(-3000)}`);
    const r = await fetch(`${inst.url}/api/instance`, { signal: AbortSignal.timeout(5_000) });
    return r.ok;
  }, o.startTimeoutMs ?? 60_000, 150);
  return inst;
}

/** The one live instance that leads (and runs its scheduler), once all alive ones agree. */
export async function waitForLeader(instances: Instance[], timeoutMs = 20_000): Promise<{ leader: Instance; health: Health; at: number }> {
  return waitFor(
    'a leader',
    async () => {
      const live = instances.filter((i) => i.alive);
      const hs = await Promise.all(live.map((i) => i.health()));
      const leaders = live.filter((_, k) => hs[k]?.isLeader);
      if (leaders.length !== 1) return null;
      const h = hs[live.indexOf(leaders[0])]!;
      if (!hs.every((x) => x && x.leader === h.id)) return null;
      return { leader: leaders[0], health: h, at: Date.now() };
    },
    timeoutMs,
    50,
  );
}

/**
 * A TCP proxy to `target` (PostgreSQL) that a test can cut (close every connection and refuse new
 * ones) and restore: a database outage without touching the shared server.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  private cut = false;
  port = 0;

  constructor(
    private readonly targetHost = '127.0.0.1',
    private readonly targetPort = 5432,
  ) {}

  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const done = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', done).on('close', done);
      upstream.on('error', done).on('close', done);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Every connection is reset and new ones are refused until restore(). */
  cutAll(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cut = false;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** `postgresql://…/db` with host:port replaced (to go through a TcpProxy). */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
