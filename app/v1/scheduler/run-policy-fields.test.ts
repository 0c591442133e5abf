/**
 * The job fields `concurrencyPolicy` and `jitter` (issue 17, points 1 and 6) through the Chronos
 * routes: a bad value is a 400 naming the field and stores nothing (fast-check, seeded), a good
 * one is kept, and the Chronos JSON shows a field only when it is away from its default.
 * Real PostgreSQL (throwaway database), fake runtime.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createStore } from '@/scheduler/adapters/prisma/create-store';
import type { PrismaStore } from '@/scheduler/adapters/prisma/store';
import { createTestDatabase, type TestDatabase } from '@/scheduler/adapters/prisma/test-support';
import { setServicesForTesting } from '@/scheduler/api/context';
import { FakeRuntime } from '@/scheduler/testing/fake-runtime';
import { TestClock } from '@/scheduler/testing/test-clock';
import * as iso8601 from './iso8601/route';
import * as jobs from './jobs/route';

const BASE = 'http://localhost:8080/v1/scheduler';
const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const SCHED = 'R/2030-01-01T00:00:00Z/PT1H';

let db: TestDatabase;
let store: PrismaStore;

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_run_policy_fields');
  store = await createStore({ databaseUrl: db.url, poolSize: 4 });
});
afterAll(async () => {
  setServicesForTesting(null);
  await store?.close();
  await db?.drop();
});
beforeEach(async () => {
  await db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
  const clock = new TestClock(NOW);
  setServicesForTesting({ store, runtime: new FakeRuntime(clock), clock });
});

const post = (body: unknown) =>
  iso8601.POST(new Request(`${BASE}/iso8601`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));
const listed = async (): Promise<Array<Record<string, unknown>>> => JSON.parse(await (await jobs.GET(new Request(`${BASE}/jobs`))).text());
const listedText = async (): Promise<string> => (await jobs.GET(new Request(`${BASE}/jobs`))).text();

const POLICIES = ['Allow', 'Forbid', 'Replace', 'Queue'];
/** A jitter the API accepts: fixed, ISO 8601, at most PT1H. */
const goodJitter = /^PT(?:(?:[0-5]?\d)M)?(?:[0-5]?\dS)?$|^PT1H$|^PT60M$/;

describe('bad values: 400 naming the field, nothing stored', () => {
  test('concurrencyPolicy: anything but Allow, Forbid, Replace, Queue (and null)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('allow', 'FORBID', 'Skip', 'Replace ', ''), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 })),
        async (value) => {
          fc.pre(!POLICIES.includes(value as string));
          const r = await post({ name: 'p', command: 'true', schedule: SCHED, concurrencyPolicy: value });
          expect(r.status).toBe(400);
          expect((JSON.parse(await r.text()) as { message: string }).message).toMatch(/^concurrencyPolicy: /);
          expect(await listed()).toEqual([]);
        },
      ),
      { seed: 1717, numRuns: 60 },
    );
  });

  test('jitter: not an ISO 8601 duration, or longer than PT1H, or with years or months', async () => {
    const durations = fc
      .tuple(fc.nat({ max: 3 }), fc.nat({ max: 40 }), fc.nat({ max: 90 }), fc.nat({ max: 4000 }))
      .map(([d, h, m, s]) => `P${d ? `${d}D` : ''}T${h}H${m}M${s}S`);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(durations, fc.string({ maxLength: 10 }), fc.constantFrom('P1M', 'P1Y', 'PT61M', 'PT3601S', '5m', 'PT', 'PT-1M'), fc.integer(), fc.boolean(), fc.constant([])),
        async (value) => {
          const ms = typeof value === 'string' ? fixedMs(value) : null;
          fc.pre(ms === null || ms > 3_600_000);
          const r = await post({ name: 'j', command: 'true', schedule: SCHED, jitter: value });
          expect(r.status).toBe(400);
          expect((JSON.parse(await r.text()) as { message: string }).message).toMatch(/^jitter: /);
          expect(await listed()).toEqual([]);
        },
      ),
      { seed: 1718, numRuns: 80 },
    );
  });

  test('a concurrencyPolicy that contradicts concurrent', async () => {
    for (const [policy, concurrent] of [['Forbid', true], ['Queue', true], ['Allow', false]] as const) {
      const r = await post({ name: 'c', command: 'true', schedule: SCHED, concurrent, concurrencyPolicy: policy });
      expect(r.status).toBe(400);
      expect((JSON.parse(await r.text()) as { message: string }).message).toBe(
        `concurrencyPolicy: ${policy} contradicts concurrent: ${concurrent} (concurrent: true is Allow; send one of the two)`,
      );
    }
    expect(await listed()).toEqual([]);
  });
});

/** The length of a fixed ISO 8601 duration PnDTnHnMnS in ms; null when it is not one. */
function fixedMs(text: string): number | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,9}))?S)?)?$/i.exec(text);
  if (!m || text === 'P' || /T$/i.test(text)) return null;
  const n = (s?: string) => Number(s ?? 0);
  return ((((n(m[1]) * 7 + n(m[2])) * 24 + n(m[3])) * 60 + n(m[4])) * 60 + n(m[5])) * 1000 + Math.floor(Number(`0.${m[6] ?? 0}`) * 1000);
}

describe('good values', () => {
  test('Forbid and Replace are kept and shown; Allow and Queue are concurrent true and false, the JSON unchanged', async () => {
    for (const [i, p] of POLICIES.entries()) expect((await post({ name: `p${i}`, command: 'true', schedule: SCHED, concurrencyPolicy: p })).status).toBe(204);
    expect((await post({ name: 'plain', command: 'true', schedule: SCHED })).status).toBe(204);
    const byName = new Map((await listed()).map((j) => [j.name, j]));
    expect(byName.get('p0')).toMatchObject({ concurrent: true });
    expect(byName.get('p0')).not.toHaveProperty('concurrencyPolicy');
    expect(byName.get('p1')).toMatchObject({ concurrent: false, concurrencyPolicy: 'Forbid' });
    expect(byName.get('p2')).toMatchObject({ concurrent: false, concurrencyPolicy: 'Replace' });
    expect(byName.get('p3')).toMatchObject({ concurrent: false });
    expect(byName.get('p3')).not.toHaveProperty('concurrencyPolicy');
    // a job posted without the fields and one posted with Queue are the same bytes but for the name
    const text = await listedText();
    const plain = /\{"name":"plain".*?"scheduleTimeZone":""\}/.exec(text)![0];
    const queue = /\{"name":"p3".*?"scheduleTimeZone":""\}/.exec(text)![0];
    expect(queue.replace('"p3"', '"plain"')).toBe(plain);
    expect(plain.endsWith(`"schedule":"${SCHED}","scheduleTimeZone":""}`)).toBe(true);
  });

  test('a jitter is kept as written and shown last; PT0S (no spread) is the default and not shown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(goodJitter), async (jitter) => {
        fc.pre(fixedMs(jitter) !== null && fixedMs(jitter)! <= 3_600_000);
        const r = await post({ name: 'j', command: 'true', schedule: SCHED, jitter, concurrencyPolicy: 'Forbid' });
        expect(r.status).toBe(204);
        const [job] = await listed();
        if (fixedMs(jitter) === 0) expect(job).not.toHaveProperty('jitter');
        else expect((await listedText()).endsWith(`"concurrencyPolicy":"Forbid","jitter":"${jitter}"}]`)).toBe(true);
      }),
      { seed: 1719, numRuns: 40 },
    );
  });
});
