/**
 * The run page: GET /api/runs/{taskId} (every attempt of that job's due instant, the state
 * timeline of each, why a queued one waits, the job's place in the graph) and the "rerun failed
 * and downstream" of the run page and the pipeline grid: GET /api/rerun?task=… (the plan, nothing
 * changes) and POST /api/rerun {taskIds} (a new attempt of each failed job at its due instant; the
 * jobs downstream run as their parents succeed, scheduler/core/rerun-plan.ts).
 */
import { DependencyGraph } from '../core/dag';
import { FAILURE_STATES } from '../core/outcome';
import { rerunPlan } from '../core/rerun-plan';
import { parseTaskId, taskIdProblem } from '../core/taskid';
import { textProblem } from '../core/text';
import { isTerminal, type Run } from '../core/types';
import { SchedulerUnavailableError, type SchedulerRuntime, type Store } from '../ports';
import { ApiError } from './errors';
import type { JobsSnapshot } from './jobs-snapshot';
import type { QueueReasons } from './queue-reason';
import { runRow } from './run-row';
import { UiFieldError } from './ui-query';
import { runSteps } from './run-steps';
import type { RerunPlanView, RerunResult, RunDetail } from './ui-types';

/** Most runs one rerun names (a grid column of a large pipeline). */
export const RERUN_MAX_TASKS = 1000;

export interface RunDetailServiceDeps {
  store: Store;
  runtime: SchedulerRuntime;
  snapshot: JobsSnapshot;
  reasons: QueueReasons;
}

/** The instant a run is for: a retry's, a rerun's and a downstream run's is its night's. */
export const instantOf = (run: Pick<Run, 'due' | 'intendedDue'>): number => run.intendedDue ?? run.due;

export class RunDetailService {
  constructor(private readonly deps: RunDetailServiceDeps) {}

  async detail(taskId: string): Promise<RunDetail> {
    const run = await this.find(taskId);
    const [attempts, snap] = await Promise.all([this.attemptsOf(run), this.deps.snapshot.get()]);
    const events = await Promise.all(attempts.map((a) => this.deps.store.runs.events(a.taskId)));
    const entry = snap.byName.get(run.jobName);
    const graph = entry ? this.graph(snap.entries.map((e) => e.job)) : null;
    return {
      taskId: run.taskId,
      attempts: attempts.map((a, i) => {
        const waiting = this.deps.reasons.of(a);
        return { run: runRow(a), waiting, steps: runSteps(a, waiting, events[i]) };
      }),
      job: entry
        ? {
            exists: true,
            disabled: entry.job.disabled,
            parents: entry.job.parents ?? [],
            children: graph!.childrenOf(run.jobName),
            downstream: graph!.descendants(run.jobName).length,
          }
        : { exists: false, disabled: false, parents: [], children: [], downstream: 0 },
    };
  }

  /** What "rerun failed and downstream" of these runs would do; nothing changes. */
  async plan(taskIds: readonly string[]): Promise<RerunPlanView> {
    const runs = await Promise.all(checkTaskIds(taskIds).map((t) => this.find(t)));
    const snap = await this.deps.snapshot.get();
    const graph = this.graph(snap.entries.map((e) => e.job));
    // the latest attempt of each job's instant: a failure later rerun successfully is not rerun
    // again; the next attempt number is past every attempt for that instant
    const latest = new Map<string, Run>();
    const nextAttempt = new Map<string, number>();
    for (const r of runs) {
      const attempts = await this.attemptsOf(r);
      const last = attempts[attempts.length - 1] ?? r;
      const cur = latest.get(r.jobName);
      if (!cur || instantOf(last) > instantOf(cur)) {
        latest.set(r.jobName, last);
        nextAttempt.set(r.jobName, Math.max(...attempts.map((a) => a.attempt)) + 1);
      }
    }
    const active = [...latest.values()].filter((r) => !isTerminal(r.state));
    const missing = [...latest.keys()].filter((n) => !snap.byName.has(n));
    const chosen = [...latest.values()].filter((r) => isTerminal(r.state) && snap.byName.has(r.jobName));
    const p = rerunPlan(graph, chosen.map((r) => r.jobName), (n) => snap.byName.get(n)?.job.disabled ?? false);
    const disabledRoots = p.rerun.filter((n) => snap.byName.get(n)?.job.disabled);
    return {
      rerun: p.rerun
        .filter((n) => !disabledRoots.includes(n))
        .map((n) => {
          const r = latest.get(n)!;
          // due when the attempt it reruns was (lists by due keep it the newest), for the instant
          // that one is for (a downstream run's night): its run page and the grid show it there
          const intended = instantOf(r) !== r.due ? { intendedDue: instantOf(r) } : {};
          return { jobName: n, due: r.due, ...intended, attempt: nextAttempt.get(n)!, failed: FAILURE_STATES.has(r.state), fromTaskId: r.taskId };
        }),
      downstream: p.downstream,
      disabled: [...disabledRoots, ...p.disabled],
      notRerun: [
        ...active.map((r) => ({ jobName: r.jobName, why: `its latest attempt is ${r.state.toLowerCase()}` })),
        ...missing.map((n) => ({ jobName: n, why: 'the job no longer exists' })),
      ],
    };
  }

