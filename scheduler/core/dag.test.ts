import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job, RunState } from './types';
import { DependencyGraph, type EdgeCount } from './dag';
import { rewireChildrenOnDelete } from './delete-rewire';
import { lastState } from './last-state';
import { jobFixture } from '../testing/job-fixture';

const build = (jobs: Array<[string, string[]?]>, counters: EdgeCount[] = []): DependencyGraph => {
  const { graph, rejected } = DependencyGraph.fromJobs(
    jobs.map(([name, parents]) => ({ name, parents })),
    counters,
  );
  expect(rejected).toEqual([]);
  return graph;
};

/** Edges A→B, A→C, B→D, B→E, C→E (chronos.md §4). */
const specGraph = (counters: EdgeCount[] = []) =>
  build([['A'], ['B', ['A']], ['C', ['A']], ['D', ['B']], ['E', ['B', 'C']]], counters);

describe('trigger rule: the §4 event table', () => {
  const events: Array<[string, string[]]> = [
    ['A', ['B', 'C']],
    ['B', ['D']],
    ['C', ['E']],
    ['A', ['B', 'C']],
    ['C', []],
    ['B', ['D', 'E']],
  ];

  it('enqueues exactly the listed children, event by event', () => {
    const g = specGraph();
    for (const [done, expected] of events) expect(g.trigger(done, 'success'), `done ${done}`).toEqual(expected);
  });

  it('gives the same answers after every prefix is exported and re-imported (restart, #811)', () => {
    for (let cut = 0; cut <= events.length; cut++) {
      let g = specGraph();
      const got: string[][] = [];
      events.forEach(([done], i) => {
        if (i === cut) g = specGraph(g.counters());
        got.push(g.trigger(done, 'success'));
      });
      expect(got, `restart before event ${cut}`).toEqual(events.map(([, e]) => e));
    }
  });
});

describe('trigger rule: the §4 scheduler example (disabled child)', () => {
  it('marking job1 then job2 successful enqueues job2 and job4, never job3', () => {
    const g = build([['job1'], ['job2', ['job1']], ['job3', ['job1']], ['job4', ['job2']]]);
    const disabled = new Set(['job3']);
    const isDisabled = (n: string) => disabled.has(n);
    const enqueued = [...g.trigger('job1', 'success', { isDisabled }), ...g.trigger('job2', 'success', { isDisabled })];
    expect(enqueued).toEqual(['job2', 'job4']);
  });

  it('a disabled multi-parent child still moves its counters', () => {
    const g = build([['p1'], ['p2'], ['c', ['p1', 'p2']]]);
    expect(g.trigger('p1', 'success', { isDisabled: () => true })).toEqual([]);
    expect(g.counters()).toEqual([{ child: 'c', parent: 'p1', count: 1 }]);
  });
});

describe('trigger rule: details', () => {
  const cases: Array<{ name: string; outcome: 'success' | 'failure'; softError: boolean; expected: string[] }> = [
    { name: 'success fires', outcome: 'success', softError: false, expected: ['c'] },
    { name: 'final failure does not fire', outcome: 'failure', softError: false, expected: [] },
    { name: 'final failure with softError fires', outcome: 'failure', softError: true, expected: ['c'] },
  ];
  it.each(cases)('$name', ({ outcome, softError, expected }) => {
    const g = build([['p'], ['c', ['p']]]);
    expect(g.trigger('p', outcome, { softError })).toEqual(expected);
  });

  it('a failure without softError leaves the counters alone', () => {
    const g = build([['p1'], ['p2'], ['c', ['p1', 'p2']]]);
    g.trigger('p1', 'failure');
    expect(g.counters()).toEqual([]);
  });

  it('an unknown parent fires nothing', () => {
    expect(specGraph().trigger('nope', 'success')).toEqual([]);
  });

  const states: Array<[RunState, boolean]> = [
    ['QUEUED', false],
    ['STAGING', true],
    ['STARTING', true],
    ['RUNNING', true],
    ['FINISHED', false],
    ['FAILED', false],
  ];
  it.each(states)('a child task in %s resets its counters: %s', (state, resets) => {
    const g = specGraph();
    g.trigger('B', 'success');
    g.onTaskState('E', state);
    expect(g.counters()).toEqual(resets ? [] : [{ child: 'E', parent: 'B', count: 1 }]);
  });

  it('after a reset the min rule starts over', () => {
    const g = specGraph();
    g.trigger('B', 'success');
    g.trigger('B', 'success');
    g.onTaskState('E', 'RUNNING');
    expect(g.trigger('C', 'success')).toEqual([]); // C→E=1, B→E=0
    expect(g.trigger('B', 'success')).toEqual(['D', 'E']);
  });
});

