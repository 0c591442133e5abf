/**
 * The UI benchmark's data, generated (seeded PRNG, so every run builds the same data relative to
 * its start time):
 * - jobs: 70% scheduled (ISO8601 daily at night in eight zones, hourly, every 5 minutes; 20% of
 *   them cron), 30% dependent in ~N/17 pipelines (chains, fan-outs, a few fan-ins; one nightly
 *   "transcode" pipeline of ~N/33 jobs), 5% disabled, eight owners. Every schedule's next due
 *   instant is at least 4 hours away, so nothing fires by itself during the bench; 20 jobs are
 *   named to be started by hand once the app is up (they stay RUNNING), so the dashboard has live runs.
 * - runs: the last 7 days of each job's schedule (dependents after their parents' successes),
 *   mostly FINISHED, some FAILED (with a retry), KILLED, LOST, with durations per job.
 */
import { DateTime } from 'luxon';
import { parseJob } from '../../../scheduler/api/job-schema';
import type { Job } from '../../../scheduler/core/types';

const ZONES = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney'];
const TEAMS = [
  ['media', 'Media pipeline'],
  ['data', 'Data platform'],
  ['billing', 'Billing'],
  ['search', 'Search'],
  ['ml', 'Machine learning'],
  ['ops', 'Operations'],
  ['growth', 'Growth analytics'],
  ['security', 'Security'],
] as const;
const VERBS = ['transcode', 'etl', 'report', 'backup', 'index', 'train', 'cleanup', 'sync', 'export', 'ingest', 'rollup', 'audit'];
const HOSTS = Array.from({ length: 40 }, (_, i) => `agent-${String(i).padStart(2, '0')}.dc1.example.com`);
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface SeedJob {
  job: Job;
  /** Scheduled: period and the UTC instants of its past due times are computed from these. */
  periodMs?: number;
  /** Scheduled daily: UTC ms-of-day of its local wall time (DST inside the week ignored). */
  phaseMs?: number;
  parents?: string[];
  /** Typical duration, ms; failure rate 0..1. */
  durMs: number;
  failRate: number;
}

export interface RunRec {
  job: string;
  due: number;
  attempt: number;
  trigger: string;
  state: string;
  launched: number;
  started: number;
  finished: number;
  host: string;
  message: string | null;
  reason: string | null;
}

/** Wall time `hh:mm` in `zone` on the day of `t`, as the first such instant ≥ t (luxon). */
function nextWall(t: number, zone: string, hour: number, minute: number): number {
  let d = DateTime.fromMillis(t, { zone }).set({ hour, minute, second: 0, millisecond: 0 });
  if (d.toMillis() < t) d = d.plus({ days: 1 });
  return d.toMillis();
}

