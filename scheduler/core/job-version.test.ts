import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJob } from '../api/job-schema';
import { jobDiff, kindOfChange, restoredJob, versionOf, type FieldChange } from './job-version';
import type { Job } from './types';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const AT = Date.parse('2026-12-07T12:30:00Z');

const job = (fields: Record<string, unknown> = {}): Job => {
  const r = parseJob({ name: 'nightly', command: 'true', schedule: 'R/2026-12-08T00:00:00Z/P1D', ...fields }, { now: NOW });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('jobDiff', () => {
  const base = job({ container: { type: 'DOCKER', image: 'debian:12' }, environmentVariables: [{ name: 'A', value: '1' }] });
  const cases: Array<{ name: string; after: Job; want: FieldChange[] }> = [
    { name: 'nothing changed', after: { ...base }, want: [] },
    { name: 'the command', after: { ...base, command: 'make' }, want: [{ field: 'command', before: 'true', after: 'make' }] },
    {
      name: 'two fields, sorted by path',
      after: { ...base, retries: 3, cpus: 2 },
      want: [
        { field: 'cpus', before: base.cpus, after: 2 },
        { field: 'retries', before: base.retries, after: 3 },
      ],
    },
    {
      name: 'a nested field by its dotted path',
      after: { ...base, container: { ...base.container!, image: 'debian:13' } },
      want: [{ field: 'container.image', before: 'debian:12', after: 'debian:13' }],
    },
    {
      name: 'an array as a whole',
      after: { ...base, environmentVariables: [{ name: 'A', value: '2' }] },
      want: [{ field: 'environmentVariables', before: [{ name: 'A', value: '1' }], after: [{ name: 'A', value: '2' }] }],
    },
    {
      name: 'a field set where it was absent',
      after: { ...base, epsilon: 'PT5M' },
      want: [{ field: 'epsilon', after: 'PT5M' }],
    },
    {
      name: 'a field removed',
      after: { ...base, container: undefined },
      want: [{ field: 'container', before: base.container }],
    },
    {
      name: 'the run bookkeeping is not history',
      after: { ...base, successCount: 7, errorCount: 2, lastSuccess: '2026-12-07T00:00:01.000Z', lastError: 'x', errorsSinceLastSuccess: 1 },
      want: [],
    },
  ];
  it.each(cases)('$name', ({ after, want }) => {
    expect(jobDiff(base, after)).toEqual(want);
  });

  it('a create lists every field it sets (but the bookkeeping)', () => {
    const d = jobDiff(null, base);
    expect(d.map((c) => c.field)).toContain('command');
    expect(d.map((c) => c.field)).not.toContain('successCount');
    expect(d.every((c) => c.before === undefined)).toBe(true);
  });

  it('is empty exactly when the jobs are equal but for the bookkeeping, and key order does not matter', () => {
    const field = fc.constantFrom('command', 'retries', 'owner', 'cpus', 'disabled', 'successCount');
    const value = fc.oneof(fc.string({ maxLength: 5 }), fc.integer({ min: 0, max: 9 }), fc.boolean());
    fc.assert(
      fc.property(fc.dictionary(field, value), (patch) => {
        const after = { ...base, ...patch } as Job;
        const reordered = Object.fromEntries(Object.entries(after).reverse()) as unknown as Job;
        const d = jobDiff(base, reordered);
        const meaningful = Object.entries(patch).filter(([k, v]) => k !== 'successCount' && (base as unknown as Record<string, unknown>)[k] !== v);
        expect(d.map((c) => c.field)).toEqual(meaningful.map(([k]) => k).sort());
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});

describe('kindOfChange', () => {
  const on = job();
  const cases: Array<{ name: string; previous: Job | null; next: Job; want: string }> = [
    { name: 'no previous job: create', previous: null, next: on, want: 'create' },
    { name: 'disabled alone: disable', previous: on, next: { ...on, disabled: true }, want: 'disable' },
    { name: 'enabled alone: enable', previous: { ...on, disabled: true }, next: on, want: 'enable' },
    { name: 'disabled with another field: update', previous: on, next: { ...on, disabled: true, retries: 4 }, want: 'update' },
    { name: 'anything else: update', previous: on, next: { ...on, command: 'make' }, want: 'update' },
  ];
  it.each(cases)('$name', ({ previous, next, want }) => {
    expect(kindOfChange(previous, jobDiff(previous, next))).toBe(want);
  });
});

describe('versionOf', () => {
  const before = job();
  it('records the user, the instant, the snapshot and the diff of an update', () => {
    const v = versionOf(before, { ...before, command: 'make' }, { by: 'alice' }, AT);
    expect(v).toMatchObject({ jobName: 'nightly', kind: 'update', by: 'alice', at: AT, note: null, diff: [{ field: 'command', before: 'true', after: 'make' }] });
    expect(v.job.command).toBe('make');
  });

  it('a create holds the whole job and no diff (it would repeat the job)', () => {
    expect(versionOf(null, before, {}, AT)).toMatchObject({ kind: 'create', job: before, diff: [] });
  });

  it('a delete keeps the job as it was and no diff', () => {
    expect(versionOf(before, null, {}, AT)).toMatchObject({ kind: 'delete', by: null, job: before, diff: [] });
  });

  it('a kind named by the caller wins (a pause, a restore)', () => {
    expect(versionOf(before, { ...before }, { kind: 'pause', note: 'storage maintenance' }, AT)).toMatchObject({ kind: 'pause', note: 'storage maintenance' });
  });
});

describe('restoredJob', () => {
  it("takes the version's fields and keeps the current run bookkeeping", () => {
    const old = job({ command: 'old' });
    const current = { ...job({ command: 'new' }), successCount: 9, lastSuccess: '2026-12-07T00:00:00.000Z' };
    const r = restoredJob({ job: old }, current);
    expect(r.command).toBe('old');
    expect(r.successCount).toBe(9);
    expect(r.lastSuccess).toBe('2026-12-07T00:00:00.000Z');
  });

  it('a deleted job comes back with the bookkeeping of the version', () => {
    const old = { ...job(), errorCount: 3 };
    expect(restoredJob({ job: old }, null).errorCount).toBe(3);
  });
});