describe('counters of some children: read, save, restore', () => {
  it('countersOf reads only the named children, in counters() order', () => {
    const g = specGraph();
    g.trigger('B', 'success');
    g.trigger('C', 'success');
    g.trigger('C', 'success');
    expect(g.countersOf(['E'])).toEqual([
      { child: 'E', parent: 'B', count: 1 },
      { child: 'E', parent: 'C', count: 2 },
    ]);
    expect(g.countersOf(['D', 'unknown'])).toEqual([]);
    expect(g.countersOf(['E'])).toEqual(g.counters().filter((c) => c.child === 'E'));
  });

  it('restoreCounters puts back exactly what was saved: counters added since are gone, reset ones return', () => {
    const g = specGraph([{ child: 'E', parent: 'B', count: 3 }]);
    const saved = g.saveCounters(['E']);
    g.trigger('C', 'success'); // adds E←C
    g.resetCounters('E');
    g.trigger('C', 'success');
    expect(g.counters()).toEqual([{ child: 'E', parent: 'C', count: 1 }]);
    g.restoreCounters(saved);
    expect(g.counters()).toEqual([{ child: 'E', parent: 'B', count: 3 }]);
  });

  it('a child saved twice into one snapshot keeps its first state', () => {
    const g = specGraph();
    const saved = g.saveCounters(['E']);
    g.trigger('B', 'success');
    g.saveCounters(['E'], saved);
    g.trigger('B', 'success');
    g.restoreCounters(saved);
    expect(g.counters()).toEqual([]);
  });
});

describe('validation', () => {
  it('names a cycle A -> B -> C -> A', () => {
    const g = build([['A'], ['B', ['A']], ['C', ['B']]]);
    const r = g.setParents('A', ['C']);
    expect(r).toEqual({
      ok: false,
      error: { kind: 'cycle', cycle: ['A', 'B', 'C', 'A'], message: 'cycle: A -> B -> C -> A' },
    });
    expect(g.parentsOf('A')).toEqual([]); // unchanged
  });

  const cases: Array<{ name: string; run: (g: DependencyGraph) => unknown; message: string }> = [
    { name: 'self-parent on add', run: (g) => g.addJob('x', ['x']), message: 'self-parent: x' },
    { name: 'self-parent on update', run: (g) => g.setParents('A', ['A']), message: 'self-parent: A' },
    { name: 'one unknown parent', run: (g) => g.addJob('x', ['A', 'nope']), message: 'unknown parent: nope' },
    { name: 'unknown parents', run: (g) => g.setParents('B', ['gone', 'A', 'nope']), message: 'unknown parents: gone, nope' },
    { name: 'duplicate name', run: (g) => g.addJob('A'), message: 'duplicate job: A' },
    { name: 'setParents on an unknown job', run: (g) => g.setParents('zz', []), message: 'unknown job: zz' },
    { name: 'removeJob of an unknown job', run: (g) => g.removeJob('zz'), message: 'unknown job: zz' },
    { name: 'two-step cycle', run: (g) => g.setParents('A', ['E']), message: 'cycle: A -> B -> E -> A' },
  ];
  it.each(cases)('rejects $name', ({ run, message }) => {
    const g = specGraph();
    const before = g.toDot();
    const r = run(g) as { ok: boolean; error?: { message: string } };
    expect(r.ok).toBe(false);
    expect(r.error?.message).toBe(message);
    expect(g.toDot()).toBe(before);
  });

  it('fromJobs keeps bad stored jobs as vertices without edges and reports them', () => {
    const { graph, rejected } = DependencyGraph.fromJobs([
      { name: 'a', parents: ['c'] },
      { name: 'b', parents: ['a'] },
      { name: 'c', parents: ['b'] },
      { name: 'orphan', parents: ['missing'] },
      { name: 'a' },
    ]);
    expect(rejected.map((r) => [r.name, r.error.message])).toEqual([
      ['a', 'duplicate job: a'],
      ['c', 'cycle: c -> a -> b -> c'],
      ['orphan', 'unknown parent: missing'],
    ]);
    expect(graph.names()).toEqual(['a', 'b', 'c', 'orphan']);
    expect(graph.parentsOf('c')).toEqual([]);
  });
});

