/**
 * The run page's API (every attempt of a due instant, its steps, why it waits), the pipeline grid
 * (jobs × nights) and "rerun failed and downstream", over the in-memory store.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatTaskId } from '../core/taskid';
import type { Job, RunState } from '../core/types';
import { FakeRuntime } from '../testing/fake-runtime';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { ApiError } from './errors';
import { parseJob } from './job-schema';
import { UiFieldError, UiService } from './ui-service';

const NIGHT1 = Date.parse('2026-03-01T02:00:00Z');
const NIGHT2 = NIGHT1 + 86_400_000;

function mkJob(name: string, extra: Record<string, unknown> = {}): Job {
  const r = parseJob({ name, command: `run ${name}`, schedule: 'R/2026-03-01T02:00:00Z/P1D', retries: 3, ...extra }, { now: NIGHT1 });
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

let store: MemoryStore;
let runtime: FakeRuntime;
let ui: UiService;

async function run(job: string, due: number, attempt: number, state: RunState, extra: { trigger?: 'schedule' | 'dependency' | 'retry' | 'manual'; message?: string; reason?: string; intendedDue?: number } = {}) {
  const taskId = formatTaskId(due, attempt, job, '');
  await store.runs.create({ jobName: job, due, attempt, taskId, arguments: '', trigger: extra.trigger ?? (attempt ? 'retry' : 'schedule'), highPriority: false, queuedAt: due + attempt * 60_000, intendedDue: extra.intendedDue });
  if (state !== 'QUEUED') {
    const t = due + attempt * 60_000;
    await store.runs.update(taskId, {
      state,
      launchedAt: t + 1000,
      startedAt: t + 2000,
      finishedAt: state === 'RUNNING' ? null : t + 30_000,
      host: 'agent-1.example',
      agentId: 'a1-S0',
      message: extra.message ?? null,
      reason: extra.reason ?? null,
    });
  }
  return taskId;
}

beforeEach(async () => {
  const clock = new TestClock('2026-03-03T07:00:00Z');
  store = new MemoryStore();
  runtime = new FakeRuntime(clock);
  ui = new UiService({ store, runtime, clock, scheduler: () => null, elector: () => null, master: () => null });
  // extract → transform → load, transform → report (disabled); audit alone
  await store.jobs.apply({
    put: [
      mkJob('extract'),
      mkJob('transform', { schedule: undefined, parents: ['extract'] }),
      mkJob('load', { schedule: undefined, parents: ['transform'] }),
      mkJob('report', { schedule: undefined, parents: ['transform'], disabled: true }),
      mkJob('audit'),
    ],
  });
  for (const night of [NIGHT1, NIGHT2]) await run('extract', night, 0, 'FINISHED');
  await run('transform', NIGHT1 + 40_000, 0, 'FINISHED', { trigger: 'dependency' });
  await run('load', NIGHT1 + 80_000, 0, 'FINISHED', { trigger: 'dependency' });
  await run('transform', NIGHT2 + 40_000, 0, 'FAILED', { trigger: 'dependency', message: 'Command exited with status 3', reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
  await run('transform', NIGHT2 + 40_000, 1, 'QUEUED');
});

describe('GET /api/runs/{taskId}', () => {
  it('draws the stored timeline: queued, offered, launched, then each status update with its reason, source and agent', async () => {
    const taskId = formatTaskId(NIGHT2 + 40_000, 0, 'transform', '');
    const at = NIGHT2 + 40_000;
    const ev = (state: string, t: number, extra: Record<string, string> = {}) =>
      ({ taskId, at: at + t, state, reason: null, message: null, source: 'SOURCE_EXECUTOR', agentId: 'a1-S0', mesosAt: null, ...extra });
    await store.runs.addEvents([
      ev('OFFERED', 1000, { source: 'SCHEDULER', message: 'matched to offer o-7 from agent-1.example' }),
      ev('TASK_STARTING', 1500),
      ev('TASK_RUNNING', 2000),
      ev('TASK_FAILED', 30_000, { message: 'Command exited with status 3', reason: 'REASON_COMMAND_EXECUTOR_FAILED' }),
    ]);
    const steps = (await ui.runDetail(taskId)).attempts[0].steps;
    expect(steps.map((s) => s.state)).toEqual(['QUEUED', 'OFFERED', 'LAUNCHED', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    expect(steps[1]).toMatchObject({ detail: 'matched to offer o-7 from agent-1.example', source: 'SCHEDULER', agentId: 'a1-S0' });
    expect(steps[5]).toMatchObject({ at: at + 30_000, detail: 'Command exited with status 3', reason: 'REASON_COMMAND_EXECUTOR_FAILED', source: 'SOURCE_EXECUTOR', agentId: 'a1-S0' });
    expect(steps[4]).toMatchObject({ detail: 'running' });
  });

  it('lists every attempt of the due instant with its steps, and why the queued retry waits', async () => {
    const d = await ui.runDetail(formatTaskId(NIGHT2 + 40_000, 0, 'transform', ''));
    expect(d.attempts.map((a) => [a.run.attempt, a.run.state])).toEqual([[0, 'FAILED'], [1, 'QUEUED']]);
    const failed = d.attempts[0];
    expect(failed.steps.map((s) => s.state)).toEqual(['QUEUED', 'LAUNCHED', 'RUNNING', 'FAILED']);
    expect(failed.steps[3].detail).toBe('Command exited with status 3 · REASON_COMMAND_EXECUTOR_FAILED');
    expect(failed.steps[1].detail).toContain('agent-1.example');
    expect(d.attempts[1].waiting).toBe('no scheduler runs in this instance');
    expect(d.job).toEqual({ exists: true, disabled: false, parents: ['extract'], children: ['load', 'report'], downstream: 2 });
  });

  it("a retry due after its failure is the next attempt; the next night's runs are not", async () => {
    // as the worker stores them: a retry names the instant it is for (SISYPHUS_DUE)
    const t0 = await run('audit', NIGHT1, 0, 'FAILED');
    const t1 = await run('audit', NIGHT1 + 90_000, 1, 'FAILED', { intendedDue: NIGHT1 });
    const t2 = await run('audit', NIGHT1 + 200_000, 2, 'FINISHED', { intendedDue: NIGHT1 });
    await run('audit', NIGHT2, 0, 'FINISHED');
    await run('audit', NIGHT2 + 90_000, 1, 'FINISHED', { intendedDue: NIGHT2 });
    for (const t of [t0, t1, t2]) expect((await ui.runDetail(t)).attempts.map((a) => a.run.taskId)).toEqual([t0, t1, t2]);
  });

  it("a night's runs downstream of its reruns, and their own reruns, are further attempts of that night, however late they ran", async () => {
    // night 1's load ran at 02:01:20; night 2's load failed; transform was rerun for night 1 two
    // days later and again a week later: each fired load again, for night 1 (due when it ran)
    const late = NIGHT1 + 2 * 86_400_000;
    const later = NIGHT1 + 7 * 86_400_000;
    // as the worker stores them: a run fired by its parent names the parent's instant
    await store.runs.deleteForJob('load');
    const night1 = await run('load', NIGHT1 + 80_000, 0, 'FINISHED', { trigger: 'dependency', intendedDue: NIGHT1 });
    const n2 = await run('load', NIGHT2 + 80_000, 0, 'FAILED', { trigger: 'dependency', intendedDue: NIGHT2 });
    const d1 = await run('load', late, 0, 'FAILED', { trigger: 'dependency', intendedDue: NIGHT1 });
    const r1 = await run('load', late + 60_000, 1, 'FINISHED', { intendedDue: NIGHT1 });
    const d2 = await run('load', later, 0, 'FINISHED', { trigger: 'dependency', intendedDue: NIGHT1 });
    const chain = [night1, d1, r1, d2];
    for (const t of chain) {
      const d = await ui.runDetail(t);
      expect(d.attempts.map((a) => a.run.taskId), t).toEqual(chain);
      expect(d.attempts.map((a) => a.run.intendedDue ?? a.run.due), t).toEqual(chain.map(() => NIGHT1));
    }
    expect((await ui.runDetail(n2)).attempts.map((a) => a.run.taskId)).toEqual([n2]);

    // rerunning any of them reruns the latest, for night 1 (due as that one was, so it stays the
    // newest in lists by due), past every attempt number used for night 1
    const plan = await ui.rerunPlan([d1]);
    expect(plan.rerun).toEqual([{ jobName: 'load', due: later, intendedDue: NIGHT1, attempt: 2, failed: false, fromTaskId: d2 }]);
    const done = await ui.rerun([d1]);
    const again = formatTaskId(later, 2, 'load', '');
    expect(done.queued).toEqual([again]);
    expect(runtime.callsOf('runNow')[0].at).toEqual({ due: later, attempt: 2, intendedDue: NIGHT1 });
    await run('load', later, 2, 'FINISHED', { trigger: 'manual', intendedDue: NIGHT1 });
    expect((await ui.runDetail(night1)).attempts.map((a) => a.run.taskId)).toEqual([...chain, again]);
  });

  it('an unknown run is a 404, a task id with a NUL a 400 naming the field', async () => {
    await expect(ui.runDetail('ct:1:0:nope:')).rejects.toMatchObject({ code: 'not_found' });
    await expect(ui.runDetail('ct:1:0:a\u0000b:')).rejects.toBeInstanceOf(UiFieldError);
  });
});

describe('GET /api/grid', () => {
  it("puts a pipeline's jobs (parents first) against its nights, each cell the latest attempt", async () => {
    const g = await ui.grid(new URLSearchParams({ job: 'load', n: '5' }));
    expect(g.jobs.map((j) => j.name)).toEqual(['extract', 'transform', 'load', 'report']);
    expect(g.columns).toEqual([NIGHT1, NIGHT2]);
    const cell = (job: string, c: number) => g.cells[g.jobs.findIndex((j) => j.name === job)][c];
    expect(cell('transform', 0)?.state).toBe('FINISHED');
    expect(cell('transform', 1)).toMatchObject({ state: 'QUEUED', attempt: 1, attempts: 2 });
    expect(cell('load', 1)).toBeNull();
    expect(g.pipelines).toEqual([{ job: 'extract', size: 4 }]);
    // by name prefix
    expect((await ui.grid(new URLSearchParams({ prefix: 'a' }))).jobs.map((j) => j.name)).toEqual(['audit']);
  });

  it('bad parameters are a 400 naming the field', async () => {
    await expect(ui.grid(new URLSearchParams({ n: '0' }))).rejects.toMatchObject({ field: 'n' });
    await expect(ui.grid(new URLSearchParams({ job: 'load', prefix: 'x' }))).rejects.toMatchObject({ field: 'job' });
    await expect(ui.grid(new URLSearchParams({ job: 'nope' }))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('rerun failed and downstream', () => {
  it('plans a new attempt of the failed job at its due instant; its downstream follows, the disabled one is named', async () => {
    // the queued retry ends first: the latest attempt is what is rerun
    const retry = formatTaskId(NIGHT2 + 40_000, 1, 'transform', '');
    await store.runs.update(retry, { state: 'FAILED', finishedAt: NIGHT2 + 200_000, message: 'exit 3' });
    const plan = await ui.rerunPlan([formatTaskId(NIGHT2 + 40_000, 0, 'transform', '')]);
    expect(plan).toEqual({
      rerun: [{ jobName: 'transform', due: NIGHT2 + 40_000, attempt: 2, failed: true, fromTaskId: retry }],
      downstream: ['load'],
      disabled: ['report'],
      notRerun: [],
    });
    expect(runtime.calls).toEqual([]); // planning changes nothing
    const done = await ui.rerun([retry]);
    expect(done.queued).toEqual([formatTaskId(NIGHT2 + 40_000, 2, 'transform', '')]);
    expect(runtime.calls).toMatchObject([{ method: 'runNow', args: '', job: { name: 'transform' } }]);
  });

  it('a run still queued is not rerun, and saying so is a 400', async () => {
    const plan = await ui.rerunPlan([formatTaskId(NIGHT2 + 40_000, 0, 'transform', '')]);
    expect(plan.rerun).toEqual([]);
    expect(plan.notRerun).toEqual([{ jobName: 'transform', why: 'its latest attempt is queued' }]);
    await expect(ui.rerun([formatTaskId(NIGHT2 + 40_000, 0, 'transform', '')])).rejects.toMatchObject({ code: 'bad_request' });
    expect(runtime.calls).toEqual([]);
  });

  it('any list of task ids is answered with a 400 or 404 naming what is wrong, and queues nothing', async () => {
    await expect(ui.rerun([])).rejects.toMatchObject({ field: 'taskIds' });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 4 }), async (ids) => {
        const e = await ui.rerun(ids).then(() => null, (x: unknown) => x);
        expect(e).toBeInstanceOf(ApiError);
        expect(['bad_request', 'not_found']).toContain((e as ApiError).code);
      }),
      { numRuns: 50 },
    );
    expect(runtime.calls).toEqual([]);
  });
});
