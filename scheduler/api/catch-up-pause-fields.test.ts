import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobToChronosJson, jobToChronosJsonViaTree } from './job-json';
import { parseJob } from './job-schema';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const base = { name: 'nightly', command: 'true', schedule: 'R/2026-06-02T02:00:00Z/P1D' };
const parse = (extra: Record<string, unknown>) => parseJob({ ...base, ...extra }, { now: NOW });

describe('catchUp and catchUpWindow in the job JSON', () => {
  const cases: { name: string; extra: Record<string, unknown>; tail: string }[] = [
    { name: 'absent: the Chronos JSON is unchanged', extra: {}, tail: '"scheduleTimeZone":""}' },
    { name: 'latest (the default) is not written', extra: { catchUp: 'latest', catchUpWindow: 'P1D' }, tail: '"scheduleTimeZone":""}' },
    { name: 'null is the default', extra: { catchUp: null, catchUpWindow: null }, tail: '"scheduleTimeZone":""}' },
    { name: 'all with a window', extra: { catchUp: 'ALL', catchUpWindow: 'PT6H' }, tail: '"scheduleTimeZone":"","catchUp":"all","catchUpWindow":"PT6H"}' },
    { name: 'none', extra: { catchUp: 'none' }, tail: '"scheduleTimeZone":"","catchUp":"none"}' },
  ];
  it.each(cases)('$name', ({ extra, tail }) => {
    const r = parse(extra);
    if (!r.ok) throw new Error(r.error.message);
    const text = jobToChronosJson(r.value);
    expect(text.endsWith(tail)).toBe(true);
    expect(jobToChronosJsonViaTree(r.value)).toBe(text);
    // a round trip keeps them
    const again = parseJob(JSON.parse(text), { now: NOW });
    expect(again.ok && jobToChronosJson(again.value)).toBe(text);
  });

  const bad: { name: string; extra: Record<string, unknown>; field: string; message: RegExp }[] = [
    { name: 'an unknown policy', extra: { catchUp: 'some' }, field: 'catchUp', message: /must be one of latest, none, all/ },
    { name: 'a policy that is not a string', extra: { catchUp: 3 }, field: 'catchUp', message: /must be one of/ },
    { name: 'a window that is not ISO 8601', extra: { catchUpWindow: '6 hours' }, field: 'catchUpWindow', message: /ISO 8601 duration/ },
    { name: 'a zero window', extra: { catchUpWindow: 'PT0S' }, field: 'catchUpWindow', message: /longer than zero/ },
  ];
  it.each(bad)('400 naming the field: $name', ({ extra, field, message }) => {
    const r = parse(extra);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe(field);
      expect(r.error.message).toMatch(message);
    }
  });

  it('any catchUp / catchUpWindow value: a job whose fields read back the same, or an error naming one of them (fast-check)', () => {
    const v = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constantFrom('all', 'none', 'latest', 'PT6H', 'P1D', 'P1W', 'PT0S'));
    fc.assert(
      fc.property(v, v, (catchUp, catchUpWindow) => {
        const r = parse({ catchUp, catchUpWindow });
        if (!r.ok) expect(['catchUp', 'catchUpWindow']).toContain(r.error.field);
        else {
          expect([undefined, 'none', 'all']).toContain(r.value.catchUp);
          const again = parseJob(JSON.parse(jobToChronosJson(r.value)), { now: NOW });
          expect(again.ok && again.value.catchUpWindow).toBe(r.value.catchUpWindow);
        }
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});
