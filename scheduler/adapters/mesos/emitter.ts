/**
 * A tiny typed event emitter (the graphile-worker `WorkerEventMap` pattern): listeners are typed by
 * event name, a throwing listener never breaks the emitter, and `next()` lets tests await an event
 * instead of sleeping.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventMap = Record<string, any>;

export class TypedEmitter<M extends EventMap> {
  private listeners = new Map<keyof M, Set<(payload: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(event: K, fn: (payload: M[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (payload: never) => void);
    return () => this.off(event, fn);
  }

  off<K extends keyof M>(event: K, fn: (payload: M[K]) => void): void {
    this.listeners.get(event)?.delete(fn as (payload: never) => void);
  }

  once<K extends keyof M>(event: K, fn: (payload: M[K]) => void): () => void {
    const off = this.on(event, (p) => {
      off();
      fn(p);
    });
    return off;
  }

  /** Resolves with the next payload of `event` that passes `filter`. */
  next<K extends keyof M>(event: K, filter: (payload: M[K]) => boolean = () => true): Promise<M[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (p) => {
        if (!filter(p)) return;
        off();
        resolve(p);
      });
    });
  }

  protected emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (p: M[K]) => void)(payload);
      } catch {
        // A listener's bug must not break the adapter.
      }
    }
  }
}
