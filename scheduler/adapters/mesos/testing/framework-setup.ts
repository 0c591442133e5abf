/** The MesosFramework under test on a FakeConnection and FakePorts with a TestClock, and event builders. */
import type { Json } from '../../../../proto';
import { MesosFramework, type MesosFrameworkOptions } from '../framework';
import { FakeConnection, FakePorts } from './fake-connection';
import { TestClock } from '../../../testing/test-clock';

export function setup(opts: Partial<MesosFrameworkOptions> = {}) {
  const clock = new TestClock();
  const conn = new FakeConnection();
  const ports = new FakePorts();
  const fw = new MesosFramework({ connection: conn, ports, clock, random: () => 1, ...opts });
  const events: Array<[string, unknown]> = [];
  for (const name of ['subscribed', 'disconnected', 'revive', 'suppress', 'watchdog', 'error', 'resubscribe', 'stopped', 'update'] as const) {
    fw.on(name, (p) => events.push([name, p]));
  }
  return { clock, conn, ports, fw, events, names: () => events.map(([n]) => n) };
}

/** Starts the framework of a setup() and has the master answer SUBSCRIBED; returns once both are handled. */
export async function startSubscribed(s: Pick<ReturnType<typeof setup>, 'fw' | 'conn' | 'clock'>): Promise<void> {
  await s.fw.start();
  await s.clock.advanceAsync(0);
  s.conn.subscribed();
  await s.clock.advanceAsync(0);
}

export const offer = (id: string, agent = 'A1'): Json => ({
  id: { value: id },
  framework_id: { value: 'fw-1' },
  agent_id: { value: agent },
  hostname: `${agent}.example`,
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, allocation_info: { role: '*' } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] }, allocation_info: { role: '*' } },
  ],
  attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }],
});

export const update = (taskId: string, state: string, uuid?: string, agent: string | null = 'A1'): Json => ({
  type: 'UPDATE',
  update: {
    status: {
      task_id: { value: taskId },
      state,
      ...(agent ? { agent_id: { value: agent } } : {}),
      source: uuid ? 'SOURCE_EXECUTOR' : 'SOURCE_MASTER',
      timestamp: 1700000000.5,
      ...(uuid ? { uuid } : {}),
    },
  },
});
