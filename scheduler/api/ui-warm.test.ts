/**
 * The UI's warm-up (ui-warm.ts) over many jobs: the jobs snapshot, then the whole graph laid out.
 * A jobs page asked for during the snapshot's build is answered before the graph's pre-layout
 * begins (it waits only for the snapshot), and one asked for while the graph's selection runs is
 * answered before that ends (the selection goes in turns and does not hold the event loop).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import { FakeRuntime } from '../testing/fake-runtime';
import { jobFixture } from '../testing/job-fixture';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { nextTurn, TURN_ITEMS } from './snapshot-in-turns';
import { UiService } from './ui-service';
import { GRAPH_AFTER_SNAPSHOT_MS, warmUi } from './ui-warm';

const N = TURN_ITEMS * 4;
const name = (i: number) => `job-${String(i).padStart(6, '0')}`;

describe('warmUi', () => {
  let ui: UiService | null = null;
  afterEach(() => ui?.dispose());

  /** N jobs, every 10th a dependent of the one before; the layouter records when it is asked. */
  async function setup() {
    const clock = new TestClock(Date.parse('2026-03-01T12:00:00Z'));
    const store = new MemoryStore();
    const jobs: Job[] = Array.from({ length: N }, (_, i) =>
      i % 10 === 5 ? jobFixture({ name: name(i), schedule: undefined, parents: [name(i - 1)] }) : jobFixture({ name: name(i) }),
    );
    await store.jobs.apply({ put: jobs });
    const events: string[] = [];
    ui = new UiService({
      store,
      runtime: new FakeRuntime(clock),
      clock,
      scheduler: () => null,
      elector: () => null,
      master: () => null,
      layouter: {
        layout: async (d) => {
          events.push(`layout ${d.nodes.length}`);
          return { positions: {}, width: 0, height: 0, ms: 0 };
        },
      },
    });
    return { ui, events };
  }

  it('answers a jobs page asked for during the snapshot before the graph, and one during the graph before it ends', async () => {
    const { ui, events } = await setup();
    const page = () => ui.jobs({ offset: 0, limit: 50 });
    let delay = -1;
    let warmed = false;
    let duringGraph: Promise<void> | null = null;
    void warmUi(ui, {
      // the real delay, noting when it ends
      after: (ms, fn) => {
        delay = ms;
        setTimeout(() => {
          events.push('graph begins');
          fn();
          // a request that comes while the graph's selection runs: on the next turn
          duringGraph = nextTurn().then(async () => {
            const p = await page();
            events.push(`during graph: ${p.total}`);
          });
        }, ms);
      },
    }).then(() => (warmed = true));
    // a first visitor while the snapshot is being built
    const first = page().then((p) => events.push(`first page: ${p.total}, ${p.jobs.length} rows`));
    while (!warmed) await nextTurn();
    await first;
    await duringGraph;
    expect(delay).toBe(GRAPH_AFTER_SNAPSHOT_MS);
    expect(events).toEqual([`first page: ${N}, 50 rows`, 'graph begins', `during graph: ${N}`, 'layout 1000']);
  });

  it('a second warm-up while one runs joins it', async () => {
    const { ui, events } = await setup();
    const after = (_: number, fn: () => void) => fn();
    await Promise.all([warmUi(ui, { after }), warmUi(ui, { after })]);
    expect(events).toEqual(['layout 1000']);
  });
});
