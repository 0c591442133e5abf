/**
 * ChronosService against the real PostgreSQL (a throwaway database per test file), with a
 * recording fake runtime and a TestClock: the setup and seeds chronos-service*.test.ts share.
 * `clock`, `runtime`, `svc` and `pg` are live bindings, set anew before each test.
 */
import { beforeEach, expect } from 'vitest';
import { useTestStore, type TestStore } from '../adapters/prisma/use-test-store';
import type { Instant, RunState } from '../core/types';
import { ChronosService } from '../api/chronos-service';
import { ApiError } from '../api/errors';
import { FakeRuntime } from './fake-runtime';
import { TestClock } from './test-clock';

export let clock: TestClock;
export let runtime: FakeRuntime;
export let svc: ChronosService;
export let pg: TestStore;

/** Named instants. */
export const NOW: Instant = Date.parse('2024-01-01T00:00:00.000Z');
export const SCHED = 'R/2030-01-01T00:00:00Z/PT1H';

/** A throwaway database named after `prefix` for the calling test file, emptied before each test. */
export function useChronosService(prefix: string): void {
  pg = useTestStore(prefix, { poolSize: 4 });
  beforeEach(async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    clock = new TestClock(NOW);
    runtime = new FakeRuntime(clock);
    svc = new ChronosService({ store: pg.store, runtime, clock });
  });
}

/** Everything the API could have written, to prove an error changed nothing. */
export async function snapshot(): Promise<unknown> {
  const jobs = await pg.db.query('SELECT name, command, data, version FROM jobs ORDER BY name');
  const runs = await pg.db.query('SELECT task_id, state, elements_processed::text FROM runs ORDER BY task_id');
  const edges = await pg.db.query('SELECT child, parent, count FROM dependency_edges ORDER BY child, parent');
  return { jobs, runs, edges };
}

export const sched = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  command: `echo ${name}`,
  schedule: SCHED,
  ...extra,
});
export const dep = (name: string, parents: string[], extra: Record<string, unknown> = {}) => ({
  name,
  command: `echo ${name}`,
  parents,
  ...extra,
});

/** root (scheduled) → child → grandchild; other (scheduled). */
export async function seedChain(): Promise<void> {
  await svc.upsertIso8601(sched('root'));
  await svc.upsertIso8601(sched('other'));
  await svc.upsertDependency(dep('child', ['root']));
  await svc.upsertDependency(dep('grandchild', ['child']));
  runtime.reset();
}

export async function expect400(p: Promise<unknown>, message: RegExp | string): Promise<ApiError> {
  let caught: unknown = null;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an ApiError').toBeInstanceOf(ApiError);
  const e = caught as ApiError;
  expect(e.httpStatus).toBe(400);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  return e;
}

export async function seedRun(
  jobName: string,
  due: Instant,
  state: RunState,
  durationMs: number | null,
  extra: { attempt?: number; agentId?: string; elements?: number } = {},
): Promise<string> {
  const attempt = extra.attempt ?? 0;
  const taskId = `ct:${due}:${attempt}:${jobName}:`;
  await pg.store.runs.create({
    jobName,
    due,
    attempt,
    taskId,
    arguments: '',
    trigger: 'schedule',
    highPriority: false,
    queuedAt: due,
  });
  await pg.store.runs.update(taskId, {
    state,
    startedAt: durationMs === null && state === 'QUEUED' ? null : due + 1000,
    finishedAt: durationMs === null ? null : due + 1000 + durationMs,
    agentId: extra.agentId ?? 'agent-1',
    elementsProcessed: extra.elements ?? 0,
  });
  return taskId;
}
