/**
 * `npm run soak`: three Sisyphus instances (real processes, scripts/instance.ts) over the real
 * ZooKeeper and PostgreSQL and one mesos-local running real task processes; 100 jobs due every
 * minute; the leader is killed with SIGKILL 20 times at random moments (and restarted, so three
 * instances stay up). Prints duplicates, missed runs and takeover times.
 *
 *   npm run soak -- [--period PT1M] [--duration 25m] [--kills 20] [--jobs 100] [--instances 3]
 *   npm run soak -- --period PT10S --duration 5m          (a quick run)
 *
 * Every task appends its task id to a file: a duplicate is a task id launched twice, or two runs
 * of one (job, due instant). A missed run is a due instant of the grid with no run outside a
 * leaderless gap; instants inside a gap (a period before the kill → the new leader's first launch,
 * plus one period) collapse into one late run (Chronos's skipForward at launch), counted apart as
 * "collapsed". Takeover times are given to the election, and as the launch delay of the first
 * instant due after each kill.
 * Not part of CI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../scheduler/adapters/prisma/test-support';
import { sleep, startInstance, startMesosLocal, waitForLeader, type Instance } from '../test/ha/support';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : dflt;
}

/** `PT10S`, `PT1M`, `10s`, `5m`, `1h`, `300` (seconds) → ms. */
function durationMs(s: string): number {
  const iso = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(s);
  if (iso && (iso[1] || iso[2] || iso[3])) return ((Number(iso[1] ?? 0) * 60 + Number(iso[2] ?? 0)) * 60 + Number(iso[3] ?? 0)) * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Error(`not a duration: ${s}`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * mult;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function main(): Promise<void> {
  const periodMs = durationMs(arg('period', 'PT1M'));
  const totalMs = durationMs(arg('duration', '25m'));
  const kills = Number(arg('kills', '20'));
  const jobs = Number(arg('jobs', '100'));
  const count = Number(arg('instances', '3'));
  const sessionTimeoutMs = Number(arg('session-timeout-ms', '4000'));
  const periodIso = `PT${periodMs / 1000}S`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-soak-'));
  const launches = path.join(dir, 'launches.log');
  const say = (s: string) => process.stdout.write(`[soak +${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}\n`);
  const t0 = Date.now();
  say(`${count} instances, ${jobs} jobs every ${periodIso}, ${kills} leader kills in ${totalMs / 1000} s; logs in ${dir}`);

  const db = await createTestDatabase('sisyphus_soak');
  const mesos = await startMesosLocal(dir, [{ cpus: 64, mem: 131072, disk: 1_000_000 }], { statusUpdateRetryMaxMs: 2_000 });
  const opts = {
    databaseUrl: db.url,
    zkPath: `/sisyphus-soak/${randomBytes(4).toString('hex')}/leader`,
    master: mesos.url,
    logDir: dir,
    sessionTimeoutMs,
    env: { HA_LOG_LEVEL: 'info' },
  };
  let instances: Instance[] = await Promise.all(Array.from({ length: count }, () => startInstance({ ...opts, startTimeoutMs: 180_000 })));
  const cleanup = async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await mesos.stop();
  };

  try {
    let { leader } = await waitForLeader(instances, 30_000);
    const start = Math.ceil((Date.now() + 5_000) / periodMs) * periodMs;
    for (let k = 0; k < jobs; k++) {
      const r = await fetch(`${instances[k % count].url}/v1/scheduler/iso8601`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `soak-${k}`,
          command: `echo "$mesos_task_id" >> ${launches}`,
          schedule: `R/${new Date(start).toISOString()}/${periodIso}`,
          cpus: 0.01,
          mem: 8,
          disk: 1,
          epsilon: 'PT1H',
        }),
      });
      if (r.status !== 204) throw new Error(`creating soak-${k}: HTTP ${r.status} ${await r.text()}`);
    }
    say(`${jobs} jobs created; first due ${new Date(start).toISOString()}`);

    let end = start + totalMs;
    const slot = (end - start) / kills;
    const gaps: Array<{ killAt: number; actingAt: number; launchingAt?: number }> = [];
    const takeovers: number[] = [];
    const restarts: Promise<void>[] = [];
    for (let i = 0; i < kills; i++) {
      // a random moment in this kill's slot (not before the current leader acts)
      const at = start + slot * i + Math.random() * slot * 0.8;
      if (at > Date.now()) await sleep(at - Date.now());
      // kill only with every instance up (a restart on a loaded machine can take a while)
      await Promise.allSettled(restarts);
      leader = (await waitForLeader(instances, 60_000)).leader;
      const victim = leader;
      const killAt = Date.now();
      victim.kill9();
      await victim.exited;
      const next = await waitForLeader(instances, 60_000);
      const takeover = next.at - killAt;
      takeovers.push(takeover);
      gaps.push({ killAt, actingAt: next.at });
      leader = next.leader;
      say(`kill ${i + 1}/${kills}: ${victim.id} killed; ${leader.id} leads (epoch ${next.health.epoch}) after ${takeover} ms`);
      // a fresh process takes the victim's place (same port: same id), in the background
      instances = instances.filter((x) => x !== victim);
      restarts.push(
        startInstance({ ...opts, port: victim.port, startTimeoutMs: 180_000 }).then((x) => {
          instances.push(x);
        }),
      );
    }
    if (end > Date.now()) await sleep(end - Date.now());
    await Promise.allSettled(restarts);
    end = Math.max(end, Date.now()); // kills postponed by slow restarts stretch the run
    const settleUntil = Date.now() + Math.min(20_000, periodMs * 2);
    await sleep(settleUntil - Date.now());

    const rows = await db.query<{ job_name: string; due: Date; attempt: number; task_id: string; state: string; launched_at: Date | null }>(
      `SELECT job_name, due, attempt, task_id, state, launched_at FROM runs WHERE job_name LIKE 'soak-%'`,
    );
    // A takeover ends when the new leader launches again (elected, loaded, subscribed, offered):
    // until then nobody can launch, so that is the leaderless gap whose instants collapse.
    const launchTimes = rows.flatMap((r) => (r.launched_at ? [r.launched_at.getTime()] : [])).sort((a, b) => a - b);
    for (const g of gaps) {
      const first = launchTimes.find((t) => t > g.killAt);
      g.launchingAt = first ?? g.actingAt;
    }
    // How late the first instant due after each kill was launched (every job due then): the
    // leaderless time as a user sees it, whatever the period.
    const firstDueDelays: number[] = [];
    for (const g of gaps) {
      let firstDue = Infinity;
      for (const r of rows) if (r.attempt === 0 && r.due.getTime() >= g.killAt) firstDue = Math.min(firstDue, r.due.getTime());
      if (!Number.isFinite(firstDue)) continue;
      let worst = 0;
      for (const r of rows) if (r.attempt === 0 && r.due.getTime() === firstDue && r.launched_at) worst = Math.max(worst, r.launched_at.getTime() - firstDue);
      firstDueDelays.push(worst);
    }
    const launched = fs.existsSync(launches) ? fs.readFileSync(launches, 'utf8').split('\n').filter(Boolean) : [];
    const times = new Map<string, number>();
    for (const t of launched) times.set(t, (times.get(t) ?? 0) + 1);
    const dupLaunches = [...times.values()].filter((n) => n > 1).length;
    const byKey = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.job_name}|${r.due.getTime()}|${r.attempt}`;
      byKey.set(key, (byKey.get(key) ?? 0) + 1);
    }
    const dupRuns = [...byKey.values()].filter((n) => n > 1).length;
    const inGap = (t: number) => gaps.some((g) => t >= g.killAt - periodMs && t <= g.launchingAt! + periodMs);
    const missedList: string[] = [];
    let expected = 0;
    let missed = 0;
    let collapsed = 0;
    let offGrid = 0;
    const lastDue = end - periodMs; // instants that had time to be created before the end
    const dues = new Map<string, Set<number>>();
    for (const r of rows) {
      if (r.attempt !== 0) continue;
      const d = r.due.getTime();
      if ((d - start) % periodMs !== 0) offGrid++;
      let s = dues.get(r.job_name);
      if (!s) dues.set(r.job_name, (s = new Set()));
      s.add(d);
    }
    for (let k = 0; k < jobs; k++) {
      const s = dues.get(`soak-${k}`) ?? new Set<number>();
      for (let t = start; t <= lastDue; t += periodMs) {
        expected++;
        if (s.has(t)) continue;
        if (inGap(t)) collapsed++;
        else {
          missed++;
          if (missedList.length < 20) {
            const near = gaps.reduce((a, g) => (Math.abs(g.killAt - t) < Math.abs(a.killAt - t) ? g : a), gaps[0]);
            missedList.push(
              `soak-${k} due ${new Date(t).toISOString()}; nearest kill ${((near.killAt - t) / 1000).toFixed(1)} s from it, elected +${near.actingAt - near.killAt} ms, launching +${near.launchingAt! - near.killAt} ms`,
            );
          }
        }
      }
    }
    const notFinished = rows.filter((r) => r.due.getTime() < end - periodMs && r.state !== 'FINISHED').length;

    const table = [
      ['instances', String(count)],
      ['jobs × period', `${jobs} × ${periodIso}`],
      ['duration', `${totalMs / 1000} s`],
      ['leader kills (SIGKILL)', String(kills)],
      ['due instants expected', String(expected)],
      ['runs stored', String(rows.length)],
      ['task launches', String(launched.length)],
      ['duplicate launches (task id twice)', String(dupLaunches)],
      ['duplicate runs (job, due, attempt)', String(dupRuns)],
      ['missed runs (outside gaps)', String(missed)],
      ['collapsed in leaderless gaps', String(collapsed)],
      ['runs off the schedule grid', String(offGrid)],
      ['runs not FINISHED at the end', String(notFinished)],
      ['takeover p50 / max: new leader elected', `${pct(takeovers, 50)} / ${Math.max(...takeovers)} ms`],
      ['first instant due after a kill: launch delay p50 / max', `${pct(firstDueDelays, 50)} / ${Math.max(...firstDueDelays)} ms`],
      ['session timeout', `${sessionTimeoutMs} ms`],
    ];
    const w = Math.max(...table.map(([a]) => a.length));
    process.stdout.write(`\n${'─'.repeat(w + 14)}\n`);
    for (const [a, b] of table) process.stdout.write(`${a.padEnd(w)}  ${b}\n`);
    process.stdout.write(`${'─'.repeat(w + 14)}\n`);
    if (missedList.length) process.stdout.write(`missed (first ${missedList.length}):\n${missedList.map((m) => `  ${m}\n`).join('')}`);
    process.exitCode = dupLaunches + dupRuns + missed > 0 ? 1 : 0;
  } finally {
    await cleanup();
    await db.drop().catch(() => {});
  }
}

main().catch((e) => {
  process.stderr.write(`soak failed: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
