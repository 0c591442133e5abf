/**
 * Chronos jobs with a container on real Apache Mesos, through Sisyphus's REST API: one master and
 * one agent with both containerizers (containers-cluster.ts), the image built from Debian packages
 * served by the local registry through a proxy that counts pulls and can be cut.
 *
 * - container type MESOS with an image: the Mesos containerizer provisions the image's root
 *   filesystem; type DOCKER: the Docker containerizer runs it on the test dockerd.
 * - Each job's command fails unless the image's marker file is there, and prints the job's
 *   variable and the volume's file (and, for DOCKER, a variable set by a `parameters` entry).
 * - forcePullImage makes the agent ask the registry again; a missing image and an unreachable
 *   registry fail the run with the agent's message in the run rows the UI shows.
 * Cases run in order: the forcePullImage ones rely on the image pulled by the first two.
 * Skipped (with the reason) only where there is no Mesos build, no image recipe or no root.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { CONTAINERS_MARKER, writeTierMarker } from '../../scripts/lib/mesos-tier.mjs';
import { HOW_TO_ENABLE, mesosBuild } from '../../scripts/mesos/install';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { startInstance, type Instance } from '../ha/support';
import { containerClusterUnavailable, startContainerCluster, type ContainerCluster } from './containers-cluster';
import { DOCKER_CLI, DOCKER_HOST, MARKER, REGISTRY, RegistryProxy, SisyphusApi, containerJobJson, containerServices, containersUnavailable, expectProbeOutput, volumeFixture } from './containers-support';

const unavailable = containersUnavailable() ?? (mesosBuild() ? containerClusterUnavailable() : `no Mesos build (${HOW_TO_ENABLE})`);
if (unavailable) console.warn(`containers on real Mesos skipped: ${unavailable}`);

/** A run pulls, provisions and starts a container: slow on a loaded machine. */
const TIMEOUT = 300_000;

let dir: string;
let db: TestDatabase;
let mesos: ContainerCluster;
let instance: Instance;
let api: SisyphusApi;
let proxy: RegistryProxy;
let volume: ReturnType<typeof volumeFixture>;

/** Cases started and passed: the tier's marker says whether all of them passed (scripts/lib/mesos-tier.mjs). */
let started = 0;
let passed = 0;

