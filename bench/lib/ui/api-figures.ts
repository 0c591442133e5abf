/** The API figures: median GET time and size of the answers the pages read (server + transfer, no browser). */
import { fmt, median, progress } from '../util';
import { lastNight } from './expected';
import type { Target } from './figure';
import type { UiApiFigure } from './result';
import { DAY, HOUR } from './seed-data';

export async function apiFigures(t: Target, reps: number): Promise<UiApiFigure[]> {
  const { base, seed } = t;
  const w = lastNight();
  const deepOffset = Math.floor((seed.jobs * 0.8) / 100) * 100;
  const failed = ((await (await fetch(`${base}/api/runs?state=FAILED&limit=1`)).json()) as { runs: Array<{ taskId: string }> }).runs[0];
  const paths = [
    '/api/dashboard',
    '/api/jobs?offset=0&limit=100',
    `/api/jobs?q=${seed.searchQuery}&offset=0&limit=100`,
    '/api/jobs?status=failure&offset=0&limit=100',
    '/api/jobs?sort=nextRun&dir=asc&offset=0&limit=100',
    `/api/jobs?offset=${deepOffset}&limit=100`,
    `/api/jobs/${seed.heavyJob}`,
    `/api/jobs/${seed.heavyJob}/next?n=10`,
    `/api/runs?job=${seed.heavyJob}&limit=50`,
    `/api/runs?from=${Date.now() - DAY}&limit=50`,
    `/api/runs?state=FAILED&from=${Date.now() - DAY}&limit=50`,
    `/api/runs?from=${w.from - 6 * HOUR}&to=${w.to}&limit=1000`,
    '/api/graph?layout=1',
    `/api/graph?focus=${seed.focusJob}&layout=1`,
    '/api/cluster',
    ...(failed ? [`/api/runs/${encodeURIComponent(failed.taskId)}`] : []),
    '/api/grid',
    `/api/grid?job=${seed.focusJob}&n=14`,
    '/metrics', // Chronos's Codahale JSON, which monitoring scrapes every 10-30 s: every job's counters and histogram
  ];
  const out: UiApiFigure[] = [];
  for (const p of paths) {
    const f: UiApiFigure = { path: p.replace(/\d{13}/g, '…'), ms: [], bytes: 0 };
    for (let i = 0; i < Math.max(3, reps); i++) {
      const s = performance.now();
      const r = await fetch(base + p);
      const buf = await r.arrayBuffer();
      f.ms.push(performance.now() - s);
      f.bytes = buf.byteLength;
      if (!r.ok) throw new Error(`GET ${p} answered ${r.status}`);
    }
    out.push(f);
    progress(`ui${t.label ? ` (${t.label})` : ''}: API ${f.path}: ${fmt(median(f.ms))} ms`);
  }
  return out;
}
