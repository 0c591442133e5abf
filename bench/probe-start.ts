/**
 * A cold start of the built app (the bench's copy, BENCH_APP_DIR) over an existing database: the
 * app's log lines (LOG_LEVEL=info) and the moments /ping answered, the framework subscribed and
 * every job was loaded (sisyphus_scheduler_loaded), each in ms after the spawn; then, with
 * `ui`, the jobs page's API (GET /api/jobs) three times. `npx tsx bench/probe-start.ts <db url> [ui]`.
 */
import { spawn } from 'node:child_process';
// @ts-expect-error: plain JS module shared with scripts/start.mjs (no types)
import { bundledMain } from '../scripts/lib/server-bundle.mjs';
import { buildApp, childEnv, freePort, startMesos } from './lib/services';

async function main(): Promise<void> {
  const dbUrl = process.argv[2];
  const dir = await buildApp();
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
    if (process.argv[3] === 'ui') {
      for (let i = 0; i < 4; i++) {
        const t = performance.now();
        const r = await fetch(`${url}/api/jobs?offset=0&limit=50`);
        await r.text();
        const t2 = performance.now();
        const p = await fetch(`${url}/jobs`);
        await p.text();
        console.log(`PROBE /api/jobs ${Math.round(t2 - t)} ms; /jobs html ${Math.round(performance.now() - t2)} ms (${p.status})`);
      }
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await mesos.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
