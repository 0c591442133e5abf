/**
 * The master's in-memory state, shared by every module of the master (see README.md): options,
 * frameworks, agents, outstanding offers, counters, the timer queue, plus the few helpers that
 * read only this state (cluster total, master info, updates sent by the master itself).
 */
import { randomUUID } from 'node:crypto';
import { mesosTypes, type Json } from '../proto';
import { type Res, emptyRes, addRes } from './resources';
import { TimerQueue } from './timers';
import type { Agent } from './agent';
import { MESOS_VERSION, type Framework, type Offer } from './model';
import { resolveOptions, type MesosLocalOptions, type ResolvedOptions } from './options';

function ipToUint32(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return 0;
  // MasterInfo.ip is in network byte order, read as a little-endian uint32 (as Mesos does on x86).
  return ((parts[3] << 24) >>> 0) + (parts[2] << 16) + (parts[1] << 8) + parts[0];
}

export class MasterState {
  readonly options: ResolvedOptions;
  /** True while the HTTP server is listening (between start and stop). */
  running = false;
  port = 0;
  masterId: string;
  readonly types = mesosTypes();
  readonly timers = new TimerQueue();
  readonly frameworks = new Map<string, Framework>();
  readonly completedFrameworks: Framework[] = [];
  readonly removedIds = new Set<string>();
  readonly agents = new Map<string, Agent>();
  readonly offers = new Map<string, Offer>();
  frameworkSeq = 0;
  offerSeq = 0;
  agentSeq = 0;
  allocationPending = false;
  offersStopped = false;
  recovering = false;
  startTime = Date.now() / 1000;
  electedTime = Date.now() / 1000;
  workDir = '';
  readonly log: (line: string) => void;
  /** Counters shown in /master/state and /metrics/snapshot. */
  readonly counters = {
    offers_sent: 0,
    offers_declined: 0,
    offers_accepted: 0,
    offers_rescinded: 0,
    tasks_launched: 0,
    tasks_finished: 0,
    tasks_failed: 0,
    tasks_killed: 0,
    tasks_lost: 0,
    tasks_error: 0,
    tasks_dropped: 0,
    status_updates_sent: 0,
    status_update_retries: 0,
    status_update_acks: 0,
    invalid_status_update_acks: 0,
    allocation_runs: 0,
    valid_calls: 0,
    invalid_calls: 0,
    frameworks_subscribed: 0,
  };

  constructor(options: MesosLocalOptions) {
    this.options = resolveOptions(options);
    this.masterId = options.masterId ?? randomUUID();
    this.log = options.log ?? (() => {});
  }

  clusterTotal(): Res {
    let total = emptyRes();
    for (const a of this.agents.values()) if (a.state === 'registered') total = addRes(total, a.total);
    return total;
  }

  /** "host:port" of the leader when this master is not the leader (options.leaderUrl), else null. */
  leaderHostPort(): string | null {
    const l = this.options.leaderUrl;
    if (!l) return null;
    return l.replace(/^[a-z]+:\/\//i, '').replace(/^\/\//, '').replace(/\/.*$/, '');
  }

  masterInfo(): Json {
    return {
      id: this.masterId,
      ip: ipToUint32(this.options.host),
      port: this.port,
      pid: `master@${this.options.host}:${this.port}`,
      hostname: this.options.host,
      version: MESOS_VERSION,
      address: { hostname: this.options.host, ip: this.options.host, port: this.port },
    };
  }

  frameworkEvent(fw: Framework, event: Json): void {
    fw.stream?.send(event);
  }

  countState(state: string): void {
    const key = `tasks_${state.replace('TASK_', '').toLowerCase()}` as keyof typeof this.counters;
    if (key in this.counters) this.counters[key]++;
  }

  /** An update made by the master: no uuid, never acknowledged, sent once. */
  masterUpdate(fw: Framework, s: Json): void {
    const status: Json = { source: 'SOURCE_MASTER', timestamp: Date.now() / 1000, ...s };
    if (!status.agent_id) delete status.agent_id;
    this.counters.status_updates_sent++;
    this.frameworkEvent(fw, { type: 'UPDATE', update: { status } });
  }
}
