/**
 * What a notification says: a subject with the job and the outcome; a body with the run's times,
 * exit status, agent, the last lines of its stderr and a link to the run; plain text and HTML.
 * A digest lists its events one line each. The webhook's JSON document is built here too.
 */
import type { NotifyEvent, NotifyKind } from './notify-events';

/** Lines of stderr a message shows. */
export const STDERR_LINES = 20;

export interface MessageContext {
  /** The UI's base URL, e.g. http://sisyphus:8080. */
  baseUrl: string;
  /** The last lines of a run's stderr by task id, when they could be read. */
  stderr?: ReadonlyMap<string, string[]>;
}

export interface Message {
  subject: string;
  text: string;
  html: string;
  level: 'error' | 'warning' | 'info';
}

const OUTCOME: Record<NotifyKind, string> = {
  failed: 'failed',
  recovered: 'recovered',
  disabled: 'was disabled',
  deleted: 'was deleted',
  skipped: 'skipped a run',
  'still-running': 'is still running',
};

const LEVEL: Record<NotifyKind, Message['level']> = {
  failed: 'error',
  disabled: 'error',
  skipped: 'warning',
  'still-running': 'warning',
  deleted: 'info',
  recovered: 'info',
};

export const levelOf = (kind: NotifyKind): Message['level'] => LEVEL[kind];

const iso = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : new Date(t).toISOString());

/** A duration as a person reads it: "42 s", "3 min 5 s", "2 h 10 min". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The run's page (/runs/<task id>), or the job's page for an event without a run. */
export function runLink(baseUrl: string, job: string, taskId?: string | null): string {
  const base = baseUrl.replace(/\/+$/, '');
  return taskId ? `${base}/runs/${encodeURIComponent(taskId)}` : `${base}/jobs/${encodeURIComponent(job)}`;
}

/** The exit status as Mesos reports it: the status message ("Command exited with status 3") and reason. */
export function exitStatus(e: NotifyEvent): string {
  if (!e.run) return '—';
  const parts = [e.run.state, e.run.message, e.run.reason].filter((s): s is string => !!s);
  return parts.join(' · ');
}

/** Subject: the job and the outcome. */
export const subjectOf = (e: NotifyEvent): string => `[sisyphus] ${e.job} ${OUTCOME[e.kind]}`;

/** The facts of an event, label → value, in reading order. */
export function factsOf(e: NotifyEvent): [string, string][] {
  const facts: [string, string][] = [
    ['job', e.job],
    ['event', `${e.kind}: ${e.detail}`],
    ['at', iso(e.at)],
  ];
  const r = e.run;
  if (r) {
    facts.push(['task', r.taskId], ['due', iso(r.due)], ['attempt', String(r.attempt + 1)], ['started', iso(r.startedAt)]);
    if (r.finishedAt === null && r.state === 'RUNNING') {
      // a run that has not ended (still-running): how long so far, no exit status yet
      if (r.startedAt !== null) facts.push(['running for', duration(e.at - r.startedAt)]);
      facts.push(['state', r.state]);
    } else {
      facts.push(['finished', iso(r.finishedAt)]);
      if (r.startedAt !== null && r.finishedAt !== null) facts.push(['duration', duration(r.finishedAt - r.startedAt)]);
      facts.push(['exit status', exitStatus(e)]);
    }
    facts.push(['agent', r.host ?? r.agentId ?? '—']);
  }
  if (e.owners.length) facts.push(['owners', e.owners.join(', ')]);
  return facts;
}

/** The message of one event. */
export function eventMessage(e: NotifyEvent, ctx: MessageContext): Message {
  const link = runLink(ctx.baseUrl, e.job, e.run?.taskId);
  const facts = factsOf(e);
  const stderr = e.run ? ctx.stderr?.get(e.run.taskId) : undefined;
  const width = Math.max(...facts.map(([k]) => k.length));
  const text = [
    `${e.job} ${OUTCOME[e.kind]}: ${e.detail}`,
    '',
    ...facts.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    '',
    ...(stderr && stderr.length ? [`last ${stderr.length} line${stderr.length === 1 ? '' : 's'} of stderr:`, ...stderr.map((l) => `  ${l}`), ''] : e.run ? ['stderr: not available', ''] : []),
    `open the run: ${link}`,
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="margin:0 0 8px">${esc(e.job)} ${esc(OUTCOME[e.kind])}</h2>`,
    `<p>${esc(e.detail)}</p>`,
    '<table cellpadding="3">',
    ...facts.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`),
    '</table>',
    stderr && stderr.length ? `<h3>Last ${stderr.length} line${stderr.length === 1 ? '' : 's'} of stderr</h3><pre style="background:#f4f4f4;padding:8px">${esc(stderr.join('\n'))}</pre>` : '',
    `<p><a href="${esc(link)}">Open the run</a></p>`,
    '</body></html>',
  ].join('\n');
  return { subject: subjectOf(e), text, html, level: LEVEL[e.kind] };
}

/** One message listing many events (a storm). */
export function digestMessage(events: readonly NotifyEvent[], ctx: MessageContext): Message {
  const jobs = new Set(events.map((e) => e.job));
  const kinds = [...new Set(events.map((e) => e.kind))];
  const subject = `[sisyphus] ${events.length} notifications for ${jobs.size} job${jobs.size === 1 ? '' : 's'} (${kinds.join(', ')})`;
  const line = (e: NotifyEvent) => `${iso(e.at)}  ${e.job} ${OUTCOME[e.kind]}: ${e.detail}`;
  const text = [
    `${events.length} events arrived together; they are listed here instead of one message each.`,
    '',
    ...events.map((e) => `${line(e)}\n    ${runLink(ctx.baseUrl, e.job, e.run?.taskId)}`),
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="margin:0 0 8px">${events.length} notifications for ${jobs.size} jobs</h2>`,
    '<table cellpadding="3"><tr><th align="left">at</th><th align="left">job</th><th align="left">event</th></tr>',
    ...events.map((e) => `<tr><td>${esc(iso(e.at))}</td><td><a href="${esc(runLink(ctx.baseUrl, e.job, e.run?.taskId))}">${esc(e.job)}</a></td><td>${esc(`${e.kind}: ${e.detail}`)}</td></tr>`),
    '</table></body></html>',
  ].join('\n');
  const level = events.some((e) => LEVEL[e.kind] === 'error') ? 'error' : events.some((e) => LEVEL[e.kind] === 'warning') ? 'warning' : 'info';
  return { subject, text, html, level };
}

/** The webhook's JSON document for one event. */
export function webhookDocument(e: NotifyEvent, ctx: MessageContext, id: string): Record<string, unknown> {
  const r = e.run;
  return {
    id,
    event: e.kind,
    job: e.job,
    at: iso(e.at),
    detail: e.detail,
    owners: e.owners,
    runId: r?.taskId ?? null,
    due: r ? iso(r.due) : null,
    state: r?.state ?? null,
    attempt: r ? r.attempt + 1 : null,
    startedAt: r?.startedAt != null ? iso(r.startedAt) : null,
    finishedAt: r?.finishedAt != null ? iso(r.finishedAt) : null,
    exitStatus: r ? exitStatus(e) : null,
    agent: r ? (r.host ?? r.agentId) : null,
    stderr: (r && ctx.stderr?.get(r.taskId)) ?? [],
    url: runLink(ctx.baseUrl, e.job, r?.taskId),
  };
}
