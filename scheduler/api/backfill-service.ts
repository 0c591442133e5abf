/**
 * Backfills through the UI's JSON API:
 *   POST /api/jobs/{name}/backfill          plan (dryRun) or start one (body: backfill-request.ts)
 *   GET  /api/backfills[?job=…]             newest first, with progress
 *   GET  /api/backfills/{id}                one, with its items
 *   POST /api/backfills/{id}/pause|resume|cancel
 * What runs is planned here (core/backfill-plan.ts) and stored; the leader's runner
 * (runtime/backfill-runner.ts) goes on with it. Nothing is stored when the request is refused;
 * a backfill over a paused job (the job, or one downstream of it with `downstream`) is a 409
 * naming the job and its pause.
 */
import { backfillItems, backfillJobs, instantsIn, type BackfillItemState, type BackfillJob } from '../core/backfill-plan';
import type { BackfillState } from '../core/backfill-step';
import { DependencyGraph } from '../core/dag';
import { describePause, isPaused } from '../core/pause';
import { parseScheduleSpec } from '../core/spec';
import type { Instant, Job } from '../core/types';
import type { BackfillRecord, Clock, Store } from '../ports';
import { parseBackfillRequest } from './backfill-request';
import { ApiError } from './errors';
import { UiFieldError } from './ui-query';

export interface BackfillView {
  id: string;
  job: string;
  from: string;
  to: string;
  downstream: boolean;
  concurrency: number;
  force: boolean;
  state: BackfillState;
  jobs: BackfillJob[];
  disabled: string[];
  createdAt: string;
  updatedAt: string;
  counts: Record<BackfillItemState, number>;
  total: number;
}

export interface BackfillItemView {
  seq: number;
  job: string;
  due: string;
  state: BackfillItemState;
  taskId: string | null;
  note: string | null;
}

export interface BackfillDetailView extends BackfillView {
  items: BackfillItemView[];
}

/** What a backfill would run (dryRun), nothing stored. */
export interface BackfillPlanView {
  job: string;
  from: string;
  to: string;
  instants: string[];
  jobs: BackfillJob[];
  disabled: string[];
  /** Items (job × instant) in all, and those already run (skipped unless forced). */
  total: number;
  alreadyRun: number;
  concurrency: number;
  downstream: boolean;
  force: boolean;
}

export type BackfillAction = 'pause' | 'resume' | 'cancel';

const TRANSITIONS: Record<BackfillAction, { to: BackfillState; from: BackfillState[]; verb: string }> = {
  pause: { to: 'paused', from: ['running'], verb: 'paused' },
  resume: { to: 'running', from: ['paused'], verb: 'resumed' },
  cancel: { to: 'cancelling', from: ['running', 'paused'], verb: 'cancelled' },
};

export interface BackfillServiceDeps {
  store: Store;
  clock: Clock;
  /** BACKFILL_MAX_INSTANTS. */
  maxInstants: number;
  /** Every job (for the graph below the backfilled one). */
  jobs: () => Promise<Job[]>;
  /** Tells the leader's runner to go on now (no-op where none runs). */
  kick: () => void;
}

const iso = (t: Instant) => new Date(t).toISOString();

function view(r: BackfillRecord): BackfillView {
  return { ...r, from: iso(r.from), to: iso(r.to), createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) };
}

export class BackfillService {
  constructor(private readonly deps: BackfillServiceDeps) {}

