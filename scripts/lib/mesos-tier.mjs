/**
 * The real-Mesos tier must not be skipped silently (issue 13): test/mesos/real-mesos.test.ts writes
 * a marker when its suite has run, and scripts/test.mjs, after vitest, fails when this machine has
 * a Mesos build but there is no marker from this run. Without a build, the tier is skipped and
 * `npm test` says so in one line (scripts/services.mjs, step mesos).
 *
 * A build is: MESOS_HOME (an installed prefix), or a mesos-*.tar.* in MESOS_BUILD or ../shared/mesos
 * (the same rule as scripts/mesos/install.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './util.mjs';

export const TIER_MARKER = path.join(ROOT, '.cache', 'mesos', 'real-mesos-tier.json');
/** Written by test/mesos/real-mesos-ha.test.ts (the HA case of the tier, in its own file). */
export const HA_MARKER = path.join(ROOT, '.cache', 'mesos', 'real-mesos-ha.json');
/** Written by test/mesos/containers-mesos.test.ts (containers from images on real Mesos). */
export const CONTAINERS_MARKER = path.join(ROOT, '.cache', 'mesos', 'real-mesos-containers.json');
const MARKERS = [
  { file: TIER_MARKER, test: 'test/mesos/real-mesos.test.ts' },
  { file: HA_MARKER, test: 'test/mesos/real-mesos-ha.test.ts' },
  { file: CONTAINERS_MARKER, test: 'test/mesos/containers-mesos.test.ts' },
];

/** True when this machine has a Mesos build for the tier. */
export function mesosBuildPresent(env = process.env, root = ROOT) {
  if (env.MESOS_HOME) return true;
  return [env.MESOS_BUILD, path.resolve(root, '..', 'shared', 'mesos')].some(
    (dir) => dir && fs.existsSync(dir) && fs.readdirSync(dir).some((f) => /^mesos-.*\.tar\.(xz|gz)$/.test(f)),
  );
}

/** Called by the tier when its suite has run; `passed` is whether every case passed. */
export function writeTierMarker(passed, file = TIER_MARKER) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ranAt: new Date().toISOString(), passed }));
}

/** Forgets an earlier run's markers (before vitest starts); `file`: only that one. */
export function clearTierMarker(file) {
  for (const f of file ? [file] : MARKERS.map((m) => m.file)) fs.rmSync(f, { force: true });
}

/**
 * After vitest: null when all is well, else the one-line reason `npm test` must fail.
 * `buildPresent`: mesosBuildPresent(); `files`: the markers, each with the test that writes it.
 */
export function tierProblem(buildPresent, files = MARKERS) {
  if (!buildPresent) return null;
  for (const m of typeof files === 'string' ? [{ file: files, test: 'test/mesos/real-mesos.test.ts' }] : files) {
    let marker = null;
    try {
      marker = JSON.parse(fs.readFileSync(m.file, 'utf8'));
    } catch {
      // none
    }
    if (!marker) return `a Mesos build is present but the real-Mesos tier (${m.test}) did not run; run it with: npx vitest run ${m.test}`;
    if (!marker.passed) return `the real-Mesos tier (${m.test}) ran but did not pass`;
  }
  return null;
}
