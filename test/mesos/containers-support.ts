/**
 * Helpers of the container tests (containers-*.test.ts): the shared services (the registry with
 * the Debian-built test image, dockerd) brought up through scripts/services.mjs, a counting and
 * cuttable proxy in front of the registry, a Sisyphus instance driven through its REST API, and
 * the job every container test runs.
 *
 * The constants mirror scripts/lib/containers.mjs (plain JS, which the tests cannot import).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, waitFor, type Instance } from '../ha/support';

export const REGISTRY = '127.0.0.1:5000';
export const DOCKER_HOST = `unix://${path.join(os.tmpdir(), 'sisyphus-docker', 'docker.sock')}`;
/** Debian's docker client, matching Debian's engine. */
export const DOCKER_CLI = '/usr/bin/docker';
/** Only the image has this file (build-image.sh writes it); the tests check the host has not. */
export const MARKER = { path: '/etc/ctr-marker', content: 'ctr-marker' };

const run = promisify(execFile);

/**
 * Why the container tests cannot run on this machine, or null: they need the image, built by
 * containers/build-image.sh of the Mesos build (found as scripts/lib/containers.mjs finds it) or
 * already cached in .cache/containers.
 */
export function containersUnavailable(): string | null {
  const recipes = [
    process.env.SISYPHUS_IMAGE_SCRIPT,
    process.env.MESOS_BUILD && path.join(process.env.MESOS_BUILD, 'containers', 'build-image.sh'),
    path.resolve(ROOT, '..', 'shared', 'mesos', 'containers', 'build-image.sh'),
  ];
  if (recipes.some((f) => f && fs.existsSync(f)) || fs.existsSync(path.join(ROOT, '.cache', 'containers', 'image', '.built'))) return null;
  return 'no image recipe: containers/build-image.sh in MESOS_BUILD or ../shared/mesos, or SISYPHUS_IMAGE_SCRIPT';
}

