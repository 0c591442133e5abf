/** Jobs read in bulk share repeated values, and stay equal to what was read. */
import { describe, expect, it } from 'vitest';
import { shareJobValues, type SharedValues } from './shared-job-values';
import type { Job } from './types';

const read = (over: Record<string, unknown>): Job =>
  JSON.parse(JSON.stringify({ name: 'a', command: 'true', owner: 'ops@example.com', schedule: 'R/2030-01-01T00:00:00Z/P1D', scheduleTimeZone: '', fetch: [], uris: [], environmentVariables: [], arguments: [], constraints: [], ...over })) as Job;

describe('shareJobValues', () => {
  it('two jobs read apart share one owner and one schedule string and one empty array, and are unchanged in value', () => {
    const pool: SharedValues = new Map();
    const a = read({ name: 'a' });
    const b = read({ name: 'b', arguments: ['-v'] });
    const before = [structuredClone(a), structuredClone(b)];
    const [sa, sb] = [shareJobValues(a, pool), shareJobValues(b, pool)];
    expect([sa, sb]).toEqual(before);
    expect(pool.has('ops@example.com')).toBe(true);
    expect(pool.has('a')).toBe(false); // names are not pooled: each is its own
    expect(sa.fetch).toBe(sb.fetch); // one empty array
    expect(sb.arguments).toEqual(['-v']); // a list with items is kept
  });

  it('the shared empty list cannot be changed through one job', () => {
    const job = shareJobValues(read({}), new Map());
    expect(() => job.uris.push('http://x')).toThrow(TypeError);
    expect(job.uris).toEqual([]);
  });
});

describe('shareJobValues with a bounded pool', () => {
  it('adds no value once the pool is full, and still shares the values it holds', () => {
    const pool: SharedValues = new Map();
    shareJobValues(read({ name: 'a', owner: 'first@example.com' }), pool, 3);
    expect(pool.size).toBe(3); // owner, schedule, the empty time zone
    const b = shareJobValues(read({ name: 'b', owner: 'second@example.com' }), pool, 3);
    expect(pool.has('second@example.com')).toBe(false);
    expect(b.owner).toBe('second@example.com');
    expect(pool.size).toBe(3);
  });
});