describe('updates', () => {
  it('changing parents rewires and resets the counters; the same set keeps them', () => {
    const g = specGraph();
    g.trigger('B', 'success');
    expect(g.setParents('E', ['C', 'B']).ok).toBe(true); // same set, other order
    expect(g.counters()).toEqual([{ child: 'E', parent: 'B', count: 1 }]);
    expect(g.setParents('E', ['B', 'C', 'D']).ok).toBe(true);
    expect(g.counters()).toEqual([]);
    expect(g.childrenOf('D')).toEqual(['E']);
  });

  it('a dependency job can become scheduled and back', () => {
    const g = specGraph();
    expect(g.setParents('D', []).ok).toBe(true);
    expect(g.childrenOf('B')).toEqual(['E']);
    expect(g.upsertJob('D', ['C']).ok).toBe(true);
    expect(g.childrenOf('C')).toEqual(['E', 'D']);
  });

  it('duplicate parents collapse', () => {
    const g = build([['a'], ['b', ['a', 'a']]]);
    expect(g.parentsOf('b')).toEqual(['a']);
    expect(g.trigger('a', 'success')).toEqual(['b']);
  });
});

describe('delete', () => {
  it('deleting a dependency job P gives each child (child.parents − P) ∪ P.parents', () => {
    const g = build([['A'], ['B'], ['X'], ['P', ['A', 'B']], ['C', ['X', 'P']], ['D', ['P', 'A']]]);
    g.trigger('X', 'success');
    expect(g.removeJob('P')).toEqual({ ok: true, value: ['C', 'D'] });
    expect(g.has('P')).toBe(false);
    expect(g.parentsOf('C')).toEqual(['X', 'A', 'B']);
    expect(g.parentsOf('D')).toEqual(['A', 'B']);
    expect(g.childrenOf('A')).toEqual(['C', 'D']);
    expect(g.counters()).toEqual([]); // rewired children start over
  });

  it('deleting a scheduled job S leaves its children without parents', () => {
    const g = build([['S'], ['T'], ['C', ['S']], ['D', ['S', 'T']], ['E', ['D']]]);
    expect(g.removeJob('S')).toEqual({ ok: true, value: ['C', 'D'] });
    expect(g.parentsOf('C')).toEqual([]);
    expect(g.parentsOf('D')).toEqual([]);
    expect(g.childrenOf('T')).toEqual([]);
    expect(g.parentsOf('E')).toEqual(['D']);
  });

  const job = (name: string, extra: Partial<Job>): Job =>
    jobFixture({
      name,
      description: `about ${name}`,
      successCount: 1,
      environmentVariables: [{ name: 'K', value: 'V' }],
      arguments: ['-v'],
      concurrent: true,
      container: { type: 'DOCKER', image: 'busybox', network: 'HOST', networkInfos: [], volumes: [], forcePullImage: false, parameters: [] },
      constraints: [['rack', 'EQUALS', 'r1']],
      schedule: undefined,
      scheduleTimeZone: undefined,
      ...extra,
    });

  it('job level: a dependency parent is replaced by its own parents', () => {
    const p = job('P', { parents: ['A', 'B'] });
    const c = job('C', { parents: ['X', 'P', 'B'] });
    expect(rewireChildrenOnDelete(p, [c])).toEqual([{ ...c, parents: ['X', 'B', 'A'] }]);
  });

  it('job level: children of a scheduled job become scheduled jobs and lose container, env, args, constraints, description, concurrent', () => {
    const s = job('S', { schedule: 'R/2014-01-01T00:00:00Z/P1D', scheduleTimeZone: 'Europe/Paris' });
    const c = job('C', { parents: ['S', 'T'], retries: 5, owner: 'o@example.com' });
    const [converted] = rewireChildrenOnDelete(s, [c]);
    const expected: Job = {
      ...c,
      environmentVariables: [],
      arguments: [],
      constraints: [],
      description: '',
      concurrent: false,
      schedule: 'R/2014-01-01T00:00:00Z/P1D',
      scheduleTimeZone: 'Europe/Paris',
    };
    delete expected.parents;
    delete expected.container;
    expect(converted).toEqual(expected);
    expect('parents' in converted).toBe(false);
    expect('container' in converted).toBe(false);
  });
});

