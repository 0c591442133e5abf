/**
 * The `LeaderElector` of a single instance (no `ZK` configured): always leader, epoch 1. If the
 * database already holds a larger epoch (it was shared with an HA deployment before),
 * `advanceEpoch` takes that one, so the single instance is never fenced out by stale state.
 */
import type { LeaderElector } from '../../ports';

type EventName = 'elected' | 'deposed' | 'leader-changed';

export class SingleElector implements LeaderElector {
  private running = false;
  private currentEpoch = 1;
  private listeners = new Map<EventName, Set<() => void>>();

  constructor(readonly id: string) {}

  isLeader(): boolean {
    return this.running;
  }

  leader(): string | null {
    return this.id;
  }

  members(): string[] {
    return [this.id];
  }

  epoch(): number {
    return this.currentEpoch;
  }

  async advanceEpoch(min: number): Promise<number> {
    this.currentEpoch = Math.max(this.currentEpoch + 1, min);
    return this.currentEpoch;
  }

  on(event: EventName, fn: () => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.emit('leader-changed');
    this.emit('elected');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.emit('deposed');
  }

  private emit(event: EventName): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn();
  }
}
