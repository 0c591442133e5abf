/**
 * An offer round: the head of the run queue matched against the offers (core/matcher.ts), then in
 * chunks of whole agents and whole jobs (core/launch-chunks.ts): each task built
 * (core/taskinfo.ts) and, for a first attempt, its job's schedule advanced (Chronos advances at
 * launch), every launch of the chunk recorded (run → STAGING) before the chunk's ACCEPT goes out,
 * then the next chunk built and recorded; the schedules advanced are stored once for the round,
 * after its ACCEPTs (only the schedule written).
 *
 * One bad item never stops the round: a task that cannot be built or whose schedule cannot
 * advance fails its run alone (ERROR, with the reason; its job set aside), and a launch whose data
 * the store refuses is found job by job and fails alone. Queued runs of a disabled job are
 * settled SKIPPED here, as Chronos drops them at offer time.
 */
import { jobFieldChange, type JobFieldChange } from '../core/job-field-change';
import { launchChunks } from '../core/launch-chunks';
import { matchOffers, offeredTotals, type AgentLaunch, type PendingTask } from '../core/matcher';
import { demandLeft, offersToKeep } from '../core/offers-to-keep';
import { buildTaskInfo } from '../core/taskinfo';
import { storableText } from '../core/text';
import type { Instant, Job, Offer, Run } from '../core/types';
import type { Launch, OfferDecision, RunPatch } from '../ports';
import { commitIsolating, reasonOf } from './isolate';
import { launchAdvance, parseJobSchedule, type JobSchedule } from './schedules';
import type { Effects, WorkerContext } from './worker-context';
import { offeredEvent } from './run-events';
import { OFFERS_KEPT_AFTER_MS } from './prepared-runs';

/** An ISO 8601 schedule whose start is left empty (`R1//PT1H`): its start is "now" when read. */
const OPEN_START = /^R\d*\/\//;

/**
 * How much of the queue an offer round matches: runs in launch order until their demand is
 * `times` what the offers hold (in cpus, mem or disk), and never fewer than `min` runs that could
 * take room. A head of more than `min` runs that fit no agent (a constraint no agent meets) would
 * keep smaller runs behind it waiting; the matcher's priority rule holds within the window.
 */
const OFFER_WINDOW = { min: 1000, times: 4 };

/** Tasks per chunk of an offer round (about: whole agents and whole jobs), recorded then ACCEPTed. */
const LAUNCH_CHUNK = 500;

/** What one chunk of an offer round did. */
interface ChunkDone {
  /** Recorded launches, per agent: ready for their ACCEPT. */
  launches: Launch[];
  /** Offers of agents where nothing of the chunk was recorded. */
  declines: string[];
  /** Runs that cannot launch for a reason of their own (settled ERROR after the round). */
  failed: { run: Run; reason: string }[];
  recorded: number;
  /** The store failed for another reason midway (the one-by-one commits): the round stops here. */
  stopped: boolean;
  /** The schedules of the recorded launches' jobs advanced (Chronos advances at launch), to store. */
  schedules: JobFieldChange[];
}

/** One task of an offer round, built and waiting to be recorded. */
interface PlannedLaunch {
  run: Run;
  agentId: string;
  host: string;
  offerIds: string[];
  taskInfo: object;
}

export class LaunchPlanner {
  /** The offers kept so far for runs prepared for instant `at` (cpus, mem, disk they hold). */
  private kept: { at: Instant; room: [number, number, number] } | null = null;

  constructor(private readonly ctx: WorkerContext) {}

  /**
   * Of the offers a round left unused, those to keep for runs prepared ahead and due soon (what
   * they need, less what earlier rounds kept for them: core/offers-to-keep.ts); undefined when no
   * such runs are near or nothing more is needed.
   */
  private keepForHerd(offers: Offer[], unused: string[], now: Instant): OfferDecision['hold'] {
    const herd = this.ctx.herdSoon(now);
    if (herd === null) return undefined;
    if (this.kept?.at !== herd) this.kept = { at: herd, room: [0, 0, 0] };
    const ids = offersToKeep(offers, unused, demandLeft(this.ctx.herdNeed(herd), this.kept.room), this.ctx.settings.role);
    if (ids.length === 0) return undefined;
    const keep = new Set(ids);
    const room = offeredTotals(offers.filter((o) => keep.has(o.id)), this.ctx.settings.role);
    for (let k = 0; k < 3; k++) this.kept.room[k] += room[k];
    return { offerIds: ids, until: Math.max(herd, now) + OFFERS_KEPT_AFTER_MS };
  }

