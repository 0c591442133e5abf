/**
 * mesos-local's DOCKER containers: a task with `container.type DOCKER` runs as `docker run` against
 * a Docker engine (the one at `dockerHost`, else DOCKER_HOST, else /var/run/docker.sock).
 *
 * Mounts are given with `--mount type=bind,src=…,dst=…`, never `-v src:dst`: sandbox paths hold the
 * task id, and Chronos task ids hold colons (`ct:1796605459105:0:job:`), which `-v` splits on
 * ("invalid spec: … too many colons"). `--mount` takes CSV fields, so a value with a comma or a
 * quote is quoted.
 *
 * From the ContainerInfo: the image, `network` (HOST default; USER → bridge), `privileged`,
 * `port_mappings` (-p), `parameters` (--key=value, in order), `force_pull_image` (--pull always),
 * `volumes` (host_path: a bind mount, relative host paths under the sandbox; DOCKER_VOLUME: a
 * named volume; relative container paths under /mnt/mesos/sandbox; mode RO → readonly). The task's
 * environment variables are passed with -e; the docker client itself gets only the agent's
 * environment (a job variable named DOCKER_HOST does not redirect it).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Json } from '../proto';

export const SANDBOX_IN_CONTAINER = '/mnt/mesos/sandbox';
/** `docker run` exits 125 when Docker itself failed (image, registry, options), not the command. */
export const DOCKER_RUN_FAILED = 125;

/** Docker's own complaint: the last `docker: …` / `Error …` line of the task's stderr. */
export function dockerError(stderrFile: string): string {
  let text = '';
  try {
    text = fs.readFileSync(stderrFile, 'utf8').slice(-8192);
  } catch {
    // no stderr: fall through
  }
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const own = lines.filter((l) => /^(docker: |Error)/.test(l));
  return (own.length ? own[own.length - 1] : lines[lines.length - 1]) ?? 'docker run exited with status 125';
}

/** The engine a docker client talks to: an explicit host wins over DOCKER_HOST. */
export function dockerClientEnv(dockerHost: string | undefined): Record<string, string> {
  const env = { ...(process.env as Record<string, string>) };
  if (dockerHost) env.DOCKER_HOST = dockerHost;
  return env;
}

const probes = new Map<string, Promise<boolean>>();
/**
 * True when a Docker engine answers: a host is given (or DOCKER_HOST is set, or
 * /var/run/docker.sock exists) and `docker version` reaches its server. Cached per host.
 */
export function dockerAvailable(dockerHost?: string): Promise<boolean> {
  const key = dockerHost ?? process.env.DOCKER_HOST ?? '';
  let probe = probes.get(key);
  if (!probe) {
    probe = new Promise((resolve) => {
      if (!key && !fs.existsSync('/var/run/docker.sock')) return resolve(false);
      execFile('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 5000, env: dockerClientEnv(dockerHost) as NodeJS.ProcessEnv }, (err) => resolve(!err));
    });
    probes.set(key, probe);
  }
  return probe;
}

/** One `--mount` field value, CSV-quoted when it holds a comma or a double quote. */
export function mountField(value: string): string {
  return /[",]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function bind(src: string, dst: string, readonly: boolean): string[] {
  return ['--mount', `type=bind,src=${mountField(src)},dst=${mountField(dst)}${readonly ? ',readonly' : ''}`];
}

/** The `--mount` arguments of the ContainerInfo's volumes (see the file comment). */
export function volumeArgs(volumes: Json[] | undefined, sandbox: string): string[] {
  const out: string[] = [];
  for (const v of volumes ?? []) {
    const containerPath = String(v.container_path ?? '');
    if (!containerPath) continue;
    const dst = path.posix.isAbsolute(containerPath) ? containerPath : path.posix.join(SANDBOX_IN_CONTAINER, containerPath);
    const readonly = v.mode === 'RO';
    if (v.host_path) {
      const host = String(v.host_path);
      out.push(...bind(path.isAbsolute(host) ? host : path.join(sandbox, host), dst, readonly));
    } else if (v.source?.type === 'DOCKER_VOLUME' && v.source.docker_volume?.name) {
      const dv = v.source.docker_volume;
      const driver = dv.driver ? `,volume-driver=${mountField(String(dv.driver))}` : '';
      out.push('--mount', `type=volume,src=${mountField(String(dv.name))},dst=${mountField(dst)}${driver}${readonly ? ',readonly' : ''}`);
    }
  }
  return out;
}

export interface DockerRun {
  container: Json;
  command: Json;
  sandbox: string;
  /** Docker container name. */
  name: string;
  /** Variables set in the container besides the task's own: MESOS_TASK_ID and the like. */
  agentEnv: Record<string, string>;
}

/** The arguments of `docker run` for a DOCKER task. */
export function dockerRunArgs(r: DockerRun): string[] {
  const d: Json = r.container.docker ?? {};
  const args = ['run', '--rm', '--name', r.name, ...bind(r.sandbox, SANDBOX_IN_CONTAINER, false), '-w', SANDBOX_IN_CONTAINER];
  args.push(...volumeArgs(r.container.volumes as Json[] | undefined, r.sandbox));
  for (const [name, value] of Object.entries(r.agentEnv)) args.push('-e', `${name}=${value}`);
  for (const v of (r.command.environment?.variables ?? []) as Json[]) if (v.type !== 'SECRET' && v.name) args.push('-e', `${v.name}=${v.value ?? ''}`);
  const net = String(d.network ?? 'HOST').toLowerCase();
  args.push('--network', net === 'user' ? 'bridge' : net);
  if (d.privileged) args.push('--privileged');
  for (const pm of (d.port_mappings ?? []) as Json[]) args.push('-p', `${pm.host_port}:${pm.container_port}${pm.protocol ? `/${pm.protocol}` : ''}`);
  for (const prm of (d.parameters ?? []) as Json[]) args.push(`--${prm.key}=${prm.value}`);
  if (d.force_pull_image) args.push('--pull', 'always');
  const shell = r.command.shell !== false;
  if (shell && r.command.value) args.push('--entrypoint', '/bin/sh', d.image, '-c', r.command.value);
  else args.push(d.image, ...(r.command.value ? [r.command.value] : []), ...((r.command.arguments ?? []) as string[]).slice(r.command.value ? 1 : 0));
  return args;
}
