/**
 * The server's graph layout for GET /api/graph: ELK (graph-layout.ts has its options) in a worker
 * thread of its own — a layout of 1,000 nodes takes ~0.7 s of CPU even warm, which must not stall
 * the scheduler's event loop — kept loaded between requests (the browser paid ~1.5 MB of
 * JavaScript and a cold JIT on every visit), with each layout kept by the graph's structure (node
 * names and edges), so a state change (the graph page refetches on run events) costs nothing. The
 * browser draws the positions it is given and runs ELK itself only when an answer has none.
 */
import { processSlot } from '../registry';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { elkInput, structureKey, type ElkInput } from './graph-layout';
import type { GraphData, GraphLayout } from './ui-types';

/** The worker thread's code: ELK loaded once, one layout per message. */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(workerData.elkPath);
const elk = new ELK();
parentPort.on('message', async ({ id, graph }) => {
  const started = performance.now();
  try {
    const out = await elk.layout(graph);
    const positions = {};
    for (const c of out.children || []) positions[c.id] = [Math.round(c.x || 0), Math.round(c.y || 0)];
    parentPort.postMessage({ id, layout: { positions, width: Math.round(out.width || 0), height: Math.round(out.height || 0), ms: Math.round(performance.now() - started) } });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});`;

export interface GraphLayouterOptions {
  /** Layouts kept, by structure. Default 32. */
  cacheSize?: number;
  /** A layout taking longer is abandoned (the answer goes without positions). Default 30 000 ms. */
  timeoutMs?: number;
}

/**
 * ELK in a worker thread with a cache by structure. `layout()` resolves to null when ELK cannot be
 * loaded or a layout fails or times out: the browser then lays the graph out itself.
 */
export class GraphLayouter {
  private worker: Worker | null = null;
  private broken = false;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (l: GraphLayout | null) => void; timer: ReturnType<typeof setTimeout> }>();
  /** Insertion order = recency (re-inserted on a hit). */
  private readonly cache = new Map<string, Promise<GraphLayout | null>>();
  private readonly cacheSize: number;
  private readonly timeoutMs: number;

  constructor(opts: GraphLayouterOptions = {}) {
    this.cacheSize = opts.cacheSize ?? 32;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  layout(data: Pick<GraphData, 'nodes' | 'edges'>): Promise<GraphLayout | null> {
    if (data.nodes.length === 0) return Promise.resolve({ positions: {}, width: 0, height: 0, ms: 0 });
    const key = structureKey(data);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const p = this.run(elkInput(data));
    this.cache.set(key, p);
    void p.then((l) => {
      if (l === null && this.cache.get(key) === p) this.cache.delete(key); // failures are not kept
    });
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }

  private run(graph: ElkInput): Promise<GraphLayout | null> {
    const w = this.thread();
    if (!w) return Promise.resolve(null);
    const id = ++this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
        // a layout that runs away would hold every later one: start a fresh thread
        this.stop();
      }, this.timeoutMs);
      timer.unref?.();
      this.pending.set(id, { resolve, timer });
      w.postMessage({ id, graph });
    });
  }

  private thread(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      // Resolved at run time from the app's directory: the worker loads it with plain require.
      const elkPath = createRequire(path.join(process.cwd(), 'package.json')).resolve('elkjs/lib/elk.bundled.js');
      const w = new Worker(WORKER_CODE, { eval: true, workerData: { elkPath } });
      w.unref();
      w.on('message', (m: { id: number; layout?: GraphLayout; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m.layout ?? null);
      });
      const fail = () => {
        if (this.worker === w) this.worker = null;
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.resolve(null);
        }
        this.pending.clear();
      };
      w.on('error', () => {
        this.broken = true; // ELK cannot run here: the browser lays graphs out
        fail();
      });
      w.on('exit', fail);
      this.worker = w;
      return w;
    } catch {
      this.broken = true;
      return null;
    }
  }

  /** Ends the worker thread (a later layout starts a new one). */
  stop(): void {
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
  }
}

const layouterSlot = processSlot<GraphLayouter>('api.graphLayouter');

/** The process's layouter (one worker thread and one cache for every UiService of the process). */
export function sharedGraphLayouter(): GraphLayouter {
  let l = layouterSlot.get();
  if (!l) layouterSlot.set((l = new GraphLayouter()));
  return l;
}
