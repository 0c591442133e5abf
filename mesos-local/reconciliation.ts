/**
 * The RECONCILE call: implicit (no tasks: the latest state of every known task) and explicit
 * (each listed task: its latest state, or GONE / UNREACHABLE / UNKNOWN, LOST for frameworks that
 * are not partition-aware), all as master updates with REASON_RECONCILIATION.
 */
import type { Json } from '../proto';
import type { Framework, Task } from './model';
import type { MasterState } from './master-state';

export class Reconciliation {
  constructor(private readonly master: MasterState) {}

  reconcile(fw: Framework, tasks: Json[]): void {
    const pa = fw.caps.has('PARTITION_AWARE');
    const reply = (taskId: Json, agentId: string | undefined, state: string, message: string, extra: Json = {}) =>
      this.master.masterUpdate(fw, {
        task_id: taskId,
        state,
        message,
        reason: 'REASON_RECONCILIATION',
        ...(agentId ? { agent_id: { value: agentId } } : {}),
        ...extra,
      });
    const latest = (task: Task) => {
      const extra: Json = { executor_id: { value: task.executorId } };
      if (task.unreachableTime) extra.unreachable_time = { nanoseconds: Math.round(task.unreachableTime * 1e9) };
      reply({ value: task.id }, task.agentId, task.state, 'Reconciliation: Latest task state', extra);
    };
    if (!tasks.length) {
      for (const task of fw.tasks.values()) latest(task);
      return;
    }
    for (const t of tasks) {
      const task = fw.tasks.get(t.task_id?.value);
      const agentId: string | undefined = t.agent_id?.value;
      const agent = agentId ? this.master.agents.get(agentId) : undefined;
      if (task) latest(task);
      else if (agent && agent.state === 'registered') reply(t.task_id, agentId, pa ? 'TASK_GONE' : 'TASK_LOST', 'Reconciliation: Task is unknown to the agent');
      else if (agent && agent.state === 'unreachable') {
        reply(t.task_id, agentId, pa ? 'TASK_UNREACHABLE' : 'TASK_LOST', 'Reconciliation: Task is unreachable', {
          unreachable_time: { nanoseconds: Math.round((agent.unreachableTime ?? Date.now() / 1000) * 1e9) },
        });
      } else reply(t.task_id, agentId, pa ? 'TASK_UNKNOWN' : 'TASK_LOST', 'Reconciliation: Task is unknown');
    }
  }
}
