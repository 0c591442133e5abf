/**
 * Helpers of the HA tests and the soak: Sisyphus instances as real processes
 * (`node --import tsx scripts/instance.ts`, or the built app under the server (`server/main.ts`)), a TCP proxy in
 * front of PostgreSQL that a test can cut and restore, free ports, election paths, log directories,
 * polling. No vitest here (the soak and the takeover bench run it too): ha-cluster.ts has the hooks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MesosLocal, MesosLocalOptions } from '../../mesos-local/master';
import { freePort } from '../../scheduler/testing/free-port';
import { startTestMesos } from '../../scheduler/testing/test-mesos';
import { TEST_ZK } from '../../scheduler/testing/test-zookeeper';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The tests' ZooKeeper (SISYPHUS_TEST_ZK). */
export const ZK_SERVERS = TEST_ZK;

export { freePort };

/** An election path under /sisyphus-test that no other test uses. */
export const freshZkPath = (): string => `/sisyphus-test/${randomBytes(4).toString('hex')}/leader`;

/** A new temp directory for a test file's process logs and task output (`sisyphus-<name>-…`). */
export const makeLogDir = (name: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `sisyphus-${name}-`));

/** Removes what makeLogDir made, or, with HA_KEEP_LOGS set, keeps it and says where. */
export function removeLogDir(dir: string | undefined): void {
  if (process.env.HA_KEEP_LOGS) console.log(`HA logs kept in ${dir}`);
  else if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
export function startMesosLocal(dir: string, agents: MesosLocalOptions['agents'], options: Partial<MesosLocalOptions> = {}): Promise<MesosLocal> {
  return startTestMesos(path.join(dir, 'mesos'), agents, options);
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

/**
 * This process's environment for a child process: `set` on top (an undefined value unsets the
 * variable), without vitest's markers (the child logs like production).
 */
export function childEnv(set: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  return env;
}

/** What the production server (`server/main.ts`) on `port` gets in its environment, whatever else it is given. */
export const serverEnv = (port: number): Record<string, string> => ({ NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', PORT: String(port), HOSTNAME: '127.0.0.1' });

/** The production server's arguments: `node --import tsx server/main.ts <appDir> -p <port> -H 127.0.0.1`. */
export const serverArgs = (appDir: string, port: number): string[] => [path.join(ROOT, 'server', 'main.ts'), appDir, '-p', String(port), '-H', '127.0.0.1'];

export interface ProcessOptions {
  port: number;
  /** Where its stdout and stderr go (appended). */
  logFile: string;
  /** After `node --import tsx`. */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Names it in the messages: `instance`, `the server`. */
  who: string;
  /** What `ready` asks, for the messages: `/health`. */
  answers: string;
  ready(inst: Instance): Promise<unknown>;
  timeoutMs: number;
}

/** A TypeScript entry point as a child process; resolves once `ready` holds, fails with the end of its log if it exits first. */
export async function startProcess(o: ProcessOptions): Promise<Instance> {
  const out = fs.openSync(o.logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', ...o.args], { cwd: o.cwd, env: o.env as NodeJS.ProcessEnv, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const inst = new Instance(o.port, child, o.logFile);
  await waitFor(`${o.who} ${inst.id} to answer ${o.answers}`, async () => {
    if (!inst.alive) throw new Error(`${o.who} ${inst.id} exited:\n${inst.log().slice(-3000)}`);
    return o.ready(inst);
  }, o.timeoutMs, 150);
  return inst;
}

/** The environment of an instance (scripts/instance.ts or the server): the HA tests' short timers, `own`, then `o.env`; ZK and MESOS_MASTER as `o` says. */
function instanceEnv(o: InstanceOptions, port: number, own: Record<string, string>): Record<string, string> {
  return childEnv({
    ...own,
    PORT: String(port),
    SISYPHUS_HOSTNAME: '127.0.0.1',
    DATABASE_URL: o.databaseUrl,
    ZK_PATH: o.zkPath ?? '/sisyphus-test/leader',
    ZK_SESSION_TIMEOUT_MS: String(o.sessionTimeoutMs ?? 4_000),
    LOG_LEVEL: process.env.HA_LOG_LEVEL ?? 'info',
    TAKEOVER_RETRY_MS: '300',
    ...(o.env ?? {}),
    ZK: o.zk === null ? undefined : (o.zk ?? ZK_SERVERS),
    MESOS_MASTER: o.master || undefined,
  });
}

export async function startInstance(o: InstanceOptions): Promise<Instance> {
  const port = o.port ?? (await freePort());
  const env = instanceEnv(o, port, {
    SISYPHUS_DEBUG: '1',
    RETRY_DELAY_MS: '500',
    MESOS_REVIVE_MIN_INTERVAL_MS: '100',
    MESOS_DECLINE_IDLE_SECONDS: '1',
    MESOS_DECLINE_BUSY_SECONDS: '0.2',
  });
  return startProcess({
    port,
    logFile: path.join(o.logDir, `instance-${port}.log`),
    args: [path.join(ROOT, 'scripts', 'instance.ts')],
    cwd: ROOT,
    env,
    who: 'instance',
    answers: '/health',
    ready: (inst) => inst.health(),
    timeoutMs: o.startTimeoutMs ?? 150_000,
  });
}

/**
 * A private copy of the built app to serve with the server (`server/main.ts`): `.next` copied without its caches,
 * everything else symlinked. The working tree is shared (another `next build` may rewrite .next
 * while instances run); e2e/harness.ts serves its app from one too. Null when there is no complete build right now.
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
  return startProcess({
    port,
    logFile: path.join(o.logDir, `next-${port}.log`),
    args: serverArgs(o.appDir, port),
    cwd: o.appDir,
    env: instanceEnv(o, port, serverEnv(port)),
    who: 'the server',
    answers: '/api/instance',
    ready: async (inst) => (await fetch(`${inst.url}/api/instance`, { signal: AbortSignal.timeout(5_000) })).ok,
    timeoutMs: o.startTimeoutMs ?? 60_000,
  });
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
