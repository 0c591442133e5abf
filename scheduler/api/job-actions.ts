/**
 * The Chronos actions on jobs and tasks (shared/reference/chronos.md §1): a manual run, delete
 * (children re-parented, §4), mark success, kill tasks, progress of a data-processing task and
 * Chronos 2.x asynchronous completion. Each checks what the request names first (a 400 for text
 * the store cannot take, a 400 "not found" as Chronos answers), then tells the store and the
 * runtime.
 */
import { rewireChildrenOnDelete } from '../core/delete-rewire';
import { versionOf, type ChangeStamp } from '../core/job-version';
import { deletedEvent } from '../core/notify-events';
import type { NotifyRouter } from '../core/notify-route';
import { parseTaskId, taskArguments, taskIdProblem } from '../core/taskid';
import { textProblem } from '../core/text';
import { SchedulerUnavailableError, type Clock, type SchedulerRuntime, type Store } from '../ports';
import { checkTaskIdText } from './chronos-request';
import { ApiError } from './errors';
import { jobNotFound, type JobSource } from './job-source';

export class JobActions {
  constructor(
    private readonly store: Store,
    private readonly runtime: SchedulerRuntime,
    private readonly clock: Clock,
    private readonly jobs: JobSource,
    /** Puts a deleted job's notification into the outbox; null: none. */
    private readonly notify: () => NotifyRouter | null = () => null,
  ) {}

  /** PUT /job/{name}?arguments=…: a manual run. Returns the task id the runtime queued. */
  async runJob(name: string, args?: string | null): Promise<string> {
    const job = await this.jobs.lookup(name);
    if (!job) throw jobNotFound(name);
    const taskArgs = taskArguments(job, args);
    const why = textProblem(taskArgs) ?? taskIdProblem(job.name, taskArgs, job.retries);
    if (why !== null) throw ApiError.badRequest(`arguments: ${why}`);
    return this.runtime.runNow(job, taskArgs);
  }

  /**
   * DELETE /job/{name}: the job is removed and its children rewired (§4) in one transaction, then
   * the runtime is told, then the job's running tasks are killed (best effort). The delete and each
   * rewired child are recorded in the jobs' history in the same transaction.
   */
  async deleteJob(name: string, stamp: ChangeStamp = {}): Promise<void> {
    const job = await this.jobs.lookup(name);
    if (!job) throw ApiError.notFound(`JobSchedule '${name}' not found`);
    // No store method lists the children of one job: read all jobs once (a delete is rare).
    const all = await this.store.jobs.list();
    const children = all.filter((j) => j.parents?.includes(name));
    const rewired = rewireChildrenOnDelete(job, children);
    const now = this.clock.now();
    const byName = new Map(children.map((c) => [c.name, c] as const));
    const note = `parent ${name} deleted`;
    const versions = [
      versionOf(job, null, stamp, now),
      ...rewired.map((c) => versionOf(byName.get(c.name) ?? null, c, { kind: 'update', by: stamp.by, note }, now)),
    ];
    await this.store.transaction(async (tx) => {
      // Its queued runs end with it (Chronos kills its tasks): none stays queued for a job that no
      // longer exists, nor shows up in the history of a new job of the same name. Runs before the
      // job row: the worker's transactions lock in that order too (fewer deadlocks).
      await tx.runs.settleQueued(name, { state: 'SKIPPED', finishedAt: this.clock.now(), message: 'skipped: job deleted' });
      await tx.jobs.apply({ put: rewired, delete: [name] });
      await tx.versions.add(versions);
      await tx.edges.deleteJob(name);
      for (const c of rewired) await tx.edges.resetChild(c.name, c.parents ?? []);
      // Chronos tells the owners of a deleted job: in the same transaction as the delete
      const router = this.notify();
      const notices = router?.route(deletedEvent(job, this.clock.now()), job) ?? [];
      if (router && notices.length > 0) await tx.notifications.add(notices, this.clock.now(), router.gatherMs);
    });
    await this.runtime.jobDeleted(job);
    const before = new Map(children.map((c) => [c.name, c] as const));
    for (const c of rewired) await this.runtime.jobChanged(c, before.get(c.name) ?? null);
    try {
      await this.runtime.killJob(name);
    } catch (e) {
      // Nothing runs without a worker; the delete itself has succeeded.
      if (!(e instanceof SchedulerUnavailableError)) throw e;
    }
  }

  /** PUT /job/success/{name}: the text Chronos answers (200 for a known or unknown job). */
  async markSuccess(name: string): Promise<string> {
    const job = await this.jobs.lookup(name);
    if (!job) return `marked job ${name} as successful: false`;
    await this.runtime.markSuccess(job);
    return `marked job ${name} as successful: true`;
  }

  /** DELETE /task/kill/{name}: kill every running task of the job (queued ones stay). */
  async killTasks(name: string): Promise<void> {
    const job = await this.jobs.lookup(name);
    if (!job) throw jobNotFound(name);
    await this.runtime.killJob(name);
  }

  /**
   * POST /job/{name}/task/{taskId}/progress with `{"numAdditionalElementsProcessed": k}`: adds k
   * to the run's elementsProcessed.
   */
  async progress(name: string, taskId: string, body: unknown): Promise<void> {
    const job = await this.jobs.lookup(name);
    if (!job) throw jobNotFound(name);
    checkTaskIdText(taskId);
    const parsedId = parseTaskId(taskId);
    if (!parsedId.ok) throw ApiError.badRequest(`Invalid task id: ${parsedId.error}`);
    if (parsedId.value.jobName !== name) {
      throw ApiError.badRequest(`Task '${taskId}' does not belong to job '${name}'`);
    }
    if (!job.dataProcessingJobType) {
      throw ApiError.badRequest(`Job '${name}' is not a dataProcessingJobType job`);
    }
    const k =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).numAdditionalElementsProcessed
        : undefined;
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 0) {
      throw ApiError.badRequest('numAdditionalElementsProcessed must be a non-negative integer');
    }
    const run = await this.store.runs.getByTaskId(taskId);
    if (!run) throw ApiError.notFound(`Task '${taskId}' not found`);
    if (k === 0) return;
    await this.store.runs.update(taskId, { elementsProcessed: run.elementsProcessed + k });
  }

  /** Chronos 2.x PUT /scheduler/task/{taskId} with `{"statusCode": n}`: 0 finished, else failed. */
  async asyncComplete(taskId: string, body: unknown): Promise<void> {
    checkTaskIdText(taskId);
    const parsedId = parseTaskId(taskId);
    if (!parsedId.ok) throw ApiError.badRequest(`Invalid task id: ${parsedId.error}`);
    const code =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).statusCode
        : undefined;
    if (typeof code !== 'number' || !Number.isInteger(code)) {
      throw ApiError.badRequest('statusCode must be an integer');
    }
    const known = await this.runtime.completeTask(taskId, code);
    if (!known) throw ApiError.notFound(`Task '${taskId}' not found`);
  }
}
