import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../testing/memory-store';
import { notificationsView } from './notifications-service';
import { UiFieldError } from './ui-query';

const T = Date.UTC(2026, 11, 7);
const ev = (job: string) => ({ kind: 'failed' as const, job, at: T, owners: ['o@x.io'], run: null, detail: 'FAILED after 1 attempt' });

describe('GET /api/notifications', () => {
  it("a job's notifications with their state; failed=1 lists those that failed with the reason; a job's own webhook shows only its origin", async () => {
    const store = new MemoryStore();
    await store.notifications.add([{ event: ev('a'), channel: 'mail', recipient: 'o@x.io' }, { event: ev('a'), channel: 'webhook', recipient: 'https://hooks.example.com/T/secret-token' }, { event: ev('b'), channel: 'slack', recipient: '' }], T, 0);
    const rows = await store.notifications.claim(T, 1000, 10);
    await store.notifications.settle([
      { id: rows[0].id, state: 'sent', attempted: true, at: T + 1 },
      { id: rows[1].id, state: 'pending', attempted: true, at: T + 1, error: 'webhook: https://hooks.example.com answered 500', nextAt: T + 5001 },
      { id: rows[2].id, state: 'failed', attempted: true, at: T + 1, error: 'Slack: cannot reach https://hooks.slack.com: ENOTFOUND' },
    ]);
    const a = await notificationsView(store, new URLSearchParams('job=a'));
    expect(a.rows.map((r) => [r.channel, r.recipient, r.state, r.nextAt])).toEqual([
      ['webhook', 'https://hooks.example.com', 'pending', T + 5001],
      ['mail', 'o@x.io', 'sent', null],
    ]);
    const failed = await notificationsView(store, new URLSearchParams('failed=1'));
    expect(failed.rows.map((r) => [r.job, r.lastError])).toEqual([
      ['b', 'Slack: cannot reach https://hooks.slack.com: ENOTFOUND'],
      ['a', 'webhook: https://hooks.example.com answered 500'],
    ]);
  });

  it('a bad failed, limit or job is a 400 naming the parameter', async () => {
    const store = new MemoryStore();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('failed', 'limit', 'job'), fc.string({ minLength: 1, maxLength: 6 }), async (field, v) => {
        const value = field === 'job' ? `${v}\u0000` : v;
        fc.pre(field !== 'failed' || (value !== '0' && value !== '1'));
        // blank is the default; a whole number up to 500 is a limit
        fc.pre(field !== 'limit' || (value.trim() !== '' && (!/^\s*\d+\s*$/.test(value) || Number(value) > 500)));
        const e = await notificationsView(store, new URLSearchParams({ [field]: value })).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UiFieldError);
        expect((e as UiFieldError).field).toBe(field);
      }),
    );
  });
});
