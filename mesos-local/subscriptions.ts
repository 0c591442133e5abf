/**
 * Framework subscriptions: SUBSCRIBE (new, re-subscribe, failed over, removed), the stream closing
 * (deactivation, failover timeout), TEARDOWN and removal for good, UPDATE_FRAMEWORK, heartbeats.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { CONTENT_TYPE, type Encoding, type Json } from '../proto';
import { emptyRes } from './resources';
import { isTerminal } from './agent';
import { DEFAULT_KILL_GRACE_MS, Stream, type Framework } from './model';
import type { MasterState } from './master-state';
import type { Allocator } from './allocator';
import type { TaskLifecycle } from './task-lifecycle';

export class Subscriptions {
  constructor(
    private readonly master: MasterState,
    private readonly allocator: Allocator,
    private readonly tasks: TaskLifecycle,
  ) {}

  private rolesOf(info: Json, caps: Set<string>): string[] {
    if (caps.has('MULTI_ROLE')) return info.roles?.length ? [...info.roles] : ['*'];
    return [info.role ?? '*'];
  }

  updateFrameworkInfo(fw: Framework, info: Json, suppressedRoles?: string[]): void {
    // user, checkpoint and principal cannot change (ignored on re-subscribe).
    fw.info = { ...info, id: { value: fw.id }, user: fw.info.user ?? info.user, checkpoint: fw.info.checkpoint ?? info.checkpoint, principal: fw.info.principal ?? info.principal };
    fw.caps = new Set(((info.capabilities ?? []) as Json[]).map((c) => c.type as string));
    fw.roles = this.rolesOf(info, fw.caps);
    fw.suppressed = new Set(suppressedRoles ?? []);
  }

  subscribe(call: Json, principal: string | null, encoding: Encoding, res: http.ServerResponse): void {
    const info: Json = { ...call.subscribe.framework_info };
    if (principal && !info.principal) info.principal = principal;
    const requestedId: string | undefined = info.id?.value;
    const stream = new Stream(randomUUID(), encoding, res, this.master.types.Event);
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE[encoding], 'Mesos-Stream-Id': stream.id, 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.socket?.setKeepAlive(true, 10_000);

    if (requestedId && this.master.removedIds.has(requestedId)) {
      stream.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
      stream.close();
      return;
    }

    let fw = requestedId ? this.master.frameworks.get(requestedId) : undefined;
    const caps = new Set(((info.capabilities ?? []) as Json[]).map((c) => c.type as string));
    if (!fw) {
      const id = requestedId ?? `${this.master.masterId}-${String(this.master.frameworkSeq++).padStart(4, '0')}`;
      fw = {
        id,
        info: { ...info, id: { value: id } },
        roles: this.rolesOf(info, caps),
        caps,
        stream: null,
        recovered: true,
        suppressed: new Set(call.subscribe.suppressed_roles ?? []),
        filters: [],
        offers: new Set(),
        tasks: new Map(),
        completed: [],
        used: emptyRes(),
        offered: emptyRes(),
        failoverTimer: null,
        registeredTime: Date.now() / 1000,
      };
      this.master.frameworks.set(id, fw);
      this.master.log(`framework ${id} (${info.name}) subscribed`);
    } else {
      if (fw.stream) {
        // A newer subscription takes over: tell the old stream and close it.
        const old = fw.stream;
        fw.stream = null;
        old.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
        old.close();
      }
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.failoverTimer = null;
      this.allocator.recoverOffers(fw, false);
      this.updateFrameworkInfo(fw, info, call.subscribe.suppressed_roles);
      fw.recovered = true;
      fw.reregisteredTime = Date.now() / 1000;
      fw.unregisteredTime = undefined;
      this.master.log(`framework ${fw.id} re-subscribed`);
    }
    this.master.counters.frameworks_subscribed++;
    const framework = fw;
    framework.stream = stream;
    res.on('close', () => this.onStreamClosed(framework, stream));
    stream.send({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: fw.id }, heartbeat_interval_seconds: this.master.options.heartbeatIntervalSeconds, master_info: this.master.masterInfo() },
    });
    stream.send({ type: 'HEARTBEAT' });
    this.allocator.scheduleAllocation();
  }

  private onStreamClosed(fw: Framework, stream: Stream): void {
    stream.closed = true;
    if (fw.stream !== stream) return;
    this.deactivate(fw);
  }

  /**
   * The stream is gone: offers recovered (no RESCIND: nobody to tell), refuse filters dropped (as
   * Mesos's allocator does in deactivateFramework: a re-subscribed framework starts unfiltered),
   * failover timer started.
   */
  private deactivate(fw: Framework): void {
    fw.stream = null;
    fw.unregisteredTime = Date.now() / 1000;
    fw.filters = [];
    this.allocator.recoverOffers(fw, false);
    if (!this.master.frameworks.has(fw.id) || !fw.recovered) return;
    const timeoutMs = Math.max(0, Number(fw.info.failover_timeout ?? 0)) * 1000 * this.master.options.failoverTimeoutScale;
    this.master.log(`framework ${fw.id} disconnected; failover timeout ${timeoutMs} ms`);
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    fw.failoverTimer = setTimeout(() => {
      fw.failoverTimer = null;
      if (!fw.stream && this.master.frameworks.get(fw.id) === fw) this.removeFramework(fw);
    }, Math.min(timeoutMs, 2 ** 31 - 1));
  }

  /** Removes a framework for good: tasks killed, offers recovered, id retired. */
  private removeFramework(fw: Framework): void {
    this.master.log(`removing framework ${fw.id}`);
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    fw.failoverTimer = null;
    this.allocator.recoverOffers(fw, false);
    for (const task of fw.tasks.values()) {
      this.master.timers.cancel(task.retry);
      task.pending = [];
      const agent = this.master.agents.get(task.agentId);
      if (!isTerminal(task.state)) {
        agent?.runner.kill(task.launch.key, DEFAULT_KILL_GRACE_MS);
        task.state = 'TASK_KILLED';
        task.statuses.push({ state: 'TASK_KILLED', timestamp: Date.now() / 1000 });
      }
      this.tasks.freeTaskResources(task, fw);
      fw.completed.push(task);
    }
    fw.tasks.clear();
    fw.filters = [];
    this.master.frameworks.delete(fw.id);
    this.master.removedIds.add(fw.id);
    this.master.completedFrameworks.push(fw);
    if (this.master.completedFrameworks.length > 50) this.master.completedFrameworks.shift();
    const stream = fw.stream;
    fw.stream = null;
    stream?.close();
    this.allocator.scheduleAllocation();
  }

  teardown(fw: Framework): void {
    this.removeFramework(fw);
  }

  heartbeat(): void {
    for (const fw of this.master.frameworks.values()) fw.stream?.send({ type: 'HEARTBEAT' });
  }
}
