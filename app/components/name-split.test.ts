import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitName } from './name-split';

describe('splitName (where a long job name is cut)', () => {
  it('keeps the step of a pipeline job whole, so the rows of one clip differ', () => {
    expect(splitName('nightly-transcode.c01.transcode-720p')).toEqual(['nightly-transcode.c01', '.transcode-720p']);
    expect(splitName('nightly-transcode.c01.transcode-1080p')[1]).toBe('.transcode-1080p');
  });
  it('short names are not split; a long last part keeps the last 12 characters', () => {
    expect(splitName('backup-ops-00001')).toEqual(['backup-ops-00001', '']);
    expect(splitName('a-very-long-job-name-without-any-dots-0001')).toEqual(['a-very-long-job-name-without-a', 'ny-dots-0001']);
    expect(splitName('reports.a-last-part-longer-than-eighteen')[1]).toBe('han-eighteen');
  });
  it('head and tail always make the whole name, the tail at most 18 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (name) => {
        const [head, tail] = splitName(name);
        expect(head + tail).toBe(name);
        expect(tail.length).toBeLessThanOrEqual(18);
      }),
      { seed: 1207, numRuns: 1000 },
    );
  });
});
