/**
 * The scheduler running in this process (worker, framework, event bus), as the UI services see
 * it: looked up on every use (boot.ts registers a new one each leadership term; a follower or a
 * test has none), and the services' listeners moved onto the event bus of whichever one is current.
 */
import type { Scheduler } from '../runtime/assemble';

export type SchedulerBus = Scheduler['events'];

/** Subscribes to a bus; returns the unsubscribe functions. */
export type BusListener = (bus: SchedulerBus) => Array<() => void>;

export class LiveScheduler {
  private readonly listeners: BusListener[] = [];
  private attached: SchedulerBus | null = null;
  private offs: Array<() => void> = [];
  private disposed = false;

  constructor(private readonly lookup: () => Scheduler | null) {}

  /** `listen` is subscribed to the current scheduler's bus, and to each later one instead. */
  onBus(listen: BusListener): void {
    this.listeners.push(listen);
    if (this.attached) this.offs.push(...listen(this.attached));
  }

  /** The scheduler of this process (null: none runs here), its bus listened to. */
  current(): Scheduler | null {
    const s = this.lookup();
    const bus = s?.events ?? null;
    if (bus !== this.attached && !this.disposed) {
      this.detach();
      this.attached = bus;
      if (bus) for (const listen of this.listeners) this.offs.push(...listen(bus));
    }
    return s;
  }

  /** Unsubscribes every listener, for good. */
  dispose(): void {
    this.disposed = true;
    this.detach();
    this.attached = null;
  }

  private detach(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }
}
