/** The server's graph layout: ELK in a worker thread, cached by structure. */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GraphLayouter } from './graph-layouter';
import { structureKey } from './graph-layout';
import type { GraphData } from './ui-types';

const node = (name: string): GraphData['nodes'][number] => ({ name, kind: 'dependent', status: 'fresh', state: 'idle', disabled: false });

describe('GraphLayouter', () => {
  const layouter = new GraphLayouter({ waitMs: 60_000 });
  afterAll(() => layouter.stop());

  it('places parents left of their children; edges to nodes outside the answer are ignored', async () => {
    const data = { nodes: ['a', 'b', 'c', 'lonely'].map(node), edges: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'ghost', target: 'c' }] };
    const l = (await layouter.layout(data))!;
    expect(Object.keys(l.positions).sort()).toEqual(['a', 'b', 'c', 'lonely']);
    expect(l.positions.a[0]).toBeLessThan(l.positions.b[0]);
    expect(l.positions.b[0]).toBeLessThan(l.positions.c[0]);
    expect(l.width).toBeGreaterThan(0);
  });

  it('keeps a layout by structure: the same nodes and edges in another order or state are not laid out again', async () => {
    const data = { nodes: ['x', 'y'].map(node), edges: [{ source: 'x', target: 'y' }] };
    const first = await layouter.layout(data);
    const again = await layouter.layout({ nodes: [{ ...node('y'), state: 'running' }, node('x')], edges: data.edges });
    expect(again).toBe(first);
    expect(structureKey(data)).not.toBe(structureKey({ ...data, edges: [] }));
    const other = await layouter.layout({ ...data, edges: [] });
    expect(other).not.toBe(first);
  });

  it('an empty graph needs no thread; a failed layout answers null (the browser lays it out)', async () => {
    expect(await layouter.layout({ nodes: [], edges: [] })).toEqual({ positions: {}, width: 0, height: 0, ms: 0 });
    const slow = new GraphLayouter({ timeoutMs: 1 });
    const big = { nodes: Array.from({ length: 400 }, (_, i) => node(`n${i}`)), edges: Array.from({ length: 399 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` })) };
    expect(await slow.layout(big)).toBeNull();
    slow.stop();
  });

  const chain = (n: number, prefix: string) => ({
    nodes: Array.from({ length: n }, (_, i) => node(`${prefix}${i}`)),
    edges: Array.from({ length: n - 1 }, (_, i) => ({ source: `${prefix}${i}`, target: `${prefix}${i + 1}` })),
  });

  it('an answer waits at most waitMs: it goes without positions, the layout goes on and the next answer has it', async () => {
    const l = new GraphLayouter({ waitMs: 0 });
    try {
      const graph = chain(300, 'w');
      expect(await l.layout(graph)).toBeNull(); // not ready at once
      const later = await l.layout(graph, { waitMs: 60_000 }); // the same layout, not a second one
      expect(Object.keys(later!.positions)).toHaveLength(300);
      expect(await l.layout(graph)).toBe(later); // kept: answered at once
    } finally {
      l.stop();
    }
  });

  it('the thread ends after idleMs without a layout, and a later layout starts a new one', async () => {
    const l = new GraphLayouter({ waitMs: 60_000, idleMs: 50 });
    try {
      expect(l.threadRunning).toBe(false);
      expect(await l.layout(chain(3, 'i'))).not.toBeNull();
      expect(l.threadRunning).toBe(true);
      await vi.waitUntil(() => !l.threadRunning, { timeout: 5_000 });
      const again = await l.layout(chain(4, 'i'));
      expect(Object.keys(again!.positions)).toHaveLength(4);
    } finally {
      l.stop();
    }
  });

  it('one layout runs and one waits: a newer structure replaces the waiting one', async () => {
    const l = new GraphLayouter({ waitMs: 60_000 });
    try {
      const running = l.layout(chain(300, 'a'));
      const replaced = l.layout(chain(300, 'b'));
      const latest = l.layout(chain(300, 'c'));
      expect(await replaced).toBeNull();
      expect(Object.keys((await running)!.positions)).toContain('a0');
      expect(Object.keys((await latest)!.positions)).toContain('c0');
    } finally {
      l.stop();
    }
  });
});
