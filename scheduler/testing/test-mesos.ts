/** mesos-local as the tests run it: in this process, on a free loopback port, with short timers. */
import { MesosLocal, type MesosLocalOptions } from '../../mesos-local/master';

/**
 * mesos-local on a free loopback port with the short timers of the tests (1 s heartbeats, 100 ms
 * allocation, 500 ms update retries), working in `workDir`; `options` on top. Started.
 */
export async function startTestMesos(workDir: string, agents: MesosLocalOptions['agents'], options: Partial<MesosLocalOptions> = {}): Promise<MesosLocal> {
  const mesos = new MesosLocal({
    port: 0,
    host: '127.0.0.1',
    heartbeatIntervalSeconds: 1,
    allocationIntervalMs: 100,
    statusUpdateRetryMs: 500,
    workDir,
    agents,
    ...options,
  });
  await mesos.start();
  return mesos;
}
