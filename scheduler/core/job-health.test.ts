import { describe, expect, it } from 'vitest';
import { retryOf, retryWords } from './job-health';

describe('retryOf: a job retrying after a failed attempt', () => {
  it.each([
    { retries: 2, held: undefined, want: null },
    { retries: 2, held: null, want: null },
    { retries: 2, held: 0, want: null }, // a first attempt is no retry
    { retries: 2, held: 1, want: { attempt: 2, of: 3 } },
    { retries: 2, held: 2, want: { attempt: 3, of: 3 } },
    { retries: 1, held: 3, want: { attempt: 4, of: 4 } }, // retries lowered meanwhile
    { retries: 0, held: 1, want: { attempt: 2, of: 2 } },
  ])('retries $retries, retry attempt $held held → $want', ({ retries, held, want }) => {
    expect(retryOf(retries, held)).toEqual(want);
  });

  it('reads as words', () => {
    expect(retryWords({ attempt: 2, of: 3 })).toBe('retrying (attempt 2 of 3)');
  });
});
