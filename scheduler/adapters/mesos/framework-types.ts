/**
 * The framework's types seen from outside: the transport it drives (`SchedulerConnection`), its
 * counters, its `state()` snapshot and the events it emits. The worker ↔ framework contract
 * (FrameworkPorts, OfferDecision, TaskUpdate, …) is in scheduler/ports.ts.
 */
import type { Json } from '../../../proto';
import type { TaskUpdate } from '../../ports';
import type { ClientEventMap } from './client';

/** What the framework needs from a transport. MesosClient implements it. */
export interface SchedulerConnection {
  on<K extends keyof ClientEventMap>(event: K, fn: (payload: ClientEventMap[K]) => void): () => void;
  subscribe(call: Json): Promise<{ streamId: string; master: string }>;
  call(call: Json): Promise<void>;
  disconnect(reason?: string): void;
  frameworkId: string | null;
}

export interface FrameworkCounters {
  offersReceived: number;
  offersDeclined: number;
  offersUsed: number;
  tasksLaunched: number;
  revives: number;
  suppresses: number;
  resubscribes: number;
  watchdogFirings: number;
  updates: number;
  acks: number;
  reconciles: number;
}

export interface FrameworkState {
  running: boolean;
  connected: boolean;
  frameworkId: string | null;
  streamId: string | null;
  master: string | null;
  lastEventAt: number | null;
  lastOfferAt: number | null;
  suppressed: boolean;
  /** Tasks asked about in the current explicit reconciliation that have not answered yet. */
  reconciling: number;
  counters: FrameworkCounters;
}

export interface FrameworkEventMap {
  subscribed: { frameworkId: string; streamId: string | null; master: string | null; resubscribed: boolean };
  disconnected: { reason: string };
  offers: { received: number; used: number; declined: number; tasks: number };
  update: TaskUpdate & { acknowledged: boolean };
  revive: { reason: 'work' | 'subscribe' | 'watchdog' };
  suppress: { reason: 'idle' | 'subscribe' };
  reconcile: { tasks: number; implicit: boolean };
  watchdog: { kind: 'heartbeat' | 'offers'; action: 'reconnect' | 'revive' | 'resubscribe'; silentMs: number };
  error: { message: string; fatal: boolean; cause?: unknown };
  resubscribe: { reason: string };
  failure: { agentId: string | null; executorId: string | null; status: number | null };
  rescind: { offerId: string };
  stopped: { reason: string };
}

export const FRAMEWORK_REMOVED = /framework has been removed|completed framework/i;
