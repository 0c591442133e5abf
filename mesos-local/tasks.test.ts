/** Launching command tasks: updates with uuids and retries, sandboxes and /files, failures, KILL, reconciliation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MesosLocal } from './master';
import { Subscription, frameworkInfo, getJson, request } from './test-client';
import type { Json } from '../proto';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesos-local-tasks-'));
const master = new MesosLocal({ port: 0, heartbeatIntervalSeconds: 1, allocationIntervalMs: 100, statusUpdateRetryMs: 150, workDir, agents: [{ cpus: 4, mem: 4096, attributes: { rack: 'r1', level: 3 } }] });

beforeAll(() => master.start());
afterAll(async () => {
  await master.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** Subscribes, takes the first offer, launches `tasks` on it; returns the subscription. */
async function launch(tasks: Json[], info: Json = {}): Promise<{ sub: Subscription; offer: Json }> {
  const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo(info) });
  const [offer] = await sub.offers();
  const r = await sub.launch(offer, tasks, { refuse_seconds: 0 });
  expect(r.status).toBe(202);
  return { sub, offer };
}

/** Waits for an update of `taskId` in `state`, acknowledging everything with a uuid on the way. */
async function until(sub: Subscription, taskId: string, state: string, timeoutMs = 5000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await sub.update(taskId, undefined, Math.max(1, deadline - Date.now()));
    if (s.uuid) await sub.ack(s);
    if (s.state === state) return s;
  }
}

