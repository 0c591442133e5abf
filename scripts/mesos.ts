/**
 * Real Apache Mesos for tests and benchmarks, by hand or from scripts/services.mjs:
 *
 *   node --import tsx scripts/mesos.ts install   runtime packages + the build unpacked into .cache/mesos/
 *   node --import tsx scripts/mesos.ts up        a master and two agents (rack:a, rack:b) kept up in
 *                                                .cache/mesos/cluster/ (quiet when already up); prints
 *                                                MESOS_MASTER=<url>
 *   node --import tsx scripts/mesos.ts status    the master's URL and agents, or "down"
 *   node --import tsx scripts/mesos.ts down      stops what `up` started
 *
 * With no build on this machine, install prints one line saying so (exit 0), the others exit 1.
 * The test tier (test/mesos/) starts a cluster of its own and stops it; it never uses this one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MesosCluster } from './mesos/cluster';
import { CACHE_DIR, HOW_TO_ENABLE, ensureMesosInstalled, mesosBuild } from './mesos/install';

const KEPT_DIR = path.join(CACHE_DIR, 'cluster');
const say = (line: string) => process.stdout.write(`sisyphus: ${line}\n`);

async function main(cmd: string | undefined): Promise<number> {
  const stateFile = path.join(KEPT_DIR, 'cluster.json');
  switch (cmd) {
    case 'install':
      if (!mesosBuild()) {
        say(`no Mesos build here: the real-Mesos test tier will be skipped (${HOW_TO_ENABLE})`);
        return 0;
      }
      ensureMesosInstalled(say);
      return 0;
    case 'up': {
      const up = await MesosCluster.attach(stateFile);
      if (up) {
        process.stdout.write(`MESOS_MASTER=${up.masterUrl}\n`);
        return 0;
      }
      // a half-dead earlier one: stop what is left of it, start afresh
      await MesosCluster.load(stateFile)?.stop();
      fs.rmSync(KEPT_DIR, { recursive: true, force: true });
      const c = await MesosCluster.start({ dir: KEPT_DIR, say });
      process.stdout.write(`MESOS_MASTER=${c.masterUrl}\n`);
      return 0;
    }
    case 'status': {
      const up = await MesosCluster.attach(stateFile);
      if (!up) {
        process.stdout.write('down\n');
        return 1;
      }
      process.stdout.write(`master ${up.masterUrl} (pid ${up.master.pid})\n`);
      for (const a of up.agents) process.stdout.write(`${a.name} ${a.url} (pid ${a.pid ?? 'stopped'})\n`);
      return 0;
    }
    case 'down': {
      const up = MesosCluster.load(stateFile);
      if (up) {
        await up.stop();
        say(`stopped the Mesos cluster in ${path.relative(process.cwd(), KEPT_DIR)}`);
      }
      fs.rmSync(KEPT_DIR, { recursive: true, force: true });
      return 0;
    }
    default:
      process.stderr.write('usage: node --import tsx scripts/mesos.ts install|up|status|down\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`sisyphus: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
