/**
 * A real Mesos master and one container-capable agent (scripts/mesos/cluster.ts) for the container
 * tests: both containerizers on one agent, with the flags ../shared/mesos/README.md checked on these
 * machines ("Containers from images"):
 *
 * - Mesos containerizer with Docker images: the linux launcher, filesystem/linux + docker/runtime +
 *   cgroups isolators, images from `registry` (a URL), a store and the copy backend in the cluster
 *   dir; run as root with LD_PRELOAD of noprocfix.so (this kernel has no /proc/sysrq-trigger, which
 *   Mesos bind-mounts into every image root), built from ../shared/mesos/containers/noprocfix.c into
 *   .cache/containers/ (ignored) once.
 * - Docker containerizer on the test dockerd, exited containers removed after 1 s, other agents'
 *   (and mesos-local's) containers left alone.
 *
 * stop() stops the cluster, then undoes what the linux launcher leaves: mounts under the cluster dir
 * (its bind mount of the work dir, image root filesystems), empty `mesos` cgroups; then removes
 * the dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMesosCluster, type MesosCluster } from '../../scripts/mesos/cluster';
import { SHARED_BUILD_DIR, ensureMesosInstalled } from '../../scripts/mesos/install';
import { ROOT } from '../ha/support';
import { DOCKER_CLI, DOCKER_HOST } from './containers-support';

const NOPROCFIX_SRC = path.join(process.env.MESOS_BUILD ?? SHARED_BUILD_DIR, 'containers', 'noprocfix.c');
const NOPROCFIX = path.join(ROOT, '.cache', 'containers', 'noprocfix.so');

/** Builds noprocfix.so when missing or older than its source; returns its path. */
export function noprocfixLibrary(): string {
  if (!fs.existsSync(NOPROCFIX_SRC)) throw new Error(`${NOPROCFIX_SRC} is missing: the Mesos containerizer needs noprocfix.so on this kernel`);
  if (!fs.existsSync(NOPROCFIX) || fs.statSync(NOPROCFIX).mtimeMs < fs.statSync(NOPROCFIX_SRC).mtimeMs) {
    fs.mkdirSync(path.dirname(NOPROCFIX), { recursive: true });
    const tmp = `${NOPROCFIX}.${process.pid}`;
    execFileSync('gcc', ['-shared', '-fPIC', '-o', tmp, NOPROCFIX_SRC, '-ldl'], { stdio: 'pipe' });
    fs.renameSync(tmp, NOPROCFIX);
  }
  return NOPROCFIX;
}

/** Why the real-Mesos container tests cannot run here, or null when they can. */
export function containerClusterUnavailable(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the Mesos containerizer with images needs root';
  if (!fs.existsSync(NOPROCFIX_SRC)) return `${NOPROCFIX_SRC} is missing`;
  return null;
}

export interface ContainerCluster {
  cluster: MesosCluster;
  stop(): Promise<void>;
}

export async function startContainerCluster(o: { registry: string }): Promise<ContainerCluster> {
  const preload = noprocfixLibrary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-ctr-mesos-'));
  const socket = DOCKER_HOST.replace(/^unix:\/\//, '');
  // Executors start with this environment only: the build's libraries for mesos-docker-executor.
  const executorEnv = { LD_LIBRARY_PATH: ensureMesosInstalled().env.LD_LIBRARY_PATH, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  const cluster = await startMesosCluster({
    dir,
    agents: [
      {
        attributes: 'containers:yes',
        flags: [
          '--launcher=linux',
          '--isolation=filesystem/linux,docker/runtime,cgroups/cpu,cgroups/mem',
          '--containerizers=docker,mesos',
          '--image_providers=docker',
          `--docker_registry=${o.registry}`,
          `--docker_store_dir=${path.join(dir, 'store')}`,
          '--image_provisioner_backend=copy',
          `--docker=${DOCKER_CLI}`,
          `--docker_socket=${socket}`,
          '--docker_remove_delay=1secs',
          // else it removes every `mesos-…` container it does not know, mesos-local's included
          '--no-docker_kill_orphans',
          `--executor_environment_variables=${JSON.stringify(executorEnv)}`,
        ],
        env: { LD_PRELOAD: preload },
      },
    ],
  }).catch((e: Error) => {
    cleanUp(dir);
    throw e;
  });
  return {
    cluster,
    async stop() {
      await cluster.stop();
      removeMesosContainers(fs.realpathSync(dir));
      cleanUp(dir);
    },
  };
}

/**
 * Exited containers the Docker containerizer left (it removes them after --docker_remove_delay,
 * unless the agent stopped first): those with a mount from dir. Not by name: mesos-local's
 * containers are named `mesos-…` too.
 */
function removeMesosContainers(dir: string): void {
  // spawnSync: `docker inspect` of a container removed meanwhile fails but still prints the others
  const docker = (...args: string[]) => spawnSync(DOCKER_CLI, ['-H', DOCKER_HOST, ...args], { encoding: 'utf8' }).stdout ?? '';
  const exited = docker('ps', '-aq', '--filter', 'status=exited').split('\n').filter(Boolean);
  if (!exited.length) return;
  const ours = docker('inspect', '--format', '{{.Id}}{{range .Mounts}} {{.Source}}{{end}}', ...exited)
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, ...sources]) => sources.some((src) => src.startsWith(`${dir}/`)))
    .map(([id]) => id);
  if (ours.length) docker('rm', '-f', ...ours);
}

/** Unmounts everything under dir (deepest first), removes empty mesos cgroups, then the dir. */
function cleanUp(dir: string): void {
  const real = fs.realpathSync(dir);
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => Boolean(m) && (m === real || m.startsWith(`${real}/`)))
    .map((m) => m.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'pipe' });
    } catch {
      // unmounted with its parent already
    }
  }
  for (const controller of fs.existsSync('/sys/fs/cgroup') ? fs.readdirSync('/sys/fs/cgroup') : []) {
    removeEmptyCgroups(path.join('/sys/fs/cgroup', controller, 'mesos'));
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function removeEmptyCgroups(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeEmptyCgroups(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir); // fails while a process is in it, as it should
  } catch {
    // busy: another agent's
  }
}
