/**
 * `npm run bench [-- --quick] [--jobs N] [--runs R] [--only burst-a,burst-b,limit,herd,scale,running,packing,ui,core,real-mesos,takeover,real-work] [--merge]`
 * (`real-work`: one night of examples/nightly-transcode through Sisyphus vs the same ffmpeg commands in a plain shell
 * script on every core, bench/lib/real-work.ts; `--real-work-clips N` (50; --quick 10), `--real-work-seconds S` (4),
 * `--real-work-heights LIST` (360,720,1080), `--real-work-runs R` (1: a 50-clip night is long))
 * (`real-mesos`: burst (a), (b) and the herd on real Apache Mesos beside mesos-local, `--real-jobs N`
 * and `--real-herd-jobs N` (200 and 60: 60 fit in the real cluster at once); by default only where a Mesos build is, bench/lib/real-mesos.ts)
 *
 * Runs every benchmark on this machine against the local PostgreSQL and mesos-local and writes
 * bench/results/latest.md (figure, Sisyphus, peer or limit measured in the same run, ratio, goal,
 * met?), latest.svg (burst and skew chart) and latest.json (raw numbers). Medians of `--runs`
 * repetitions (default 3), compared as ratios with what was measured in the same run.
 *
 * (`takeover`: `--takeover-jobs N` jobs defined (100,000; --quick 20,000) and `--takeover-runs U` RUNNING (10,000),
 * kill -9 of the leader of two instances over ZooKeeper, bench/lib/takeover.ts; `--takeover-session-ms T`: another
 * ZK_SESSION_TIMEOUT_MS than the default 10,000)
 *
 * --quick: 2,000 burst jobs, 2,000 herd jobs, 10,000 running tasks on 250 agents; every
 * benchmark bounded to ~3 minutes, the whole run to < 10 minutes.
 * --merge: run only the --only benchmarks and keep the other figures of the last run (its
 * latest.json); the report says which figures come from which run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childPid, cpuSince, cpuSnapshot, postmasterPid } from './lib/proc';
import { herd, packing, runningTasks } from './lib/internal';
import { graphileBurst, handlerLimit, noop, pgBossBurst, spawnTrue } from './lib/peers';
import { pgbench } from './lib/pglimit';
import { markdown, svg, type BurstSet, type Results } from './lib/report';
import { appendHistory, historyRows, readHistory } from './lib/history';
import { figuresOf } from './lib/history-figures';
import { trendMarkdown } from './lib/trend';
import { scale } from './lib/scale';
import { ROOT, buildApp, createBenchDb, dropStaleBenchDbs, killChildren, startApp, startMesos } from './lib/services';
import { sisyphusBurst } from './lib/sisyphus';
import { ui } from './lib/ui/benchmark';
import { coreSpeed } from './lib/core-speed';
import { realMesosBench } from './lib/real-mesos';
import { takeover } from './lib/takeover';
import { realWork } from './lib/real-work';
import { mesosBuild } from '../scripts/mesos/install';
import { fmt, median, progress, say } from './lib/util';

const ALL = ['limit', 'burst-a', 'burst-b', 'herd', 'running', 'packing', 'scale', 'ui', 'core', 'real-mesos', 'takeover', 'real-work'] as const;
type Name = (typeof ALL)[number];

function args() {
  const a = process.argv.slice(2);
  const get = (flag: string) => {
    const i = a.findIndex((x) => x === flag || x.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    return a[i].includes('=') ? a[i].slice(a[i].indexOf('=') + 1) : a[i + 1];
  };
  const quick = a.includes('--quick');
  const only = get('--only');
  // real-mesos only where there is a Mesos build (scripts/mesos/install.ts), unless asked for
  const selected = new Set<Name>(only ? (only.split(',') as Name[]) : ALL.filter((n) => n !== 'real-mesos' || mesosBuild() !== null));
  for (const s of selected) if (!ALL.includes(s)) throw new Error(`unknown benchmark '${s}' (known: ${ALL.join(', ')})`);
  return {
    quick,
    jobs: Number(get('--jobs') ?? (quick ? 2000 : 10_000)),
    runs: Math.max(1, Number(get('--runs') ?? 3)),
    herdJobs: Number(get('--herd-jobs') ?? (quick ? 2000 : 10_000)),
    realJobs: Number(get('--real-jobs') ?? 200),
    realHerdJobs: Number(get('--real-herd-jobs') ?? 60),
    runningTasks: Number(get('--running-tasks') ?? (quick ? 10_000 : 40_000)),
    scaleJobs: Number(get('--scale-jobs') ?? 100_000),
    // of which POSTed to the running app (seeding through the API): all of them in a full run
    scalePosted: get('--scale-posted') === undefined ? undefined : Number(get('--scale-posted')),
    uiJobs: Number(get('--ui-jobs') ?? 10_000),
    coreUiJobs: Number(get('--core-ui-jobs') ?? 50_000),
    uiRuns: Number(get('--ui-runs') ?? 100_000),
    takeoverJobs: Number(get('--takeover-jobs') ?? (quick ? 20_000 : 100_000)),
    takeoverRuns: Number(get('--takeover-runs') ?? 10_000),
    realWorkClips: Number(get('--real-work-clips') ?? (quick ? 10 : 50)),
    realWorkSeconds: Number(get('--real-work-seconds') ?? 4),
    realWorkHeights: (get('--real-work-heights') ?? '360,720,1080').split(',').map(Number),
    realWorkRuns: Math.max(1, Number(get('--real-work-runs') ?? 1)),
    takeoverSessionMs: get('--takeover-session-ms') ? Number(get('--takeover-session-ms')) : undefined,
    uiOnly: get('--ui-figures')?.split(',').filter(Boolean),
    uiBaseline: get('--ui-baseline'),
    out: get('--out') ?? path.join(ROOT, 'bench', 'results'),
    merge: a.includes('--merge'),
    selected,
  };
}

async function main(): Promise<void> {
  const o = args();
  const t0 = Date.now();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'scheduler', 'app', 'mesos-local'], { cwd: ROOT }).toString().trim();
    if (dirty) commit += ' + working tree';
  } catch {
    // not a git checkout
  }
  const results: Results = {
    meta: {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      quick: o.quick,
      runs: o.runs,
      jobs: o.jobs,
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      commit,
      notes: [],
    },
    errors: {},
  };
  if (o.merge) {
    // re-run some benchmarks and keep the other figures of the last run (its latest.json)
    const file = path.join(o.out, 'latest.json');
    if (!fs.existsSync(file)) throw new Error(`--merge: no ${file} to merge into; run the whole bench first`);
    const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
    const keys: Record<Name, keyof Results> = {
      'burst-a': 'burstA',
      'burst-b': 'burstB',
      limit: 'pgbench',
      herd: 'herd',
      scale: 'scale',
      running: 'running',
      packing: 'packing',
      ui: 'ui',
      core: 'core',
      'real-mesos': 'realMesos',
      takeover: 'takeover',
      'real-work': 'realWork',
    };
    for (const n of o.selected) delete prev[keys[n]];
    prev.meta.notes = prev.meta.notes.filter((n) => n.startsWith('Re-run')); // the others are written again below
    prev.meta.notes.push(`Re-run on ${results.meta.date} at commit ${commit} (--merge): ${[...o.selected].join(', ')}; the other figures are from ${prev.meta.date}.`);
    Object.assign(results, prev, { errors: {} });
  }
  const has = (n: Name) => o.selected.has(n);
  await dropStaleBenchDbs();
  const loads: Record<string, number> = {};
  results.meta.load = loads;
  const step = async (name: string, fn: () => Promise<void>, bench?: Name) => {
    const s = Date.now();
    say(`${name}…`);
    // the machine's 1-minute load average every 5 s while this benchmark runs (others share the cores)
    const samples = [os.loadavg()[0]];
    const sampler = setInterval(() => samples.push(os.loadavg()[0]), 5000);
    try {
      await fn();
      say(`${name} done in ${Math.round((Date.now() - s) / 1000)} s (load average ${fmt(median(samples), 1)})`);
    } catch (e) {
      results.errors[name] = (e as Error).stack ?? String(e);
      say(`${name} FAILED: ${(e as Error).message.split('\n')[0]}`);
      killChildren();
    } finally {
      clearInterval(sampler);
      samples.push(os.loadavg()[0]);
      if (bench) loads[bench] = median(samples);
    }
    write(results, o.out); // partial results survive an interruption
  };

  if (has('burst-a') || has('burst-b') || has('scale') || has('ui')) await step('build', async () => void (await buildApp()));

  if (has('limit') || has('burst-b')) {
    await step('limit (pgbench)', async () => {
      results.pgbench = await pgbench(o.quick ? 5 : 10, o.runs, (i) => progress(`pgbench TPC-B, 16 clients: run ${i + 1}/${o.runs}`));
      say(`pgbench: ${results.pgbench.map((p) => fmt(p.tps)).join(', ')} tps`);
    }, 'limit');
  }

  for (const mode of ['a', 'b'] as const) {
    if (!has(mode === 'a' ? 'burst-a' : 'burst-b')) continue;
    await step(`burst (${mode})`, async () => {
      const set: BurstSet = { n: o.jobs, limit: [], sisyphus: [], pgboss: [], graphile: [] };
      if (mode === 'a') results.burstA = set;
      else results.burstB = set;
      const handler = mode === 'a' ? spawnTrue : noop;
      const db = await createBenchDb();
      const mesos = await startMesos(
        mode === 'a'
          ? { agents: [{ cpus: 8, mem: 8192, disk: 10000 }], workDir: path.join(os.tmpdir(), `bench-mesos-${process.pid}`) }
          : { scale: { agents: 20, taskDurationMs: 0 } },
      );
      const app = await startApp({ dbUrl: db.url, master: mesos.url, mesos });
      try {
        // warm-up: a few jobs through the whole path (route compilation, prepared statements)
        await sisyphusBurst(app, db, 20, `warm${mode}-`, { command: mode === 'a' ? '/bin/true' : 'true', shell: false, cpus: 0.1, mem: 32 }, () => {}, 60_000);
        // where the CPU goes: the app, mesos-local (master and agent), its launcher with the task
        // processes it reaped, PostgreSQL, this process (the REST client, or the limit's spawner)
        const roots = { app: app.pid, mesos: mesos.pid, launcher: childPid(mesos.pid, /launcher-child/), postgres: postmasterPid(), bench: process.pid };
        for (let rep = 0; rep < o.runs; rep++) {
          const tag = `burst (${mode}) ${rep + 1}/${o.runs}`;
          if (mode === 'a') {
            const c0 = cpuSnapshot(roots);
            const l = await handlerLimit(o.jobs, spawnTrue, (d) => progress(`${tag} spawn limit: ${d}/${o.jobs}`));
            set.limit.push({ ...l, cpu: cpuSince(c0, cpuSnapshot(roots)) });
          }
          const s = await sisyphusBurst(
            app,
            db,
            o.jobs,
            `b${mode}${rep}-`,
            { command: mode === 'a' ? '/bin/true' : 'true', shell: false, cpus: 0.1, mem: 32 },
            (d, sub) => progress(`${tag} Sisyphus: ${sub}/${o.jobs} submitted, ${d}/${o.jobs} finished`),
            undefined,
            roots,
          );
          set.sisyphus.push(s);
          const pb = await pgBossBurst(o.jobs, handler, (d) => progress(`${tag} pg-boss: ${d}/${o.jobs} completed`));
          set.pgboss.push(pb);
          const gw = await graphileBurst(o.jobs, handler, (d) => progress(`${tag} graphile-worker: ${d}/${o.jobs} completed`));
          set.graphile.push(gw);
          say(
            `${tag}: Sisyphus ${fmt(s.perSecond)}/s${s.failed ? ` (${s.failed} failed)` : ''}, pg-boss ${fmt(pb.perSecond)}/s, graphile-worker ${fmt(gw.perSecond)}/s` +
              (mode === 'a' ? `, spawn limit ${fmt(set.limit[rep].perSecond)}/s` : '') +
              `; per run ${fmt((s.db.inserted + s.db.updated + s.db.deleted) / o.jobs, 1)} row writes, ${fmt(s.db.commits / o.jobs, 2)} commits` +
              (s.cpu ? `, app CPU ${fmt((s.cpu.ms.app ?? 0) / o.jobs, 2)} ms (the rest of the machine ${fmt((s.cpu.ms.other ?? 0) / o.jobs, 2)} ms)` : ''),
          );
          write(results, o.out);
        }
      } finally {
        await app.stop();
        await mesos.stop();
        await db.drop();
      }
    }, mode === 'a' ? 'burst-a' : 'burst-b');
  }

  if (has('herd')) {
    await step('thundering herd', async () => {
      results.herd = await herd(o.herdJobs, o.runs, o.quick ? 15 : 30);
      const h = results.herd;
      say(`herd: ${h.cycles.map((c) => `p50 ${fmt(c.p50)} p99 ${fmt(c.p99)} max ${fmt(c.max)} ms`).join(' | ')}; missed ${h.missed}, duplicates ${h.duplicates}; Mesos launched ${fmt(h.launchedByMesos)} (refused ${fmt(h.refusedByMesos)}) of ${fmt(h.recorded)} recorded, ${fmt(h.unsettled)} runs not FINISHED, caught up ≤ ${fmt(h.acceptLagMs)} ms after the last record`);
    }, 'herd');
  }

  if (has('running')) {
    await step('running tasks', async () => {
      const agents = o.runningTasks >= 40_000 ? 1000 : Math.max(100, Math.ceil(o.runningTasks / 40));
      results.running = await runningTasks(o.runningTasks, agents);
      const r = results.running;
      say(`running: ${fmt(r.held)} held, ${fmt(r.updatesPerSecond)} updates/s (peak ${fmt(r.peakPerSecond)})`);
    }, 'running');
  }

  if (has('packing')) {
    await step('packing', async () => {
      results.packing = [];
      for (let i = 0; i < o.runs; i++) {
        const p = await packing(i + 1);
        results.packing.push(p);
        say(`packing seed ${p.seed}: ${fmt(p.cpusUsed)}/${fmt(p.cpusTotal)} cpus (${fmt(p.share * 100, 1)}%), ${p.launched}/${p.tasks} tasks`);
      }
    }, 'packing');
  }

  if (has('scale')) {
    await step('scale', async () => {
      // above 100,000 jobs (e.g. --scale-jobs 1000000) most are bulk-written and the full list is sampled twice: POSTs run at 100–150/s here
      const big = o.scaleJobs > 100_000;
      results.scale = await scale(o.scaleJobs, big ? 2 : o.quick ? 5 : 10, o.quick ? 30 : 100, o.scalePosted ?? (big ? 2_000 : o.quick ? 10_000 : o.scaleJobs));
      const s = results.scale;
      say(`scale: RSS ${fmt(s.rssPeakMiB)} MiB, /jobs p50 ${fmt(s.list.p50)} p99 ${fmt(s.list.p99)} ms, search p99 ${fmt(s.search.p99)} ms, UI ${s.ui.measured ? `${fmt(s.ui.firstRenderMs ?? NaN)} ms` : s.ui.note}`);
    }, 'scale');
  }

  if (has('ui')) {
    await step('ui', async () => {
      // --ui-baseline DIR[=LABEL]: another build of the app (its `next build` output in DIR), measured alternately
      const [baseDir, baseLabel] = (o.uiBaseline ?? '').split('=');
      const baseline = baseDir ? { appDir: path.resolve(baseDir), label: baseLabel || 'baseline' } : undefined;
      results.ui = await ui({ jobs: o.uiJobs, runs: o.uiRuns, reps: o.runs, only: o.uiOnly, baseline });
      const over = results.ui.figures.filter((f) => !(median(f.samples) < results.ui!.limitMs));
      say(`ui: ${results.ui.figures.length - over.length}/${results.ui.figures.length} figures under ${fmt(results.ui.limitMs)} ms${over.length ? `; over: ${over.map((f) => f.id).join(', ')}` : ''}`);
    }, 'ui');
  }

  if (has('core')) {
    await step('core speed', async () => {
      results.core = await coreSpeed({ uiJobs: o.coreUiJobs });
      const over = results.core.figures.filter((f) => !(f.ms < f.goalMs));
      say(`core: ${results.core.figures.length - over.length}/${results.core.figures.length} figures under their goal${over.length ? `; over: ${over.map((f) => f.id).join(', ')}` : ''}`);
    }, 'core');
  }

  if (has('real-mesos')) {
    await step('real Mesos beside mesos-local', async () => {
      results.realMesos = await realMesosBench({ jobs: o.realJobs, herdJobs: o.realHerdJobs, runs: o.runs, say });
    }, 'real-mesos');
  }

  if (has('takeover')) {
    await step('takeover', async () => {
      results.takeover = await takeover({ jobs: o.takeoverJobs, unfinished: o.takeoverRuns, sessionTimeoutMs: o.takeoverSessionMs });
      const t = results.takeover;
      say(`takeover: kill → session end ${fmt(t.killToSessionEndMs)} ms, session end → first launch ${fmt(t.sessionEndToLaunchMs)} ms, kill → launch ${fmt(t.killToLaunchMs)} ms; duplicates ${t.duplicates}; waited ${fmt(t.standbyWarmAfterRunningMs)} ms after RUNNING for the standby to be warm; steps ${JSON.stringify(t.steps)}`);
    });
  }

  if (has('real-work')) {
    await step('real work (nightly-transcode)', async () => {
      if (!has('burst-a') && !has('burst-b') && !has('scale') && !has('ui')) await buildApp();
      results.realWork = await realWork({ clips: o.realWorkClips, seconds: o.realWorkSeconds, heights: o.realWorkHeights, runs: o.realWorkRuns, say });
    }, 'real-work');
  }

  results.meta.notes.push(
    'Burst: jobs POSTed one by one to /v1/scheduler/iso8601 of the server (`server/main.ts`) (16 requests in flight), done when every run is FINISHED in PostgreSQL; peers submit one call per job (16 in flight) and are done when their table says so.',
    'Burst (a) runs /bin/true as a real process on mesos-local (1 agent, 8 cpus; jobs 0.1 cpu, shell=false); the limit spawns /bin/true 16 at a time with no scheduler. Burst (b) uses mesos-local scale mode (taskDurationMs 0) and no-op peer handlers.',
    'pg-boss 10: batchSize 64, 16 jobs at once in the handler, pollingIntervalSeconds 0.5 (minimum). graphile-worker 0.17: concurrency 16, localQueue 256, completeJobBatchDelay 0.',
    'Herd, running tasks and packing run the real worker and Mesos framework (assemble()) in the bench process against PostgreSQL and mesos-local (scale mode) in its own process.',
  );
  if (results.ui) {
    results.meta.notes.push(
      'UI: headless Chromium (playwright-core, /usr/bin/chromium, 1440×900) against the server (`server/main.ts`) on PostgreSQL and mesos-local (40 simulated agents). A page figure is navigation start → its content condition true in the DOM (MutationObserver armed before any page script), at the next animation frame; each repetition in a fresh browser context (cold cache) after one unmeasured warm-up visit. An interaction is the input event → the new content. Seed: bench/lib/ui/seed-data.ts.',
    );
  }
  if (o.quick) results.meta.notes.push(`Quick mode: ${fmt(o.jobs)} burst jobs, ${fmt(o.herdJobs)} herd jobs, ${fmt(o.runningTasks)} running tasks.`);
  // history.csv: this run's figures (only those it measured, with --merge too), then the trend of each
  const history = path.join(o.out, 'history.csv');
  const measured = figuresOf(results).filter((f) => o.selected.has(f.bench as Name) && !results.errors[f.bench]);
  appendHistory(history, historyRows({ ...results.meta, load: loads }, measured));
  trend = trendMarkdown(readHistory(history), o.quick ? 'quick' : 'full', figuresOf(results).map((f) => f.id));
  write(results, o.out);
  say(`done in ${Math.round((Date.now() - t0) / 1000)} s: ${path.relative(process.cwd(), path.join(o.out, 'latest.md'))}`);
  process.stdout.write(markdown(results, trend));
}

/** The trend section of latest.md, drawn from history.csv once the run has appended its figures. */
let trend = '';

function write(r: Results, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(r, null, 2));
  fs.writeFileSync(path.join(dir, 'latest.md'), markdown(r, trend));
  fs.writeFileSync(path.join(dir, 'latest.svg'), svg(r));
}

// Children (mesos-local, next build/start) run in their own process groups: stop them on every way
// out of this process. What cannot be caught (SIGKILL) is covered by bench/lib/orphan-guard.cjs in
// each child, which exits once this process is gone.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    say(`${sig}: stopping`);
    killChildren();
    process.exit(130);
  });
}
for (const ev of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(ev, (e: unknown) => {
    say(`${ev}: ${(e as Error)?.stack ?? e}`);
    killChildren();
    process.exit(1);
  });
}

main()
  .then(() => {
    killChildren();
    process.exit(0);
  })
  .catch((e) => {
    say(`bench failed: ${(e as Error).stack ?? e}`);
    killChildren();
    process.exit(1);
  });
