/**
 * An in-memory Store, beside the real one (scheduler/adapters/prisma): the same contract
 * (scheduler/ports.ts) without PostgreSQL, for tests of the worker and the services that need no
 * SQL. What it keeps as the real store does:
 *   - one run per task id and per (job, due, attempt): a second create is a no-op;
 *   - listings in the real order (names by code point; runs due desc, id desc; active runs due asc);
 *   - transactions are all or nothing (a throw inside puts every map back) and one at a time;
 *   - every value is copied in and out, so a caller's object never aliases a stored one;
 *   - a run keeps its last RUN_EVENTS_KEPT events, which go with its job's runs (deleteForJob).
 * `refuse` makes a write fail with StoreDataError, as PostgreSQL refuses a NUL.
 */
import { durationStats } from '../core/duration-stats';
import { applyFieldChange } from '../core/job-field-change';
import type { JobVersion } from '../core/job-version';
import type { Job, Run } from '../core/types';
import { memoryBackfills, type StoredBackfill } from './memory-backfills';
import { latestVersion, memoryVersions } from './memory-versions';
import {
  LATE_QUEUE_MS,
  RUN_EVENTS_KEPT,
  SEARCH_DEFAULT_LIMIT,
  StoreDataError,
  type BackfillStore,
  type EdgeStore,
  type FrameworkStore,
  type JobQuery,
  type JobStore,
  type JobVersionStore,
  type NewRun,
  type OutboxRow,
  type OutboxStore,
  type RunEvent,
  type RunFilter,
  type RunPage,
  type RunPatch,
  type RunStore,
  type Store,
} from '../ports';

const ACTIVE = new Set(['QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING']);
const copy = <T>(v: T): T => structuredClone(v);
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Newest first: due desc, then id desc (ids are numeric strings). */
const newestFirst = (a: Run, b: Run) => b.due - a.due || Number(b.id) - Number(a.id);

interface Data {
  jobs: Map<string, Job>;
  runs: Map<string, Run>;
  edges: Map<string, Map<string, number>>;
  state: Map<string, string>;
  nextId: number;
  outbox: OutboxRow[];
  backfills: Map<string, StoredBackfill>;
  events: Map<string, RunEvent[]>;
  versions: JobVersion[];
}

export interface MemoryStoreOptions {
  /** Refuse a write of these jobs or runs (StoreDataError), e.g. to test fault isolation. */
  refuse?: { job?: (job: Job) => boolean; run?: (run: NewRun) => boolean };
  /** Versions kept per job (JOB_VERSIONS_KEPT); default 100. */
  versionsKept?: number;
}

