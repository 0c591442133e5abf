/**
 * mesos-local in its own process for the benchmarks (as in production, where the master is never
 * inside the scheduler's process). Options come as JSON in argv[2]; prints `READY <url>` once
 * listening; stops on SIGTERM/SIGINT.
 */
import { MesosLocal, type MesosLocalOptions } from '../../mesos-local/master';

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as MesosLocalOptions;
  const master = new MesosLocal({ port: 0, host: '127.0.0.1', ...opts });
  await master.start();
  process.stdout.write(`READY ${master.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    master.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

void main().catch((e) => {
  process.stderr.write(`mesos-child: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
