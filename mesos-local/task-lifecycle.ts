/**
 * A task's life on the master: launch on an agent, runner reports turned into status updates
 * (uuid, per-task queue, retries with backoff until acknowledged), acknowledgements, completion,
 * and the KILL and SHUTDOWN calls.
 */
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Json } from '../proto';
import { type Res, addRes, subRes } from './resources';
import { type Agent, type TaskLaunch, type TaskReport, isTerminal } from './agent';
import { DEFAULT_KILL_GRACE_MS, MAX_COMPLETED, type Framework, type Task } from './model';
import type { MasterState } from './master-state';
import type { Allocator } from './allocator';
import type { Reconciliation } from './reconciliation';

/** Random bytes drawn 64 KiB at a time: one uuid per status update, thousands a second. */
let uuidPool = Buffer.alloc(0);
let uuidAt = 0;
function uuidBase64(): string {
  if (uuidAt + 16 > uuidPool.length) {
    uuidPool = randomBytes(65536);
    uuidAt = 0;
  }
  uuidAt += 16;
  return uuidPool.toString('base64', uuidAt - 16, uuidAt);
}

export class TaskLifecycle {
  constructor(
    private readonly master: MasterState,
    private readonly allocator: Allocator,
    private readonly reconciliation: Reconciliation,
  ) {}

  launchTask(fw: Framework, agent: Agent, role: string, ti: Json, res: Res, executorId: string, groupExecutor: Json | undefined): void {
    const id: string = ti.task_id.value;
    const sandbox = path.join(this.master.workDir, 'slaves', agent.id, 'frameworks', fw.id, 'executors', executorId, 'runs', randomUUID());
    const launch: TaskLaunch = { key: `${fw.id}/${id}`, taskId: id, frameworkId: fw.id, agentId: agent.id, executorId, info: ti, groupExecutor, sandbox };
    const task: Task = {
      id,
      name: ti.name,
      frameworkId: fw.id,
      agentId: agent.id,
      executorId,
      info: ti,
      res,
      role,
      state: 'TASK_STAGING',
      statuses: [],
      sandbox: this.master.options.scale ? '' : sandbox,
      launch,
      pending: [],
      retry: null,
      backoffMs: this.master.options.statusUpdateRetryMs,
      resourcesFreed: false,
    };
    fw.tasks.set(id, task);
    agent.used = addRes(agent.used, res);
    fw.used = addRes(fw.used, res);
    this.master.counters.tasks_launched++;
    agent.runner.launch(launch);
  }

  freeTaskResources(task: Task, fw: Framework | undefined): void {
    if (task.resourcesFreed) return;
    task.resourcesFreed = true;
    const agent = this.master.agents.get(task.agentId);
    if (agent) agent.used = subRes(agent.used, task.res);
    if (fw) fw.used = subRes(fw.used, task.res);
  }


  /** Set by the master: keeps a report while its agent's process is down (agent-restart.ts). */
  holdReport: (agentId: string, launch: TaskLaunch, r: TaskReport) => boolean = () => false;

  /** A runner reports a state change: it becomes a status update with a uuid, queued per task. */
  onReport(launch: TaskLaunch, r: TaskReport): void {
    const fw = this.master.frameworks.get(launch.frameworkId);
    const task = fw?.tasks.get(launch.taskId);
    if (!fw || !task || task.launch !== launch) return;
    if (isTerminal(task.state)) return;
    if (this.holdReport(task.agentId, launch, r)) return;
    const agent = this.master.agents.get(task.agentId);
    if (!agent || agent.state !== 'registered') return;
    const now = Date.now() / 1000;
    const status: Json = {
      task_id: { value: task.id },
      state: r.state,
      source: r.source ?? 'SOURCE_EXECUTOR',
      agent_id: { value: task.agentId },
      executor_id: { value: task.executorId },
      timestamp: now,
      uuid: uuidBase64(),
    };
    if (r.message) status.message = r.message;
    if (r.reason) status.reason = r.reason;
    task.state = r.state;
    task.latest = status;
    task.statuses.push({ state: r.state, timestamp: now });
    if (isTerminal(r.state)) {
      this.master.countState(r.state);
      this.freeTaskResources(task, fw);
      this.allocator.scheduleAllocation();
    }
    task.pending.push(status);
    if (task.pending.length === 1) this.deliver(fw, task);
    if (r.executorExitStatus !== undefined) {
      this.master.frameworkEvent(fw, {
        type: 'FAILURE',
        failure: { agent_id: { value: task.agentId }, executor_id: { value: task.executorId }, status: r.executorExitStatus },
      });
    }
  }

