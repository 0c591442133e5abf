/**
 * The `LeaderElector` of a single instance (no `ZK` configured): always leader, epoch 1. If the
 * database already holds a larger epoch (it was shared with an HA deployment before),
 * `advanceEpoch` takes that one, so the single instance is never fenced out by stale state.
 */
import type { LeaderElector } from '../../ports';
import { Listeners, type ElectorEvent } from './listeners';

export class SingleElector implements LeaderElector {
  private running = false;
  private currentEpoch = 1;
  private readonly listeners = new Listeners();

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

  on(event: ElectorEvent, fn: () => void): () => void {
    return this.listeners.on(event, fn);
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

  private emit(event: ElectorEvent): void {
    this.listeners.emit(event);
  }
}
