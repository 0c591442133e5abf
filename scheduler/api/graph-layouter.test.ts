/** The server's graph layout: ELK in a worker thread, cached by structure. */
import { afterAll, describe, expect, it } from 'vitest';
import { GraphLayouter } from './graph-layouter';
import { structureKey } from './graph-layout';
import type { GraphData } from './ui-types';

const node = (name: string): GraphData['nodes'][number] => ({ name, kind: 'dependent', status: 'fresh', state: 'idle', disabled: false });

describe('GraphLayouter', () => {
  const layouter = new GraphLayouter();
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
});
