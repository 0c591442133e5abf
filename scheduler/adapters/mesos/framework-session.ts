/**
 * What the framework's parts share (framework.ts, offer-answers.ts, revive-suppress.ts,
 * reconciliation.ts, watchdogs.ts): the transport, the worker's ports, the clock, the options, the
 * stream generation and connection flags, counters, named timers, and sending a call.
 */
import type { Json } from '../../../proto';
import type { Clock, FrameworkPorts } from '../../ports';
import type { FrameworkCounters, FrameworkEventMap, SchedulerConnection } from './framework-types';
import type { ResolvedFrameworkOptions } from './framework-options';

export type Emit = <K extends keyof FrameworkEventMap>(event: K, payload: FrameworkEventMap[K]) => void;

export type TimerName = 'reconnect' | 'heartbeat' | 'offers' | 'revive' | 'reconcile' | 'implicit';

/** Drops the stream and subscribes again: the state machine's, used by the other parts. */
export interface Reconnect {
  /** Drop the stream and subscribe again (with backoff). */
  resubscribe(reason: string): void;
  dropStream(reason: string): void;
  scheduleReconnect(): void;
}

export class FrameworkSession {
  running = false;
  connected = false; // SUBSCRIBED seen on the current stream
  /** The stream generation: bumped whenever the stream changes; work begun on an older one stops. */
  gen = 0;
  suppressed = false;
  lastEventAt: number | null = null;
  lastOfferAt: number | null = null;
  subscribedAt = 0;
  heartbeatMs: number;
  readonly timers: Record<TimerName, (() => void) | null> = {
    reconnect: null,
    heartbeat: null,
    offers: null,
    revive: null,
    reconcile: null,
    implicit: null,
  };
  readonly counters: FrameworkCounters = {
    offersReceived: 0,
    offersDeclined: 0,
    offersUsed: 0,
    tasksLaunched: 0,
    revives: 0,
    suppresses: 0,
    resubscribes: 0,
    watchdogFirings: 0,
    updates: 0,
    acks: 0,
    reconciles: 0,
  };

  constructor(
    readonly conn: SchedulerConnection,
    readonly ports: FrameworkPorts,
    readonly clock: Clock,
    readonly o: ResolvedFrameworkOptions,
    readonly emit: Emit,
  ) {
    this.heartbeatMs = o.defaultHeartbeatSeconds * 1000;
  }

  send(call: Json, onFailure?: () => void, onSuccess?: () => void): void {
    this.conn.call(call).then(onSuccess, (e: Error) => {
      onFailure?.();
      // Resubscribe/4xx errors are already reported by the connection; a call lost while
      // disconnected is repaired by reconciliation and by the next SUBSCRIBE.
      if (e.name === 'NotSubscribedError' || e.name === 'MesosHttpError') return;
      this.emit('error', { message: `${call.type} failed: ${e.message}`, fatal: false, cause: e });
    });
  }

  cancel(k: TimerName): void {
    const t = this.timers[k];
    if (t) t();
    this.timers[k] = null;
  }
}
