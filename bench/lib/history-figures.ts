/**
 * The figures of one bench run as plain numbers, one per row of bench/results/history.csv: a
 * stable id (the trend follows it across runs), which way is better, the value and its ratio to the
 * peer or limit measured in the same run (the number that survives a busy machine).
 */
import type { Results } from './report';
import { median } from './util';

export type Better = 'higher' | 'lower';

export interface Figure {
  /** Stable across runs, e.g. `burst-b.vs-graphile`. */
  id: string;
  /** The benchmark it comes from (`--only` name), so a partial run appends only what it measured. */
  bench: string;
  label: string;
  unit: string;
  better: Better;
  value: number;
  /** value / peer or limit of the same run; NaN where there is none. */
  ratio: number;
  /** What the ratio divides by, e.g. `graphile-worker 774/s`. */
  ratioTo: string;
}

const med = (xs: number[]) => median(xs.filter((x) => Number.isFinite(x)));
const r0 = (x: number) => Math.round(x).toLocaleString('en-US');

/** Every figure `r` holds, in report order; figures whose value is not a number are left out. */
export function figuresOf(r: Results): Figure[] {
  const out: Figure[] = [];
  const add = (f: Figure) => {
    if (Number.isFinite(f.value)) out.push(f);
  };
  const a = r.burstA;
  if (a) {
    const s = med(a.sisyphus.map((x) => x.perSecond));
    const lim = med(a.limit.map((x) => x.perSecond));
    const gw = med(a.graphile.map((x) => x.perSecond));
    const pb = med(a.pgboss.map((x) => x.perSecond));
    const base = { bench: 'burst-a', unit: 'runs/s', better: 'higher' as const, value: s };
    add({ ...base, id: 'burst-a.vs-limit', label: `Burst (a) ${r0(a.n)} /bin/true jobs vs spawn limit`, ratio: s / lim, ratioTo: `spawn limit ${r0(lim)}/s` });
    add({ ...base, id: 'burst-a.vs-graphile', label: 'Burst (a) vs graphile-worker', ratio: s / gw, ratioTo: `graphile-worker ${r0(gw)}/s` });
    add({ ...base, id: 'burst-a.vs-pgboss', label: 'Burst (a) vs pg-boss', ratio: s / pb, ratioTo: `pg-boss ${r0(pb)}/s` });
  }
  const b = r.burstB;
  if (b) {
    const s = med(b.sisyphus.map((x) => x.perSecond));
    const gw = med(b.graphile.map((x) => x.perSecond));
    const pb = med(b.pgboss.map((x) => x.perSecond));
    const base = { bench: 'burst-b', unit: 'runs/s', better: 'higher' as const, value: s };
    add({ ...base, id: 'burst-b.vs-graphile', label: `Burst (b) ${r0(b.n)} no-op jobs vs graphile-worker`, ratio: s / gw, ratioTo: `graphile-worker ${r0(gw)}/s` });
    add({ ...base, id: 'burst-b.vs-pgboss', label: 'Burst (b) vs pg-boss', ratio: s / pb, ratioTo: `pg-boss ${r0(pb)}/s` });
    const rows = med(b.sisyphus.map((x) => (x.db.inserted + x.db.updated + x.db.deleted) / b.n));
    if (r.pgbench && r.pgbench.length) {
      const limit = med(r.pgbench.map((p) => p.rowWritesPerSecond)) / rows;
      add({ ...base, id: 'burst-b.vs-postgres', label: 'Burst (b) vs the PostgreSQL-derived limit', ratio: s / limit, ratioTo: `PostgreSQL ${r0(limit)} runs/s` });
    }
    const cpu = med(b.sisyphus.map((x) => (x.cpu?.ms.app ?? NaN) / b.n));
    add({ id: 'burst-b.app-cpu', bench: 'burst-b', label: 'Burst (b) app CPU per run', unit: 'ms', better: 'lower', value: cpu, ratio: NaN, ratioTo: '' });
    add({ id: 'burst-b.row-writes', bench: 'burst-b', label: 'Burst (b) row writes per run', unit: 'rows', better: 'lower', value: rows, ratio: NaN, ratioTo: '' });
  }
  const h = r.herd;
  if (h) {
    const p99 = med(h.cycles.map((c) => c.p99));
    add({ id: 'herd.p99', bench: 'herd', label: `Herd ${r0(h.jobs)} jobs: due→launch p99`, unit: 'ms', better: 'lower', value: p99, ratio: p99 / 250, ratioTo: 'goal 250 ms' });
    add({ id: 'herd.missed-duplicates', bench: 'herd', label: 'Herd: missed + duplicate runs', unit: 'runs', better: 'lower', value: h.missed + h.duplicates, ratio: NaN, ratioTo: '' });
    if (h.recorded !== undefined) {
      add({ id: 'herd.not-launched', bench: 'herd', label: 'Herd: recorded launches Mesos did not launch + runs not FINISHED', unit: 'runs', better: 'lower', value: h.recorded - h.launchedByMesos + h.unsettled, ratio: NaN, ratioTo: '' });
    }
  }
  const rt = r.running;
  if (rt) {
    add({ id: 'running.updates-per-s', bench: 'running', label: `Status updates with ${r0(rt.tasks)} RUNNING`, unit: 'updates/s', better: 'higher', value: rt.updatesPerSecond, ratio: rt.updatesPerSecond / 10_000, ratioTo: 'goal 10,000/s' });
    if (rt.dueToAllRunningSeconds !== undefined) add({ id: 'running.due-to-all-running', bench: 'running', label: `Due instant → all ${r0(rt.tasks)} RUNNING`, unit: 's', better: 'lower', value: rt.dueToAllRunningSeconds, ratio: NaN, ratioTo: '' });
  }
  const pk = r.packing;
  if (pk && pk.length) {
    const share = med(pk.map((p) => p.share));
    add({ id: 'packing.cpu-used', bench: 'packing', label: 'Packing: offered CPU used', unit: 'share', better: 'higher', value: share, ratio: share / 0.95, ratioTo: 'goal 95%' });
  }
  const sc = r.scale;
  if (sc) {
    // a million jobs (--scale-jobs 1000000) is its own series, against its own goals
    const big = sc.jobs > 100_000;
    const id = (s: string) => (big ? `scale-${r0(sc.jobs).replace(/,/g, '')}.${s}` : `scale.${s}`);
    const rssGoal = big ? 2048 : 512;
    add({ id: id('rss-peak'), bench: 'scale', label: `Scale ${r0(sc.jobs)} jobs: peak resident memory`, unit: 'MiB', better: 'lower', value: sc.rssPeakMiB, ratio: sc.rssPeakMiB / rssGoal, ratioTo: `goal ${r0(rssGoal)} MiB` });
    if (sc.start) add({ id: id('start'), bench: 'scale', label: `Scale ${r0(sc.jobs)} jobs: cold start until subscribed`, unit: 'ms', better: 'lower', value: sc.start.ms, ratio: sc.start.ms / 30_000, ratioTo: 'limit 30,000 ms' });
    if (sc.restart) add({ id: id('restart'), bench: 'scale', label: `Scale ${r0(sc.jobs)} jobs: restart until subscribed`, unit: 'ms', better: 'lower', value: sc.restart.ms, ratio: sc.restart.ms / 30_000, ratioTo: 'limit 30,000 ms' });
    add({ id: id('list-p99'), bench: 'scale', label: 'Scale: GET /v1/scheduler/jobs p99', unit: 'ms', better: 'lower', value: sc.list.p99, ratio: sc.list.p99 / 1000, ratioTo: 'limit 1,000 ms' });
    add({ id: id('search-p99'), bench: 'scale', label: 'Scale: GET /jobs/search p99', unit: 'ms', better: 'lower', value: sc.search.p99, ratio: sc.search.p99 / 1000, ratioTo: 'limit 1,000 ms' });
    const ui = sc.ui.measured ? (sc.ui.firstRenderMs ?? NaN) : NaN;
    add({ id: id('jobs-page'), bench: 'scale', label: 'Scale: jobs page first row', unit: 'ms', better: 'lower', value: ui, ratio: ui / 2000, ratioTo: 'limit 2,000 ms' });
  }
  for (const f of r.ui?.figures ?? []) {
    const m = med(f.samples);
    add({ id: `ui.${f.id}`, bench: 'ui', label: `UI: ${f.what}`, unit: 'ms', better: 'lower', value: m, ratio: m / (r.ui?.limitMs ?? 2000), ratioTo: `limit ${r0(r.ui?.limitMs ?? 2000)} ms` });
  }
  for (const f of r.core?.figures ?? []) {
    add({ id: `core.${f.id}`, bench: 'core', label: f.label, unit: 'ms', better: 'lower', value: f.ms, ratio: f.ms / f.goalMs, ratioTo: `limit ${r0(f.goalMs)} ms` });
  }
  const w = r.realWork;
  if (w) {
    const s = med(w.sisyphusMs) / 1000;
    const sh = med(w.shellMs) / 1000;
    add({ id: 'real-work.vs-shell', bench: 'real-work', label: `Real work: nightly-transcode night, ${w.clips} clips`, unit: 's', better: 'lower', value: s, ratio: s / sh, ratioTo: `plain shell ${sh.toFixed(1)} s` });
  }
  return out;
}
