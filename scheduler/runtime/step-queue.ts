/**
 * The worker's one writer at a time: every state change that reads and writes jobs and runs
 * (a tick, an offer round, a batch of status updates, the API's job writes) runs as a step, after
 * the step running now and those queued before it.
 *
 * `urgent` steps are the API's job writes, whose callers wait for them: they go ahead of queued
 * batches of launches and status updates, so a POST waits for about one step, not for every batch
 * queued before it; but they alternate with those batches while any wait, so a client writing
 * without pause cannot hold back launches and acknowledgements (it did: 0 of 10,000 burst runs
 * finished until the last POST). Any order of the steps is a valid serialization: each reads the
 * state the previous one left.
 */
type Step = () => Promise<void>;

export class StepQueue {
  private steps: Step[] = [];
  private urgent: Step[] = [];
  private lastUrgent = false;
  private pumping = false;

  /** Runs `fn` as the next step of its kind; settles with its result. */
  run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const step = () => Promise.resolve().then(fn).then(resolve, reject);
      if (urgent) this.urgent.push(step);
      else this.steps.push(step);
      void this.pump();
    });
  }

  private next(): Step | undefined {
    if (this.urgent.length && (!this.lastUrgent || !this.steps.length)) {
      this.lastUrgent = true;
      return this.urgent.shift();
    }
    this.lastUrgent = false;
    return this.steps.shift();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let step = this.next(); step; step = this.next()) await step();
    } finally {
      this.pumping = false;
    }
  }
}