  /**
   * One OFFERS event: what to launch (recorded first) and what to decline. Runs in a step. With
   * `accept`, each chunk's launches are handed to it as soon as they are recorded (the framework
   * ACCEPTs them at once) and the answer holds only the declines.
   */
  async handleOffers(offers: Offer[], accept?: (launches: Launch[]) => void): Promise<OfferDecision> {
    const now = this.ctx.clock.now();
    const pending: PendingTask[] = [];
    const dropped: Run[] = [];
    // The matcher sees the head of the queue in launch order: enough runs to fill these offers
    // several times over (OFFER_WINDOW), not the whole queue (10,000 queued runs made every
    // small offer cost milliseconds). Runs that cannot take room (a non-concurrent job already
    // running) do not count towards the window.
    const offered = offeredTotals(offers, this.ctx.settings.role);
    const wanted = [0, 0, 0];
    let counted = 0;
    for (const run of this.ctx.runs.queue.inOrder()) {
      const job = this.ctx.jobs.get(run.jobName);
      if (!job) continue;
      if (job.disabled) {
        // Chronos drops the queued tasks of a disabled job at offer time; we record why.
        dropped.push(run);
        continue;
      }
      if (job.concurrent || !this.ctx.runs.inflightByJob.has(job.name)) {
        counted++;
        wanted[0] += job.cpus;
        wanted[1] += job.mem;
        wanted[2] += job.disk;
      }
      if (counted > OFFER_WINDOW.min && wanted.some((w, k) => w > offered[k] * OFFER_WINDOW.times)) break;
      pending.push({
        taskId: run.taskId,
        jobName: run.jobName,
        demand: { cpus: job.cpus, mem: job.mem, disk: job.disk },
        constraints: job.constraints,
        highPriority: run.highPriority,
        concurrent: job.concurrent,
        due: run.due,
      });
    }
    if (dropped.length > 0) await this.dropRuns(dropped, 'job disabled', now);
    const busy = new Set<string>();
    for (const name of this.ctx.runs.inflightByJob.keys()) busy.add(name);
    const result = matchOffers({ pending, offers, running: busy, role: this.ctx.settings.role });
    this.ctx.lastUnplaced = new Map(result.unplaced.map((u) => [u.taskId, u]));

    // runs prepared ahead come due soon: of the offers left unused, what they need is kept for them
    const hold = this.keepForHerd(offers, result.declines, now);
    const kept = new Set(hold?.offerIds);
    const declines = kept.size === 0 ? result.declines : result.declines.filter((id) => !kept.has(id));
    if (result.launches.length === 0) {
      const all = kept.size === 0 ? offers.map((o) => o.id) : offers.map((o) => o.id).filter((id) => !kept.has(id));
      this.ctx.events.emit('offers', { received: offers.length, used: 0, declined: all.length, launched: 0 });
      return hold ? { launches: [], declines: all, hold } : { launches: [], declines: all };
    }

    // The round in chunks of whole agents and whole jobs (core/launch-chunks.ts): each chunk
    // built, recorded (run → STAGING) and handed to `accept` (its ACCEPT goes
    // out) before the next is built, so the first tasks start while the rest are recorded. A
    // task is always recorded before its ACCEPT; a stop between chunks leaves the rest QUEUED.
    const decision: OfferDecision = hold ? { launches: [], declines, hold } : { launches: [], declines };
    const failed: { run: Run; reason: string }[] = [];
    const schedules: JobFieldChange[] = [];
    let launched = 0;
    const chunks = launchChunks(result.launches, LAUNCH_CHUNK);
    for (let i = 0; i < chunks.length; i++) {
      let done: ChunkDone;
      try {
        done = await this.launchChunk(chunks[i]);
      } catch (e) {
        // Nothing of this chunk or the later ones is recorded: their offers are declined, their
        // runs stay queued and are tried again with the next offers.
        this.ctx.report('launch', `could not record launches: ${reasonOf(e)}`);
        for (const chunk of chunks.slice(i)) for (const l of chunk) decision.declines.push(...l.offerIds);
        break;
      }
      failed.push(...done.failed);
      schedules.push(...done.schedules);
      launched += done.recorded;
      decision.declines.push(...done.declines);
      if (accept && done.launches.length > 0) accept(done.launches);
      else decision.launches.push(...done.launches);
      if (done.stopped) {
        for (const chunk of chunks.slice(i + 1)) for (const l of chunk) decision.declines.push(...l.offerIds);
        break;
      }
    }
    await this.storeSchedules(schedules);
    await this.failRuns(failed, now);
    this.ctx.wake();
    const used = offers.length - decision.declines.length;
    this.ctx.events.emit('offers', { received: offers.length, used, declined: decision.declines.length, launched });
    this.ctx.emitQueue();
    return decision;
  }

