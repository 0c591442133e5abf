/**
 * The container tier's test services (steps of scripts/services.mjs):
 *
 *   registry  Debian's docker-registry on 127.0.0.1:5000 serving 127.0.0.1:5000/debian:bookworm, an
 *             image built from Debian packages by containers/build-image.sh of the Mesos build
 *             (mmdebstrap + umoci, pushed with skopeo; it has /etc/ctr-marker, the host has not).
 *             The build (~1.5 min) is cached in .cache/containers/image (ignored) and reused by
 *             every later run. The registry keeps its data in /tmp/sisyphus-registry (outside any
 *             checkout, as it serves them all); when it is down it is started again and the
 *             cached image pushed (~1 s).
 *   dockerd   Debian's docker.io engine on unix:///tmp/sisyphus-docker/docker.sock (its own data
 *             and exec roots; no iptables, no bridge; the registry above as insecure).
 *
 * Both are shared daemons on fixed addresses, like ZooKeeper: started detached once, reused by
 * every checkout and left running. Quiet when up; one line when something had to be done.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { aptInstall } from './apt.mjs';
import { ROOT, ScriptError, capture, lastLine, say, waitUntil } from './util.mjs';

export const REGISTRY = '127.0.0.1:5000';
export const IMAGE = `${REGISTRY}/debian:bookworm`;
/** The marker build-image.sh writes into the image only. */
export const MARKER = { path: '/etc/ctr-marker', content: 'ctr-marker' };
/**
 * The image recipe, found as scripts/mesos/install.ts finds the Mesos build: SISYPHUS_IMAGE_SCRIPT,
 * else containers/build-image.sh in MESOS_BUILD, else in ../shared/mesos next to the checkout.
 * Without one the step says so in one line and the container tests skip with that reason.
 */
const BUILD_SCRIPT = [
  process.env.SISYPHUS_IMAGE_SCRIPT,
  process.env.MESOS_BUILD && path.join(process.env.MESOS_BUILD, 'containers', 'build-image.sh'),
  path.resolve(ROOT, '..', 'shared', 'mesos', 'containers', 'build-image.sh'),
].find((f) => f && fs.existsSync(f));
export const IMAGE_DIR = path.join(ROOT, '.cache', 'containers', 'image');
const BUILT_STAMP = path.join(IMAGE_DIR, '.built');

const REGISTRY_DIR = path.join(os.tmpdir(), 'sisyphus-registry');

