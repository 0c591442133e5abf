/**
 * The JSON documents the master serves: GET /master/state (in the shape of Mesos's, the fields a
 * UI or client reads) and GET /metrics/snapshot.
 */
import type { Json } from '../proto';
import { emptyRes, addRes, resToStateJson } from './resources';
import { MESOS_VERSION, type Framework, type Task } from './model';
import type { MasterState } from './master-state';

export class StateJson {
  constructor(private readonly master: MasterState) {}

  private taskState(task: Task, fw: Framework): Json {
    const agent = this.master.agents.get(task.agentId);
    return {
      id: task.id,
      name: task.name,
      framework_id: fw.id,
      executor_id: task.executorId === task.id && !task.launch.groupExecutor ? '' : task.executorId,
      slave_id: task.agentId,
      agent_id: task.agentId,
      hostname: agent?.hostname,
      state: task.state,
      role: task.role,
      user: (task.info.command as { user?: string } | undefined)?.user ?? fw.info.user,
      resources: resToStateJson(task.res),
      // as Mesos: a status's state and time (and its container's status), not its reason or message
      statuses: task.statuses.map((s) => ({ state: s.state, timestamp: s.timestamp, container_status: {} })),
      ...(task.latest?.message ? { status_message: task.latest.message } : {}),
      ...(task.info.container ? { container: task.info.container } : {}),
      ...(task.info.labels ? { labels: task.info.labels.labels ?? [] } : {}),
      ...(task.sandbox ? { sandbox_directory: task.sandbox, executor_directory: task.sandbox, directory: task.sandbox } : {}),
      unacknowledged_updates: task.pending.length,
    };
  }

  private frameworkState(fw: Framework): Json {
    return {
      id: fw.id,
      name: fw.info.name,
      user: fw.info.user,
      principal: fw.info.principal,
      hostname: fw.info.hostname ?? '',
      webui_url: fw.info.webui_url ?? '',
      roles: fw.roles,
      offer_constraints: {},
      capabilities: [...fw.caps],
      failover_timeout: fw.info.failover_timeout ?? 0,
      checkpoint: fw.info.checkpoint ?? false,
      active: !!fw.stream,
      connected: !!fw.stream,
      recovered: !fw.recovered,
      registered_time: fw.registeredTime,
      ...(fw.reregisteredTime ? { reregistered_time: fw.reregisteredTime } : {}),
      unregistered_time: fw.unregisteredTime ?? 0,
      resources: resToStateJson(addRes(fw.used, fw.offered)),
      used_resources: resToStateJson(fw.used),
      offered_resources: resToStateJson(fw.offered),
      offers: [...fw.offers].map((id) => this.master.offers.get(id)!).map((o) => ({ id: o.id, framework_id: o.frameworkId, slave_id: o.agentId, resources: resToStateJson(o.res) })),
      tasks: [...fw.tasks.values()].map((t) => this.taskState(t, fw)),
      completed_tasks: fw.completed.map((t) => this.taskState(t, fw)),
      unreachable_tasks: [],
      executors: [],
    };
  }

