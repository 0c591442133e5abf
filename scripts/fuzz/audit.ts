/**
 * The audit after a fuzz run: every job GET /v1/scheduler/jobs lists is read again with
 * GET /v1/scheduler/job/<name>, must parse with the product's own parser (parseJob), must
 * serialize back to the same bytes (jobToChronosJson), and its schedule and zone must still be
 * ones the API accepts (scheduler/core: ISO8601 or cron). Anything else is "invalid stored".
 */
import { looksLikeCron, parseCron } from '../../scheduler/core/cron';
import { parseSchedule } from '../../scheduler/core/iso8601';
import { jobToChronosJson } from '../../scheduler/api/job-json';
import { parseJob } from '../../scheduler/api/job-schema';
import { send, type Target } from '../../test/generated/client';
import type { GenRequest } from '../../test/generated/requests';

export interface AuditResult {
  listed: number;
  checked: number;
  invalid: Array<{ name: string; why: string }>;
  /** The list itself could not be read (status, or not a JSON array of jobs). */
  listError?: string;
}

const get = (target: string): GenRequest => ({ label: 'audit', method: 'GET', target, headers: [], auth: 'good', expect: { expect: 'accept' } });

/** Where two strings first differ, shown around that point. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at char ${i}: stored …${JSON.stringify(a.slice(Math.max(0, i - 20), i + 30))} vs re-serialized …${JSON.stringify(b.slice(Math.max(0, i - 20), i + 30))}`;
}

/** Why one stored job's JSON is not sound, or null. */
export function auditJobJson(text: string, now: number): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const kind = value && typeof value === 'object' && 'parents' in value ? 'dependency' : 'iso8601';
  const parsed = parseJob(value, { now, kind });
  if (!parsed.ok) return `does not parse again: ${parsed.error.field}: ${parsed.error.message}`;
  const again = jobToChronosJson(parsed.value);
  if (again !== text) return `re-serialized differently ${firstDifference(text, again)}`;
  const job = parsed.value;
  if (job.schedule !== undefined) {
    const r = looksLikeCron(job.schedule) ? parseCron(job.schedule, job.scheduleTimeZone, now) : parseSchedule(job.schedule, job.scheduleTimeZone, now);
    if (!r.ok) return `stored schedule would be refused now: ${r.error.message}`;
  }
  return null;
}

export async function auditStore(t: Target, opts: { concurrency: number; timeoutMs: number; onProgress?: (done: number, total: number) => void }): Promise<AuditResult> {
  const list = await send(t, get('/v1/scheduler/jobs'), { job: '', timeoutMs: Math.max(opts.timeoutMs, 120_000), maxBodyBytes: 2 ** 31 - 1 });
  if (list.hang || list.status !== 200) return { listed: 0, checked: 0, invalid: [], listError: list.hang ? 'GET /v1/scheduler/jobs did not answer' : `GET /v1/scheduler/jobs answered ${list.status} ${list.body.slice(0, 200)}` };
  let jobs: unknown;
  try {
    jobs = JSON.parse(list.body);
  } catch (e) {
    return { listed: 0, checked: 0, invalid: [], listError: `GET /v1/scheduler/jobs is not JSON (${(e as Error).message})` };
  }
  if (!Array.isArray(jobs)) return { listed: 0, checked: 0, invalid: [], listError: 'GET /v1/scheduler/jobs is not an array' };
  const names = jobs.map((j) => (j as { name?: unknown })?.name);
  const invalid: AuditResult['invalid'] = [];
  names.forEach((n, i) => {
    if (typeof n !== 'string') invalid.push({ name: `#${i}`, why: `listed without a string name: ${JSON.stringify(jobs[i]).slice(0, 120)}` });
  });
  const valid = names.filter((n): n is string => typeof n === 'string');
  let next = 0;
  let checked = 0;
  const now = Date.now();
  const worker = async () => {
    while (next < valid.length) {
      const name = valid[next++];
      const o = await send(t, get(`/v1/scheduler/job/${encodeURIComponent(name)}`), { job: '', timeoutMs: opts.timeoutMs, maxBodyBytes: 64 * 1024 * 1024 });
      checked++;
      opts.onProgress?.(checked, valid.length);
      if (o.hang) invalid.push({ name, why: 'GET /v1/scheduler/job/<name> did not answer' });
      else if (o.status !== 200) invalid.push({ name, why: `listed, but GET /v1/scheduler/job/<name> answers ${o.status} ${o.body.slice(0, 160)}` });
      else {
        const why = auditJobJson(o.body, now);
        if (why) invalid.push({ name, why });
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { listed: names.length, checked, invalid };
}
