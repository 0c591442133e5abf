/**
 * The ACCEPT call: offer validation (invalid offers: tasks LOST or DROPPED), LAUNCH and
 * LAUNCH_GROUP operations (invalid tasks: TASK_ERROR), and the filter for what was left unused.
 */
import { randomUUID } from 'node:crypto';
import type { Json } from '../proto';
import { type Res, emptyRes, addRes, subRes, containsRes, resFromProto, resToStateJson } from './resources';
import type { Agent } from './agent';
import type { Framework, Offer } from './model';
import type { MasterState } from './master-state';
import type { Allocator } from './allocator';
import type { TaskLifecycle } from './task-lifecycle';

export class AcceptCall {
  constructor(
    private readonly master: MasterState,
    private readonly allocator: Allocator,
    private readonly tasks: TaskLifecycle,
  ) {}

  accept(fw: Framework, a: Json): void {
    const ids: string[] = ((a.offer_ids ?? []) as Json[]).map((o) => o.value);
    const operations: Json[] = a.operations ?? [];
    let error: string | null = null;
    const offers: Offer[] = [];
    if (!ids.length) error = 'No offers specified';
    const seen = new Set<string>();
    for (const id of ids) {
      if (error) break;
      const o = this.master.offers.get(id);
      if (seen.has(id)) error = `Duplicate offer ${id} in ACCEPT call`;
      else if (!o) error = `Offer ${id} is no longer valid`;
      else if (o.frameworkId !== fw.id) error = `Offer ${id} has invalid framework ${o.frameworkId} while framework ${fw.id} is expected`;
      else if (offers.length && offers[0].agentId !== o.agentId) error = `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${o.agentId} and offer ${offers[0].id} uses agent ${offers[0].agentId}`;
      else if (offers.length && offers[0].role !== o.role) error = `Aggregated offers must be allocated to the same role. Offer ${id} uses role ${o.role} and offer ${offers[0].id} uses role ${offers[0].role}`;
      seen.add(id);
      if (o) offers.push(o);
    }
    if (error) {
      for (const o of offers) {
        if (o.frameworkId !== fw.id) continue;
        this.allocator.removeOffer(o.id);
        this.allocator.addFilter(fw, o.agentId, o.role, o.res, a.filters);
      }
      const state = fw.caps.has('PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const op of operations) {
        for (const ti of this.opTasks(op)) {
          this.master.countState(state);
          this.master.masterUpdate(fw, { task_id: ti.task_id, agent_id: ti.agent_id, state, message: `Task launched with invalid offers: ${error}`, reason: 'REASON_INVALID_OFFERS' });
        }
      }
      return;
    }

    this.master.counters.offers_accepted += offers.length;
    let pool = emptyRes();
    for (const o of offers) {
      this.allocator.removeOffer(o.id);
      pool = addRes(pool, o.res);
    }
    const agent = this.master.agents.get(offers[0].agentId)!;
    const role = offers[0].role;
    const idsInCall = new Set<string>();
    for (const op of operations) {
      if (op.type === 'LAUNCH') {
        for (const ti of (op.launch?.task_infos ?? []) as Json[]) {
          const r = this.validateTask(fw, agent, ti, pool, idsInCall, false);
          if (typeof r === 'string') {
            this.master.countState('TASK_ERROR');
            this.master.masterUpdate(fw, { task_id: ti.task_id, agent_id: ti.agent_id, state: 'TASK_ERROR', message: r, reason: 'REASON_TASK_INVALID' });
            continue;
          }
          pool = subRes(pool, r);
          this.tasks.launchTask(fw, agent, role, ti, r, ti.task_id.value, undefined);
        }
      } else if (op.type === 'LAUNCH_GROUP') {
        const executor: Json = op.launch_group?.executor ?? {};
        const tasks: Json[] = op.launch_group?.task_group?.tasks ?? [];
        let groupPool = pool;
        let problem: string | null = null;
        const execRes = resFromProto(executor.resources);
        if ('error' in execRes) problem = execRes.error;
        else if (executor.type && executor.type !== 'DEFAULT') problem = 'Only the DEFAULT executor is supported for task groups';
        else if (!containsRes(groupPool, execRes)) problem = 'Executor uses more resources than available in the offers';
        else groupPool = subRes(groupPool, execRes);
        const taskRes: Res[] = [];
        for (const ti of tasks) {
          if (problem) break;
          const r = this.validateTask(fw, agent, ti, groupPool, idsInCall, true);
          if (typeof r === 'string') problem = r;
          else {
            taskRes.push(r);
            groupPool = subRes(groupPool, r);
          }
        }
        if (problem || !tasks.length) {
          for (const ti of tasks) {
            this.master.countState('TASK_ERROR');
            this.master.masterUpdate(fw, { task_id: ti.task_id, agent_id: ti.agent_id, state: 'TASK_ERROR', message: `Task group is invalid: ${problem ?? 'empty task group'}`, reason: 'REASON_TASK_GROUP_INVALID' });
          }
          continue;
        }
        pool = groupPool;
        const execId = executor.executor_id?.value ?? `default-executor-${randomUUID()}`;
        tasks.forEach((ti, i) => {
          // The executor's own resources are charged to the first task of the group.
          const res = i === 0 && !('error' in execRes) ? addRes(taskRes[i], execRes) : taskRes[i];
          this.tasks.launchTask(fw, agent, role, ti, res, execId, executor);
        });
      } else {
        this.master.log(`ignoring unsupported ${op.type} operation from ${fw.id}`);
      }
    }
    // What the ACCEPT left unused counts as declined with its filter.
    // (Declined and unused resources wait for the next batch allocation, so a refuse_seconds of 0
    // cannot make a hot loop.)
    this.allocator.addFilter(fw, agent.id, role, pool, a.filters);
  }