export class MemoryStore implements Store {
  readonly jobs: JobStore;
  readonly versions: JobVersionStore;
  readonly runs: RunStore;
  readonly edges: EdgeStore;
  readonly framework: FrameworkStore;
  readonly notifications: OutboxStore;
  readonly backfills: BackfillStore;
  private data: Data = { jobs: new Map(), runs: new Map(), edges: new Map(), state: new Map(), nextId: 1, outbox: [], events: new Map(), versions: [], backfills: new Map() };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: MemoryStoreOptions = {}) {
    const d = () => this.data;
    const refuseJob = (j: Job) => {
      if (this.opts.refuse?.job?.(j)) throw new StoreDataError(`the database refused the data of job ${j.name} (refused by the test)`);
    };
    const refuseRun = (r: NewRun) => {
      if (this.opts.refuse?.run?.(r)) throw new StoreDataError(`the database refused the data of run ${r.taskId} (refused by the test)`);
    };
    const sortedJobs = () => [...d().jobs.values()].sort((a, b) => byName(a.name, b.name));

    this.jobs = {
      get: async (name) => copy(d().jobs.get(name) ?? null),
      list: async () => copy(sortedJobs()),
      counters: async () => sortedJobs().map(({ name, successCount, errorCount }) => ({ name, successCount, errorCount })),
      sortsByCodePoint: async () => true,
      search: async (q: JobQuery) => {
        const limit = q.limit ?? SEARCH_DEFAULT_LIMIT;
        const offset = q.offset ?? 0;
        const has = (field: string, needle: string | undefined) => !needle || field.toLowerCase().includes(needle.toLowerCase());
        const hit = sortedJobs().filter((j) => {
          const filtered = has(j.name, q.name) && has(j.command, q.command);
          if (filtered) return true;
          return !!q.any && (q.name || q.command) ? has(j.name, q.any) || has(j.command, q.any) : false;
        });
        return copy(hit.slice(offset, offset + limit));
      },
      count: async () => d().jobs.size,
      put: async (job) => {
        refuseJob(job);
        d().jobs.set(job.name, copy(job));
      },
      apply: async ({ put = [], delete: del = [], update = [] }) => {
        [...put, ...update].forEach(refuseJob);
        for (const j of put) d().jobs.set(j.name, copy(j));
        for (const n of del) d().jobs.delete(n);
        for (const j of update) if (d().jobs.has(j.name)) d().jobs.set(j.name, copy(j));
      },
      patch: async (changes) => {
        for (const c of changes) {
          const held = d().jobs.get(c.name);
          if (!held) continue;
          const next = applyFieldChange(held, c);
          refuseJob(next);
          d().jobs.set(c.name, copy(next));
        }
      },
      delete: async (name) => d().jobs.delete(name),
    };

    const insert = (r: NewRun): Run | null => {
      refuseRun(r);
      const data = d();
      if (data.runs.has(r.taskId)) return null;
      for (const x of data.runs.values()) if (x.jobName === r.jobName && x.due === r.due && x.attempt === r.attempt) return null;
      const run: Run = {
        id: String(data.nextId++),
        jobName: r.jobName,
        due: r.due,
        attempt: r.attempt,
        taskId: r.taskId,
        arguments: r.arguments,
        trigger: r.trigger,
        highPriority: r.highPriority,
        state: r.state ?? 'QUEUED',
        queuedAt: r.queuedAt,
        launchedAt: null,
        startedAt: null,
        finishedAt: null,
        agentId: null,
        host: null,
        message: r.message ?? null,
        reason: null,
        elementsProcessed: 0,
        intendedDue: r.intendedDue ?? null,
      };
      const version = latestVersion(data.versions, r.jobName);
      if (version !== undefined) run.jobVersion = version;
      data.runs.set(run.taskId, run);
      return copy(run);
    };
    const patch = (taskId: string, p: RunPatch) => {
      const run = d().runs.get(taskId);
      if (!run) return;
      const next = { ...run };
      for (const [k, v] of Object.entries(p)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
      d().runs.set(taskId, next);
    };

    this.runs = {
      create: async (r) => insert(r),
      // one statement: all or nothing
      createMany: async (rs) => (rs.forEach(refuseRun), rs.map(insert).filter((r): r is Run => r !== null)),
      update: async (taskId, p) => {
        patch(taskId, p);
        return copy(d().runs.get(taskId) ?? null);
      },
      updateMany: async (us) => us.forEach((u) => patch(u.taskId, u.patch)),
      // all or nothing, as the one statement it stands for
      record: async ({ updates, events, jobs }) => {
        const before = copy(this.data);
        try {
          await this.jobs.patch(jobs);
          updates.forEach((u) => patch(u.taskId, u.patch));
          await this.runs.addEvents(events, []);
        } catch (e) {
          this.data = before;
          throw e;
        }
      },
      getByTaskId: async (taskId) => copy(d().runs.get(taskId) ?? null),
      getByTaskIds: async (ids) => copy(ids.flatMap((id) => d().runs.get(id) ?? [])),
      listActive: async () => copy([...d().runs.values()].filter((r) => ACTIVE.has(r.state)).sort((a, b) => a.due - b.due || Number(a.id) - Number(b.id))),
      list: async (f: RunFilter): Promise<RunPage> => {
        const limit = Math.max(1, Math.min(10_000, f.limit ?? 100));
        let all = [...d().runs.values()].filter(
          (r) =>
            (f.jobName === undefined || r.jobName === f.jobName) &&
            (f.jobNames === undefined || f.jobNames.includes(r.jobName)) &&
            (f.states === undefined || f.states.includes(r.state)) &&
            (f.from === undefined || r.due >= f.from) &&
            (f.to === undefined || r.due < f.to),
        );
        all.sort(newestFirst);
        if (f.cursor) {
          const at = all.findIndex((r) => r.id === f.cursor);
          all = at >= 0 ? all.slice(at + 1) : all;
        }
        const runs = all.slice(0, limit);
        return { runs: copy(runs), nextCursor: all.length > limit ? runs[runs.length - 1].id : null };
      },
      forInstant: async (jobName, instant) =>
        copy(
          [...d().runs.values()]
            .filter((r) => r.jobName === jobName && (r.intendedDue ?? r.due) === instant)
            .sort((a, b) => Number(a.id) - Number(b.id)),
        ),
      queuedLate: async (f) =>
        copy(
          [...d().runs.values()]
            .filter(
              (r) =>
                r.queuedAt - r.due > LATE_QUEUE_MS &&
                r.queuedAt >= f.from &&
                (f.to === undefined || r.queuedAt < f.to) &&
                (f.jobName === undefined || r.jobName === f.jobName) &&
                (f.states === undefined || f.states.includes(r.state)),
            )
            .sort((a, b) => b.queuedAt - a.queuedAt || Number(b.id) - Number(a.id))
            .slice(0, f.limit),
        ),
      recent: async (jobName, limit) => copy([...d().runs.values()].filter((r) => r.jobName === jobName).sort(newestFirst).slice(0, limit)),
      durations: async (jobName, limit, states = ['FINISHED']) =>
        [...d().runs.values()]
          .filter((r) => r.jobName === jobName && states.includes(r.state) && r.startedAt !== null && r.finishedAt !== null)
          .sort(newestFirst)
          .slice(0, limit)
          .map((r) => r.finishedAt! - r.startedAt!),
      durationStats: async (limit) => {
        const byJob = new Map<string, Run[]>();
        for (const r of d().runs.values()) {
          if (limit <= 0 || r.state !== 'FINISHED' || r.startedAt === null || r.finishedAt === null) continue;
          byJob.set(r.jobName, [...(byJob.get(r.jobName) ?? []), r]);
        }
        return new Map(
          [...byJob].map(([job, runs]) => [job, durationStats(runs.sort(newestFirst).slice(0, limit).map((r) => r.finishedAt! - r.startedAt!))]),
        );
      },
      deleteForJob: async (jobName) => {
        for (const [id, r] of d().runs) {
          if (r.jobName !== jobName) continue;
          d().runs.delete(id);
          d().events.delete(id);
        }
      },
      withdraw: async (taskIds) => {
        const gone = taskIds.filter((id) => d().runs.get(id)?.state === 'QUEUED');
        for (const id of gone) d().runs.delete(id);
        return gone;
      },
      settleQueued: async (jobName, p) => {
        const queued = [...d().runs.values()].filter((r) => r.jobName === jobName && r.state === 'QUEUED');
        queued.forEach((r) => patch(r.taskId, p));
        return queued.length;
      },
      // always cut to the bound (the real store cuts the runs named in `trim`: at most as many)
      addEvents: async (events) => {
        for (const e of events) {
          const list = [...(d().events.get(e.taskId) ?? []), copy(e)];
          d().events.set(e.taskId, list.slice(-RUN_EVENTS_KEPT));
        }
      },
      events: async (taskId) => copy(d().events.get(taskId) ?? []),
    };

    this.edges = {
      load: async () => copy(d().edges),
      set: async (child, parent, count) => {
        let m = d().edges.get(child);
        if (!m) d().edges.set(child, (m = new Map()));
        m.set(parent, count);
      },
      resetChild: async (child, parents) => {
        d().edges.set(child, new Map([...new Set(parents)].map((p) => [p, 0])));
      },
      deleteJob: async (name) => {
        d().edges.delete(name);
        for (const m of d().edges.values()) m.delete(name);
      },
    };

    this.framework = {
      getFrameworkId: async () => d().state.get('framework_id') ?? null,
      setFrameworkId: async (id) => void (id === null ? d().state.delete('framework_id') : d().state.set('framework_id', id)),
      get: async (key) => d().state.get(key) ?? null,
      set: async (key, value) => void d().state.set(key, value),
      getOrSet: async (key, value) => {
        if (!d().state.has(key)) d().state.set(key, value);
        return d().state.get(key)!;
      },
    };

    this.notifications = memoryOutbox(d);
    this.backfills = memoryBackfills(d);
    this.versions = memoryVersions(d, opts.versionsKept);
  }

  /** All or nothing, one at a time: a throw inside puts every map back as it was. */
  transaction<T>(fn: (tx: Omit<Store, 'transaction' | 'close'>) => Promise<T>): Promise<T> {
    const run = async () => {
      const before = copy(this.data);
      try {
        return await fn({ jobs: this.jobs, versions: this.versions, runs: this.runs, edges: this.edges, framework: this.framework, notifications: this.notifications, backfills: this.backfills });
      } catch (e) {
        this.data = before;
        throw e;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {}
}

/** The outbox over the data's list, ordered and claimed as the SQL does (notification-store.ts). */
function memoryOutbox(d: () => Data): OutboxStore {
  let nextId = 1;
  return {
    add: async (entries, now, gatherMs) => {
      for (const e of entries) {
        d().outbox.push({
          id: String(nextId++),
          createdAt: now,
          channel: e.channel,
          recipient: e.recipient,
          event: copy(e.event),
          state: 'pending',
          attempts: 0,
          nextAt: now + gatherMs,
          lastError: null,
          sentAt: null,
          note: null,
        });
      }
    },
    claim: async (now, leaseMs, limit) => {
      const rows = d().outbox;
      const groups = new Set(rows.filter((r) => r.state === 'pending' && r.nextAt <= now).map((r) => `${r.channel}\u0000${r.recipient}`));
      const claimed = rows
        .filter((r) => (r.state === 'pending' && groups.has(`${r.channel}\u0000${r.recipient}`)) || (r.state === 'sending' && r.nextAt <= now))
        .sort((a, b) => Number(a.id) - Number(b.id))
        .slice(0, limit);
      for (const r of claimed) {
        r.state = 'sending';
        r.nextAt = now + leaseMs;
      }
      return copy(claimed);
    },
    sentSince: async (since) =>
      d()
        .outbox.filter((r) => r.state === 'sent' && r.sentAt !== null && r.sentAt >= since)
        .map((r) => ({ job: r.event.job, kind: r.event.kind, channel: r.channel, recipient: r.recipient })),
    notifiedRuns: async (kind, taskIds) => new Set(d().outbox.filter((r) => r.event.kind === kind && r.event.run && taskIds.includes(r.event.run.taskId)).map((r) => r.event.run!.taskId)),
    settle: async (results) => {
      for (const s of results) {
        const r = d().outbox.find((x) => x.id === s.id);
        if (!r) continue;
        r.state = s.state;
        if (s.attempted) r.attempts += 1;
        if (s.error !== undefined) r.lastError = s.error;
        if (s.note !== undefined) r.note = s.note;
        if (s.state === 'sent') r.sentAt = s.at;
        if (s.state === 'pending') r.nextAt = s.nextAt ?? s.at;
      }
    },
    list: async (f) =>
      copy(
        d()
          .outbox.filter((r) => (f.job === undefined || r.event.job === f.job) && (f.states === undefined || f.states.includes(r.state)) && (!f.withError || (r.lastError !== null && r.state !== 'sent' && r.state !== 'suppressed')))
          .sort((a, b) => Number(b.id) - Number(a.id))
          .slice(0, f.limit ?? 100),
      ),
  };
}
