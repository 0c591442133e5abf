import { expect, test } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Launcher, type SpawnRequest } from './launcher';

function run(l: Launcher, req: SpawnRequest): Promise<string> {
  return new Promise((resolve) => {
    l.spawn(req, {
      onSpawn: () => {},
      onError: (message) => resolve(`error: ${message}`),
      onExit: (code, signal) => resolve(`exit ${signal ?? code}`),
    });
  });
}

test('a task started right after the launcher is closed runs (the old launcher exiting later does not fail it)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-test-'));
  const l = new Launcher();
  const req = (n: number): SpawnRequest => ({ file: '/bin/sh', args: ['-c', `sleep 0.3; echo ${n}`], cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdout: path.join(dir, `out${n}`), stderr: path.join(dir, `err${n}`) });
  try {
    expect(await run(l, req(1))).toBe('exit 0');
    l.close(); // an agent lost and restored: its launcher stops, the next launch starts another
    const second = run(l, req(2));
    expect(await second).toBe('exit 0');
    expect(fs.readFileSync(path.join(dir, 'out2'), 'utf8')).toBe('2\n');
  } finally {
    l.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
