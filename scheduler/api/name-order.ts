/**
 * Job names in code-point order (the order of a C-collated store), kept between calls, so the
 * leader can list the jobs its worker holds in the store's order without sorting 100,000 names on
 * every request.
 */
import type { Job } from '../core/types';
import { nextTurn, sortInTurns, TURN_ITEMS, type StillWanted } from './snapshot-in-turns';

/** Plain ASCII: such names sort the same by UTF-16 code unit, code point and UTF-8 byte. */
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The names of a job map in code-point order, kept between calls: a call on an unchanged set of
 * names re-checks it in one pass, a changed set is merged (removed names dropped, added names
 * sorted and merged in). Null when a name is not plain ASCII (the store's order is asked then).
 */
export class NameOrder {
  private names: string[] = [];
  private known = new Set<string>();

  /** The jobs of `view` in name order, or null. */
  sorted(view: ReadonlyMap<string, Job>): Job[] | null {
    const prev = this.names;
    if (prev.length === view.size) {
      const out = new Array<Job>(prev.length);
      let i = 0;
      for (; i < prev.length; i++) {
        const job = view.get(prev[i]);
        if (job === undefined) break;
        out[i] = job;
      }
      if (i === prev.length) return out;
    }
    const added: string[] = [];
    for (const name of view.keys()) {
      if (this.known.has(name)) continue;
      if (!ASCII.test(name)) return null;
      added.push(name);
    }
    added.sort();
    const kept = prev.filter((n) => view.has(n));
    const names = new Array<string>(kept.length + added.length);
    let a = 0;
    let k = 0;
    for (let i = 0; i < names.length; i++) {
      names[i] = k < kept.length && (a >= added.length || kept[k] < added[a]) ? kept[k++] : added[a++];
    }
    this.names = names;
    this.known = new Set(names);
    return names.map((n) => view.get(n)!);
  }

  /**
   * `sorted(view)` over many event-loop turns (snapshot-in-turns.ts), for the first call: its jobs
   * are the view's as it was when called when the view already is in name order (a load fills it
   * so), else the view's as it is at the end (names gone meanwhile left out; the snapshot follows
   * the changes made meanwhile through their job events). Null: not possible, or no longer wanted.
   */
  async sortedInTurns(view: ReadonlyMap<string, Job>, stillWanted: StillWanted): Promise<Job[] | null> {
    if (this.names.length > 0) return this.unchangedInTurns(view, stillWanted);
    const names = [...view.keys()];
    const held = [...view.values()];
    for (let i = 0; i < names.length; i++) {
      if (!ASCII.test(names[i])) return null;
      if ((i + 1) % TURN_ITEMS === 0) await nextTurn();
    }
    const order = await sortInTurns(names, stillWanted);
    if (!order || !stillWanted()) return null;
    let jobs = held;
    let kept = order;
    if (order !== names) {
      jobs = [];
      kept = [];
      for (let i = 0; i < order.length; i++) {
        const job = view.get(order[i]);
        if (job !== undefined) {
          jobs.push(job);
          kept.push(order[i]);
        }
        if ((i + 1) % TURN_ITEMS === 0) await nextTurn();
      }
    }
    const known = new Set<string>();
    for (let i = 0; i < kept.length; i++) {
      known.add(kept[i]);
      if ((i + 1) % TURN_ITEMS === 0) await nextTurn();
    }
    if (!stillWanted()) return null;
    this.names = kept;
    this.known = known;
    return jobs;
  }

  /**
   * A later call (a background reload): the names kept are checked against the view over many
   * turns (at a million jobs the one-go check held the event loop ~0.3 s of CPU, 2 s at load 13,
   * every 30 s); each job is the view's as it is when its name is passed (a job changed, created
   * or deleted behind a passed name is re-read through its job event, as JobsSnapshot does). A
   * change in the number of names seen, or a name gone, is merged in one go (sorted()).
   */
  private async unchangedInTurns(view: ReadonlyMap<string, Job>, stillWanted: StillWanted): Promise<Job[] | null> {
    const prev = this.names;
    if (prev.length !== view.size) return this.sorted(view);
    const out = new Array<Job>(prev.length);
    for (let i = 0; i < prev.length; i++) {
      const job = view.get(prev[i]);
      if (job === undefined) return this.sorted(view);
      out[i] = job;
      if ((i + 1) % TURN_ITEMS === 0) {
        await nextTurn();
        if (!stillWanted()) return null;
        if (this.names !== prev || prev.length !== view.size) return this.sorted(view);
      }
    }
    return out;
  }
}
