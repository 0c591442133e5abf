import { describe, expect, it } from 'vitest';
import type { HistoryRow } from './history';
import { sparkline, trendMarkdown, trends } from './trend';

const row = (o: Partial<HistoryRow>): HistoryRow => ({
  date: '2026-12-07T00:00:00Z',
  commit: 'c0',
  mode: 'full',
  machine: 'm',
  load: 2,
  id: 'burst-b.vs-graphile',
  label: 'Burst (b) vs graphile-worker',
  unit: 'runs/s',
  better: 'higher',
  value: 500,
  ratio: 0.6,
  ratioTo: 'graphile-worker 800/s',
  ...o,
});

describe('sparkline', () => {
  it.each([
    { name: 'rising', values: [1, 2, 3, 4, 5, 6, 7, 8], want: '▁▂▃▄▅▆▇█' },
    { name: 'falling from the top to the bottom', values: [10, 0], want: '█▁' },
    { name: 'flat: the middle bar', values: [3, 3, 3], want: '▄▄▄' },
    { name: 'a run without the number is a gap', values: [1, NaN, 2], want: '▁·█' },
    { name: 'no numbers at all', values: [NaN, NaN], want: '··' },
  ])('$name', ({ values, want }) => {
    expect(sparkline(values)).toBe(want);
  });
});

describe('trends', () => {
  it('a higher-is-better ratio that fell by more than 10% is worse; quick runs trend apart from full runs', () => {
    const rows = [row({ ratio: 1.0, commit: 'a' }), row({ ratio: 1.1, commit: 'b' }), row({ mode: 'quick', ratio: 5 }), row({ ratio: 0.8, commit: 'c' })];
    const [t] = trends(rows, 'full');
    expect(t.points).toEqual([1.0, 1.1, 0.8]);
    expect(t.commits).toEqual(['a', 'b', 'c']);
    expect(t.plots).toBe('ratio');
    expect(t.verdict).toBe('worse');
    expect(trends(rows, 'quick')[0].verdict).toBe('first run');
  });

  it.each([
    { name: 'lower-is-better value that rose is worse', better: 'lower' as const, values: [100, 100, 130], verdict: 'worse' },
    { name: 'lower-is-better value that fell is better', better: 'lower' as const, values: [100, 100, 70], verdict: 'better' },
    { name: 'higher-is-better value that rose is better', better: 'higher' as const, values: [100, 120], verdict: 'better' },
    { name: 'a change within 10% is the same', better: 'higher' as const, values: [100, 95], verdict: 'same' },
    { name: 'from 0 missed runs to 2 is worse', better: 'lower' as const, values: [0, 0, 2], verdict: 'worse' },
    { name: '0 missed runs staying 0 is the same', better: 'lower' as const, values: [0, 0], verdict: 'same' },
  ])('$name', ({ better, values, verdict }) => {
    const rows = values.map((value) => row({ id: 'x', better, value, ratio: NaN }));
    const [t] = trends(rows, 'full');
    expect(t.plots).toBe('value');
    expect(t.verdict).toBe(verdict);
  });

  it('keeps only the last runs', () => {
    const rows = Array.from({ length: 30 }, (_, i) => row({ ratio: i }));
    expect(trends(rows, 'full', 20)[0].points).toEqual(Array.from({ length: 20 }, (_, i) => i + 10));
  });
});

describe('trendMarkdown', () => {
  it("one table row per figure of this run, with its sparkline, first → last, the last run's load and the verdict", () => {
    const rows = [row({ ratio: 0.6, load: 5 }), row({ ratio: 0.8, load: 6 }), row({ ratio: 1.05, load: 7.25 }), row({ id: 'other' })];
    const md = trendMarkdown(rows, 'full', ['burst-b.vs-graphile']);
    const line = md.split('\n').find((l) => l.startsWith('| Burst (b)'));
    expect(line).toBe('| Burst (b) vs graphile-worker (÷ graphile-worker) | 3 | `▁▄█` | 0.60× → 1.05× | 7.3 | better (1.50×) |');
    expect(md).not.toContain('other');
  });

  it('says worse in bold when the last run went the wrong way', () => {
    const md = trendMarkdown([row({ ratio: 1 }), row({ ratio: 0.5 })], 'full');
    expect(md).toContain('**worse** (0.50×)');
  });

  it('nothing to draw: no section', () => {
    expect(trendMarkdown([row({ mode: 'quick' })], 'full')).toBe('');
  });
});
