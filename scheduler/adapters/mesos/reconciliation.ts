/**
 * Task reconciliation (shared/reference/mesos.md §3): after every SUBSCRIBED each active task is
 * reconciled explicitly, repeatedly with backoff (`reconcileInitialMs` doubling to
 * `reconcileMaxMs`) until each has answered; then implicitly every `implicitReconcileMs`. Tasks of
 * a failed ACCEPT join the explicit set (see offer-answers.ts).
 */
import type { FrameworkSession } from './framework-session';

export class Reconciler {
  private pending = new Map<string, string | null>(); // explicit reconciliation still unanswered
  private reconcileRound = 0;

  constructor(private readonly session: FrameworkSession) {}

  /** RECONCILE these tasks explicitly; an empty list asks for implicit reconciliation. */
  reconcile(tasks: Array<{ taskId: string; agentId: string | null }>): Promise<void> {
    this.session.counters.reconciles++;
    this.session.emit('reconcile', { tasks: tasks.length, implicit: tasks.length === 0 });
    return this.session.conn.call({
      type: 'RECONCILE',
      reconcile: {
        tasks: tasks.map((t) => (t.agentId ? { task_id: { value: t.taskId }, agent_id: { value: t.agentId } } : { task_id: { value: t.taskId } })),
      },
    });
  }

  /** After SUBSCRIBED: every active task explicitly, again with backoff until each has answered; then implicitly every `implicitReconcileMs`. */
  async startReconciliation(gen: number): Promise<void> {
    this.session.cancel('reconcile');
    this.session.cancel('implicit');
    let tasks: Array<{ taskId: string; agentId: string | null }>;
    try {
      tasks = await this.session.ports.activeTasks();
    } catch (e) {
      if (gen !== this.session.gen) return;
      this.session.emit('error', { message: `cannot list active tasks to reconcile: ${(e as Error).message}`, fatal: false, cause: e });
      this.session.timers.reconcile = this.session.clock.setTimer(this.session.o.reconcileInitialMs, () => {
        this.session.timers.reconcile = null;
        void this.startReconciliation(gen);
      });
      return;
    }
    if (gen !== this.session.gen) return;
    this.pending = new Map(tasks.map((t) => [t.taskId, t.agentId]));
    this.reconcileRound = 0;
    if (this.pending.size === 0) {
      this.reconciliationDone();
      return;
    }
    this.reconcilePending(gen);
  }

  /** Tasks asked about in the current explicit reconciliation that have not answered yet. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** Adds a task to the explicit reconciliation set (asked until it answers). */
  track(taskId: string, agentId: string): void {
    this.pending.set(taskId, agentId);
  }

  /** Asks about the unanswered tasks at once, then with the usual backoff. */
  askNow(gen: number): void {
    if (gen !== this.session.gen || !this.session.connected || this.pending.size === 0) return;
    this.reconcileRound = 0; // ask at once, then with the usual backoff
    this.reconcilePending(gen);
  }

  /** An update of this task was stored: it has answered. */
  answered(taskId: string): void {
    if (this.pending.delete(taskId) && this.pending.size === 0) this.reconciliationDone();
  }

  private reconcilePending(gen: number): void {
    if (gen !== this.session.gen || !this.session.connected || this.pending.size === 0) return;
    const tasks = [...this.pending].map(([taskId, agentId]) => ({ taskId, agentId }));
    this.reconcile(tasks).catch(() => {});
    const delay = Math.min(this.session.o.reconcileMaxMs, this.session.o.reconcileInitialMs * 2 ** this.reconcileRound++);
    this.session.cancel('reconcile');
    this.session.timers.reconcile = this.session.clock.setTimer(delay, () => {
      this.session.timers.reconcile = null;
      this.reconcilePending(gen);
    });
  }

  private reconciliationDone(): void {
    this.session.cancel('reconcile');
    this.session.cancel('implicit');
    const gen = this.session.gen;
    const tick = () => {
      this.session.timers.implicit = null;
      if (gen !== this.session.gen || !this.session.connected) return;
      this.reconcile([]).catch(() => {});
      this.session.timers.implicit = this.session.clock.setTimer(this.session.o.implicitReconcileMs, tick);
    };
    this.session.timers.implicit = this.session.clock.setTimer(this.session.o.implicitReconcileMs, tick);
  }
}