export function makeJobs(n: number, now: number, rand: () => number): { jobs: SeedJob[]; focusJob: string; heavy: string[]; live: string[] } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const QUIET = 4 * HOUR; // no schedule is due sooner than this after the seed
  const nDependent = Math.round(n * 0.3);
  const nScheduled = n - nDependent;
  const nHeavy = Math.min(5, nScheduled);
  const out: SeedJob[] = [];
  const heavy: string[] = [];
  const live: string[] = [];
  const name = (i: number, verb: string, team: string) => `${verb}-${team}-${String(i).padStart(5, '0')}`;
  const base = (i: number, verb: string, team: (typeof TEAMS)[number]) => ({
    name: name(i, verb, team[0]),
    command: `/opt/${team[0]}/bin/${verb} --shard ${i % 64} --date "$(date -u +%F)"`,
    owner: `${team[0]}-oncall@example.com`,
    ownerName: team[1],
    description: `${verb} for ${team[1].toLowerCase()} (shard ${i % 64})`,
    cpus: pick([0.25, 0.5, 1, 2, 4]),
    mem: pick([128, 256, 512, 1024, 4096]),
    disk: 256,
    retries: pick([0, 1, 2]),
    disabled: rand() < 0.05,
  });

  for (let i = 0; i < nScheduled; i++) {
    const team = pick(TEAMS);
    const verb = pick(VERBS);
    const zone = pick(ZONES);
    const b = base(i, verb, team);
    let schedule: string;
    let periodMs: number;
    let phaseMs: number;
    if (i < nHeavy) {
      // every 5 minutes: the jobs with the longest history (2,016 runs a week)
      periodMs = 5 * MIN;
      const start = Math.ceil((now + QUIET) / periodMs) * periodMs;
      schedule = `R/${new Date(start).toISOString().replace('.000Z', 'Z')}/PT5M`;
      phaseMs = start % DAY;
      heavy.push(b.name);
      b.disabled = false;
    } else {
      const hourly = rand() < 0.03;
      periodMs = hourly ? HOUR : DAY;
      // night hours in the job's zone (18:00–07:59), outside the quiet window
      let hour = (18 + Math.floor(rand() * 14)) % 24;
      const minute = pick([0, 0, 5, 15, 30, 45]);
      const zoneHour = DateTime.fromMillis(now, { zone }).hour;
      if (!hourly && ((hour - zoneHour + 24) % 24) * HOUR < QUIET + HOUR) hour = (zoneHour + 5 + Math.floor(rand() * 12)) % 24;
      const first = hourly ? Math.ceil((now + QUIET) / HOUR) * HOUR + minute * MIN : nextWall(now + QUIET, zone, hour, minute);
      phaseMs = ((first % periodMs) + periodMs) % periodMs;
      if (!hourly && rand() < 0.2) {
        // cron, daily or on weekdays
        schedule = `${minute} ${hour} * * ${rand() < 0.3 ? '1-5' : '*'}`;
      } else {
        const local = DateTime.fromMillis(first, { zone: hourly ? 'UTC' : zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
        schedule = `R/${local}${hourly ? 'Z' : ''}/${hourly ? 'PT1H' : 'P1D'}`;
      }
    }
    // a zone for local wall times and cron; UTC instants ("…Z/") carry their own
    const fields = { ...b, schedule, ...(schedule.includes('Z/') ? {} : { scheduleTimeZone: zone }) };
    const r = parseJob(fields, { now, kind: 'iso8601' });
    if (!r.ok) throw new Error(`bad seed job ${JSON.stringify(fields)}: ${JSON.stringify(r.error)}`);
    const heavyTail = rand();
    out.push({
      job: r.value,
      periodMs,
      phaseMs,
      durMs: verb === 'transcode' ? 5 * MIN + heavyTail * 40 * MIN : heavyTail < 0.7 ? 2_000 + heavyTail * 60_000 : 60_000 + heavyTail * 30 * MIN,
      failRate: rand() < 0.1 ? 0.2 : rand() * 0.03,
    });
  }

  // Dependents in pipelines rooted at scheduled jobs: chains, fan-outs and a few fan-ins. The
  // first pipeline is the big nightly transcode batch (~n/33 jobs).
  const roots = out.filter((s) => !heavy.includes(s.job.name) && !s.job.disabled && s.periodMs === DAY);
  const nPipelines = Math.max(1, Math.min(roots.length, Math.round(nDependent / 5)));
  const pipelines: string[][] = [];
  for (let p = 0; p < nPipelines; p++) pipelines.push([roots[Math.floor((p / nPipelines) * roots.length)].job.name]);
  // the big nightly batch hangs off a transcode job
  const transcodeRoot = roots.find((r) => r.job.name.startsWith('transcode-') && !pipelines.some((pl) => pl[0] === r.job.name));
  if (transcodeRoot) pipelines[0] = [transcodeRoot.job.name];
  const bigSize = Math.max(2, Math.round(n / 33));
  for (let i = 0; i < nDependent; i++) {
    const pi = i < bigSize ? 0 : 1 + Math.floor(Math.pow(rand(), 1.6) * Math.max(1, nPipelines - 1)) % Math.max(1, nPipelines - 1);
    const pl = pipelines[Math.min(pi, pipelines.length - 1)];
    const team = pick(TEAMS);
    const verb = pi === 0 ? 'transcode' : pick(VERBS);
    const b = base(nScheduled + i, verb, pi === 0 ? TEAMS[0] : team);
    const x = rand();
    let parents: string[];
    if (x < (pi === 0 ? 0.25 : 0.55)) parents = [pl[pl.length - 1]]; // chain
    else if (x < 0.9 || pl.length < 3) parents = [pl[Math.floor(rand() * pl.length)]]; // fan-out
    else {
      const a = pl[Math.floor(rand() * pl.length)];
      let c = pl[Math.floor(rand() * pl.length)];
      if (c === a) c = pl[0] === a ? pl[1] : pl[0];
      parents = [a, c]; // fan-in
    }
    const r = parseJob({ ...b, parents }, { now, kind: 'dependency' });
    if (!r.ok) throw new Error(`bad seed job: ${JSON.stringify(r.error)}`);
    pl.push(b.name);
    out.push({ job: r.value, parents, durMs: pi === 0 ? MIN + rand() * 4 * MIN : 5_000 + rand() * 10 * MIN, failRate: rand() < 0.1 ? 0.15 : rand() * 0.02 });
  }
  for (let i = 0; i < 20 && i < out.length; i++) {
    const s = out[nHeavy + 1 + i * 7];
    if (s && !s.job.disabled && s.job.parents === undefined) live.push(s.job.name);
  }
  return { jobs: out, focusJob: pipelines[0][0], heavy, live };
}

export function makeRuns(jobs: SeedJob[], now: number, rand: () => number): RunRec[] {
  const from = now - 7 * DAY;
  const until = now - 2 * MIN;
  const runs: RunRec[] = [];
  /** Successful finishes of each job, for its dependents. */
  const finishes = new Map<string, number[]>();
  const one = (s: SeedJob, due: number, trigger: string): number | null => {
    let attempt = 0; // the first attempt is 0, as the worker numbers them
    let t = due;
    for (;;) {
      const launched = t + 50 + Math.floor(rand() * 1500);
      const started = launched + 100 + Math.floor(rand() * 900);
      const dur = Math.max(200, Math.round(s.durMs * (0.6 + rand() * 0.9)));
      const finished = started + dur;
      if (finished > until) return null; // would still be running: not seeded
      const x = rand();
      const state = x < s.failRate ? 'FAILED' : x < s.failRate + 0.004 ? 'KILLED' : x < s.failRate + 0.005 ? 'LOST' : 'FINISHED';
      runs.push({
        job: s.job.name,
        due,
        attempt,
        trigger: attempt > 0 ? 'retry' : trigger,
        state,
        launched,
        started,
        finished,
        host: HOSTS[Math.floor(rand() * HOSTS.length)],
        message: state === 'FAILED' ? `Command exited with status ${1 + Math.floor(rand() * 3)}` : state === 'KILLED' ? 'Killed by the user' : state === 'LOST' ? 'Agent lost' : null,
        reason: state === 'LOST' ? 'REASON_AGENT_REMOVED' : state === 'KILLED' ? 'REASON_TASK_KILLED_DURING_LAUNCH' : null,
      });
      if (state === 'FINISHED') return finished;
      if (attempt >= s.job.retries || state === 'KILLED') return null;
      attempt++;
      t = finished + 5_000;
    }
  };
  for (const s of jobs) {
    const ok: number[] = [];
    if (s.parents) {
      // after each success of the first parent that the other parents also reached since
      const p = finishes.get(s.parents[0]) ?? [];
      for (const f of p) {
        const due = f;
        const r = one(s, due, 'dependency');
        if (r !== null) ok.push(r);
      }
    } else if (s.periodMs !== undefined && s.phaseMs !== undefined) {
      // disabled jobs stopped three days ago
      const end = s.job.disabled ? now - 3 * DAY : until;
      for (let due = Math.ceil((from - s.phaseMs) / s.periodMs) * s.periodMs + s.phaseMs; due < end; due += s.periodMs) {
        const r = one(s, due, 'schedule');
        if (r !== null) ok.push(r);
      }
    }
    finishes.set(s.job.name, ok);
  }
  return runs;
}
