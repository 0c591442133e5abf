/**
 * Three Sisyphus instances as real processes over the real ZooKeeper and PostgreSQL, one
 * mesos-local running real task processes. The leader is killed with SIGKILL while ten jobs are
 * due every two seconds. Every task appends its Mesos task id to a file, so launches are counted
 * where they happen, not where the scheduler says they happened.
 *
 *   - a new leader within the session timeout (4 s) plus a few seconds;
 *   - no duplicate: no task id launched twice, no (job, due) with two runs;
 *   - no missed run: every due instant of the grid has exactly one run, except the instants that
 *     fell inside the leaderless gap, which collapse into one late run (Chronos's skipForward at
 *     launch: the takeover semantics of issue 6);
 *   - followers proxy the API to the leader (method, body, status, headers);
 *   - a leader that is not dead but loses its session (SIGSTOP beyond the session timeout, then
 *     SIGCONT, as a long GC pause or a frozen VM would) steps down as soon as it runs again, a
 *     write fenced by its old epoch is refused by the database, and no task is launched twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useHaCluster } from './ha-cluster';
import { sleep, waitFor, waitForLeader } from './support';

const PERIOD_MS = 2_000;
const JOBS = 10;

const cluster = useHaCluster({ name: 'failover', agents: [{ cpus: 32, mem: 65536, disk: 100000 }], instances: 3 });
const { instances } = cluster;

interface RunRow {
  job_name: string;
  due: Date;
  attempt: number;
  task_id: string;
  state: string;
  queued_at: Date;
  launched_at: Date | null;
}

describe('leader failover with real processes', () => {
  it('followers proxy the API to the leader; every answer names the instance and the leader', async () => {
    const { leader } = await waitForLeader(instances);
    const follower = instances.find((i) => i !== leader)!;
    // a write through a follower is done by the leader
    const put = await fetch(`${follower.url}/v1/scheduler/iso8601`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'via-follower', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' }),
    });
    expect(put.status).toBe(204);
    expect(put.headers.get('x-sisyphus-instance')).toBe(follower.id);
    expect(put.headers.get('x-sisyphus-leader')).toBe(leader.id);
    const bad = await fetch(`${follower.url}/scheduler/iso8601`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"bad name!","command":"true","schedule":"R/2100-01-01T00:00:00Z/P1D"}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { status: string }).status).toBe('Bad Request');
    const lead = await fetch(`${follower.url}/v1/scheduler/leader`);
    expect(await lead.json()).toEqual({ leader: leader.id });
    const direct = await fetch(`${leader.url}/v1/scheduler/leader`);
    expect(await direct.json()).toEqual({ leader: leader.id });
    expect(direct.headers.get('x-sisyphus-instance')).toBe(leader.id);
    const jobs = (await (await fetch(`${follower.url}/v1/scheduler/jobs/search?name=via-follower`)).json()) as { name: string }[];
    expect(jobs.map((j) => j.name)).toEqual(['via-follower']);
  });

  it('kill -9 of the leader while jobs are due: a new leader in time, no duplicate, no missed run', async () => {
    const { leader: first, health: h0 } = await waitForLeader(instances);
    const launches = path.join(cluster.dir, 'launches.log');
    const start = Math.ceil((Date.now() + 3_000) / 1000) * 1000;
    const via = instances.find((i) => i !== first)!;
    for (let k = 0; k < JOBS; k++) {
      const r = await fetch(`${via.url}/v1/scheduler/iso8601`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `tick-${k}`,
          command: `echo "$mesos_task_id" >> ${launches}`,
          schedule: `R/${new Date(start).toISOString()}/PT2S`,
          cpus: 0.01,
          mem: 16,
          disk: 1,
        }),
      });
      expect(r.status).toBe(204);
    }
    await sleep(start - Date.now() + 5_000); // three instants run under the first leader
    const killAt = Date.now();
    first.kill9();
    await first.exited;
    const { leader: second, health: h1, at: electedAt } = await waitForLeader(instances, 20_000);
    const takeoverMs = electedAt - killAt;
    expect(second).not.toBe(first);
    expect(h1.epoch!).toBeGreaterThan(h0.epoch!);
    expect(takeoverMs).toBeLessThan(4_000 + 6_000);
    // it followed the jobs while it was a follower and took over from that mirror (the checks
    // below: from it, nothing runs twice and nothing is missed)
    await waitFor('the new leader to log its takeover', async () => /taking over: (warm mirror|no warm mirror)/.test(second.log()), 10_000, 100);
    expect(second.log()).toMatch(new RegExp(`taking over: warm mirror of ${JOBS + 1} jobs`));
    // and with the dependency graph the follower built (no job added since: nothing to rebuild)
    expect(second.log()).toMatch(/taking over: warm mirror of .*dependency graph warm/);
    // and the unfinished runs it followed too (those of the first leader's last instants among them)
    expect(second.log()).toMatch(/taking over: warm unfinished runs: \d+, \d+ read whole/);
    await sleep(7_000); // three more instants under the new leader
    const endAt = Date.now();
    // launched tasks finish and report: awaited, not slept for (a loaded machine runs them late);
    // on a timeout the checks below name the runs still not FINISHED
    const query = () =>
      cluster.db.query<RunRow>(
        `SELECT job_name, due, attempt, task_id, state, queued_at, launched_at FROM runs WHERE job_name LIKE 'tick-%' ORDER BY job_name, due`,
      );
    const settled = (rs: RunRow[]) => rs.every((r) => r.attempt !== 0 || r.due.getTime() >= endAt - 2 * PERIOD_MS || r.state === 'FINISHED');
    const rows = await waitFor('every run due before the end to finish', async () => {
      const rs = await query();
      return settled(rs) ? rs : null;
    }, 20_000, 250).catch(() => query());
    const launched = fs.readFileSync(launches, 'utf8').split('\n').filter(Boolean);
    // no task launched twice
    const seen = new Map<string, number>();
    for (const t of launched) seen.set(t, (seen.get(t) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1);
    expect(twice, `launched twice; runs: ${JSON.stringify(rows.filter((r) => twice.some(([t]) => t === r.task_id)))}`).toEqual([]);
    // every launch is a stored run
    const ids = new Set(rows.map((r) => r.task_id));
    expect(launched.filter((t) => !ids.has(t))).toEqual([]);

    let collapsed = 0;
    const rel = (t: number) => t - start;
    const debug = `start ${new Date(start).toISOString()} kill +${rel(killAt)} elected +${rel(electedAt)} end +${rel(endAt)}; ` +
      `tick-0 dues ${rows.filter((r) => r.job_name === 'tick-0').map((r) => `+${rel(r.due.getTime())}:${r.attempt}:${r.state}:q+${rel(r.queued_at.getTime())}:l+${r.launched_at ? rel(r.launched_at.getTime()) : '-'}`).join(' ')}`;
    for (let k = 0; k < JOBS; k++) {
      const mine = rows.filter((r) => r.job_name === `tick-${k}` && r.attempt === 0);
      const dues = mine.map((r) => r.due.getTime());
      // on the grid, no instant twice
      for (const d of dues) expect((d - start) % PERIOD_MS).toBe(0);
      expect(new Set(dues).size).toBe(dues.length);
      // every instant before the kill and after the takeover has its run
      for (let t = start; t < endAt - PERIOD_MS; t += PERIOD_MS) {
        const inGap = t >= killAt - PERIOD_MS && t <= electedAt + PERIOD_MS;
        if (inGap) {
          if (!dues.includes(t)) collapsed++;
          continue;
        }
        expect(dues, `tick-${k} at +${rel(t)}; ${debug}`).toContain(t);
      }
      // the gap is not lost: at least one run is due inside it
      expect(dues.some((d) => d >= killAt - PERIOD_MS && d <= electedAt + PERIOD_MS)).toBe(true);
      // every run is launched and done (none stuck QUEUED/STAGING)
      const stuck = mine.filter((r) => r.due.getTime() < endAt - 2 * PERIOD_MS && r.state !== 'FINISHED');
      expect(stuck.map((r) => `${r.task_id} ${r.state}`)).toEqual([]);
    }
    console.log(
      `[ha] kill -9 failover: new leader ${second.id} after ${takeoverMs} ms (epoch ${h0.epoch} → ${h1.epoch}); ` +
        `${rows.length} runs, ${launched.length} launches, 0 duplicates, ${collapsed} instants collapsed into the gap's late run`,
    );
  }, 90_000);

  it('a paused leader (SIGSTOP beyond the session timeout, then SIGCONT) steps down and its fenced writes fail', async () => {
    const { leader: a, health: ha } = await waitForLeader(instances);
    const b = instances.find((i) => i !== a && i.alive)!;
    const launches = path.join(cluster.dir, 'launches-pause.log');
    const start = Math.ceil((Date.now() + 2_000) / 1000) * 1000;
    for (let k = 0; k < 5; k++) {
      const r = await fetch(`${b.url}/v1/scheduler/iso8601`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `p-${k}`, command: `echo "$mesos_task_id" >> ${launches}`, schedule: `R/${new Date(start).toISOString()}/PT2S`, cpus: 0.01, mem: 16, disk: 1 }),
      });
      expect(r.status).toBe(204);
    }
    await sleep(start - Date.now() + 2_500);

    a.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const { health: hb } = await waitFor('b leads', async () => {
      const h = await b.health();
      return h?.isLeader ? { health: h } : null;
    }, 20_000);
    const takeoverMs = Date.now() - stoppedAt;
    expect(hb.epoch!).toBeGreaterThan(ha.epoch!);
    await sleep(2_500); // jobs come due while a is frozen; b runs them
    a.child.kill('SIGCONT');
    const resumedAt = Date.now();
    const h = await waitFor('a steps down', async () => {
      const x = await a.health();
      return x && !x.isLeader && x.leader === b.id ? x : null;
    }, 10_000, 20);
    const stepDownMs = Date.now() - resumedAt;
    expect(h.lastEpoch).toBe(ha.epoch);

    // its old epoch is refused by the database
    const probe = (await (await fetch(`${a.url}/__debug/fenced-write`, { method: 'POST' })).json()) as { ok: boolean; fenced: boolean; error: string };
    expect(probe.ok).toBe(false);
    expect(probe.fenced).toBe(true);
    expect(probe.error).toMatch(/newer leader/);
    expect(a.log()).toMatch(/deposed/);

    // the new leader keeps launching after the old one woke up: awaited (a launch 3 s later was
    // slept for, and came late on a loaded machine); the window also lets a stale launch show up
    const windowEnds = Date.now() + 3_000;
    const launchedAfter = await waitFor('the new leader to launch after the old one woke up', async () => {
      const after = await cluster.db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM runs WHERE launched_at > to_timestamp($1 / 1000.0)`,
        [resumedAt + 500],
      );
      return Number(after[0].n) > 0 && Date.now() >= windowEnds ? Number(after[0].n) : null;
    }, 20_000, 200);
    expect(launchedAfter).toBeGreaterThan(0);
    const launched = fs.readFileSync(launches, 'utf8').split('\n').filter(Boolean);
    const dup = launched.filter((t, i) => launched.indexOf(t) !== i);
    expect(dup).toEqual([]);
    const rows = await cluster.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM runs GROUP BY job_name, due, attempt HAVING count(*) > 1`);
    expect(rows).toEqual([]);
    console.log(
      `[ha] SIGSTOP'd leader: takeover after ${takeoverMs} ms; old leader stepped down ${stepDownMs} ms after SIGCONT; ` +
        `fenced writes refused on the old leader: ${h.fencedWrites} (+ the probe); ${launched.length} launches, 0 duplicates`,
    );
  }, 90_000);
});
