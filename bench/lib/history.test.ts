import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_COLUMNS, appendHistory, historyRows, parseCsv, parseHistory, readHistory, toCsvLine, type HistoryRow } from './history';
import { figuresOf } from './history-figures';
import type { Results } from './report';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-history-'));
  dirs.push(d);
  return path.join(d, 'history.csv');
}

const burst = (perSecond: number) => ({ seconds: 1, perSecond, submitSeconds: 1, failed: 0, polls: 1, db: { commits: 300, inserted: 2000, updated: 5000, deleted: 0 }, cpu: { ms: { app: 2600 }, machineMs: 5000, wallMs: 3000 } });
const peer = (perSecond: number) => ({ seconds: 1, perSecond });

/** A quick run that measured the limit and burst (b): Sisyphus 500/s, graphile-worker 800/s, pg-boss 125/s. */
function quickRun(): Results {
  return {
    meta: { date: '2026-12-07T11:00:00Z', quick: true, runs: 3, jobs: 1000, machine: '2 × EPYC, 24 GiB, Node v20', commit: 'abc1234', notes: [] },
    pgbench: [{ tps: 1000, rowWritesPerSecond: 7000 }, { tps: 1000, rowWritesPerSecond: 7000 }] as unknown as Results['pgbench'],
    burstB: { n: 1000, limit: [], sisyphus: [burst(400), burst(500), burst(600)], pgboss: [peer(125), peer(125), peer(125)], graphile: [peer(700), peer(800), peer(900)] } as unknown as Results['burstB'],
    errors: {},
  };
}

describe('figuresOf: the figures a run measured, as numbers with their same-run ratios', () => {
  it('burst (b) against graphile-worker, pg-boss and the PostgreSQL limit (medians of the repetitions)', () => {
    const f = Object.fromEntries(figuresOf(quickRun()).map((x) => [x.id, x]));
    expect(f['burst-b.vs-graphile']).toMatchObject({ value: 500, ratio: 500 / 800, better: 'higher', bench: 'burst-b' });
    expect(f['burst-b.vs-pgboss'].ratio).toBe(4);
    // 7 row writes per run: 7,000 row writes/s → 1,000 runs/s
    expect(f['burst-b.vs-postgres'].ratio).toBeCloseTo(0.5);
    expect(f['burst-b.app-cpu']).toMatchObject({ value: 2.6, better: 'lower' });
    expect(Object.keys(f).some((k) => k.startsWith('herd'))).toBe(false);
  });
});

describe('history.csv', () => {
  const meta = { date: '2026-12-07T11:00:00Z', commit: 'abc1234', quick: true, machine: '2 × EPYC, 24 GiB', load: { 'burst-b': 3.25 } };

  it('the first append writes the header, later ones only rows; reading gives back what was written', () => {
    const file = tmpFile();
    const rows = historyRows(meta, figuresOf(quickRun()));
    appendHistory(file, rows);
    appendHistory(file, historyRows({ ...meta, commit: 'def5678', quick: false }, figuresOf(quickRun())));
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(HISTORY_COLUMNS.join(','));
    expect(text.split('\n').filter((l) => l.startsWith('date,')).length).toBe(1);
    const back = readHistory(file);
    expect(back.length).toBe(rows.length * 2);
    expect(back[0]).toMatchObject({ commit: 'abc1234', mode: 'quick', load: 3.25, id: 'burst-b.vs-graphile', value: 500, ratio: 0.625, ratioTo: 'graphile-worker 800/s' });
    expect(back[rows.length]).toMatchObject({ commit: 'def5678', mode: 'full' });
  });

  it('a figure without a ratio or load is written empty and read back as no number', () => {
    const file = tmpFile();
    appendHistory(file, historyRows({ ...meta, load: {} }, figuresOf(quickRun())));
    const cpu = readHistory(file).find((r) => r.id === 'burst-b.app-cpu')!;
    expect(cpu.ratio).toBeNaN();
    expect(cpu.load).toBeNaN();
  });

  it('appending nothing leaves no file behind; a file without a final newline still gets whole lines', () => {
    const file = tmpFile();
    appendHistory(file, []);
    expect(fs.existsSync(file)).toBe(false);
    const rows = historyRows(meta, figuresOf(quickRun()));
    fs.writeFileSync(file, HISTORY_COLUMNS.join(',') + '\n' + toCsvLine(rows[0]));
    appendHistory(file, rows.slice(1));
    expect(readHistory(file).map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });

  it('an older file with fewer columns (in another order) still reads by its header', () => {
    const rows = parseHistory('figure,value,date\nburst-b.vs-graphile,612,2026-12-01T00:00:00Z\n');
    expect(rows).toEqual([expect.objectContaining({ id: 'burst-b.vs-graphile', value: 612, date: '2026-12-01T00:00:00Z', mode: 'full', better: 'higher' })]);
    expect(rows[0].ratio).toBeNaN();
  });

  it('any text in a field (commas, quotes, newlines, unicode) survives the round trip', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(text, text, text, fc.double({ noNaN: true, min: -1e9, max: 1e9 }), (label, machine, ratioTo, value) => {
        const row: HistoryRow = { date: 'd', commit: 'c', mode: 'full', machine, load: 1.5, id: 'f', label, unit: 'u', better: 'lower', value, ratio: 2, ratioTo };
        const [back] = parseHistory(HISTORY_COLUMNS.join(',') + '\n' + toCsvLine(row) + '\n');
        const expected = { ...row, value: Number(String(Number(value.toFixed(4)))) };
        expect(back).toEqual(expected);
      }),
      { seed: 18, verbose: true },
    );
  });

  it('parseCsv: quoted fields with separators and doubled quotes; CRLF line ends', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n1,2,3\r\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
  });
});