  /** Sends the outstanding update (if the framework is connected) and arms its retry. */
  private deliver(fw: Framework, task: Task): void {
    const head = task.pending[0];
    if (!head) return;
    this.master.counters.status_updates_sent++;
    this.master.frameworkEvent(fw, { type: 'UPDATE', update: { status: head } });
    this.master.timers.cancel(task.retry);
    task.retry = this.master.timers.schedule(task.backoffMs, () => {
      task.retry = null;
      if (task.pending[0] !== head || this.master.frameworks.get(fw.id) !== fw) return;
      this.master.counters.status_update_retries++;
      task.backoffMs = Math.min(task.backoffMs * 2, this.master.options.statusUpdateRetryMaxMs);
      this.deliver(fw, task);
    });
  }

  acknowledge(fw: Framework, ack: Json): void {
    const task = fw.tasks.get(ack.task_id.value);
    const head = task?.pending[0];
    if (!task || !head || head.uuid !== ack.uuid || task.agentId !== ack.agent_id.value) {
      this.master.counters.invalid_status_update_acks++;
      return;
    }
    this.master.counters.status_update_acks++;
    task.pending.shift();
    this.master.timers.cancel(task.retry);
    task.retry = null;
    task.backoffMs = this.master.options.statusUpdateRetryMs;
    if (isTerminal(head.state)) {
      this.completeTask(fw, task);
      return;
    }
    if (task.pending.length) this.deliver(fw, task);
  }

  /**
   * A live task on an agent the master lost (its health checks timed out): TASK_UNREACHABLE to a
   * partition-aware framework, else TASK_LOST and completed, as Mesos reports it; its resources
   * are freed and its pending updates dropped.
   */
  agentLost(fw: Framework, task: Task, agentId: string, unreachableTime: number): void {
    this.master.timers.cancel(task.retry);
    task.pending = [];
    this.freeTaskResources(task, fw);
    const pa = fw.caps.has('PARTITION_AWARE');
    const state = pa ? 'TASK_UNREACHABLE' : 'TASK_LOST';
    task.state = state;
    task.unreachableTime = unreachableTime;
    task.statuses.push({ state, timestamp: Date.now() / 1000 });
    this.master.countState(state);
    this.master.masterUpdate(fw, {
      task_id: { value: task.id },
      agent_id: { value: agentId },
      executor_id: { value: task.executorId },
      state,
      message: 'health check timed out',
      reason: 'REASON_AGENT_REMOVED',
      unreachable_time: { nanoseconds: Math.round(unreachableTime * 1e9) },
    });
    if (!pa) this.completeTask(fw, task);
  }

  completeTask(fw: Framework, task: Task): void {
    this.master.timers.cancel(task.retry);
    task.pending = [];
    this.freeTaskResources(task, fw);
    fw.tasks.delete(task.id);
    fw.completed.push(task);
    if (fw.completed.length > MAX_COMPLETED) fw.completed.shift();
  }


  kill(fw: Framework, k: Json): void {
    const task = fw.tasks.get(k.task_id.value);
    if (!task) {
      // As Mesos: an unknown task is answered by explicit reconciliation (LOST for non-partition-aware).
      this.reconciliation.reconcile(fw, [{ task_id: k.task_id, agent_id: k.agent_id }]);
      return;
    }
    if (k.agent_id && k.agent_id.value !== task.agentId) return;
    if (isTerminal(task.state)) return;
    const agent = this.master.agents.get(task.agentId);
    if (!agent || agent.state !== 'registered' || !agent.runner.has(task.launch.key)) return;
    const graceNs = k.kill_policy?.grace_period?.nanoseconds ?? task.info.kill_policy?.grace_period?.nanoseconds;
    const graceMs = graceNs !== undefined ? Number(graceNs) / 1e6 : DEFAULT_KILL_GRACE_MS;
    if (fw.caps.has('TASK_KILLING_STATE') && task.state !== 'TASK_KILLING') {
      this.onReport(task.launch, { state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    }
    agent.runner.kill(task.launch.key, graceMs);
  }

  shutdownExecutor(fw: Framework, s: Json): void {
    for (const task of fw.tasks.values()) {
      if (task.executorId === s.executor_id.value && task.agentId === s.agent_id.value && !isTerminal(task.state)) {
        this.master.agents.get(task.agentId)?.runner.kill(task.launch.key, 5000);
      }
    }
  }
}