describe('command tasks', () => {
  it('runs echo hello: STARTING, RUNNING, FINISHED, each with a uuid and resent until acknowledged; stdout readable via /files', async () => {
    const { sub, offer } = await launch([{ task_id: { value: 'hello' }, command: { value: 'echo hello' } }]);
    try {
      const starting = await sub.update('hello');
      expect(starting.state).toBe('TASK_STARTING');
      expect(Buffer.from(starting.uuid, 'base64')).toHaveLength(16);
      expect(starting.source).toBe('SOURCE_EXECUTOR');
      expect(starting.agent_id.value).toBe(offer.agent_id.value);
      expect(starting.timestamp).toBeGreaterThan(1e9);
      // Not acknowledged: the same update comes again (same uuid), and nothing newer overtakes it.
      const again = await sub.update('hello');
      expect(again.state).toBe('TASK_STARTING');
      expect(again.uuid).toBe(starting.uuid);
      // A wrong uuid is ignored.
      await sub.ack({ ...starting, uuid: Buffer.alloc(16).toString('base64') });
      expect((await sub.update('hello')).uuid).toBe(starting.uuid);
      await sub.ack(starting);
      const running = await sub.update('hello', 'TASK_RUNNING');
      expect(running.uuid).not.toBe(starting.uuid);
      await sub.ack(running);
      const finished = await sub.update('hello', 'TASK_FINISHED');
      expect(finished.message).toBe('Command exited with status 0');
      // Unacknowledged terminal update: still known, still resent.
      expect((await sub.update('hello', 'TASK_FINISHED')).uuid).toBe(finished.uuid);
      await sub.ack(finished);

      const state = await getJson(master.url + '/master/state');
      const fw = state.frameworks.find((f: Json) => f.id === sub.frameworkId);
      const task = fw.completed_tasks.find((t: Json) => t.id === 'hello');
      expect(task.state).toBe('TASK_FINISHED');
      const sandbox: string = task.sandbox_directory;
      expect(sandbox.startsWith(workDir)).toBe(true);
      const read = await getJson(`${master.url}/files/read?path=${encodeURIComponent(sandbox + '/stdout')}&offset=0&length=100`);
      expect(read).toEqual({ data: 'hello\n', offset: 0 });
      const size = await getJson(`${master.url}/files/read?path=${encodeURIComponent(sandbox + '/stdout')}&offset=-1`);
      expect(size).toEqual({ data: '', offset: 6 });
      const browse = await getJson(`${master.url}/files/browse?path=${encodeURIComponent(sandbox)}`);
      expect(browse.map((e: Json) => path.basename(e.path)).sort()).toEqual(['stderr', 'stdout']);
      expect((await request(`${master.url}/files/read?path=/etc/passwd&offset=0`, { method: 'GET' })).status).toBe(404);
      expect((await request(`${master.url}/files/read?offset=0`, { method: 'GET' })).status).toBe(400);
      // Acknowledged terminal task: no more resends.
      expect(await sub.arrives((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'hello', 500)).toBe(false);
    } finally {
      sub.close();
    }
  });

  it('delivers updates with uuids in protobuf mode too', async () => {
    const sub = await Subscription.open(master.url, { encoding: 'protobuf' });
    try {
      const [offer] = await sub.offers();
      await sub.launch(offer, [{ task_id: { value: 'pb' }, command: { value: 'true' } }], { refuse_seconds: 0 });
      const s = await sub.update('pb', 'TASK_STARTING');
      expect(Buffer.from(s.uuid, 'base64')).toHaveLength(16);
      await sub.ack(s);
      await until(sub, 'pb', 'TASK_FINISHED');
    } finally {
      sub.close();
    }
  });

  it('reports a non-zero exit as TASK_FAILED "Command exited with status 3", env and shell=false work', async () => {
    const { sub } = await launch([
      { task_id: { value: 'fail3' }, command: { value: 'exit 3' } },
      { task_id: { value: 'env' }, command: { value: 'test "$FOO" = bar && test "$MESOS_TASK_ID" = env && test "$PWD" = "$MESOS_SANDBOX"', environment: { variables: [{ name: 'FOO', value: 'bar' }] } } },
      { task_id: { value: 'noshell' }, command: { shell: false, value: '/bin/sh', arguments: ['sh', '-c', 'exit 0'] } },
    ]);
    try {
      const failed = await until(sub, 'fail3', 'TASK_FAILED');
      expect(failed.message).toBe('Command exited with status 3');
      await until(sub, 'env', 'TASK_FINISHED');
      await until(sub, 'noshell', 'TASK_FINISHED');
    } finally {
      sub.close();
    }
  });

  it('kills a task: KILLING (when capable), then KILLED; resources come back', async () => {
    const { sub } = await launch([{ task_id: { value: 'sleeper' }, command: { value: 'sleep 30' } }], { capabilities: [{ type: 'TASK_KILLING_STATE' }] });
    try {
      await until(sub, 'sleeper', 'TASK_RUNNING');
      expect((await sub.call({ type: 'KILL', kill: { task_id: { value: 'sleeper' }, kill_policy: { grace_period: { nanoseconds: 500_000_000 } } } })).status).toBe(202);
      const killing = await sub.update('sleeper');
      expect(killing.state).toBe('TASK_KILLING');
      await sub.ack(killing);
      const killed = await until(sub, 'sleeper', 'TASK_KILLED');
      expect(killed.message).toMatch(/signal|status/);
    } finally {
      sub.close();
    }
  });

  it('escalates to SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const { sub } = await launch([{ task_id: { value: 'stubborn' }, command: { value: "trap '' TERM; sleep 30 & wait; sleep 30" } }]);
    try {
      await until(sub, 'stubborn', 'TASK_RUNNING');
      await new Promise((r) => setTimeout(r, 300)); // let the shell install its trap
      const t0 = Date.now();
      await sub.call({ type: 'KILL', kill: { task_id: { value: 'stubborn' }, kill_policy: { grace_period: { nanoseconds: 300_000_000 } } } });
      const killed = await until(sub, 'stubborn', 'TASK_KILLED');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(killed.message).toMatch(/Killed/);
    } finally {
      sub.close();
    }
  });

  it('answers KILL of an unknown task with TASK_LOST without uuid', async () => {
    const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo() });
    try {
      await sub.call({ type: 'KILL', kill: { task_id: { value: 'ghost' } } });
      const s = await sub.update('ghost');
      expect(s.state).toBe('TASK_LOST');
      expect(s.uuid).toBeUndefined();
      expect(s.source).toBe('SOURCE_MASTER');
    } finally {
      sub.close();
    }
  });

  it('fails a DOCKER task when no Docker engine answers, a remote URI and a custom executor with clear messages', async () => {
    const { sub, offer } = await launch([
      { task_id: { value: 'docker' }, command: { value: 'echo hi' }, container: { type: 'DOCKER', docker: { image: 'alpine' } } },
      { task_id: { value: 'remote' }, command: { value: 'true', uris: [{ value: 'https://example.com/x.tgz' }] } },
      {
        task_id: { value: 'custom' },
        executor: { executor_id: { value: 'ex' }, command: { value: 'true' } },
      },
    ]);
    try {
      const docker = await until(sub, 'docker', 'TASK_FAILED');
      if (!fs.existsSync('/var/run/docker.sock')) {
        expect(docker.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
        expect(docker.message).toMatch(/no Docker engine is available on this agent/);
      }
      expect((await until(sub, 'remote', 'TASK_FAILED')).message).toMatch(/fetch/);
      expect((await until(sub, 'custom', 'TASK_FAILED')).message).toMatch(/Custom executors are not supported/);
      expect(offer.attributes).toEqual(expect.arrayContaining([{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }]));
    } finally {
      sub.close();
    }
  });

  it('fetches a local file URI into the sandbox and marks it executable', async () => {
    const script = path.join(workDir, 'hello.sh');
    fs.writeFileSync(script, '#!/bin/sh\necho fetched\n');
    const { sub } = await launch([{ task_id: { value: 'fetch' }, command: { value: './hello.sh', uris: [{ value: `file://${script}`, executable: true }] } }]);
    try {
      await until(sub, 'fetch', 'TASK_FINISHED');
    } finally {
      sub.close();
    }
  });

  it('fails a task after max_completion_time', async () => {
    const { sub } = await launch([{ task_id: { value: 'slow' }, command: { value: 'sleep 30' }, max_completion_time: { nanoseconds: 300_000_000 } }]);
    try {
      const s = await until(sub, 'slow', 'TASK_FAILED');
      expect(s.reason).toBe('REASON_MAX_COMPLETION_TIME_REACHED');
    } finally {
      sub.close();
    }
  });

  it('answers invalid tasks with TASK_ERROR and invalid offers with TASK_LOST / TASK_DROPPED, without uuid', async () => {
    for (const pa of [false, true]) {
      const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo(pa ? { capabilities: [{ type: 'PARTITION_AWARE' }] } : {}) });
      try {
        const [offer] = await sub.offers();
        await sub.launch(offer, [
          { task_id: { value: 'too-big' }, command: { value: 'true' }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1000 } }] },
          { task_id: { value: 'both' }, command: { value: 'true' }, executor: { executor_id: { value: 'e' }, command: { value: 'true' } } },
          { task_id: { value: 'dup' }, command: { value: 'true' } },
          { task_id: { value: 'dup' }, command: { value: 'true' } },
        ]);
        for (const id of ['too-big', 'both']) {
          const s = await sub.update(id);
          expect(s.state).toBe('TASK_ERROR');
          expect(s.reason).toBe('REASON_TASK_INVALID');
          expect(s.uuid).toBeUndefined();
        }
        const dupError = await sub.update('dup', 'TASK_ERROR');
        expect(dupError.message).toMatch(/duplicate/);
        await until(sub, 'dup', 'TASK_FINISHED');
        // The offer is used up: accepting it again is an invalid offer.
        await sub.launch(offer, [{ task_id: { value: 'stale' }, command: { value: 'true' } }]);
        const stale = await sub.update('stale');
        expect(stale.state).toBe(pa ? 'TASK_DROPPED' : 'TASK_LOST');
        expect(stale.reason).toBe('REASON_INVALID_OFFERS');
        expect(stale.uuid).toBeUndefined();
      } finally {
        sub.close();
      }
    }
  });

  it('reconciles implicitly and explicitly with REASON_RECONCILIATION, SOURCE_MASTER and no uuid', async () => {
    const { sub, offer } = await launch([{ task_id: { value: 'rec' }, command: { value: 'sleep 30' } }], { capabilities: [{ type: 'PARTITION_AWARE' }] });
    try {
      await until(sub, 'rec', 'TASK_RUNNING');
      await sub.call({ type: 'RECONCILE', reconcile: { tasks: [] } });
      const implicit = await sub.update('rec');
      expect(implicit).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
      expect(implicit.uuid).toBeUndefined();
      await sub.call({
        type: 'RECONCILE',
        reconcile: {
          tasks: [
            { task_id: { value: 'rec' }, agent_id: offer.agent_id },
            { task_id: { value: 'unknown-on-known-agent' }, agent_id: offer.agent_id },
            { task_id: { value: 'unknown-agent' }, agent_id: { value: 'no-such-agent' } },
          ],
        },
      });
      expect((await sub.update('rec')).state).toBe('TASK_RUNNING');
      expect((await sub.update('unknown-on-known-agent')).state).toBe('TASK_GONE');
      const unk = await sub.update('unknown-agent');
      expect(unk.state).toBe('TASK_UNKNOWN');
      expect(unk.uuid).toBeUndefined();
      await sub.call({ type: 'KILL', kill: { task_id: { value: 'rec' } } });
      await until(sub, 'rec', 'TASK_KILLED');
    } finally {
      sub.close();
    }
    const plain = await Subscription.open(master.url, { frameworkInfo: frameworkInfo() });
    try {
      await plain.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'x' }, agent_id: offer.agent_id }, { task_id: { value: 'y' } }] } });
      expect((await plain.update('x')).state).toBe('TASK_LOST');
      expect((await plain.update('y')).state).toBe('TASK_LOST');
    } finally {
      plain.close();
    }
  });

  it('runs a LAUNCH_GROUP with the default executor', async () => {
    const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo() });
    try {
      const [offer] = await sub.offers();
      const res = [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }];
      await sub.call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer.id],
          operations: [
            {
              type: 'LAUNCH_GROUP',
              launch_group: {
                executor: { type: 'DEFAULT', executor_id: { value: 'group-exec' }, resources: res },
                task_group: { tasks: ['g1', 'g2'].map((id) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: res, command: { value: 'true' } })) },
              },
            },
          ],
        },
      });
      const g1 = await until(sub, 'g1', 'TASK_FINISHED');
      expect(g1.executor_id.value).toBe('group-exec');
      await until(sub, 'g2', 'TASK_FINISHED');
    } finally {
      sub.close();
    }
  });
});
