/** The real-work row: Sisyphus's night against the plain shell script's, as a ratio of medians. */
import { describe, expect, it } from 'vitest';
import { figuresOf } from './history-figures';
import { realWorkRows, type RealWorkResult } from './real-work';
import { median } from './util';

const r: RealWorkResult = { clips: 50, seconds: 4, heights: [360, 720, 1080], cores: 2, jobs: 303, sisyphusMs: [330_000, 300_000, 360_000], shellMs: [250_000, 200_000, 300_000] };

describe('real-work report', () => {
  it('prints the night, both wall times and their ratio', () => {
    const [row] = realWorkRows(r, median);
    expect(row.figure).toContain('50 clips × 4 s, 360p/720p/1080p');
    expect(row.figure).toContain('(303 jobs)');
    expect(row).toMatchObject({ value: '330.0 s', peer: 'plain shell script, same commands, 2 cores: 250.0 s', ratio: '1.32×' });
  });
  it('is one history figure, lower is better', () => {
    const f = figuresOf({ meta: {} as never, errors: {}, realWork: r }).find((x) => x.id === 'real-work.vs-shell')!;
    expect(f).toMatchObject({ bench: 'real-work', unit: 's', better: 'lower', value: 330, ratioTo: 'plain shell 250.0 s' });
    expect(f.ratio).toBeCloseTo(1.32, 2);
  });
});
