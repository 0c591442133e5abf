/**
 * The worker's queue of runs due and waiting for an offer: a map by task id that also keeps the
 * runs in launch order (the matcher's rule 1: highPriority, due, taskId) and counts the
 * high-priority ones, so an offer costs what it can launch, not the length of the queue.
 *
 *   q.set(run.taskId, run); q.delete(taskId); q.get / has / size / values() / [...q]
 *   for (const run of q.inOrder()) { … break once the offers are full … }
 *   q.high   runs with highPriority
 *
 * The order is an array with lazy deletion: an entry deleted or replaced stays in it until the
 * next compaction (when more than half of it is stale) and is skipped, by the identity of its
 * entry (a run queued again, even the same object, gets a new one). Runs arrive mostly
 * in order (a burst, a due instant after the last); one that does not marks the array for a sort
 * at the next ordered read.
 */
import { compareTasks } from '../core/matcher';
import type { Run } from '../core/types';

interface Entry {
  readonly id: string;
  readonly run: Run;
}

export class RunQueue implements Iterable<[string, Run]> {
  private readonly byId = new Map<string, Entry>();
  private order: Entry[] = [];
  private sorted = true;
  private highCount = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Queued runs with highPriority. */
  get high(): number {
    return this.highCount;
  }

  has(taskId: string): boolean {
    return this.byId.has(taskId);
  }

  get(taskId: string): Run | undefined {
    return this.byId.get(taskId)?.run;
  }

  set(taskId: string, run: Run): this {
    const old = this.byId.get(taskId);
    if (old?.run.highPriority) this.highCount--;
    const entry: Entry = { id: taskId, run };
    this.byId.set(taskId, entry);
    if (run.highPriority) this.highCount++;
    const last = this.order[this.order.length - 1];
    if (last !== undefined && compareTasks(last.run, run) > 0) this.sorted = false;
    this.order.push(entry);
    return this;
  }

  delete(taskId: string): boolean {
    const old = this.byId.get(taskId);
    if (old === undefined) return false;
    this.byId.delete(taskId);
    if (old.run.highPriority) this.highCount--;
    if (this.byId.size === 0) {
      this.order = [];
      this.sorted = true;
    }
    return true;
  }

  *values(): IterableIterator<Run> {
    for (const e of this.byId.values()) yield e.run;
  }

  *[Symbol.iterator](): IterableIterator<[string, Run]> {
    for (const [id, e] of this.byId) yield [id, e.run];
  }

  /** The queued runs in launch order; stop iterating when done (the rest costs nothing). */
  *inOrder(): Generator<Run> {
    if (this.order.length > 2 * this.byId.size + 64) this.order = this.order.filter((e) => this.byId.get(e.id) === e);
    if (!this.sorted) {
      this.order.sort((a, b) => compareTasks(a.run, b.run));
      this.sorted = true;
    }
    const order = this.order;
    for (let i = 0; i < order.length; i++) {
      const e = order[i];
      if (this.byId.get(e.id) === e) yield e.run;
    }
  }
}
