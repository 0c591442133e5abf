/** MesosFramework's options (what `new MesosFramework(options)` accepts) and their defaults. */
import type { Clock, FrameworkPorts } from '../../ports';
import type { SchedulerConnection } from './framework-types';

export interface MesosFrameworkOptions {
  connection: SchedulerConnection;
  ports: FrameworkPorts;
  clock: Clock;
  user?: string;
  name?: string;
  /** Roles the framework subscribes with (default ["*"]). */
  roles?: string[];
  /** Subscribe with `roles` and MULTI_ROLE (default true); false uses the single legacy `role`. */
  multiRole?: boolean;
  hostname?: string;
  webuiUrl?: string;
  principal?: string;
  failoverTimeoutSeconds?: number;
  /** Refuse filter of declines when no work waits (default 300 s). */
  declineIdleSeconds?: number;
  /** Refuse filter of declines (and of unused ACCEPT resources) while work waits (default 2 s). */
  declineBusySeconds?: number;
  /** A failed DECLINE is sent once more after this long (default 1000 ms); see `decline`. */
  declineRetryMs?: number;
  /** At most one REVIVE per this many ms while work waits unsuppressed; leaving suppression is immediate (default 5000). */
  reviveMinIntervalMs?: number;
  /** Explicit reconciliation backoff: first retry and cap (default 5 s, 60 s). */
  reconcileInitialMs?: number;
  reconcileMaxMs?: number;
  /** Implicit reconciliation period (default 15 min). */
  implicitReconcileMs?: number;
  /** Heartbeat intervals of silence before reconnecting (default 5). */
  heartbeatMisses?: number;
  /** Used until SUBSCRIBED says otherwise (default 15 s). */
  defaultHeartbeatSeconds?: number;
  /** Reconnect backoff: first delay and cap, with jitter (default 500 ms, 15 s). */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** Work waiting and no OFFERS for this long → REVIVE (default 60 s). */
  offerStarvationMs?: number;
  /** After that REVIVE, still no OFFERS for this long → re-subscribe (default offerStarvationMs). */
  offerResubscribeMs?: number;
  /** Token bucket of watchdog REVIVEs: capacity and refill period of one token (default 3, 60 s). */
  watchdogReviveTokens?: number;
  watchdogReviveRefillMs?: number;
  /** On ERROR "Framework has been removed": stop loudly (default) or register as a new framework. */
  onFrameworkRemoved?: 'stop' | 'register-new';
  /** Jitter source (default Math.random). */
  random?: () => number;
}

/** The options with every default filled in (connection, ports and clock are kept apart). */
export type ResolvedFrameworkOptions = Required<Omit<MesosFrameworkOptions, 'connection' | 'ports' | 'clock' | 'hostname' | 'webuiUrl' | 'principal'>> &
  Pick<MesosFrameworkOptions, 'hostname' | 'webuiUrl' | 'principal'>;

export function resolveFrameworkOptions(options: MesosFrameworkOptions): ResolvedFrameworkOptions {
  const starvation = options.offerStarvationMs ?? 60_000;
  return {
    user: options.user ?? 'root',
    name: options.name ?? 'sisyphus',
    roles: options.roles && options.roles.length > 0 ? options.roles : ['*'],
    multiRole: options.multiRole ?? true,
    hostname: options.hostname,
    webuiUrl: options.webuiUrl,
    principal: options.principal,
    failoverTimeoutSeconds: options.failoverTimeoutSeconds ?? 604_800,
    declineIdleSeconds: options.declineIdleSeconds ?? 300,
    declineBusySeconds: options.declineBusySeconds ?? 2,
    declineRetryMs: options.declineRetryMs ?? 1000,
    reviveMinIntervalMs: options.reviveMinIntervalMs ?? 5000,
    reconcileInitialMs: options.reconcileInitialMs ?? 5000,
    reconcileMaxMs: options.reconcileMaxMs ?? 60_000,
    implicitReconcileMs: options.implicitReconcileMs ?? 15 * 60_000,
    heartbeatMisses: options.heartbeatMisses ?? 5,
    defaultHeartbeatSeconds: options.defaultHeartbeatSeconds ?? 15,
    reconnectInitialMs: options.reconnectInitialMs ?? 500,
    reconnectMaxMs: options.reconnectMaxMs ?? 15_000,
    offerStarvationMs: starvation,
    offerResubscribeMs: options.offerResubscribeMs ?? starvation,
    watchdogReviveTokens: options.watchdogReviveTokens ?? 3,
    watchdogReviveRefillMs: options.watchdogReviveRefillMs ?? starvation,
    onFrameworkRemoved: options.onFrameworkRemoved ?? 'stop',
    random: options.random ?? Math.random,
  };
}
