import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobInputSchema, parseJob, simpleJobInput } from './job-schema';

/** What burst (b) and chronos-python post. */
const CHRONOS_BODY = {
  name: 'nightly-report',
  command: 'true',
  shell: false,
  arguments: [],
  schedule: 'R1//PT1H',
  epsilon: 'PT1H',
  cpus: 0.1,
  mem: 32,
  disk: 0,
  owner: 'bench@example.com',
};

/** Values near and across the edges of every field's type and range. */
const anyValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, 1, -1, 0.5, 2.5, 1e300, Number.MAX_SAFE_INTEGER + 1, 9_223_372_036, 9_223_372_037, '', ' ', '3', 'x', 'PT1H', 'P', 'PT', '2026-01-01T00:00:00Z', 'not a date', '.', '..', 'a/b', [], ['a'], ['a b'], ['/'], [1], {}, { image: 'x' }, { type: 'DOCKER' }),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 200 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);
/** A value each field takes, or null (its default), mostly; now and then any value at all. */
const str = fc.string({ maxLength: 6 });
const valid: Record<string, fc.Arbitrary<unknown>> = {
  name: fc.constantFrom('a', 'job.1', 'x-y_z', 'nightly-report'),
  epsilon: fc.constantFrom('PT1H', 'P1D', 'PT0.5S', 'P'),
  lastSuccess: fc.constantFrom('', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000+01:00'),
  lastError: fc.constantFrom('', '2026-01-01T00:00:00Z'),
  cpus: fc.constantFrom(0, 0.1, 1, 2.5),
  mem: fc.constantFrom(0, 32, 128.5),
  disk: fc.constantFrom(0, 256),
  maxCompletionTime: fc.nat(100_000),
  fetch: fc.constant([]),
  environmentVariables: fc.constant([]),
  constraints: fc.constant([]),
  uris: fc.array(str, { maxLength: 2 }),
  arguments: fc.array(str, { maxLength: 3 }),
  parents: fc.array(str, { maxLength: 2 }),
};
for (const k of ['command', 'executor', 'executorFlags', 'taskInfoData', 'owner', 'ownerName', 'description', 'runAsUser', 'schedule', 'scheduleTimeZone']) valid[k] = str;
for (const k of ['shell', 'async', 'disabled', 'softError', 'dataProcessingJobType', 'highPriority', 'concurrent']) valid[k] = fc.boolean();
for (const k of ['retries', 'successCount', 'errorCount', 'errorsSinceLastSuccess']) valid[k] = fc.nat(20);
const KEYS = [...Object.keys(jobInputSchema.shape), 'unknownField', 'id'];
const body = fc.record(
  Object.fromEntries(KEYS.map((k) => [k, valid[k] ? fc.oneof({ arbitrary: valid[k], weight: 12 }, { arbitrary: fc.constant(null), weight: 2 }, { arbitrary: anyValue, weight: 1 }) : anyValue])),
  { requiredKeys: [] },
).map((b) => {
  // the fields only the schema takes, and unknown ones, now and then
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if (valid[k] || (JSON.stringify(v) ?? '').length % 5 === 0) out[k] = v;
  return out;
}).chain((b) => fc.oneof(fc.constant(b), fc.constant({ ...CHRONOS_BODY, ...b }), fc.constant({ ...b, ...CHRONOS_BODY })));

describe('the job schema without zod for plain bodies', () => {
  it('takes the Chronos body of a burst, and gives what the schema gives', () => {
    const fast = simpleJobInput(CHRONOS_BODY);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(jobInputSchema.parse(CHRONOS_BODY));
  });

  it('leaves to the schema what only it words or decides', () => {
    for (const b of [
      { ...CHRONOS_BODY, cpus: '0.5' },
      { ...CHRONOS_BODY, name: 'a b' },
      { ...CHRONOS_BODY, arguments: ['a/b'] },
      { ...CHRONOS_BODY, container: { type: 'DOCKER', image: 'busybox' } },
      { ...CHRONOS_BODY, fetch: [{ uri: 'http://x/y' }] },
      { command: 'true' },
    ]) {
      expect(simpleJobInput(b), JSON.stringify(b)).toBeNull();
    }
  });

  it('for any body: either left to the schema, or exactly what the schema gives (and never for a body it refuses)', () => {
    let taken = 0;
    fc.assert(
      fc.property(body, (b) => {
        const fast = simpleJobInput(b);
        if (fast === null) return true;
        taken++;
        const schema = jobInputSchema.safeParse(b);
        expect(schema.success).toBe(true);
        expect(fast).toStrictEqual(schema.data);
        return true;
      }),
      { seed: 18, numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(100); // the property saw the fast path, not only fallbacks
  });

  it('a parsed job does not share its lists with the next one', () => {
    const a = parseJob({ name: 'a' }, { now: 0 });
    const b = parseJob({ name: 'b' }, { now: 0 });
    if (!a.ok || !b.ok) throw new Error('refused');
    a.value.arguments.push('x');
    a.value.fetch.push({ uri: 'u', executable: false, cache: false, extract: true });
    expect(b.value.arguments).toEqual([]);
    expect(b.value.fetch).toEqual([]);
  });
});
