import { describe, expect, it } from 'vitest';
import { everyRun, markdown, rows, type Results } from './report';

const sisyphus = (perSecond: number, rowWrites: number) => ({
  seconds: 2000 / perSecond,
  perSecond,
  submitSeconds: 3,
  failed: 0,
  polls: 10,
  db: { commits: 600, inserted: rowWrites * 1000, updated: rowWrites * 1000, deleted: 0 },
});

/** Two repetitions of burst (b): 700 vs graphile-worker 650 (1.08×), then 600 vs 640 (0.94×). */
const results = (): Results => ({
  meta: { date: '2026-12-07T14:00:00Z', quick: true, runs: 2, jobs: 2000, machine: 'test', commit: 'abc', notes: [], load: { 'burst-b': 3.4 } },
  pgbench: [{ tps: 1000, rowWritesPerSecond: 4000 }],
  burstB: {
    n: 2000,
    limit: [],
    sisyphus: [sisyphus(700, 8), sisyphus(600, 8)],
    pgboss: [{ seconds: 16, perSecond: 125 }, { seconds: 16, perSecond: 125 }],
    graphile: [{ seconds: 3, perSecond: 650 }, { seconds: 3, perSecond: 640 }],
  },
  errors: {},
});

describe('the burst (b) goals of issue 18', () => {
  it('vs graphile-worker: met only when every run is ≥ 1.0×, each run’s ratio and the load printed', () => {
    const row = rows(results()).find((r) => r.figure.startsWith('Burst (b) vs graphile-worker'))!;
    expect(row.met).toBe(false);
    expect(row.ratio).toBe('1.01× (runs: 1.08×, 0.94×)'); // medians: 650 / 645
    expect(row.figure).toContain('load 3.4');
    expect(row.goal).toBe('≥ 1.0× graphile-worker in every run');

    const r = results();
    r.burstB!.graphile[1].perSecond = 590;
    expect(rows(r).find((x) => x.figure.startsWith('Burst (b) vs graphile-worker'))!.met).toBe(true);
  });

  it('vs the PostgreSQL-derived limit: each run against its own row writes per run', () => {
    // 4,000 row writes/s ÷ 8 row writes per run = a limit of 500 runs/s; the second run writes 1 row per run: 4,000
    const r = results();
    r.burstB!.sisyphus[1] = sisyphus(600, 1);
    const row = rows(r).find((x) => x.figure.startsWith('Limit: (b)'))!;
    expect(row.ratio).toMatch(/\(runs: 140%, 15%\)$/);
    expect(row.met).toBe(false);
  });

  it('a goal not met is printed "not met" in the table', () => {
    expect(markdown(results())).toMatch(/\| Burst \(b\) vs graphile-worker [^\n]*\| \*\*not met\*\* \|/);
  });

  it('no repetition measured is not met', () => {
    expect(everyRun([], 1)).toBe(false);
    expect(everyRun([1, 1.2], 1)).toBe(true);
  });

  it('each repetition of Sisyphus with its app CPU per run and the rest of the machine’s', () => {
    const r = results();
    const cpu = (app: number, other: number) => ({ ms: { app, mesos: 500, postgres: 1500, bench: 400, other }, machineMs: 6000, wallMs: 4000 });
    r.burstB!.sisyphus[0].cpu = cpu(4000, 200);
    r.burstB!.sisyphus[1].cpu = cpu(2200, 3000);
    expect(markdown(r)).toContain('- Sisyphus: 700 (submitted in 3.0 s; CPU per run: app 2.00 ms, other 0.10 ms), 600 (submitted in 3.0 s; CPU per run: app 1.10 ms, other 1.50 ms)');
  });
});
