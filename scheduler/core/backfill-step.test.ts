import { describe, expect, it } from 'vitest';
import type { BackfillItem, BackfillItemState } from './backfill-plan';
import { backfillStep, type BackfillState, type BackfillStep } from './backfill-step';

// a → b → c over three nights: items 0-2 night 1, 3-5 night 2, 6-8 night 3
const JOBS = [
  { name: 'a', parents: [] },
  { name: 'b', parents: ['a'] },
  { name: 'c', parents: ['b'] },
];
const NIGHTS = [1, 2, 3].map((d) => Date.UTC(2026, 11, d, 2));
const code: Record<string, BackfillItemState> = { '.': 'pending', R: 'running', S: 'succeeded', F: 'failed', K: 'skipped', B: 'blocked', C: 'cancelled' };

/** "S R . | . . . | . . ." → the nine items */
function items(picture: string): BackfillItem[] {
  const cells = picture.replaceAll('|', ' ').trim().split(/\s+/);
  return cells.map((c, seq) => ({ seq, job: JOBS[seq % 3].name, due: NIGHTS[Math.floor(seq / 3)], attempt: 0, state: code[c], taskId: null, note: null }));
}

const step = (picture: string, state: BackfillState = 'running', concurrency = 2): BackfillStep => backfillStep({ state, concurrency, jobs: JOBS, items: items(picture) });

describe('backfillStep', () => {
  const cases: Array<{ name: string; picture: string; state?: BackfillState; concurrency?: number; start: number[]; settle?: Array<[number, BackfillItemState]>; kill?: number[]; finished?: boolean }> = [
    { name: 'fresh, concurrency 2: the roots of the two oldest nights', picture: '. . . | . . . | . . .', start: [0, 3] },
    { name: 'fresh, concurrency 1: the oldest night only', picture: '. . . | . . . | . . .', concurrency: 1, start: [0] },
    { name: 'a root succeeded: its child starts in the same slot', picture: 'S . . | R . . | . . .', start: [1] },
    { name: 'both slots taken: the third night waits', picture: 'S R . | R . . | . . .', start: [] },
    { name: 'a night done frees its slot for the next', picture: 'S S S | R . . | . . .', start: [6] },
    { name: 'already run (skipped) counts as done for the child', picture: 'K . . | . . . | . . .', concurrency: 1, start: [1] },
    { name: 'a failed parent blocks what is below it, and the slot goes on', picture: 'F . . | R . . | . . .', start: [6], settle: [[1, 'blocked'], [2, 'blocked']] },
    { name: 'paused: nothing starts, blocked still settle', picture: 'F . . | S . . | . . .', state: 'paused', start: [], settle: [[1, 'blocked'], [2, 'blocked']] },
    { name: 'cancelling: every pending item cancelled, running ones killed', picture: 'S R . | R . . | . . .', state: 'cancelling', start: [], settle: [[2, 'cancelled'], [4, 'cancelled'], [5, 'cancelled'], [6, 'cancelled'], [7, 'cancelled'], [8, 'cancelled']], kill: [1, 3], finished: false },
    { name: 'running: nothing killed', picture: 'S R . | R . . | . . .', start: [], kill: [] },
    { name: 'nothing pending or running: finished', picture: 'S S S | F B B | K S S', start: [], finished: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = step(c.picture, c.state, c.concurrency);
      expect(r.start).toEqual(c.start);
      expect(r.settle.map((s) => [s.seq, s.state])).toEqual(c.settle ?? []);
      expect(r.kill).toEqual(c.kill ?? []);
      expect(r.finished).toBe(c.finished ?? false);
    });
  }

  it('driven to the end, never more than `concurrency` nights run at once and every item runs after its parent', () => {
    for (const concurrency of [1, 2, 3]) {
      let list = items('. . . | . . . | . . .');
      const order: number[] = [];
      let maxRunningNights = 0;
      for (let round = 0; round < 50; round++) {
        const r = backfillStep({ state: 'running', concurrency, jobs: JOBS, items: list });
        if (r.finished) break;
        list = list.map((i) => (r.start.includes(i.seq) ? { ...i, state: 'running' } : i));
        const nights = new Set(list.filter((i) => i.state === 'running').map((i) => i.due));
        maxRunningNights = Math.max(maxRunningNights, nights.size);
        // the oldest running item finishes
        const done = list.find((i) => i.state === 'running')!;
        order.push(done.seq);
        list = list.map((i) => (i.seq === done.seq ? { ...i, state: 'succeeded' } : i));
      }
      expect(order.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(maxRunningNights).toBe(Math.min(concurrency, 3));
    }
  });
});
