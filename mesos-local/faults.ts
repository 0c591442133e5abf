/**
 * Fault injection, programmatic (`fault(name, arg)` and the named methods) and over HTTP
 * (`POST /__faults/<name>[/<arg>]`): dropped or silent streams, master failover, lost and restored
 * agents, agents stopped and started (agent-restart.ts), crashed executors, a stalled allocator, ERROR events, a recovering master.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { SimulatedRunner, isTerminal } from './agent';
import type { Task } from './model';
import type { MasterState } from './master-state';
import type { Allocator } from './allocator';
import type { TaskLifecycle } from './task-lifecycle';
import { replyJson } from './http-io';
import type { AgentRestarts } from './agent-restart';

export type FaultName =
  | 'drop-stream'
  | 'silence'
  | 'failover'
  | 'lose-agent'
  | 'restore-agent'
  | 'stop-agent'
  | 'start-agent'
  | 'crash-executor'
  | 'stop-offers'
  | 'resume-offers'
  | 'error'
  | 'recovering'
  | 'recovered';

export const FAULTS: FaultName[] = ['drop-stream', 'silence', 'failover', 'lose-agent', 'restore-agent', 'stop-agent', 'start-agent', 'crash-executor', 'stop-offers', 'resume-offers', 'error', 'recovering', 'recovered'];

export class Faults {
  constructor(
    private readonly master: MasterState,
    private readonly allocator: Allocator,
    private readonly tasks: TaskLifecycle,
    private readonly restarts: AgentRestarts,
  ) {}

  onFault(rest: string, url: URL, body: Buffer, res: http.ServerResponse): void {
    const [name, ...argParts] = rest.split('/');
    let arg = argParts.length ? decodeURIComponent(argParts.join('/')) : undefined;
    arg ??= url.searchParams.get('arg') ?? url.searchParams.get('id') ?? url.searchParams.get('message') ?? undefined;
    if (arg === undefined && body.length) {
      const text = body.toString('utf8').trim();
      try {
        const j = JSON.parse(text);
        arg = typeof j === 'string' ? j : (j.arg ?? j.id ?? j.agentId ?? j.agent_id ?? j.taskId ?? j.task_id ?? j.message);
      } catch {
        arg = text;
      }
    }
    const result = this.fault(name as FaultName, arg);
    if (result.ok) replyJson(res, 200, result);
    else replyJson(res, result.status ?? 400, result);
  }

  /** Programmatic fault injection; the HTTP endpoint `POST /__faults/<name>[/<arg>]` calls this. */
  fault(name: FaultName, arg?: string): { ok: boolean; status?: number; message: string } {
    switch (name) {
      case 'drop-stream':
        return { ok: true, message: `closed ${this.dropStreams()} stream(s)` };
      case 'silence':
        return { ok: true, message: `silenced ${this.silence()} stream(s)` };
      case 'failover':
        this.failover(arg);
        return { ok: true, message: `new master id ${this.master.masterId}` };
      case 'lose-agent':
        if (!arg || !this.loseAgent(arg)) return { ok: false, status: 404, message: `unknown or already lost agent '${arg ?? ''}'` };
        return { ok: true, message: `agent ${arg} is unreachable` };
      case 'restore-agent':
        if (!arg || !this.restoreAgent(arg)) return { ok: false, status: 404, message: `no unreachable agent '${arg ?? ''}'` };
        return { ok: true, message: `agent ${arg} re-registered` };
      case 'stop-agent':
        if (!arg || !this.restarts.stop(arg)) return { ok: false, status: 404, message: `unknown or already stopped agent '${arg ?? ''}'` };
        return { ok: true, message: `agent ${arg} stopped (its tasks keep running)` };
      case 'start-agent':
        if (!arg || !this.restarts.start(arg)) return { ok: false, status: 404, message: `no stopped agent '${arg ?? ''}'` };
        return { ok: true, message: `agent ${arg} started again and re-registered` };
      case 'crash-executor':
        if (!arg || !this.crashExecutor(arg)) return { ok: false, status: 404, message: `no running task '${arg ?? ''}'` };
        return { ok: true, message: `executor of task ${arg} crashed` };
      case 'stop-offers':
        this.stopOffers();
        return { ok: true, message: 'allocator stalled' };
      case 'resume-offers':
        this.resumeOffers();
        return { ok: true, message: 'allocator resumed' };
      case 'error':
        return { ok: true, message: `sent ERROR to ${this.injectError(arg ?? 'Injected error')} framework(s)` };
      case 'recovering':
        this.setRecovering(true);
        return { ok: true, message: 'master is recovering (503)' };
      case 'recovered':
        this.setRecovering(false);
        return { ok: true, message: 'master recovered' };
      default:
        return { ok: false, status: 404, message: `unknown fault '${name}'; known: ${FAULTS.join(', ')}` };
    }
  }

  /** Closes every subscription stream (the connection breaks); frameworks are deactivated. */
  dropStreams(): number {
    let n = 0;
    for (const fw of this.master.frameworks.values()) {
      if (fw.stream) {
        n++;
        fw.stream.destroy();
      }
    }
    return n;
  }

  /** Half-open connections: current streams stay open but carry nothing more (no heartbeats, no events). */
  silence(): number {
    let n = 0;
    for (const fw of this.master.frameworks.values()) {
      if (fw.stream && !fw.stream.silenced) {
        fw.stream.silenced = true;
        n++;
      }
    }
    return n;
  }

  /**
   * A master failover: a new master id; offers, filters, suppression, failover timers and
   * subscriptions are lost; calls get 400 "Framework cannot be found" until the framework
   * subscribes again with its id, which re-associates its still-running tasks.
   */
  failover(newMasterId?: string): void {
    this.master.masterId = newMasterId ?? randomUUID();
    this.master.frameworkSeq = 0;
    this.master.electedTime = Date.now() / 1000;
    for (const fw of this.master.frameworks.values()) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.failoverTimer = null;
      for (const id of [...fw.offers]) this.allocator.removeOffer(id);
      fw.filters = [];
      fw.suppressed = new Set();
      fw.recovered = false;
      const stream = fw.stream;
      fw.stream = null;
      stream?.destroy();
    }
  }

  /** The agent becomes unreachable: offers rescinded, FAILURE{agent_id}, tasks LOST (UNREACHABLE if partition-aware). */
  loseAgent(agentId: string): boolean {
    const agent = this.master.agents.get(agentId);
    if (!agent || agent.state !== 'registered') return false;
    agent.state = 'unreachable';
    agent.unreachableTime = Date.now() / 1000;
    for (const o of [...this.master.offers.values()]) if (o.agentId === agentId) this.allocator.rescindOffer(o.id, true);
    const onAgent: Task[] = [];
    for (const fw of this.master.frameworks.values()) for (const t of fw.tasks.values()) if (t.agentId === agentId) onAgent.push(t);
    if (!(agent.runner instanceof SimulatedRunner)) void agent.runner.stopAll();
    else for (const t of onAgent) (agent.runner as SimulatedRunner).forget(t.launch.key);
    for (const fw of this.master.frameworks.values()) {
      if (fw.recovered) this.master.frameworkEvent(fw, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    }
    for (const task of onAgent) {
      const fw = this.master.frameworks.get(task.frameworkId)!;
      if (isTerminal(task.state)) {
        this.master.timers.cancel(task.retry);
        task.pending = [];
        this.tasks.freeTaskResources(task, fw);
        this.tasks.completeTask(fw, task);
        continue;
      }
      this.tasks.agentLost(fw, task, agentId, agent.unreachableTime);
    }
    return true;
  }

  /** An unreachable agent comes back, empty: its unreachable tasks are gone. */
  restoreAgent(agentId: string): boolean {
    const agent = this.master.agents.get(agentId);
    if (!agent || agent.state !== 'unreachable') return false;
    agent.state = 'registered';
    agent.unreachableTime = undefined;
    for (const fw of this.master.frameworks.values()) {
      for (const task of [...fw.tasks.values()]) {
        if (task.agentId !== agentId) continue;
        task.state = 'TASK_GONE';
        this.master.masterUpdate(fw, { task_id: { value: task.id }, agent_id: { value: agentId }, state: fw.caps.has('PARTITION_AWARE') ? 'TASK_GONE' : 'TASK_LOST', message: 'Task is unknown to the re-registered agent', reason: 'REASON_AGENT_REREGISTERED' });
        this.tasks.completeTask(fw, task);
      }
    }
    this.allocator.scheduleAllocation();
    return true;
  }

  /** Kills a task's executor abruptly: TASK_FAILED (REASON_EXECUTOR_TERMINATED) and FAILURE{agent_id, executor_id, status}. */
  crashExecutor(taskId: string): boolean {
    for (const fw of this.master.frameworks.values()) {
      const task = fw.tasks.get(taskId);
      if (task && !isTerminal(task.state)) return this.master.agents.get(task.agentId)?.runner.crash(task.launch.key) ?? false;
    }
    return false;
  }

  stopOffers(): void {
    this.master.offersStopped = true;
  }

  resumeOffers(): void {
    this.master.offersStopped = false;
    this.allocator.scheduleAllocation();
  }

  /** Sends ERROR{message} to every connected framework. */
  injectError(message: string): number {
    let n = 0;
    for (const fw of this.master.frameworks.values()) {
      if (fw.stream) {
        n++;
        fw.stream.send({ type: 'ERROR', error: { message } });
      }
    }
    return n;
  }

  /** While recovering, the scheduler endpoint answers 503. */
  setRecovering(on: boolean): void {
    this.master.recovering = on;
    if (!on) this.allocator.scheduleAllocation();
  }
}
