/**
 * Typed scheduler events. The worker emits them; the UI's event stream, metrics and tests
 * subscribe (tests await an event instead of sleeping).
 */
import type { BackfillState } from '../core/backfill-step';
import type { Run, RunState } from '../core/types';

export interface SchedulerEventMap {
  /** A run changed state (created, launched, updated by Mesos). */
  run: { run: Run; previous: RunState | null };
  /** Queue depth after a change. */
  queue: { high: number; normal: number; delayed: number };
  /** An OFFERS round was handled. */
  offers: { received: number; used: number; declined: number; launched: number };
  /** Framework connection and watchdog state. */
  framework: { kind: string; detail?: string };
  /** Leadership changed. */
  leader: { leader: string | null; isLeader: boolean };
  /** A job was created, changed, disabled or deleted. */
  job: { name: string; change: 'created' | 'updated' | 'deleted' | 'disabled' | 'stats' };
  /** Notifications settled by the deliverer: how many, on which channel, with what result. */
  notify: { channel: string; result: 'sent' | 'retrying' | 'failed' | 'suppressed'; count: number; job?: string; error?: string };
  /** A backfill ended (done or cancelled; backfill-runner.ts). */
  backfill: { id: string; job: string; state: BackfillState };
  /** Something failed that an operator should see. */
  error: { where: string; message: string };
}

export type SchedulerEventName = keyof SchedulerEventMap;
export type Listener<K extends SchedulerEventName> = (payload: SchedulerEventMap[K]) => void;

export class EventBus {
  private listeners = new Map<SchedulerEventName, Set<(p: unknown) => void>>();

  on<K extends SchedulerEventName>(name: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as (p: unknown) => void);
    return () => set!.delete(fn as (p: unknown) => void);
  }

  /** Every event, for the server-sent event stream. */
  onAny(fn: <K extends SchedulerEventName>(name: K, payload: SchedulerEventMap[K]) => void): () => void {
    const offs = (['run', 'queue', 'offers', 'framework', 'leader', 'job', 'error'] as SchedulerEventName[]).map((n) =>
      this.on(n, (p) => fn(n, p as never)),
    );
    return () => offs.forEach((off) => off());
  }

  emit<K extends SchedulerEventName>(name: K, payload: SchedulerEventMap[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of set) {
      try {
        fn(payload);
      } catch {
        // a listener's failure never breaks the scheduler
      }
    }
  }

  /** Resolves with the first event of `name` that satisfies `pred` (for tests). */
  next<K extends SchedulerEventName>(
    name: K,
    pred: (p: SchedulerEventMap[K]) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<SchedulerEventMap[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a '${name}' event`));
      }, timeoutMs);
      const off = this.on(name, (p) => {
        if (!pred(p)) return;
        clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  }
}