describe('traversal', () => {
  const g = specGraph();
  const cases: Array<[string, string[], string[]]> = [
    ['A', [], ['B', 'C', 'D', 'E']],
    ['B', ['A'], ['D', 'E']],
    ['E', ['B', 'C', 'A'], []],
    ['D', ['B', 'A'], []],
    ['nope', [], []],
  ];
  it.each(cases)('%s: ancestors %j, descendants %j', (name, ancestors, descendants) => {
    expect(g.ancestors(name)).toEqual(ancestors);
    expect(g.descendants(name)).toEqual(descendants);
  });

  it('topological order keeps insertion order when it is valid', () => {
    expect(g.topologicalOrder()).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('topological order puts parents first whatever the insertion order', () => {
    const h = build([['z'], ['y'], ['x']]);
    h.setParents('z', ['x']);
    h.setParents('x', ['y']);
    expect(h.topologicalOrder()).toEqual(['y', 'x', 'z']);
  });
});

describe('output', () => {
  it('DOT as in §4', () => {
    expect(build([['A'], ['B', ['A']]]).toDot()).toBe(
      'digraph G {\n  1 [ label="A" ];\n  2 [ label="B" ];\n  1 -> 2;\n}\n',
    );
  });

  it('DOT of the spec graph', () => {
    expect(specGraph().toDot()).toBe(
      [
        'digraph G {',
        '  1 [ label="A" ];',
        '  2 [ label="B" ];',
        '  3 [ label="C" ];',
        '  4 [ label="D" ];',
        '  5 [ label="E" ];',
        '  1 -> 2;',
        '  1 -> 3;',
        '  2 -> 4;',
        '  2 -> 5;',
        '  3 -> 5;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('DOT of an empty graph', () => {
    expect(new DependencyGraph().toDot()).toBe('digraph G {\n}\n');
  });

  it('CSV as in §4', () => {
    const info = { A: { lastState: 'success', state: 'idle' }, B: { lastState: 'fresh', state: 'queued' } } as const;
    expect(build([['A'], ['B', ['A']]]).toCsv((n) => info[n as 'A' | 'B'])).toBe(
      'node,A,success,idle\nnode,B,fresh,queued\nlink,A,B\n',
    );
  });
});

describe('lastState', () => {
  const cases: Array<[string, string, string, string]> = [
    ['never ran', '', '', 'fresh'],
    ['only success', '2014-03-08T16:57:17.507Z', '', 'success'],
    ['only error', '', '2014-03-08T16:57:17.507Z', 'failure'],
    ['error after success', '2014-03-08T16:57:17.507Z', '2014-03-08T16:57:18.000Z', 'failure'],
    ['error equal to success', '2014-03-08T16:57:17.507Z', '2014-03-08T16:57:17.507Z', 'failure'],
    ['success after error', '2014-03-09T00:00:00.000Z', '2014-03-08T16:57:17.507Z', 'success'],
    ['compared as instants, not text', '2014-03-08T17:00:00Z', '2014-03-08T16:59:59.999+00:00', 'success'],
  ];
  it.each(cases)('%s → %s', (_, lastSuccess, lastError, expected) => {
    expect(lastState({ lastSuccess, lastError })).toBe(expected);
  });
});

describe('purity', () => {
  it.each(['dag.ts', 'taskid.ts'])('%s reads no clock and sets no timer', (file) => {
    const src = readFileSync(path.join(__dirname, file), 'utf8');
    expect(src).not.toMatch(/Date\.now|new Date\(|setTimeout|setInterval|performance\.now/);
  });
});

describe('DependencyGraph: vertices without edges share one empty list', () => {
  it('a child linked to one job is never seen under another, through links, unlinks and relinks', () => {
    const g = new DependencyGraph();
    for (const n of ['a', 'b', 'c']) expect(g.addJob(n).ok).toBe(true);
    expect(g.addJob('x', ['a']).ok).toBe(true);
    expect(g.childrenOf('a')).toEqual(['x']);
    expect(g.childrenOf('b')).toEqual([]);
    expect(g.childrenOf('c')).toEqual([]);
    expect(g.setParents('x', ['b']).ok).toBe(true);
    expect([g.childrenOf('a'), g.childrenOf('b'), g.parentsOf('x')]).toEqual([[], ['x'], ['b']]);
    expect(g.setParents('x', []).ok).toBe(true);
    expect([g.childrenOf('b'), g.parentsOf('x')]).toEqual([[], []]);
    expect(g.addJob('y', ['a', 'b']).ok).toBe(true);
    expect([g.childrenOf('a'), g.childrenOf('b'), g.childrenOf('c'), g.childrenOf('x')]).toEqual([['y'], ['y'], [], []]);
  });
});
