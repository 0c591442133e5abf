/** The CLI: argument parsing, and a one-line reason with a non-zero exit when the port is taken. */
import { expect, it } from 'vitest';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { parseArgs } from './main';

it('parses flags and MESOS_LOCAL_PORT', () => {
  expect(parseArgs([], {}).port).toBe(5050);
  expect(parseArgs([], { MESOS_LOCAL_PORT: '6060' }).port).toBe(6060);
  expect(parseArgs(['--port', '0', '--agents', '3', '--heartbeat=2'], {})).toMatchObject({ port: 0, agents: 3, heartbeatIntervalSeconds: 2 });
  expect(parseArgs(['--scale', '50', '--task-duration', '100'], {}).scale).toEqual({ agents: 50, taskDurationMs: 100 });
  expect(parseArgs(['--scale'], {}).scale).toEqual({ agents: 1000 });
  expect(() => parseArgs(['--bogus'], {})).toThrow(/unknown option/);
  expect(() => parseArgs(['--port', 'x'], {})).toThrow(/--port/);
});

it('exits non-zero with one line when the port is taken', async () => {
  const blocker = http.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const root = path.resolve(__dirname, '..');
    const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['mesos-local/main.ts', '--port', String(port)], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`port ${port} is already in use`));
  } finally {
    blocker.close();
  }
});
