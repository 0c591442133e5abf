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
  /**
   * How long an answer waits for a layout not yet kept: after that it goes without positions (the
   * browser lays the graph out) while the layout goes on and is kept for the next request.
   * Default 2 000 ms: a page is never held by ELK (1,000 nodes took 8 s on a loaded machine).
   */
  waitMs?: number;
  /**
   * The thread ends after this long without a layout to run, and its memory with it (~80-130 MiB
   * after laying out 1,000 nodes); the next layout starts a new one. Default 60 000 ms.
   */
  idleMs?: number;
}

/**
 * ELK in a worker thread with a cache by structure. `layout()` resolves to null when ELK cannot be
 * loaded, a layout fails or times out, or is not ready within `waitMs`: the browser then lays the
 * graph out itself. One layout runs at a time and at most one waits: a newer structure replaces the
 * waiting one (while jobs are being created, only the latest graph is worth laying out).
 */
export class GraphLayouter {
  private worker: Worker | null = null;
  private broken = false;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (l: GraphLayout | null) => void; timer: ReturnType<typeof setTimeout>; worker: Worker }>();
  /** The layout waiting for the running one to end (at most one). */
  private waiting: { graph: ElkInput; resolve: (l: GraphLayout | null) => void } | null = null;
  /** Insertion order = recency (re-inserted on a hit). */
  private readonly cache = new Map<string, Promise<GraphLayout | null>>();
  private readonly cacheSize: number;
  private readonly timeoutMs: number;
  private readonly waitMs: number;
  private readonly idleMs: number;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: GraphLayouterOptions = {}) {
    this.cacheSize = opts.cacheSize ?? 32;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.waitMs = opts.waitMs ?? 2_000;
    this.idleMs = opts.idleMs ?? 60_000;
  }

  /** True while a worker thread is started (tests). */
  get threadRunning(): boolean {
    return this.worker !== null;
  }

  /** Ends the thread once nothing runs or waits for `idleMs`. */
  private stopWhenIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.worker || this.pending.size > 0 || this.waiting) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size === 0 && !this.waiting) this.stop();
    }, this.idleMs);
    this.idleTimer.unref?.();
  }

  /** opts.waitMs: this answer's wait instead of the layouter's. */
  layout(data: Pick<GraphData, 'nodes' | 'edges'>, opts: { waitMs?: number } = {}): Promise<GraphLayout | null> {
    if (data.nodes.length === 0) return Promise.resolve({ positions: {}, width: 0, height: 0, ms: 0 });
    const key = structureKey(data);
    let p = this.cache.get(key);
    if (p) {
      this.cache.delete(key);
      this.cache.set(key, p);
    } else {
      const made = this.enqueue(elkInput(data));
      p = made;
      this.cache.set(key, made);
      void made.then((l) => {
        if (l === null && this.cache.get(key) === made) this.cache.delete(key); // failures are not kept
      });
      while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    }
    return this.within(p, opts.waitMs ?? this.waitMs);
  }

  /** The layout, or null when it is not ready within waitMs (it goes on and is kept). */
  private within(p: Promise<GraphLayout | null>, waitMs: number): Promise<GraphLayout | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), waitMs);
      timer.unref?.();
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  /** Runs the layout now, or after the running one; a layout still waiting is dropped (null). */
  private enqueue(graph: ElkInput): Promise<GraphLayout | null> {
    if (this.pending.size === 0) return this.run(graph);
    return new Promise((resolve) => {
      this.waiting?.resolve(null);
      this.waiting = { graph, resolve };
    });
  }

  private runWaiting(): void {
    const next = this.waiting;
    if (!next || this.pending.size > 0) {
      this.stopWhenIdle();
      return;
    }
    this.waiting = null;
    void this.run(next.graph).then(next.resolve);
  }

  private run(graph: ElkInput): Promise<GraphLayout | null> {
    const w = this.thread();
    if (!w) return Promise.resolve(null);
    const id = ++this.seq;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
        // a layout that runs away would hold every later one: start a fresh thread
        this.stop();
        this.runWaiting();
      }, this.timeoutMs);
      timer.unref?.();
      this.pending.set(id, { resolve, timer, worker: w });
      w.postMessage({ id, graph });
    });
  }

  private thread(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      // Resolved at run time from the app's directory: the worker loads it with plain require.
      const elkPath = createRequire(path.join(process.cwd(), 'package.json')).resolve('elkjs/lib/elk.bundled.js');
      // A young generation of 8 MiB, not the default's 48: the thread is ~25 MiB smaller after
      // a layout of 1,000 nodes, no slower (measured in the commit that set it).
      const w = new Worker(WORKER_CODE, { eval: true, workerData: { elkPath }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      w.unref();
      w.on('message', (m: { id: number; layout?: GraphLayout; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m.layout ?? null);
        this.runWaiting();
      });
      const fail = () => {
        if (this.worker === w) this.worker = null;
        for (const [id, p] of this.pending) {
          if (p.worker !== w) continue; // a layout on the thread that replaced this one
          clearTimeout(p.timer);
          p.resolve(null);
          this.pending.delete(id);
        }
        if (!this.broken) this.runWaiting();
        else {
          this.waiting?.resolve(null);
          this.waiting = null;
        }
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