  private opTasks(op: Json): Json[] {
    if (op.type === 'LAUNCH') return op.launch?.task_infos ?? [];
    if (op.type === 'LAUNCH_GROUP') return op.launch_group?.task_group?.tasks ?? [];
    return [];
  }

  private validateTask(fw: Framework, agent: Agent, ti: Json, pool: Res, idsInCall: Set<string>, inGroup: boolean): Res | string {
    const id: string = ti.task_id?.value ?? '';
    const prefix = `Task ${id} is invalid: `;
    if (!id) return `${prefix}task id is empty`;
    if (/[/\\\0]/.test(id) || id === '.' || id === '..') return `${prefix}'TaskID.value' '${id}' contains invalid characters`;
    if (fw.tasks.has(id) || idsInCall.has(id)) return `${prefix}Task has duplicate ID: ${id}`;
    if (ti.agent_id?.value !== agent.id) return `${prefix}Task uses invalid agent: ${ti.agent_id?.value}`;
    if (inGroup) {
      if (ti.executor) return `${prefix}'TaskInfo.executor' must not be set`;
      if (!ti.command) return `${prefix}Task should have a CommandInfo`;
    } else if (!!ti.command === !!ti.executor) {
      return `${prefix}Task should have at least one (but not both) of CommandInfo or ExecutorInfo present`;
    }
    const res = resFromProto(ti.resources);
    if ('error' in res) return `${prefix}${res.error}`;
    if (ti.executor) {
      const er = resFromProto(ti.executor.resources);
      if ('error' in er) return `${prefix}${er.error}`;
      const both = addRes(res, er);
      if (!containsRes(pool, both)) return `${prefix}Task uses more resources ${JSON.stringify(resToStateJson(both))} than available ${JSON.stringify(resToStateJson(pool))}`;
      idsInCall.add(id);
      return both;
    }
    if (!containsRes(pool, res)) {
      return `${prefix}Task uses more resources ${JSON.stringify(resToStateJson(res))} than available ${JSON.stringify(resToStateJson(pool))}`;
    }
    idsInCall.add(id);
    return res;
  }
}