  /**
   * One chunk of an offer round: each task built (its TaskInfo) and, for a first attempt, its
   * job's schedule advanced (Chronos advances at launch, in memory; stored after the round); every
   * launch recorded in one statement (runs → STAGING, OFFERED events) or, when the store refuses
   * one job's data, one per job, the refused ones failed; then memory follows. A
   * task that cannot be built fails its run alone (ERROR, with the reason). Throws, recording
   * nothing, when the store fails for another reason (database down, leadership lost).
   */
  private async launchChunk(chunk: readonly AgentLaunch[]): Promise<ChunkDone> {
    const now = this.ctx.clock.now();
    const planned: PlannedLaunch[] = [];
    const failed: { run: Run; reason: string }[] = [];
    const advanced = new Map<string, JobSchedule>();
    const jobPuts = new Map<string, Job>();
    for (const launch of chunk) {
      for (const t of launch.tasks) {
        const run = this.ctx.runs.queue.get(t.taskId);
        const job = this.ctx.jobs.get(t.jobName);
        if (!run || !job) continue;
        try {
          const taskInfo = buildTaskInfo({
            job,
            taskId: run.taskId,
            agentId: launch.agentId,
            resources: t.resources,
            due: run.due,
            attempt: run.attempt,
            arguments: run.arguments,
            hostname: launch.hostname,
            trigger: run.trigger,
            intended: run.intendedDue,
          });
          const schedule = this.ctx.index.scheduleOf(job.name);
          if (schedule && run.attempt === 0 && run.trigger !== 'backfill') {
            const base = jobPuts.get(job.name) ?? job;
            // The held parse is the job's (its start fixed); a start left empty means "now" and is
            // read again at launch, as Chronos does.
            const held = advanced.get(job.name) ?? (OPEN_START.test(base.schedule ?? '') ? null : schedule);
            const current = held ? { ok: true as const, value: held } : parseJobSchedule(base, now);
            if (current.ok) {
              let next: ReturnType<typeof launchAdvance>;
              try {
                next = launchAdvance(current.value, now);
              } catch (e) {
                this.ctx.index.putAside(job.name, `its schedule cannot advance past ${this.ctx.isoUtc(now)}: ${reasonOf(e)}`);
                throw new Error(`the schedule ${base.schedule} cannot advance past ${this.ctx.isoUtc(now)}: ${reasonOf(e)}`);
              }
              advanced.set(job.name, next.next);
              jobPuts.set(job.name, { ...base, schedule: next.expression });
            }
          }
          planned.push({ run, agentId: launch.agentId, host: launch.hostname, offerIds: launch.offerIds, taskInfo });
        } catch (e) {
          failed.push({ run, reason: reasonOf(e) });
        }
      }
    }

    const byJob = new Map<string, PlannedLaunch[]>();
    for (const p of planned) {
      const list = byJob.get(p.run.jobName);
      if (list) list.push(p);
      else byJob.set(p.run.jobName, [p]);
    }
    // One statement (one round trip): runs → STAGING and their OFFERED events (a run is offered
    // once, before any update: nothing to trim). The schedules advanced are stored after the
    // round's ACCEPTs (handleOffers: storeSchedules).
    const commit = async (units: readonly PlannedLaunch[][]) => {
      const items = units.flat();
      await this.ctx.store.runs.record({
        updates: items.map((p) => ({ taskId: p.run.taskId, patch: { state: 'STAGING', launchedAt: now, agentId: p.agentId, host: p.host } })),
        events: items.map((p) => offeredEvent(p.run.taskId, p.agentId, p.host, p.offerIds, now)),
        jobs: [],
      });
    };
    const r = await commitIsolating([...byJob.values()], commit, (unit, e) => {
      for (const p of unit) failed.push({ run: p.run, reason: `the launch cannot be recorded: ${reasonOf(e)}` });
    });
    const recorded = r.committed.flat();
    if (r.stoppedBy !== null) this.ctx.report('launch', `could not record launches: ${reasonOf(r.stoppedBy)}`);

    const done: ChunkDone = { launches: [], declines: [], failed, recorded: recorded.length, stopped: r.stoppedBy !== null, schedules: [] };
    const recordedJobs = new Set<string>();
    const taskInfosOf = new Map<string[], object[]>(chunk.map((l) => [l.offerIds, []]));
    for (const p of recorded) {
      recordedJobs.add(p.run.jobName);
      taskInfosOf.get(p.offerIds)!.push(p.taskInfo);
    }
    for (const launch of chunk) {
      const taskInfos = taskInfosOf.get(launch.offerIds)!;
      if (taskInfos.length > 0) done.launches.push({ agentId: launch.agentId, offerIds: launch.offerIds, taskInfos });
      else done.declines.push(...launch.offerIds);
    }
    for (const { run, agentId, host } of recorded) {
      this.ctx.runs.queue.delete(run.taskId);
      const next: Run = { ...run, state: 'STAGING', launchedAt: now, agentId, host };
      this.ctx.track(next, now);
      this.ctx.events.emit('run', { run: next, previous: run.state });
      if (run.trigger === 'schedule' || run.trigger === 'immediate') this.ctx.index.launched(run.jobName);
    }
    for (const job of jobPuts.values()) {
      if (!recordedJobs.has(job.name)) continue;
      // only the schedule is written (a field change): the rest of the job's row stays as stored
      const before = this.ctx.jobs.get(job.name);
      const change = before ? jobFieldChange(before, job) : null;
      if (change) done.schedules.push(change);
      this.ctx.jobs.set(job.name, job);
      this.ctx.index.reindex(job, now, advanced.get(job.name));
    }
    return done;
  }

