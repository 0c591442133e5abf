/**
 * Finding and installing real Apache Mesos for the tests (issue 13): the runtime packages from
 * Debian, and the build unpacked into an ignored cache folder (.cache/mesos/) of this checkout.
 *
 * Where the build comes from, first match wins:
 *   MESOS_HOME=<prefix>   an installed Mesos (<prefix>/sbin/mesos-master, <prefix>/lib); used as is
 *   MESOS_BUILD=<dir>     a folder holding mesos-*.tar.xz (as ../shared/mesos does)
 *   ../shared/mesos       next to the checkout (the project's machines)
 * With none of these, mesosBuild() is null and the real-Mesos tier is skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = path.join(ROOT, '.cache', 'mesos');
/** The folder of the shared build, next to the checkout. */
export const SHARED_BUILD_DIR = path.resolve(ROOT, '..', 'shared', 'mesos');
/** How to enable the tier, for skip messages. */
export const HOW_TO_ENABLE =
  'set MESOS_HOME=<installed Mesos prefix> or MESOS_BUILD=<folder with mesos-*.tar.xz>, or put a build in ../shared/mesos';

export type MesosBuild = { kind: 'home'; home: string } | { kind: 'tarball'; tarball: string; packages: string[] };

export interface MesosInstall {
  /** The prefix: sbin/mesos-master, sbin/mesos-agent, libexec/mesos (the agent's --launcher_dir). */
  home: string;
  master: string;
  agent: string;
  launcherDir: string;
  webuiDir: string;
  /** Environment the binaries need (LD_LIBRARY_PATH to the build's libraries). */
  env: Record<string, string>;
}

function tarballIn(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const t = fs.readdirSync(dir).filter((f) => /^mesos-.*\.tar\.(xz|gz)$/.test(f)).sort();
  return t.length ? path.join(dir, t[t.length - 1]) : null;
}

function packagesIn(dir: string): string[] {
  const f = path.join(dir, 'runtime-packages.txt');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split(/\s+/).filter(Boolean) : [];
}

/** Where the build is, or null when this machine has none (the tier is then skipped). */
export function mesosBuild(env: NodeJS.ProcessEnv = process.env): MesosBuild | null {
  if (env.MESOS_HOME) return { kind: 'home', home: path.resolve(env.MESOS_HOME) };
  for (const dir of [env.MESOS_BUILD, SHARED_BUILD_DIR]) {
    if (!dir) continue;
    const tarball = tarballIn(path.resolve(dir));
    if (tarball) return { kind: 'tarball', tarball, packages: packagesIn(path.resolve(dir)) };
  }
  return null;
}

/** Installed packages among `packages` (one dpkg-query call). */
function missingPackages(packages: string[]): string[] {
  if (!packages.length) return [];
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...packages], { encoding: 'utf8' });
  const ok = new Set(
    (r.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0].split(':')[0]),
  );
  return packages.filter((p) => !ok.has(p));
}

function aptInstall(packages: string[], say: (line: string) => void): void {
  const names = packages.join(' ');
  if (process.getuid?.() !== 0) throw new Error(`Mesos needs ${names}; install them with: sudo apt-get install -y ${names}`);
  say(`installing Mesos's runtime packages: ${names}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...packages];
  let r = spawnSync('apt-get', args, { env, encoding: 'utf8' });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=300'], { env, encoding: 'utf8' });
    r = spawnSync('apt-get', args, { env, encoding: 'utf8' });
  }
  if (r.status !== 0) {
    const last = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').pop();
    throw new Error(`apt-get install ${names} failed (${last}); try: apt-get update && apt-get install -y ${names}`);
  }
}

function installAt(home: string): MesosInstall {
  const lib = path.join(home, 'lib');
  return {
    home,
    master: path.join(home, 'sbin', 'mesos-master'),
    agent: path.join(home, 'sbin', 'mesos-agent'),
    launcherDir: path.join(home, 'libexec', 'mesos'),
    webuiDir: path.join(home, 'share', 'mesos', 'webui'),
    env: { LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
  };
}

/**
 * Makes Mesos runnable and says where it is: installs missing runtime packages (apt-get, as root)
 * and unpacks the tarball into .cache/mesos/<name>/ once. Quiet when all is there (no output, a
 * few milliseconds); `say` gets one line per thing it had to do. Throws one-line errors that say
 * what to do.
 */
export function ensureMesosInstalled(say: (line: string) => void = () => {}): MesosInstall {
  const build = mesosBuild();
  if (!build) throw new Error(`no Mesos build found; ${HOW_TO_ENABLE}`);
  if (build.kind === 'home') {
    const inst = installAt(build.home);
    if (!fs.existsSync(inst.master)) throw new Error(`MESOS_HOME=${build.home} has no sbin/mesos-master; point it at an installed Mesos prefix`);
    return inst;
  }
  const missing = missingPackages(build.packages);
  if (missing.length) aptInstall(missing, say);
  const name = path.basename(build.tarball).replace(/\.tar\.(xz|gz)$/, '');
  const dir = path.join(CACHE_DIR, name);
  const done = path.join(dir, '.unpacked');
  const stamp = String(fs.statSync(build.tarball).mtimeMs);
  if (!fs.existsSync(done) || fs.readFileSync(done, 'utf8') !== stamp) {
    const started = Date.now();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync('tar', ['-C', dir, '-xf', build.tarball], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot unpack ${build.tarball} into ${dir}: ${(r.stderr ?? '').trim().split('\n').pop()}`);
    fs.writeFileSync(done, stamp);
    say(`unpacked ${path.basename(build.tarball)} into ${path.relative(ROOT, dir)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  const inst = installAt(path.join(dir, 'opt', 'mesos'));
  if (!fs.existsSync(inst.master)) throw new Error(`${build.tarball} holds no opt/mesos/sbin/mesos-master; is it a Mesos build?`);
  return inst;
}
