import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobToChronosJson, jobToChronosJsonViaTree, jobToChronosObject } from './job-json';
import { formatJobError, parseJob } from './job-schema';

const NOW = Date.UTC(2026, 0, 1);
const body = (extra: Record<string, unknown>) => ({ name: 'etl', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D', ...extra });

describe("the job JSON's notifications (Sisyphus's, beyond Chronos)", () => {
  it('absent unless set: a Chronos job reads back as Chronos JSON', () => {
    const r = parseJob(body({}), { now: NOW });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.notifications).toBeUndefined();
    expect(jobToChronosJson(r.value)).not.toContain('notifications');
    expect(jobToChronosObject(r.value)).not.toHaveProperty('notifications');
  });

  it('rules and a webhook URL round-trip through every writer', () => {
    const notifications = { rules: [{ events: ['failed', 'recovered'], channels: ['mail', 'slack'] }, { events: ['skipped', 'still-running'], channels: ['webhook'] }], webhookUrl: 'https://hooks.example.com/etl' };
    const r = parseJob(body({ notifications }), { now: NOW });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.notifications).toEqual(notifications);
    expect(JSON.parse(jobToChronosJson(r.value)).notifications).toEqual(notifications);
    expect(JSON.parse(jobToChronosJsonViaTree(r.value)).notifications).toEqual(notifications);
    expect(jobToChronosObject(r.value).notifications).toEqual(notifications);
    // null is absent, as for the other optional fields
    const n = parseJob(body({ notifications: null }), { now: NOW });
    expect(n.ok && n.value.notifications).toBeUndefined();
  });

  it.each([
    [{ rules: [{ events: ['exploded'], channels: ['mail'] }] }, 'notifications.rules[0].events[0]: must be an event: failed, recovered, disabled, deleted, skipped, still-running'],
    [{ rules: [{ events: ['failed'], channels: ['pager'] }] }, 'notifications.rules[0].channels[0]: must be a channel: mail, slack, mattermost, sentry, webhook'],
    [{ rules: [{ events: [], channels: ['mail'] }] }, 'notifications.rules[0].events: must name at least one event'],
    [{ webhookUrl: 'ftp://x' }, 'notifications.webhookUrl: must be an http(s) URL'],
    [{ rule: [] }, 'notifications: must be an object with rules and/or webhookUrl'],
    ['mail', 'notifications: must be an object with rules and/or webhookUrl'],
  ])('a bad value is refused naming the field: %j', (notifications, message) => {
    const r = parseJob(body({ notifications }), { now: NOW });
    expect(r.ok ? null : formatJobError(r.error)).toBe(message);
  });

  it('any value that is not an object of known keys is refused with a message naming notifications', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string()), fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== 'rules' && k !== 'webhookUrl' && k !== '__proto__'), fc.string(), { minKeys: 1 })), (notifications) => {
        const r = parseJob(body({ notifications }), { now: NOW });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.field.startsWith('notifications')).toBe(true);
      }),
    );
  });
});
