import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DependencyGraph } from './dag';
import { eventsOfOutcome, ownersOf, type EventRun } from './notify-events';
import { dedupeKey, planDeliveries, retryDelayMs, type PlanItem } from './notify-plan';
import { routeEvent } from './notify-route';
import { checkNotifySettings } from './notify-settings';
import { decideOutcome } from './outcome';
import type { Job, RunState } from './types';

const NOW = Date.UTC(2026, 0, 1);
const base: Job = {
  name: 'etl', command: 'false', shell: true, executor: '', executorFlags: '', taskInfoData: '', retries: 2, owner: 'a@x.io, b@x.io,,', ownerName: '',
  description: '', successCount: 0, errorCount: 0, lastSuccess: '', lastError: '', cpus: 0.1, disk: 0, mem: 32, disabled: false, softError: false,
  dataProcessingJobType: false, errorsSinceLastSuccess: 0, fetch: [], uris: [], environmentVariables: [], arguments: [], highPriority: false,
  runAsUser: 'root', concurrent: false, maxCompletionTime: 0, constraints: [], schedule: 'R/2026-01-01T00:00:00Z/PT1H', scheduleTimeZone: '',
};
const run = (attempt: number, state: RunState): EventRun => ({ taskId: `ct:${NOW}:${attempt}:etl:`, due: NOW, attempt, state, queuedAt: NOW, startedAt: NOW, finishedAt: NOW + 1000, agentId: 'a1', host: 'h1', message: 'exit 1', reason: null });

function events(job: Job, attempt: number, state: RunState, opts: { disableAfter?: number; left?: number | null } = {}) {
  const g = new DependencyGraph();
  g.upsertJob(job.name, []);
  const o = decideOutcome({ job, attempt, arguments: '', state, now: NOW, retryDelayMs: 1000, disableAfterFailures: opts.disableAfter ?? 0, recurrencesLeft: opts.left ?? -1, graph: g, jobOf: () => job });
  return eventsOfOutcome(job, run(attempt, state), state, o, NOW, opts.disableAfter ?? 0).map((e) => e.kind);
}

describe('events of an outcome (Chronos: failed for good, disabled; Sisyphus: recovered)', () => {
  it('a failure with retries left is no event; the last retry failing is "failed"', () => {
    expect(events(base, 0, 'FAILED')).toEqual([]);
    expect(events(base, 2, 'FAILED')).toEqual(['failed']);
    expect(events(base, 2, 'LOST')).toEqual(['failed']);
    expect(events(base, 2, 'KILLED')).toEqual([]);
  });
  it('reaching DISABLE_AFTER_FAILURES is failed and disabled; an exhausted schedule is disabled', () => {
    expect(events({ ...base, errorsSinceLastSuccess: 2 }, 2, 'FAILED', { disableAfter: 3 })).toEqual(['failed', 'disabled']);
    expect(events(base, 0, 'FINISHED', { left: 0 })).toEqual(['disabled']);
  });
  it('the first success after failures is "recovered", later ones nothing', () => {
    expect(events({ ...base, errorsSinceLastSuccess: 2, lastError: new Date(NOW - 1).toISOString() }, 0, 'FINISHED')).toEqual(['recovered']);
    expect(events(base, 0, 'FINISHED')).toEqual([]);
  });
  it('owners are the comma-separated addresses, blanks dropped', () => {
    expect(ownersOf(base)).toEqual(['a@x.io', 'b@x.io']);
  });
});

describe('routing', () => {
  const ev = { kind: 'failed' as const, job: 'etl', at: NOW, owners: ['a@x.io', 'b@x.io'], run: null, detail: '' };
  const all = new Set(['mail', 'slack', 'mattermost', 'sentry', 'webhook'] as const);
  it('without rules: Chronos events to every configured channel, a mail per owner', () => {
    expect(routeEvent(ev, undefined, all).map((e) => `${e.channel}:${e.recipient}`)).toEqual(['mail:a@x.io', 'mail:b@x.io', 'slack:', 'mattermost:', 'sentry:', 'webhook:']);
    expect(routeEvent({ ...ev, kind: 'recovered' }, undefined, all)).toEqual([]);
    expect(routeEvent(ev, undefined, new Set(['slack'] as const)).map((e) => e.channel)).toEqual(['slack']);
  });
  it('with rules: only what they name, and the job’s own webhook', () => {
    const rules = { rules: [{ events: ['recovered' as const], channels: ['slack' as const, 'webhook' as const] }], webhookUrl: 'https://hooks.example.com/etl' };
    expect(routeEvent(ev, rules, all)).toEqual([]);
    expect(routeEvent({ ...ev, kind: 'recovered' }, rules, all).map((e) => `${e.channel}:${e.recipient}`)).toEqual(['slack:', 'webhook:', 'webhook:https://hooks.example.com/etl']);
  });
});

