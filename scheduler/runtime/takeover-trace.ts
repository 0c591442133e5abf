/**
 * Where a takeover's time goes: the new leader marks each phase (epoch raised, jobs in hand, runs
 * loaded, graph and schedule index built, framework subscribed, first offers, first launch
 * recorded) as it passes it, in ms after the election, and logs them as one line once the first
 * launch is recorded (leadership.ts). The bench (bench/lib/takeover.ts) reads that line.
 */
export class TakeoverTrace {
  private readonly marks: Array<[string, number]> = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly now: () => number,
    private readonly start: number = now(),
  ) {}

  /** Records `phase` at the current instant; only its first time counts. */
  mark(phase: string): void {
    if (this.seen.has(phase)) return;
    this.seen.add(phase);
    this.marks.push([phase, Math.round(this.now() - this.start)]);
  }

  has(phase: string): boolean {
    return this.seen.has(phase);
  }

  /** "phase +ms, …" in the order passed. */
  summary(): string {
    return this.marks.map(([p, ms]) => `${p} +${ms}`).join(', ');
  }

  /** Every phase and its ms after the election (the log line's fields). */
  fields(): Record<string, number> {
    return Object.fromEntries(this.marks);
  }
}
