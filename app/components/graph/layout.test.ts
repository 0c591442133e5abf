import { describe, expect, it } from 'vitest';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph, syntheticGraph } from './layout';

describe('graph layout (ELK layered)', () => {
  it('places parents left of their children', async () => {
    const elk = new ELK();
    const out = await layoutGraph(elk, {
      nodes: [
        { name: 'a', kind: 'scheduled', status: 'success', state: 'idle', disabled: false },
        { name: 'b', kind: 'dependent', status: 'fresh', state: 'idle', disabled: false },
        { name: 'c', kind: 'dependent', status: 'fresh', state: 'idle', disabled: false },
      ],
      edges: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
        { source: 'ghost', target: 'c' },
      ],
    });
    expect(out.positions.get('a')!.x).toBeLessThan(out.positions.get('b')!.x);
    expect(out.positions.get('b')!.x).toBeLessThan(out.positions.get('c')!.x);
  });

  it('lays out 1,000 nodes (its speed is the UI benchmark\'s graph figure)', async () => {
    const elk = new ELK();
    const data = syntheticGraph(1000);
    await layoutGraph(elk, syntheticGraph(50)); // warm the JIT
    const out = await layoutGraph(elk, data);
    expect(out.positions.size).toBe(1000);
  });
});
