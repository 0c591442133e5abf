/**
 * The master's records: a framework's subscription stream, its offers, refuse filters and tasks.
 * Plain data; the modules named in README.md change them.
 */
import type http from 'node:http';
import type protobuf from 'protobufjs';
import { serialize, recordio, type Encoding, type Json } from '../proto';
import type { Res } from './resources';
import type { TimerHandle } from './timers';
import type { TaskLaunch } from './agent';
import { coalesceWrites } from './http-io';

export const MESOS_VERSION = '1.11.0';
export const DEFAULT_KILL_GRACE_MS = 3000;
export const MAX_REFUSE_SECONDS = 365 * 24 * 3600;
export const MAX_COMPLETED = 1000;

/** A subscription's RecordIO event stream (the SUBSCRIBE response). */
export class Stream {
  closed = false;
  silenced = false;
  constructor(
    readonly id: string,
    readonly encoding: Encoding,
    readonly res: http.ServerResponse,
    readonly eventType: protobuf.Type,
  ) {}

  send(event: Json): void {
    if (this.closed || this.silenced) return;
    coalesceWrites(this.res.socket);
    this.res.write(recordio(serialize(this.eventType, event, this.encoding)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }

  destroy(): void {
    this.closed = true;
    this.res.destroy();
  }
}

export interface Filter {
  agentId: string;
  role: string;
  res: Res;
  expiresAt: number;
}

export interface Offer {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  res: Res;
  timer?: TimerHandle;
}

export interface Task {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  executorId: string;
  info: Json;
  res: Res;
  role: string;
  state: string;
  statuses: { state: string; timestamp: number }[];
  latest?: Json;
  sandbox: string;
  launch: TaskLaunch;
  /** Status updates not yet acknowledged; the head is the outstanding one. */
  pending: Json[];
  retry: TimerHandle | null;
  backoffMs: number;
  unreachableTime?: number;
  resourcesFreed: boolean;
}

export interface Framework {
  id: string;
  info: Json;
  roles: string[];
  caps: Set<string>;
  stream: Stream | null;
  /** False after a master failover until the framework subscribes again. */
  recovered: boolean;
  suppressed: Set<string>;
  filters: Filter[];
  offers: Set<string>;
  tasks: Map<string, Task>;
  completed: Task[];
  used: Res;
  offered: Res;
  failoverTimer: NodeJS.Timeout | null;
  registeredTime: number;
  reregisteredTime?: number;
  unregisteredTime?: number;
}
