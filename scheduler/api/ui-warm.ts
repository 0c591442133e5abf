/**
 * The UI warmed up in the background as soon as this instance's scheduler has loaded (the moment
 * `sisyphus_scheduler_loaded` turns 1: a start or a takeover), and when the process's UI service is
 * built: first the jobs snapshot (over many event-loop turns, snapshot-in-turns.ts), instead of on
 * the first request — at a million jobs that request took 4-13 s, the event loop held for seconds;
 * then, GRAPH_AFTER_SNAPSHOT_MS later, the whole graph laid out (ELK's worker thread), so the
 * first visit of /graph finds it ready instead of waiting for the thread, ELK's load and the
 * layout. The delay lets the jobs pages that waited for the snapshot be answered first (their gzip
 * runs off the main thread, its output written after a turn or more); the graph's selection goes
 * in turns too (pipeline-graph.ts), so requests meanwhile are answered. Called by server/main.ts
 * after boot() and by getUiService().
 */
import { registry } from '../registry';
import type { Leadership } from '../runtime/leadership';
import { getUiService } from './ui-service';
import type { GraphData } from './ui-types';

/** How long after the jobs snapshot is built the graph's background pre-layout begins (ms). */
export const GRAPH_AFTER_SNAPSHOT_MS = 250;

/** What the warm-up asks of the UI service (ui-service.ts). */
export interface WarmedUi {
  warmJobs(): Promise<void>;
  graph(focus: null, opts: { layout: true }): Promise<GraphData>;
}

export interface WarmOptions {
  /** Runs `fn` after `ms` (default: an unref'd setTimeout). */
  after?: (ms: number, fn: () => void) => void;
}

const defaultAfter = (ms: number, fn: () => void) => void setTimeout(fn, ms).unref?.();

/** The warm-up under way per UI service: a second call while one runs joins it. */
const running = new WeakMap<WarmedUi, Promise<void>>();

/**
 * The jobs snapshot, then (GRAPH_AFTER_SNAPSHOT_MS later) the whole graph laid out; resolves once
 * both are done. A failed step ends it (rejected); the graph is not laid out without the snapshot.
 */
export function warmUi(ui: WarmedUi, opts: WarmOptions = {}): Promise<void> {
  const under = running.get(ui);
  if (under) return under;
  const after = opts.after ?? defaultAfter;
  const done = ui
    .warmJobs()
    .then(() => new Promise<void>((resolve) => after(GRAPH_AFTER_SNAPSHOT_MS, resolve)))
    .then(() => ui.graph(null, { layout: true }))
    .then(() => {});
  running.set(ui, done);
  const clear = () => {
    if (running.get(ui) === done) running.delete(ui);
  };
  done.then(clear, clear);
  return done;
}

export function warmUiOnLead(leadership: Leadership, onError: (e: unknown) => void = () => {}): void {
  const warm = async () => warmUi(await getUiService());
  // the 'leader' event comes after the term's scheduler has loaded and been registered
  leadership.events.on('leader', (e) => {
    if (e.isLeader) warm().catch(onError);
  });
  if (registry.scheduler.get()) warm().catch(onError);
}
