/**
 * Chronos jobs with a DOCKER container on mesos-local, through Sisyphus's REST API: mesos-local
 * runs them with `docker run` on the test dockerd (Debian's docker.io), pulling the image built
 * from Debian packages from the local registry through a proxy that counts pulls and can be cut.
 *
 * Chronos task ids hold colons (`ct:<due>:<attempt>:<job>:`), and so do their sandbox paths: with
 * `docker run -v` every run failed (exit 125, "too many colons"); the first case proves it runs.
 * The cases share the proxy and run in order (the second relies on the image pulled by the first).
 * Skipped (with the reason) only where there is no image recipe (see containersUnavailable).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesosLocal } from '../../mesos-local/master';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { startInstance, type Instance } from '../ha/support';
import { DOCKER_CLI, DOCKER_HOST, MARKER, REGISTRY, RegistryProxy, SisyphusApi, containerJobJson, containerServices, containersUnavailable, expectProbeOutput, volumeFixture } from './containers-support';

const unavailable = containersUnavailable();
if (unavailable) console.warn(`DOCKER containers on mesos-local skipped: ${unavailable}`);

/** A run pulls, provisions and starts a container: slow on a loaded machine. */
const TIMEOUT = 300_000;

let dir: string;
let db: TestDatabase;
let mesos: MesosLocal;
let instance: Instance;
let api: SisyphusApi;
let proxy: RegistryProxy;
let volume: ReturnType<typeof volumeFixture>;

describe.skipIf(unavailable)('DOCKER containers on mesos-local', () => {
  beforeAll(async () => {
    await containerServices();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-ctr-ml-'));
    volume = volumeFixture();
    proxy = await RegistryProxy.start();
    db = await createTestDatabase('sisyphus_ctr_ml');
    mesos = new MesosLocal({
      port: 0,
      host: '127.0.0.1',
      heartbeatIntervalSeconds: 1,
      allocationIntervalMs: 100,
      statusUpdateRetryMs: 300,
      workDir: path.join(dir, 'mesos'),
      agents: [{ cpus: 4, mem: 4096, disk: 10000 }],
      dockerHost: DOCKER_HOST,
    });
    await mesos.start();
    instance = await startInstance({ databaseUrl: db.url, zk: null, master: mesos.url, logDir: dir });
    api = new SisyphusApi(instance);
  }, 600_000);

  afterAll(async () => {
    await instance?.stop();
    await mesos?.stop();
    await proxy?.down();
    await db?.drop();
    volume?.remove();
    // the per-run image name (the proxy's port) is this file's alone
    if (proxy) await new Promise((r) => execFile(DOCKER_CLI, ['-H', DOCKER_HOST, 'rmi', '-f', `${proxy.address}/debian:bookworm`], r));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs a Chronos job in the image, with its volume, parameters and environment', async () => {
    expect(fs.existsSync(MARKER.path)).toBe(false); // only the image has it
    const name = 'ml-docker';
    await api.createAndStart(containerJobJson({ name, type: 'DOCKER', image: `${proxy.address}/debian:bookworm`, volumeDir: volume.dir }));
    const run = await api.finished(name);
    const stdout = await api.log(run.taskId);
    expect({ state: run.state, message: run.message }).toEqual({ state: 'FINISHED', message: 'Command exited with status 0' });
    expect(run.taskId).toMatch(/^ct:\d+:0:ml-docker:/);
    expect(expectProbeOutput(stdout, volume.content)).toEqual([]);
    expect(stdout).toContain('FROM_PARAM=from-a-parameter');
    expect(proxy.manifestRequests).toBeGreaterThan(0);
  }, TIMEOUT);

  it('pulls the image again only with forcePullImage', async () => {
    const before = proxy.manifestRequests;
    await api.createAndStart(containerJobJson({ name: 'ml-cached', type: 'DOCKER', image: `${proxy.address}/debian:bookworm`, volumeDir: volume.dir }));
    expect((await api.finished('ml-cached')).state).toBe('FINISHED');
    expect(proxy.manifestRequests).toBe(before);
    await api.createAndStart(containerJobJson({ name: 'ml-forced', type: 'DOCKER', image: `${proxy.address}/debian:bookworm`, volumeDir: volume.dir, forcePullImage: true }));
    expect((await api.finished('ml-forced')).state).toBe('FINISHED');
    expect(proxy.manifestRequests).toBeGreaterThan(before);
  }, TIMEOUT);

  it("fails the run with Docker's reason when the image does not exist", async () => {
    await api.createAndStart(containerJobJson({ name: 'ml-missing', type: 'DOCKER', image: `${REGISTRY}/debian:no-such-tag` }));
    const run = await api.finished('ml-missing');
    expect(run.state).toBe('FAILED');
    expect(run.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
    expect(run.message).toMatch(/^Failed to launch container: docker: Error response from daemon: manifest for 127\.0\.0\.1:5000\/debian:no-such-tag not found/);
    expect((await api.jobPageRun('ml-missing'))?.message, 'on the job page').toBe(run.message);
  }, TIMEOUT);

  it("fails the run with Docker's reason when the registry is unreachable", async () => {
    await proxy.down();
    try {
      await api.createAndStart(containerJobJson({ name: 'ml-unreachable', type: 'DOCKER', image: `${proxy.address}/debian:bookworm`, forcePullImage: true }));
      const run = await api.finished('ml-unreachable');
      expect(run.state).toBe('FAILED');
      expect(run.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
      expect(run.message).toMatch(new RegExp(`^Failed to launch container: docker: .*${proxy.address}.*connection refused`));
    } finally {
      await proxy.up();
    }
  }, TIMEOUT);
});