export const DOCKER_DIR = path.join(os.tmpdir(), 'sisyphus-docker');
export const DOCKER_HOST = `unix://${path.join(DOCKER_DIR, 'docker.sock')}`;
const DOCKERD = '/usr/sbin/dockerd';
/** Debian's client, matching its engine (a newer docker in /usr/local/bin may be first on PATH). */
export const DOCKER_CLI = '/usr/bin/docker';

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** True when the registry answers and holds the image (as Docker v2 schema 2, which Mesos wants). */
async function registryHasImage() {
  try {
    const res = await fetch(`http://${REGISTRY}/v2/debian/manifests/bookworm`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      signal: AbortSignal.timeout(2_000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function registryAnswers() {
  try {
    return (await fetch(`http://${REGISTRY}/v2/`, { signal: AbortSignal.timeout(2_000) })).status === 200;
  } catch {
    return false;
  }
}

const TOOLS = { mmdebstrap: 'mmdebstrap', umoci: 'umoci', skopeo: 'skopeo', 'docker-registry': 'docker-registry' };
const missingTools = () => Object.entries(TOOLS).filter(([bin]) => !fs.existsSync(`/usr/bin/${bin}`)).map(([, pkg]) => pkg);

export async function registry() {
  if (await registryHasImage()) return;
  if (!BUILD_SCRIPT && !fs.existsSync(BUILT_STAMP)) {
    say('registry: no image recipe (containers/build-image.sh in MESOS_BUILD or ../shared/mesos, or SISYPHUS_IMAGE_SCRIPT); the container tests will be skipped');
    return;
  }
  const started = Date.now();
  const done = [];
  const missing = missingTools();
  if (missing.length) {
    await aptInstall(missing);
    done.push(`installed ${missing.join(' ')}`);
  }
  if (!fs.existsSync(BUILT_STAMP)) {
    fs.rmSync(IMAGE_DIR, { recursive: true, force: true }); // a half-done build
    fs.mkdirSync(IMAGE_DIR, { recursive: true });
    const r = await buildImage();
    fs.writeFileSync(path.join(IMAGE_DIR, 'build.log'), r.output);
    if (r.code !== 0) throw new ScriptError(`building the test image failed (${lastLine(r.output)}); see ${path.join(IMAGE_DIR, 'build.log')}`);
    await stopBuildRegistry();
    // oci/ holds the image; the rest are the script's intermediate copies and its registry's data
    for (const f of ['bundle', 'rootfs.tar', 'regdata', 'registry.yml', 'registry.pid']) fs.rmSync(path.join(IMAGE_DIR, f), { recursive: true, force: true });
    fs.writeFileSync(BUILT_STAMP, `${new Date().toISOString()}\n`);
    done.push(`built ${IMAGE} from Debian packages into ${path.relative(ROOT, IMAGE_DIR)}`);
  }
  if (!(await registryAnswers())) {
    startRegistry();
    if (!(await waitUntil(registryAnswers, 20_000))) {
      throw new ScriptError(`docker-registry did not come up on ${REGISTRY}; see ${path.join(REGISTRY_DIR, 'registry.log')}`);
    }
    done.push(`started docker-registry on ${REGISTRY}`);
  }
  if (!(await registryHasImage())) {
    // A fresh registry, or one whose data went away: push the cached image.
    const r = await capture('skopeo', ['copy', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${path.join(IMAGE_DIR, 'oci')}:deb`, `docker://${IMAGE}`]);
    if (r.code !== 0 || !(await registryHasImage())) throw new ScriptError(`pushing ${IMAGE} failed (${lastLine(r.output)}); remove ${IMAGE_DIR} to rebuild it`);
    done.push(`pushed ${IMAGE}`);
  }
  say(`${done.join(', ')} (${seconds(started)})`);
}

const APT_SOURCES = '/etc/apt/sources.list.d';

/**
 * Runs build-image.sh. It takes its mirror from the first URL in /etc/apt/sources.list.d/*, files
 * apt ignores included (here `nodesource.sources.disabled-by-farm`, unreachable, comes first). When
 * that directory holds such files, the script runs in a private mount namespace where the
 * directory shows only what apt reads (*.list, *.sources); the host's files are left as they are.
 */
function buildImage() {
  let entries = [];
  try {
    entries = fs.readdirSync(APT_SOURCES);
  } catch {
    // no sources.list.d
  }
  const active = entries.filter((f) => /\.(list|sources)$/.test(f));
  if (active.length === entries.length) return capture('sh', [BUILD_SCRIPT, IMAGE_DIR]);
  const only = path.join(IMAGE_DIR, '..', 'apt-sources');
  fs.rmSync(only, { recursive: true, force: true });
  fs.mkdirSync(only, { recursive: true });
  for (const f of active) fs.copyFileSync(path.join(APT_SOURCES, f), path.join(only, f));
  return capture('unshare', [
    '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" "$2" && exec sh "$3" "$4"', 'build-image',
    only, APT_SOURCES, BUILD_SCRIPT, IMAGE_DIR,
  ]);
}

/** build-image.sh leaves its own registry running (over its work dir): end it, the shared one is started below. */
async function stopBuildRegistry() {
  let pid = 0;
  try {
    pid = Number(fs.readFileSync(path.join(IMAGE_DIR, 'registry.pid'), 'utf8').trim());
    if (!(pid > 0 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('docker-registry'))) return;
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // not running (another registry held the port while building)
  }
  await waitUntil(() => !fs.existsSync(`/proc/${pid}`), 10_000, 100);
}

const REGISTRY_YML = (dir) => `# Written by scripts/lib/containers.mjs: the registry of Sisyphus's container tests.
version: 0.1
storage:
  filesystem:
    rootdirectory: ${path.join(dir, 'data')}
http:
  addr: ${REGISTRY}
`;

function startRegistry() {
  fs.mkdirSync(REGISTRY_DIR, { recursive: true });
  const config = path.join(REGISTRY_DIR, 'registry.yml');
  fs.writeFileSync(config, REGISTRY_YML(REGISTRY_DIR));
  const log = fs.openSync(path.join(REGISTRY_DIR, 'registry.log'), 'a');
  const child = spawn('docker-registry', ['serve', config], { cwd: REGISTRY_DIR, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.on('error', () => {});
  child.unref();
  if (child.pid) fs.writeFileSync(path.join(REGISTRY_DIR, 'registry.pid'), `${child.pid}\n`);
}

// ---------------------------------------------------------------------------------------- dockerd

async function dockerAnswers() {
  if (!fs.existsSync(DOCKER_CLI)) return false;
  const r = await capture(DOCKER_CLI, ['-H', DOCKER_HOST, 'version', '--format', '{{.Server.Version}}'], { timeout: 10_000 });
  return r.code === 0;
}

export async function dockerd() {
  if (await dockerAnswers()) return;
  const started = Date.now();
  const done = [];
  if (!fs.existsSync(DOCKERD) || !fs.existsSync(DOCKER_CLI)) {
    await aptInstall(['docker.io']);
    done.push('installed docker.io');
  }
  fs.mkdirSync(DOCKER_DIR, { recursive: true });
  const logFile = path.join(DOCKER_DIR, 'dockerd.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    DOCKERD,
    [
      '-H', DOCKER_HOST,
      '--data-root', path.join(DOCKER_DIR, 'data'),
      '--exec-root', path.join(DOCKER_DIR, 'exec'),
      '--pidfile', path.join(DOCKER_DIR, 'dockerd.pid'),
      '--iptables=false', '--ip-masq=false', '--bridge=none',
      '--insecure-registry', REGISTRY,
    ],
    { cwd: DOCKER_DIR, detached: true, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let exited = false;
  child.on('error', () => (exited = true));
  child.on('exit', () => (exited = true));
  child.unref();
  const ready = await waitUntil(async () => exited || (await dockerAnswers()), 60_000, 300);
  if (!ready || !(await dockerAnswers())) {
    if (!exited) child.kill();
    throw new ScriptError(`dockerd did not come up on ${DOCKER_HOST} (${lastLine(fs.readFileSync(logFile, 'utf8'))}); see ${logFile}`);
  }
  done.push(`started dockerd on ${DOCKER_HOST}`);
  say(`${done.join(', ')} (${seconds(started)})`);
}
