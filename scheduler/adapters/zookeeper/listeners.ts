/** The listener registry of the `LeaderElector` port (`on` returns its own unsubscribe), shared by both electors. */
export type ElectorEvent = 'elected' | 'deposed' | 'leader-changed';

export class Listeners<E extends string = ElectorEvent> {
  private readonly map = new Map<E, Set<() => void>>();

  on(event: E, fn: () => void): () => void {
    let set = this.map.get(event);
    if (!set) this.map.set(event, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  /**
   * Calls every listener of `event` (those registered when it starts). A listener that throws is
   * reported to `onError` and the others still run; without `onError` the error propagates.
   */
  emit(event: E, onError?: (e: unknown) => void): void {
    for (const fn of [...(this.map.get(event) ?? [])]) {
      if (!onError) {
        fn();
        continue;
      }
      try {
        fn();
      } catch (e) {
        onError(e);
      }
    }
  }
}
