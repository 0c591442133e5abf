import { describe, expect, it } from 'vitest';
import { applyFieldChange, jobFieldChange } from './job-field-change';
import type { Job } from './types';

const base = {
  name: 'nightly',
  command: 'true',
  schedule: 'R/2026-01-01T00:00:00Z/P1D',
  successCount: 3,
  errorCount: 1,
  lastSuccess: '2026-01-01T00:00:01Z',
  constraints: [['rack', 'LIKE', 'a']],
  description: 'the nightly',
} as unknown as Job;

describe('jobFieldChange', () => {
  it('names only the fields that changed', () => {
    const after = { ...base, schedule: 'R/2026-01-02T00:00:00Z/P1D' };
    expect(jobFieldChange(base, after)).toEqual({ name: 'nightly', set: { schedule: 'R/2026-01-02T00:00:00Z/P1D' }, unset: [] });
  });

  it('compares nested values by content and sees removed fields', () => {
    const after = { ...base, constraints: [['rack', 'LIKE', 'a']], successCount: 4 } as Record<string, unknown>;
    delete after.description;
    expect(jobFieldChange(base, after as unknown as Job)).toEqual({ name: 'nightly', set: { successCount: 4 }, unset: ['description'] });
  });

  it('is null for the same job, and applying a change gives the job after it', () => {
    expect(jobFieldChange(base, { ...base })).toBeNull();
    const after = { ...base, successCount: 4, description: undefined } as unknown as Job;
    const change = jobFieldChange(base, after)!;
    expect(applyFieldChange(base, change)).toEqual({ ...base, successCount: 4, description: undefined });
    expect('description' in applyFieldChange(base, change)).toBe(false);
  });
});