/** Brings up the registry and dockerd (quick and quiet when they are up already). */
export async function containerServices(): Promise<void> {
  try {
    await run(process.execPath, [path.join(ROOT, 'scripts', 'services.mjs'), '--only=registry,dockerd'], { cwd: ROOT, timeout: 600_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`the container services did not come up: ${(err.stderr || err.stdout || err.message).trim()}`);
  }
}

/**
 * An HTTP proxy in front of the registry on a free port: it counts the image manifest requests
 * (a pull asks for it by tag, HEAD or GET) and can be cut (connections refused) to make the
 * registry unreachable. Docker treats any 127.0.0.0/8 registry as insecure, so images named
 * `127.0.0.1:<port>/…` pull through it over plain HTTP.
 */
export class RegistryProxy {
  manifestRequests = 0;
  private server: http.Server | null = null;
  private sockets = new Set<net.Socket>();

  private constructor(readonly port: number) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RegistryProxy> {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const { port: p } = s.address() as net.AddressInfo;
        s.close(() => resolve(p));
      });
    });
    const proxy = new RegistryProxy(port);
    await proxy.up();
    return proxy;
  }

  /** Starts (again) answering on the same port. */
  async up(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      if (/^\/v2\/.+\/manifests\//.test(req.url ?? '')) this.manifestRequests++;
      const upstream = http.request(
        { host: '127.0.0.1', port: 5000, path: req.url, method: req.method, headers: { ...req.headers, host: REGISTRY } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(e.message);
      });
      req.pipe(upstream);
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops answering: connections to the port are refused until up(). */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A host folder with one file, mounted into containers as a volume. */
export function volumeFixture(): { dir: string; content: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-ctr-vol-'));
  const content = `from-the-host-${process.pid}`;
  fs.writeFileSync(path.join(dir, 'hostfile'), `${content}\n`);
  return { dir, content, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The command every container job runs: it fails unless the image's marker file is there, then
 * prints what must have reached the container (the job's variable, a parameter's variable, the
 * volume's file).
 */
export const PROBE_COMMAND =
  `test -f ${MARKER.path} && cat ${MARKER.path} && echo "GREETING=$GREETING" && echo "FROM_PARAM=\${FROM_PARAM:-}" && cat /mnt/vol/hostfile`;

export interface ContainerJob {
  name: string;
  type: 'MESOS' | 'DOCKER';
  image: string;
  forcePullImage?: boolean;
  volumeDir?: string;
  command?: string;
  retries?: number;
}

/** The Chronos job JSON of a container job (never due by itself: it runs when started). */
export function containerJobJson(j: ContainerJob): Record<string, unknown> {
  return {
    name: j.name,
    command: j.command ?? PROBE_COMMAND,
    schedule: 'R/2100-01-01T00:00:00Z/P1D',
    owner: 'containers@example.com',
    cpus: 0.1,
    mem: 64,
    retries: j.retries ?? 0,
    environmentVariables: [{ name: 'GREETING', value: 'hello from the job' }],
    container: {
      type: j.type,
      image: j.image,
      network: 'HOST',
      forcePullImage: j.forcePullImage ?? false,
      volumes: j.volumeDir ? [{ containerPath: '/mnt/vol', hostPath: j.volumeDir, mode: 'RO' }] : [],
      parameters: [{ key: 'env', value: 'FROM_PARAM=from-a-parameter' }],
    },
  };
}

export interface RunRow {
  taskId: string;
  state: string;
  message: string | null;
  reason: string | null;
}

/** Sisyphus's REST API as the UI and Chronos clients use it. */
export class SisyphusApi {
  constructor(readonly instance: Instance) {}

  private async call(method: string, p: string, body?: unknown): Promise<Response> {
    return fetch(`${this.instance.url}${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  }

  /** POST /v1/scheduler/iso8601, then PUT /v1/scheduler/job/<name> (a manual run). */
  async createAndStart(job: Record<string, unknown>): Promise<void> {
    const created = await this.call('POST', '/v1/scheduler/iso8601', job);
    if (created.status !== 204 && created.status !== 200) throw new Error(`POST iso8601 ${job.name}: ${created.status} ${await created.text()}`);
    const started = await this.call('PUT', `/v1/scheduler/job/${encodeURIComponent(String(job.name))}`);
    if (started.status !== 204 && started.status !== 200) throw new Error(`PUT job ${job.name}: ${started.status} ${await started.text()}`);
  }

  /** The job's runs as the UI lists them (GET /api/runs?job=), newest first. */
  async runs(name: string): Promise<RunRow[]> {
    const r = await this.call('GET', `/api/runs?job=${encodeURIComponent(name)}`);
    if (!r.ok) throw new Error(`GET /api/runs?job=${name}: ${r.status}`);
    return ((await r.json()) as { runs: RunRow[] }).runs;
  }

  /** Waits for the job's newest run to end; resolves it. */
  async finished(name: string, timeoutMs = 240_000): Promise<RunRow> {
    return waitFor(`a finished run of ${name}`, async () => {
      const [latest] = await this.runs(name);
      return latest && ['FINISHED', 'FAILED', 'KILLED', 'LOST', 'ERROR', 'DROPPED', 'GONE'].includes(latest.state) ? latest : null;
    }, timeoutMs, 250);
  }

  /** The job page's current or last run (GET /api/jobs/<name>: `currentRun`). */
  async jobPageRun(name: string): Promise<RunRow | null> {
    const r = await this.call('GET', `/api/jobs/${encodeURIComponent(name)}`);
    if (!r.ok) throw new Error(`GET /api/jobs/${name}: ${r.status}`);
    return ((await r.json()) as { currentRun: RunRow | null }).currentRun;
  }

  /** The run's stdout or stderr, read through the agent as the UI's log view does. */
  async log(taskId: string, file: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
    const r = await this.call('GET', `/api/runs/${encodeURIComponent(taskId)}/log?file=${file}&offset=0&length=65536`);
    if (!r.ok) throw new Error(`GET log of ${taskId}: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { data: string }).data;
  }
}

/** What a run that went through PROBE_COMMAND must have printed. */
export function expectProbeOutput(stdout: string, volumeContent: string): string[] {
  return [MARKER.content, 'GREETING=hello from the job', volumeContent].filter((line) => !stdout.split('\n').includes(line));
}
