/**
 * The CI rule of issue 13: `npm test` (scripts/test.mjs) fails when this machine has a Mesos build
 * and the real-Mesos tier did not run or did not pass; without a build, nothing is required.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearTierMarker, mesosBuildPresent, tierProblem, writeTierMarker } from '../../scripts/lib/mesos-tier.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-tier-rule-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the real-Mesos tier cannot be skipped silently', () => {
  it('with a build: no marker fails, a failed run fails, a passed run is fine', () => {
    const marker = path.join(dir, 'tier.json');
    clearTierMarker(marker);
    expect(tierProblem(true, marker)).toMatch(/did not run/);
    writeTierMarker(false, marker);
    expect(tierProblem(true, marker)).toMatch(/did not pass/);
    writeTierMarker(true, marker);
    expect(tierProblem(true, marker)).toBeNull();
    clearTierMarker(marker);
    expect(tierProblem(true, marker)).toMatch(/did not run/);
  });

  it('without a build nothing is required', () => {
    expect(tierProblem(false, path.join(dir, 'none.json'))).toBeNull();
  });

  it('a build is MESOS_HOME, or a mesos-*.tar.xz in MESOS_BUILD or ../shared/mesos', () => {
    const root = path.join(dir, 'checkout');
    fs.mkdirSync(root, { recursive: true });
    expect(mesosBuildPresent({}, root)).toBe(false);
    expect(mesosBuildPresent({ MESOS_HOME: '/opt/mesos' }, root)).toBe(true);
    const build = path.join(dir, 'build');
    fs.mkdirSync(build);
    expect(mesosBuildPresent({ MESOS_BUILD: build }, root)).toBe(false);
    fs.writeFileSync(path.join(build, 'mesos-1.12.0-debian12-amd64.tar.xz'), '');
    expect(mesosBuildPresent({ MESOS_BUILD: build }, root)).toBe(true);
    fs.mkdirSync(path.join(dir, 'shared', 'mesos'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'shared', 'mesos', 'mesos-x.tar.xz'), '');
    expect(mesosBuildPresent({}, root)).toBe(true);
  });
});
