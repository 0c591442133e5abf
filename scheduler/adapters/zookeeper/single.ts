/**
 * The `LeaderElector` of a single instance (no `ZK` configured): always leader, epoch 1. If the
 * database already holds a larger epoch (it was shared with an HA deployment before),
 * `advanceEpoch` takes that one, so the single instance is never fenced out by stale state.
 */
import type { LeaderElector } from '../../ports';
import { ElectorState } from './elector-state';

export class SingleElector extends ElectorState implements LeaderElector {
  constructor(readonly id: string) {
    super();
    this.leaderId = id;
    this.memberIds = [id];
    this.currentEpoch = 1;
  }

  async advanceEpoch(min: number): Promise<number> {
    this.currentEpoch = Math.max(this.currentEpoch + 1, min);
    return this.currentEpoch;
  }

  /** Leader while started. */
  async start(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    this.emit('leader-changed');
    this.emit('elected');
  }

  async stop(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.emit('deposed');
  }
}
