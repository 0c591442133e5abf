/**
 * The history service's answers to whatever a request carries (generated input): a version
 * number, a limit or a cursor that is not a positive integer is a 400 naming that field, and
 * nothing else ever escapes as an unexpected error.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../testing/memory-store';
import { ChronosService } from './chronos-service';
import { ApiError } from './errors';
import { JobHistory, positiveInt } from './job-history';
import { UiFieldError } from './ui-query';
import { OfflineRuntime } from '../runtime/offline-runtime';
import { systemClock } from '../runtime/system-clock';

const store = new MemoryStore();
const chronos = new ChronosService({ store, runtime: new OfflineRuntime(), clock: systemClock });
const history = new JobHistory(store, chronos);

beforeAll(async () => {
  await chronos.upsertIso8601({ name: 'h', command: 'echo 1', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { by: 'ops' });
  await chronos.upsertIso8601({ name: 'h', command: 'echo 2', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { by: 'ops' });
});

/** The outcome of a call as a user sees it: ok, or the status and field of the error. */
async function outcome(call: () => Promise<unknown>): Promise<{ ok: true } | { status: string; field: string | null }> {
  try {
    await call();
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { status: e.code, field: (e as Partial<UiFieldError>).field ?? null };
  }
}

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 5_000_000_000 }).map(String), fc.constantFrom('', ' 2 ', '1e3', '0x10', '-1', '1.5'));

describe('JobHistory with generated input', () => {
  it('positiveInt takes exactly the integers 1..max, else names the field', () => {
    fc.assert(
      fc.property(text, (raw) => {
        const t = raw.trim();
        const good = /^\d{1,10}$/.test(t) && Number(t) >= 1 && Number(t) <= 100;
        try {
          expect(positiveInt('limit', raw, undefined, 100)).toBe(Number(t));
          expect(good).toBe(true);
        } catch (e) {
          if (!(e instanceof UiFieldError)) throw e;
          expect(good).toBe(false);
          expect(e.field).toBe('limit');
        }
      }),
      { seed: 1717, numRuns: 500 },
    );
  });

  it('a version, limit or cursor from a request: a 400 naming it, or an answer (404 for an absent version)', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, text, async (n, limit, before) => {
        const got = await outcome(() => history.version('h', n));
        if ('ok' in got) expect(['1', '2']).toContain(n.trim().replace(/^0+/, ''));
        else expect([{ status: 'bad_request', field: 'version' }, { status: 'not_found', field: null }]).toContainEqual(got);
        const page = await outcome(() => history.versions('h', new URLSearchParams({ limit, before })));
        if (!('ok' in page)) {
          expect(page.status).toBe('bad_request');
          expect(['limit', 'before']).toContain(page.field);
        }
      }),
      { seed: 1718, numRuns: 300 },
    );
  });

  it('a restore of a version that does not exist changes nothing', async () => {
    const before = await store.versions.list('h', 10);
    expect(await outcome(() => history.restore('h', '9', 'ops'))).toEqual({ status: 'not_found', field: null });
    expect(await outcome(() => history.restore('h', 'x', 'ops'))).toEqual({ status: 'bad_request', field: 'version' });
    expect(await store.versions.list('h', 10)).toEqual(before);
    expect((await store.jobs.get('h'))?.command).toBe('echo 2');
  });
});