  /** POST /api/jobs/{name}/backfill: 201 with the backfill, or 200 with the plan (dryRun). */
  async start(name: string, body: unknown): Promise<{ status: 200 | 201; body: BackfillView | BackfillPlanView }> {
    const { store, clock } = this.deps;
    const job = await store.jobs.get(name);
    if (!job) throw ApiError.notFound(`job '${name}' not found`);
    const now = clock.now();
    const req = parseBackfillRequest(body, now);
    if (!job.schedule || job.parents !== undefined) {
      throw new UiFieldError('job', `job '${name}' has no schedule of its own (it runs after its parents): backfill a parent with downstream`);
    }
    if (job.disabled) throw new UiFieldError('job', `job '${name}' is disabled: its runs would be skipped; enable it first`);
    const spec = parseScheduleSpec(job.schedule, job.scheduleTimeZone ?? '', now, { legacy: true });
    if (!spec.ok) throw new UiFieldError('job', `job '${name}' has a schedule that cannot be read: ${spec.error.message}`);
    const instants = instantsIn(spec.value, req.from, req.to, this.deps.maxInstants);
    if (!instants.ok) throw new UiFieldError(instants.error.field, instants.error.message);
    if (instants.value.length === 0) throw new UiFieldError('from', `the range ${iso(req.from)} to ${iso(req.to)} holds no instant of the schedule ${job.schedule}`);
    const all = req.downstream ? await this.deps.jobs() : [job];
    const byName = new Map(all.map((j) => [j.name, j]));
    const { graph } = DependencyGraph.fromJobs(all);
    const { jobs, disabled } = backfillJobs(graph, name, req.downstream, (n) => byName.get(n)?.disabled ?? true);
    // a paused job is not run behind its pauser's back: resume it (or wait for the end) first
    for (const j of jobs) {
      const pause = byName.get(j.name)?.pause;
      if (pause && isPaused(pause, now)) throw ApiError.conflict(`job '${j.name}' is ${describePause(pause)}; resume it before backfilling it`);
    }
    const ran = await this.lastAttempts(
      jobs.map((j) => j.name),
      instants.value,
    );
    const items = backfillItems(jobs, instants.value, req.force, (j, due) => ran.get(`${j}\n${due}`) ?? null);
    const common = { job: name, from: iso(req.from), to: iso(req.to), jobs, disabled, concurrency: req.concurrency, downstream: req.downstream, force: req.force };
    if (req.dryRun) {
      return {
        status: 200,
        body: { ...common, instants: instants.value.map(iso), total: items.length, alreadyRun: items.filter((i) => i.attempt > 0 || i.state === 'skipped').length },
      };
    }
    const record = await store.backfills.create({ job: name, from: req.from, to: req.to, downstream: req.downstream, concurrency: req.concurrency, force: req.force, jobs, disabled, createdAt: now }, items);
    this.deps.kick();
    return { status: 201, body: view(record) };
  }

  async list(job: string | null): Promise<BackfillView[]> {
    return (await this.deps.store.backfills.list({ job: job ?? undefined, limit: 100 })).map(view);
  }

  async get(id: string): Promise<BackfillDetailView> {
    const r = await this.deps.store.backfills.get(id);
    if (!r) throw ApiError.notFound(`backfill '${id}' not found`);
    const items = await this.deps.store.backfills.items(id);
    return { ...view(r), items: items.map((i) => ({ seq: i.seq, job: i.job, due: iso(i.due), state: i.state, taskId: i.taskId, note: i.note })) };
  }

  async act(id: string, action: BackfillAction): Promise<BackfillView> {
    const t = TRANSITIONS[action];
    if (!/^\d{1,18}$/.test(id)) throw ApiError.notFound(`backfill '${id}' not found`);
    const moved = await this.deps.store.backfills.setState(id, t.to, t.from, this.deps.clock.now());
    const r = await this.deps.store.backfills.get(id);
    if (!r) throw ApiError.notFound(`backfill '${id}' not found`);
    if (!moved) throw ApiError.conflict(`backfill ${id} is ${r.state}: it cannot be ${t.verb}`);
    this.deps.kick();
    return view(r);
  }

  /** The highest attempt of each (job, instant) that has runs, keyed `job\ndue`. */
  private async lastAttempts(jobNames: string[], instants: Instant[]): Promise<Map<string, number>> {
    const wanted = new Set(instants);
    const out = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.runs.list({ jobNames, from: instants[0], to: instants[instants.length - 1] + 1, limit: 10_000, cursor });
      for (const r of page.runs) {
        if (!wanted.has(r.due)) continue;
        const key = `${r.jobName}\n${r.due}`;
        out.set(key, Math.max(out.get(key) ?? -1, r.attempt));
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }
}
