/**
 * The `docker run` arguments of a DOCKER task: a sandbox path holding a Chronos task id (colons)
 * is mounted with --mount (with -v, Docker rejects it: "too many colons"), and the ContainerInfo's
 * volumes, parameters, force_pull_image and environment all reach the command line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerError, dockerRunArgs, mountField, volumeArgs } from './docker';

const sandbox = '/tmp/ml/agents/S0/frameworks/F/executors/ct:1796605459105:0:dk1:/runs/r1';

describe('dockerRunArgs', () => {
  it('mounts a sandbox whose path holds colons with --mount, never -v', () => {
    const args = dockerRunArgs({
      container: { type: 'DOCKER', docker: { image: 'img:1' } },
      command: { shell: true, value: 'cat /etc/ctr-marker' },
      sandbox,
      name: 'mesos-x',
      agentEnv: { MESOS_TASK_ID: 'ct:1796605459105:0:dk1:' },
    });
    expect(args).not.toContain('-v');
    const i = args.indexOf('--mount');
    expect(args[i + 1]).toBe(`type=bind,src=${sandbox},dst=/mnt/mesos/sandbox`);
    expect(args.slice(-4)).toEqual(['/bin/sh', 'img:1', '-c', 'cat /etc/ctr-marker']);
    expect(args).toEqual(expect.arrayContaining(['-e', 'MESOS_TASK_ID=ct:1796605459105:0:dk1:', '--network', 'host']));
  });

  it('passes volumes, parameters, force_pull_image and the task environment', () => {
    const args = dockerRunArgs({
      container: {
        type: 'DOCKER',
        docker: { image: 'img', network: 'HOST', force_pull_image: true, parameters: [{ key: 'label', value: 'a=b' }, { key: 'hostname', value: 'h1' }] },
        volumes: [
          { container_path: '/data', host_path: '/srv/a:b', mode: 'RO' },
          { container_path: 'rel', host_path: 'cache', mode: 'RW' },
          { container_path: '/named', mode: 'RW', source: { type: 'DOCKER_VOLUME', docker_volume: { driver: 'local', name: 'v1' } } },
        ],
      },
      command: { shell: true, value: 'true', environment: { variables: [{ name: 'GREETING', value: 'hello world' }] } },
      sandbox,
      name: 'n',
      agentEnv: {},
    });
    const mounts = args.flatMap((a, i) => (a === '--mount' ? [args[i + 1]] : []));
    expect(mounts).toEqual([
      `type=bind,src=${sandbox},dst=/mnt/mesos/sandbox`,
      'type=bind,src=/srv/a:b,dst=/data,readonly',
      `type=bind,src=${sandbox}/cache,dst=/mnt/mesos/sandbox/rel`,
      'type=volume,src=v1,dst=/named,volume-driver=local',
    ]);
    expect(args).toEqual(expect.arrayContaining(['--label=a=b', '--hostname=h1', '--pull', 'always', '-e', 'GREETING=hello world']));
  });

  it('quotes --mount fields holding commas or quotes (CSV)', () => {
    expect(mountField('/a,b')).toBe('"/a,b"');
    expect(mountField('/a"b')).toBe('"/a""b"');
    expect(volumeArgs([{ container_path: '/x', host_path: '/h,1', mode: 'RW' }], sandbox)).toEqual(['--mount', 'type=bind,src="/h,1",dst=/x']);
  });

  it("takes Docker's own error line from the task's stderr", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-docker-'));
    try {
      const file = path.join(dir, 'stderr');
      fs.writeFileSync(file, "Unable to find image 'x:nope' locally\ndocker: Error response from daemon: manifest for x:nope not found.\nSee 'docker run --help'.\n");
      expect(dockerError(file)).toBe('docker: Error response from daemon: manifest for x:nope not found.');
      expect(dockerError(path.join(dir, 'none'))).toMatch(/status 125/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
