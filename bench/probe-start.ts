/**
 * A cold start of the built app (the bench's copy, BENCH_APP_DIR) over an existing database: the
 * app's log lines (LOG_LEVEL=info) and the moments /ping answered, the framework subscribed and
 * every job was loaded (sisyphus_scheduler_loaded), each in ms after the spawn; then, with
 * `ui`, the jobs page's API (GET /api/jobs) four times (PROBE_UI_AFTER_MS after the load; default
 * at once), each with the slowest /ping answered meanwhile (how long the event loop was held), the
 * jobs page's HTML (/jobs) and the graph page's API (GET /api/graph?layout=1); then the slowest
 * /ping from the load to the end (/ping asked every 50 ms throughout) and the app's RSS peak.
 * PROBE_APP_DIR: an app built already (another checkout's bench copy) instead of this one's.
 * `npx tsx bench/probe-start.ts <db url> [ui]`.
 */
import { spawn } from 'node:child_process';
// @ts-expect-error: plain JS module shared with scripts/start.mjs (no types)
import { bundledMain } from '../scripts/lib/server-bundle.mjs';
import { treeRssMiB } from './lib/proc';
import { buildApp, childEnv, freePort, startMesos } from './lib/services';

async function main(): Promise<void> {
  const dbUrl = process.argv[2];
  const dir = process.env.PROBE_APP_DIR ?? (await buildApp());
  const mesos = await startMesos({ scale: { agents: 10, taskDurationMs: 0 } });
  const port = await freePort();
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const t0 = performance.now();
  const at = () => Math.round(performance.now() - t0);
  const child = spawn(process.execPath, [...nodeArgs, bundledMain(dir), '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv({ NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: dbUrl, MESOS_MASTER: mesos.url, PORT: String(port), LOG_LEVEL: process.env.PROBE_LOG_LEVEL ?? 'info' }),
  });
  const line = (d: Buffer) => {
    for (const l of d.toString().split('\n').filter(Boolean)) console.log(`+${at()} ${l.slice(0, 240)}`);
  };
  let rssPeak = 0;
  const rssTick = setInterval(() => (rssPeak = Math.max(rssPeak, child.pid ? treeRssMiB(child.pid) : 0)), 200);
  child.stdout!.on('data', line);
  child.stderr!.on('data', line);
  const url = `http://127.0.0.1:${port}`;
  let pinged = false;
  let subscribed = false;
  try {
    for (;;) {
      try {
        if (!pinged && (await fetch(`${url}/ping`)).ok) {
          pinged = true;
          console.log(`+${at()} PROBE /ping answered`);
        }
        if (pinged) {
          const text = await (await fetch(`${url}/metrics`, { headers: { accept: 'text/plain' } })).text();
          if (!subscribed && /^sisyphus_subscriptions_total\{[^}]*\} [1-9]/m.test(text)) {
            subscribed = true;
            console.log(`+${at()} PROBE subscribed`);
          }
          if (/^sisyphus_scheduler_loaded 1$/m.test(text)) {
            console.log(`+${at()} PROBE loaded`);
            break;
          }
        }
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // the event loop's longest hold from the load on: /ping every 50 ms until the end
    let probing = true;
    let worstAfterLoad = { ms: 0, at: 0 };
    const loadedAt = at();
    const background = (async () => {
      while (probing) {
        const tp = performance.now();
        await (await fetch(`${url}/ping`)).text();
        const ms = performance.now() - tp;
        if (ms > worstAfterLoad.ms) worstAfterLoad = { ms, at: at() - loadedAt };
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    if (process.argv[3] === 'ui') {
      // PROBE_UI_AFTER_MS: a first visitor that comes that long after the load
      const after = Number(process.env.PROBE_UI_AFTER_MS ?? 0);
      if (after > 0) await new Promise((r) => setTimeout(r, after));
      for (let i = 0; i < 4; i++) {
        // the event loop's longest hold meanwhile: /ping asked every 50 ms while /api/jobs is answered
        let pending = true;
        let worstPing = 0;
        const pings = (async () => {
          while (pending) {
            const tp = performance.now();
            await (await fetch(`${url}/ping`)).text();
            worstPing = Math.max(worstPing, performance.now() - tp);
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
        const t = performance.now();
        const r = await fetch(`${url}/api/jobs?offset=0&limit=50`);
        await r.text();
        pending = false;
        await pings;
        console.log(`PROBE /ping meanwhile: slowest ${Math.round(worstPing)} ms`);
        const t2 = performance.now();
        const p = await fetch(`${url}/jobs`);
        await p.text();
        const t3 = performance.now();
        const g = await fetch(`${url}/api/graph?layout=1`);
        const graph = (await g.json()) as { nodes?: unknown[]; layout?: unknown };
        const t4 = performance.now();
        console.log(
          `PROBE /api/jobs ${Math.round(t2 - t)} ms; /jobs html ${Math.round(t3 - t2)} ms (${p.status}); /api/graph ${Math.round(t4 - t3)} ms (${g.status}, ${graph.nodes?.length} nodes, ${graph.layout ? 'laid out' : 'no layout'})`,
        );
      }
    }
    // PROBE_TAIL_MS (default 5,000): /ping goes on that long after the last request
    await new Promise((r) => setTimeout(r, Number(process.env.PROBE_TAIL_MS ?? 5000)));
    probing = false;
    await background;
    console.log(`PROBE slowest /ping after the load: ${Math.round(worstAfterLoad.ms)} ms (${worstAfterLoad.at} ms after it); RSS peak ${Math.round(rssPeak)} MiB`);
  } finally {
    clearInterval(rssTick);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await mesos.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