describe('no storms: dedupe window and digest', () => {
  const item = (id: number, job: string, recipient = 'a@x.io'): PlanItem => ({ id: String(id), channel: 'mail', recipient, createdAt: NOW + id, event: { kind: 'failed', job, at: NOW, owners: [recipient], run: null, detail: '' } });
  it('the same job and kind twice in the window: the second is suppressed with the reason', () => {
    const p = planDeliveries([item(1, 'a'), item(2, 'a'), item(3, 'b')], new Set(), { windowMs: 600_000, digestAfter: 5 });
    expect(p.deliveries.map((d) => d.ids)).toEqual([['1'], ['3']]);
    expect(p.suppressed).toEqual([{ id: '2', why: expect.stringContaining('goes on mail once within 10 min (NOTIFY_WINDOW_SECONDS); notification 1 carries it') }]);
  });
  it('one already sent within the window: a new one is suppressed, saying so', () => {
    const p = planDeliveries([item(4, 'a')], new Set([dedupeKey(item(1, 'a'))]), { windowMs: 600_000, digestAfter: 5 });
    expect(p.deliveries).toEqual([]);
    expect(p.suppressed).toEqual([{ id: '4', why: expect.stringContaining('already notified on mail within 10 min') }]);
  });
  it('200 failures for one owner give one digest; other owners their own', () => {
    const items = Array.from({ length: 200 }, (_, i) => item(i + 1, `job-${i}`));
    const p = planDeliveries([...items, item(500, 'x', 'c@x.io')], new Set(), { windowMs: 600_000, digestAfter: 5 });
    expect(p.deliveries).toHaveLength(2);
    expect(p.deliveries[0]).toMatchObject({ digest: true, recipient: 'a@x.io' });
    expect(p.deliveries[0].ids).toHaveLength(200);
    expect(p.deliveries[1]).toMatchObject({ digest: false, recipient: 'c@x.io' });
  });
  it('every claimed row is either delivered once or suppressed (any input)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ job: fc.constantFrom('a', 'b', 'c'), to: fc.constantFrom('x', 'y') }), { maxLength: 40 }), fc.nat(8), fc.boolean(), (rows, after, windowOn) => {
        const items = rows.map((r, i) => item(i + 1, r.job, r.to));
        const p = planDeliveries(items, new Set(), { windowMs: windowOn ? 1000 : 0, digestAfter: after + 1 });
        const ids = [...p.deliveries.flatMap((d) => d.ids), ...p.suppressed.map((s) => s.id)].sort();
        expect(ids).toEqual(items.map((i) => i.id).sort());
        if (!windowOn) expect(p.suppressed).toEqual([]);
      }),
    );
  });
  it('retries back off from 5 s, doubling, at most 10 min', () => {
    expect([1, 2, 3, 10, 50].map(retryDelayMs)).toEqual([5_000, 10_000, 20_000, 600_000, 600_000]);
  });
});

describe('channel settings: a bad one is a problem, never an exception', () => {
  it('names the setting and what it accepts', () => {
    const r = checkNotifySettings({ mailServer: 'smtp.example.com', mailUser: null, mailPassword: null, mailFrom: 'x@y.z', mailSsl: null, slackUrl: 'not a url', mattermostUrl: 'https://mm.example.com/hooks/1', sentryDsn: 'https://sentry.example.com/abc', webhookUrl: null, webhookSecret: null });
    expect(r.problems.map((p) => p.setting)).toEqual(['MAIL_SERVER', 'SLACK_URL', 'SENTRY_DSN']);
    expect(r.channels).toMatchObject({ mail: null, slack: null, mattermost: 'https://mm.example.com/hooks/1', sentry: null });
    const ok = checkNotifySettings({ mailServer: 'smtp.example.com:465', mailUser: 'u', mailPassword: 'p', mailFrom: 'Ops <ops@example.com>', mailSsl: 'true', slackUrl: null, mattermostUrl: null, sentryDsn: 'https://k3y@o1.ingest.sentry.io/42', webhookUrl: null, webhookSecret: null });
    expect(ok.problems).toEqual([]);
    expect(ok.channels.mail).toEqual({ host: 'smtp.example.com', port: 465, secure: true, auth: { user: 'u', pass: 'p' }, from: 'Ops <ops@example.com>' });
    expect(ok.channels.sentry).toEqual({ origin: 'https://o1.ingest.sentry.io', key: 'k3y', project: '42' });
  });
});
