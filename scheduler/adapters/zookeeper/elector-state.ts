/**
 * What every elector answers from its last view of the election: the `LeaderElector` port's
 * getters and `on`, over the fields each elector keeps current in its own way (ZkElector from the
 * znodes, ThreadedElector from its thread's messages, SingleElector by itself), and how it raises
 * the port's events.
 */
import type { LeaderElector } from '../../ports';
import { Listeners, type ElectorEvent } from './listeners';

export type ElectorLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export abstract class ElectorState implements Pick<LeaderElector, 'isLeader' | 'leader' | 'members' | 'epoch' | 'on'> {
  protected leading = false;
  protected leaderId: string | null = null;
  protected memberIds: string[] = [];
  protected currentEpoch = 0;
  /** Diagnostics; a no-op when none was given. */
  protected readonly log: ElectorLog;
  private readonly listeners = new Listeners();

  /** With `log`, a listener that throws is reported there as an error and the others still run;
   * without it, the error propagates out of the step that raised the event. */
  protected constructor(private readonly reportTo?: ElectorLog) {
    this.log = reportTo ?? (() => {});
  }

  isLeader(): boolean {
    return this.leading;
  }

  leader(): string | null {
    return this.leaderId;
  }

  /** Ids of every candidate, in election order (the leader first). */
  members(): string[] {
    return [...this.memberIds];
  }

  epoch(): number {
    return this.currentEpoch;
  }

  on(event: ElectorEvent, fn: () => void): () => void {
    return this.listeners.on(event, fn);
  }

  protected emit(event: ElectorEvent): void {
    const report = this.reportTo;
    this.listeners.emit(event, report && ((e) => report('error', `elector listener for ${event} failed: ${(e as Error).message}`)));
  }
}