  /** Runs the plan of `taskIds`: one new attempt per rerun job; the downstream ones follow by the dependency rule. */
  async rerun(taskIds: readonly string[]): Promise<RerunResult> {
    const plan = await this.plan(taskIds);
    if (plan.rerun.length === 0) throw ApiError.badRequest(`nothing to rerun: ${plan.notRerun.map((n) => `${n.jobName}: ${n.why}`).join('; ') || 'no run given'}`);
    const snap = await this.deps.snapshot.get();
    const queued: string[] = [];
    const failed: Array<{ jobName: string; error: string }> = [];
    for (const r of plan.rerun) {
      const job = snap.byName.get(r.jobName)!.job;
      const from = await this.deps.store.runs.getByTaskId(r.fromTaskId);
      const args = from?.arguments ?? '';
      const why = taskIdProblem(job.name, args, r.attempt);
      if (why !== null) {
        failed.push({ jobName: r.jobName, error: why });
        continue;
      }
      try {
        queued.push(await this.deps.runtime.runNow(job, args, { due: r.due, attempt: r.attempt, ...(r.intendedDue !== undefined ? { intendedDue: r.intendedDue } : {}) }));
      } catch (e) {
        // one job that cannot be queued does not keep the others from running
        if (e instanceof SchedulerUnavailableError) throw ApiError.unavailable(`${e.message}: nothing was rerun here; ask the leader`);
        failed.push({ jobName: r.jobName, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { plan, queued, failed };
  }

  private async find(taskId: string): Promise<Run> {
    const why = textProblem(taskId);
    if (why !== null) throw new UiFieldError('taskId', `task id ${why}`);
    const run = await this.deps.store.runs.getByTaskId(taskId);
    if (!run) {
      const parsed = parseTaskId(taskId);
      throw ApiError.notFound(parsed.ok ? `no run with task id '${taskId}' is stored (it may have been deleted with its job)` : `no run with task id '${taskId}': ${parsed.error}`);
    }
    return run;
  }

  /**
   * Every attempt for the instant the run is for, first created first: the run due then, its
   * retries (due after each failure), its reruns, and the runs a rerun of that night fired
   * downstream (due when they ran), each naming the instant in `intendedDue`; with the same
   * arguments (a manual run with other arguments is another run).
   */
  private async attemptsOf(run: Run): Promise<Run[]> {
    const runs = await this.deps.store.runs.forInstant(run.jobName, instantOf(run));
    const same = runs.filter((r) => r.arguments === run.arguments);
    return same.some((r) => r.taskId === run.taskId) ? same : [...same, run];
  }

  private graph(jobs: Parameters<typeof DependencyGraph.fromJobs>[0]): DependencyGraph {
    return DependencyGraph.fromJobs(jobs).graph;
  }
}

function checkTaskIds(taskIds: readonly string[]): string[] {
  if (taskIds.length === 0) throw new UiFieldError('taskIds', 'name at least one run (its task id)');
  if (taskIds.length > RERUN_MAX_TASKS) throw new UiFieldError('taskIds', `at most ${RERUN_MAX_TASKS} runs at once`);
  return [...new Set(taskIds)];
}