  /** The GET /master/state document, in the shape of Mesos's (the fields a UI or client reads). */
  state(): Json {
    const host = this.master.options.host;
    const leader = this.master.leaderHostPort();
    const agents = [...this.master.agents.values()];
    const scaleCap = 2000;
    const frameworks = [...this.master.frameworks.values()];
    return {
      version: MESOS_VERSION,
      id: this.master.masterId,
      pid: `master@${host}:${this.master.port}`,
      hostname: host,
      start_time: this.master.startTime,
      elected_time: leader ? undefined : this.master.electedTime,
      leader: leader ? `master@${leader}` : `master@${host}:${this.master.port}`,
      leader_info: leader
        ? { hostname: leader.split(':')[0], port: Number(leader.split(':')[1] ?? 5050), address: { hostname: leader.split(':')[0], ip: leader.split(':')[0], port: Number(leader.split(':')[1] ?? 5050) } }
        : this.master.masterInfo(),
      activated_slaves: agents.filter((a) => a.state === 'registered').length,
      deactivated_slaves: 0,
      unreachable_slaves: agents.filter((a) => a.state === 'unreachable').length,
      ...this.master.counters,
      outstanding_offers: this.master.offers.size,
      sandbox_root: this.master.workDir,
      capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'],
      recovered_slaves: [],
      orphan_tasks: [],
      flags: {
        allocation_interval: `${this.master.options.allocationIntervalMs}ms`,
        heartbeat_interval: `${this.master.options.heartbeatIntervalSeconds}secs`,
        authenticate_http_frameworks: this.master.options.credentials ? 'true' : 'false',
        work_dir: this.master.workDir,
      },
      frameworks: frameworks.filter((f) => f.recovered).map((f) => this.frameworkState(f)),
      unregistered_frameworks: frameworks.filter((f) => !f.recovered).map((f) => f.id),
      completed_frameworks: this.master.completedFrameworks.map((f) => ({ ...this.frameworkState(f), active: false, connected: false })),
      slaves: agents.slice(0, scaleCap).map((a) => ({
        id: a.id,
        hostname: a.hostname,
        pid: `slave(1)@${host}:${this.master.port}`,
        port: this.master.port,
        active: a.state === 'registered',
        deactivated: false,
        registered_time: a.registeredTime,
        version: MESOS_VERSION,
        resources: resToStateJson(a.total),
        used_resources: resToStateJson(a.used),
        offered_resources: resToStateJson(a.offered),
        unreserved_resources: resToStateJson(a.total),
        reserved_resources: {},
        attributes: Object.fromEntries(a.attributes.map((x) => [x.name, x.type === 'SCALAR' ? x.scalar.value : x.text?.value])),
        capabilities: ['MULTI_ROLE', 'TASK_LABELS_FULL', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
      })),
      slaves_truncated: agents.length > scaleCap,
    };
  }

  /** GET /master/slaves: the agents, as in /master/state (Mesos also serves this one alone). */
  slaves(): Json {
    const st = this.state() as { slaves: Json[] };
    return { slaves: st.slaves, recovered_slaves: [] };
  }

  /** GET /master/frameworks: the frameworks, as in /master/state. */
  frameworks(): Json {
    const st = this.state() as { frameworks: Json[]; completed_frameworks: Json[]; unregistered_frameworks: Json[] };
    return { frameworks: st.frameworks, completed_frameworks: st.completed_frameworks, unregistered_frameworks: st.unregistered_frameworks };
  }

  /** GET /master/tasks: every framework's active tasks (Mesos pages them; here all of them). */
  tasks(): Json {
    const st = this.state() as { frameworks: Array<{ tasks: Json[] }> };
    return { tasks: st.frameworks.flatMap((f) => f.tasks) };
  }

  metrics(): Json {
    const agents = [...this.master.agents.values()];
    const total = this.master.clusterTotal();
    const used = agents.reduce((acc, a) => addRes(acc, a.used), emptyRes());
    const m: Json = {
      'master/elected': this.master.leaderHostPort() ? 0 : 1,
      'master/uptime_secs': Date.now() / 1000 - this.master.startTime,
      'master/slaves_active': agents.filter((a) => a.state === 'registered').length,
      'master/slaves_unreachable': agents.filter((a) => a.state === 'unreachable').length,
      'master/frameworks_active': [...this.master.frameworks.values()].filter((f) => f.stream).length,
      'master/frameworks_inactive': [...this.master.frameworks.values()].filter((f) => !f.stream).length,
      'master/outstanding_offers': this.master.offers.size,
      'master/cpus_total': total.scalars.cpus ?? 0,
      'master/cpus_used': used.scalars.cpus ?? 0,
      'master/mem_total': total.scalars.mem ?? 0,
      'master/mem_used': used.scalars.mem ?? 0,
      'master/tasks_running': [...this.master.frameworks.values()].reduce((n, f) => n + [...f.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').length, 0),
    };
    for (const [k, v] of Object.entries(this.master.counters)) m[`master/${k}`] = v;
    return m;
  }
}