describe.skipIf(unavailable)('containers on real Mesos', () => {
  beforeEach(() => {
    started++;
    onTestFinished(({ task }) => {
      if (task.result?.state === 'pass') passed++;
    });
  });

  beforeAll(async () => {
    await containerServices();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-ctr-real-'));
    volume = volumeFixture();
    proxy = await RegistryProxy.start();
    db = await createTestDatabase('sisyphus_ctr_mesos');
    mesos = await startContainerCluster({ registry: `http://${proxy.address}` });
    instance = await startInstance({ databaseUrl: db.url, zk: null, master: mesos.cluster.masterUrl, logDir: dir });
    api = new SisyphusApi(instance);
  }, 600_000);

  afterAll(async () => {
    writeTierMarker(started > 0 && passed === started, CONTAINERS_MARKER);
    await instance?.stop();
    await mesos?.stop();
    await proxy?.down();
    await db?.drop();
    volume?.remove();
    // the per-run image name (the proxy's port) is this file's alone
    if (proxy) await new Promise((r) => execFile(DOCKER_CLI, ['-H', DOCKER_HOST, 'rmi', '-f', dockerImage()], r));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const dockerImage = () => `${proxy.address}/debian:bookworm`;

  it('runs a MESOS container job in the image (Mesos containerizer), with its volume and environment', async () => {
    expect(fs.existsSync(MARKER.path)).toBe(false); // only the image has it
    await api.createAndStart(containerJobJson({ name: 'real-mesos-image', type: 'MESOS', image: 'debian:bookworm', volumeDir: volume.dir }));
    const run = await api.finished('real-mesos-image');
    const stdout = await api.log(run.taskId);
    expect(run.state, `${run.message}; stderr: ${await api.log(run.taskId, 'stderr').catch(() => '')}`).toBe('FINISHED');
    expect(expectProbeOutput(stdout, volume.content)).toEqual([]);
    expect(proxy.manifestRequests).toBeGreaterThan(0);
  }, TIMEOUT);

  it('runs a DOCKER container job in the image (Docker containerizer), with its volume, parameters and environment', async () => {
    await api.createAndStart(containerJobJson({ name: 'real-docker', type: 'DOCKER', image: dockerImage(), volumeDir: volume.dir }));
    const run = await api.finished('real-docker');
    const stdout = await api.log(run.taskId);
    expect(run.state, `${run.message}; stderr: ${await api.log(run.taskId, 'stderr').catch(() => '')}`).toBe('FINISHED');
    expect(expectProbeOutput(stdout, volume.content)).toEqual([]);
    expect(stdout).toContain('FROM_PARAM=from-a-parameter');
  }, TIMEOUT);

  it('asks the registry again only with forcePullImage, for both containerizers', async () => {
    for (const [type, image] of [['MESOS', 'debian:bookworm'], ['DOCKER', dockerImage()]] as const) {
      const before = proxy.manifestRequests;
      const cached = `real-cached-${type.toLowerCase()}`;
      await api.createAndStart(containerJobJson({ name: cached, type, image, volumeDir: volume.dir }));
      const cachedRun = await api.finished(cached);
      expect(cachedRun.state, `${cached}: ${cachedRun.message}`).toBe('FINISHED');
      expect(proxy.manifestRequests, `${cached} pulled`).toBe(before);
      const forced = `real-forced-${type.toLowerCase()}`;
      await api.createAndStart(containerJobJson({ name: forced, type, image, volumeDir: volume.dir, forcePullImage: true }));
      const forcedRun = await api.finished(forced);
      expect(forcedRun.state, `${forced}: ${forcedRun.message}`).toBe('FINISHED');
      expect(proxy.manifestRequests, `${forced} did not pull`).toBeGreaterThan(before);
    }
  }, TIMEOUT);

  it("fails the run with the agent's reason when the image does not exist", async () => {
    await api.createAndStart(containerJobJson({ name: 'real-missing-mesos', type: 'MESOS', image: 'debian:no-such-tag' }));
    await api.createAndStart(containerJobJson({ name: 'real-missing-docker', type: 'DOCKER', image: `${REGISTRY}/debian:no-such-tag` }));
    const expected: Record<string, RegExp> = {
      // the Mesos containerizer's puller, then the Docker containerizer's `docker pull`
      'real-missing-mesos': /^Failed to launch container: Unexpected HTTP response '404 Not Found' when trying to get the manifest/,
      'real-missing-docker': /^Failed to launch container: Failed to run '.*docker .*pull 127\.0\.0\.1:5000\/debian:no-such-tag'.*manifest unknown/s,
    };
    for (const [name, message] of Object.entries(expected)) {
      const run = await api.finished(name);
      expect({ state: run.state, reason: run.reason }, name).toEqual({ state: 'FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
      expect(run.message, name).toMatch(message);
      expect((await api.jobPageRun(name))?.message, `${name} on its job page`).toBe(run.message);
    }
  }, TIMEOUT);

  it("fails the run with the agent's reason when the registry is unreachable", async () => {
    await proxy.down();
    try {
      await api.createAndStart(containerJobJson({ name: 'real-unreachable-mesos', type: 'MESOS', image: 'debian:bookworm', forcePullImage: true }));
      await api.createAndStart(containerJobJson({ name: 'real-unreachable-docker', type: 'DOCKER', image: dockerImage(), forcePullImage: true }));
      const port = String(proxy.port);
      const expected: Record<string, RegExp> = {
        'real-unreachable-mesos': new RegExp(`^Failed to launch container: Failed to perform 'curl' for 'http://127\\.0\\.0\\.1:${port}/v2/debian/manifests/bookworm'.*Couldn't connect`, 's'),
        'real-unreachable-docker': new RegExp(`^Failed to launch container: Failed to run '.*docker .*pull 127\\.0\\.0\\.1:${port}/debian:bookworm'.*connection refused`, 's'),
      };
      for (const [name, message] of Object.entries(expected)) {
        const run = await api.finished(name);
        expect({ state: run.state, reason: run.reason }, name).toEqual({ state: 'FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
        expect(run.message, name).toMatch(message);
      }
    } finally {
      await proxy.up();
    }
  }, TIMEOUT);
});