  /**
   * The schedules a round advanced, stored once its ACCEPTs are out: one statement for the round
   * instead of a part of every chunk's record, where it was half the record's time (the jobs'
   * rows carry three indexes and are not updated in place) and so half of a herd's due → launch.
   * The launch itself is what must be stored before its ACCEPT; its run keeps its instant from
   * running twice. If the schedules are not stored (the store fails, the leader stops first), the
   * worker holds them and the job's next change writes its schedule whole; a new leader finds the
   * job due at the instant its run already has and moves the schedule on once the run has ended
   * (due-runs.ts: "already ran").
   */
  private async storeSchedules(changes: JobFieldChange[]): Promise<void> {
    if (changes.length === 0) return;
    try {
      await this.ctx.store.runs.record({ updates: [], events: [], jobs: changes });
    } catch (e) {
      this.ctx.report('launch', `the schedules of ${changes.length} launched job(s) could not be stored (each is stored with its job's next change): ${reasonOf(e)}`);
    }
  }

  /**
   * Runs that could not be launched for a reason of their own (their task cannot be built, their
   * schedule cannot advance, the store refuses their data): each goes to ERROR with the reason and
   * counts as a failure of its job, without a retry (it would fail the same way). Logged once per
   * run. If this cannot be stored, the runs stay queued and are tried again with the next offer.
   */
  private async failRuns(items: { run: Run; reason: string }[], now: Instant): Promise<void> {
    if (items.length === 0) return;
    const patches: { taskId: string; patch: RunPatch }[] = [];
    const allEffects: Effects[] = [];
    for (const { run, reason } of items) {
      this.ctx.report('launch', `job ${run.jobName}: run ${run.taskId} not launched: ${reason}`);
      patches.push({ taskId: run.taskId, patch: { state: 'ERROR', finishedAt: now, message: storableText(`not launched: ${reason}`) } });
      const job = this.ctx.jobs.get(run.jobName);
      if (!job) continue;
      try {
        // no retry: attempts used up
        allEffects.push(this.ctx.outcome(job, { ...run, attempt: Number.MAX_SAFE_INTEGER }, 'ERROR', now));
      } catch (e) {
        this.ctx.report('launch', `job ${run.jobName}: its failure cannot be counted: ${reasonOf(e)}`);
      }
    }
    let created: Run[][];
    try {
      created = await this.ctx.storeEffects(allEffects, (tx) => tx.runs.updateMany(patches));
    } catch (e) {
      this.ctx.report('launch', `could not record ${items.length} failed launch(es): ${reasonOf(e)}`);
      return;
    }
    items.forEach(({ run }, i) => {
      this.ctx.runs.queue.delete(run.taskId);
      this.ctx.events.emit('run', { run: { ...run, ...patches[i].patch } as Run, previous: run.state });
      if (run.trigger === 'schedule' || run.trigger === 'immediate') {
        this.ctx.index.launched(run.jobName);
        const job = this.ctx.jobs.get(run.jobName);
        if (job) this.ctx.index.reindex(job, now);
      }
    });
    allEffects.forEach((effects, i) => this.ctx.applyEffects(effects, now, created[i] ?? []));
  }

  /** Settles queued runs that will never launch as SKIPPED (stored first), with the reason. */
  private async dropRuns(runs: Run[], why: string, now: Instant): Promise<void> {
    const patch: RunPatch = { state: 'SKIPPED', finishedAt: now, message: `skipped: ${why}` };
    await this.ctx.store.runs.updateMany(runs.map((r) => ({ taskId: r.taskId, patch })));
    for (const run of runs) {
      this.ctx.runs.queue.delete(run.taskId);
      if (run.trigger === 'schedule' || run.trigger === 'immediate') {
        this.ctx.index.launched(run.jobName);
        const job = this.ctx.jobs.get(run.jobName);
        if (job) this.ctx.index.reindex(job, now);
      }
      this.ctx.events.emit('run', { run: { ...run, ...patch } as Run, previous: run.state });
    }
    this.ctx.emitQueue();
  }
}
