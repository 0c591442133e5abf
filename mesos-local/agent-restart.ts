/**
 * An agent's process stopped and started again (`stop-agent` / `start-agent` faults), as real
 * Mesos behaves with `mesos-agent` killed and restarted on the same work dir (checked against
 * Apache Mesos 1.12 in test/mesos/): the tasks' processes keep running meanwhile.
 *
 * - stop: the master loses the agent. Mesos sends FAILURE{agent_id} and, for each of its tasks,
 *   TASK_UNREACHABLE (TASK_LOST without PARTITION_AWARE) "health check timed out",
 *   REASON_AGENT_REMOVED, from the master (Mesos after its agent ping timeout; here at once). What
 *   the tasks report while the agent is down is held: nobody forwards it.
 * - start: the agent re-registers. A task still running comes back TASK_RUNNING "Unreachable agent
 *   re-reregistered", REASON_AGENT_REREGISTERED, from the master. A task that ended while the agent
 *   was down comes back with the end it had (TASK_FINISHED, TASK_FAILED, …) and that message and
 *   reason, from the master: its executor outlives the agent and hands the status over when the
 *   agent recovers, which the agent then forwards too (Apache Mesos 1.12, a task ending seconds
 *   into a 5 s outage). Not modelled: an
 *   executor that itself exited before the agent came back (Mesos then reports TASK_FAILED).
 *
 * `lose-agent` / `restore-agent` (faults.ts) are a machine lost instead: its processes die and it
 * comes back empty.
 */
import type { TaskLaunch, TaskReport } from './agent';
import { isTerminal } from './agent';
import type { Allocator } from './allocator';
import type { MasterState } from './master-state';
import type { Task } from './model';
import { addRes } from './resources';
import type { TaskLifecycle } from './task-lifecycle';

const REREGISTERED = { message: 'Unreachable agent re-reregistered', reason: 'REASON_AGENT_REREGISTERED' };

export class AgentRestarts {
  /** Reports of tasks on agents whose process is down, by agent id. */
  private held = new Map<string, Array<{ launch: TaskLaunch; report: TaskReport }>>();

  constructor(
    private readonly master: MasterState,
    private readonly allocator: Allocator,
    private readonly tasks: TaskLifecycle,
  ) {}

  /** True (and the report kept) when the task's agent is down: task-lifecycle then sends nothing. */
  hold(agentId: string, launch: TaskLaunch, report: TaskReport): boolean {
    const held = this.held.get(agentId);
    if (!held) return false;
    held.push({ launch, report });
    return true;
  }

  stop(agentId: string): boolean {
    const agent = this.master.agents.get(agentId);
    if (!agent || agent.state !== 'registered') return false;
    this.held.set(agentId, []);
    agent.state = 'unreachable';
    agent.unreachableTime = Date.now() / 1000;
    for (const o of [...this.master.offers.values()]) if (o.agentId === agentId) this.allocator.rescindOffer(o.id, true);
    for (const fw of this.master.frameworks.values()) {
      if (fw.recovered) this.master.frameworkEvent(fw, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    }
    for (const [fw, task] of this.tasksOn(agentId)) {
      this.tasks.agentLost(fw, task, agentId, agent.unreachableTime);
    }
    return true;
  }

  start(agentId: string): boolean {
    const agent = this.master.agents.get(agentId);
    const held = this.held.get(agentId);
    if (!agent || !held) return false;
    this.held.delete(agentId);
    agent.state = 'registered';
    agent.unreachableTime = undefined;
    for (const [fw, task] of this.tasksOn(agentId)) {
      if (task.state !== 'TASK_UNREACHABLE') continue;
      const ended = held.find((h) => h.launch === task.launch && isTerminal(h.report.state));
      const base = { task_id: { value: task.id }, agent_id: { value: agentId }, executor_id: { value: task.executorId }, ...REREGISTERED };
      if (!ended) {
        task.state = 'TASK_RUNNING';
        task.unreachableTime = undefined;
        task.statuses.push({ state: 'TASK_RUNNING', timestamp: Date.now() / 1000 });
        task.resourcesFreed = false;
        agent.used = addRes(agent.used, task.res);
        fw.used = addRes(fw.used, task.res);
        this.master.masterUpdate(fw, { ...base, state: 'TASK_RUNNING' });
        continue;
      }
      this.master.masterUpdate(fw, { ...base, state: ended.report.state });
      // then the agent forwards the executor's own update (acknowledged, as any agent update)
      this.tasks.onReport(task.launch, ended.report);
    }
    this.allocator.scheduleAllocation();
    return true;
  }

  private *tasksOn(agentId: string) {
    for (const fw of this.master.frameworks.values()) {
      for (const task of [...fw.tasks.values()] as Task[]) if (task.agentId === agentId && !isTerminal(task.state)) yield [fw, task] as const;
    }
  }
}
