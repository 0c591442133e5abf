/** Pipelined scheduler calls on one connection: answered in order, and other requests after them still served. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import net from 'node:net';
import { MesosLocal } from './master';
import { Subscription } from './test-client';

const master = new MesosLocal({ port: 0, heartbeatIntervalSeconds: 5, allocationIntervalMs: 100, scale: { agents: 1, taskDurationMs: 60_000 } });

beforeAll(() => master.start());
afterAll(() => master.stop());

/** Writes `requests` in one write on a fresh connection; resolves with the first `n` answers' status lines and bodies. */
function pipelined(requests: string[], n: number): Promise<Array<{ status: number; body: string }>> {
  return new Promise((resolve, reject) => {
    const u = new URL(master.url);
    const socket = net.connect(Number(u.port), u.hostname);
    let buf = '';
    const out: Array<{ status: number; body: string }> = [];
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buf.slice(0, end);
        const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) break;
        out.push({ status: Number(head.slice(9, 12)), body: buf.slice(end + 4, end + 4 + len) });
        buf = buf.slice(end + 4 + len);
      }
      if (out.length >= n) {
        socket.destroy();
        resolve(out);
      }
    });
    socket.on('error', reject);
    socket.write(requests.join(''));
  });
}

function post(streamId: string, call: object, extra = ''): string {
  const body = JSON.stringify(call);
  return `POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nMesos-Stream-Id: ${streamId}\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

it('answers calls pipelined on one connection in order, each with its own outcome, then serves a GET sent after them', async () => {
  const sub = await Subscription.open(master.url);
  try {
    const fw = { value: sub.frameworkId };
    const answers = await pipelined(
      [
        post(sub.streamId, { type: 'REVIVE', framework_id: fw }),
        post('wrong-stream', { type: 'SUPPRESS', framework_id: fw }),
        post(sub.streamId, { type: 'ACKNOWLEDGE', framework_id: fw }), // no acknowledge: invalid
        post(sub.streamId, { type: 'RECONCILE', framework_id: fw, reconcile: { tasks: [] } }),
        'GET /master/health HTTP/1.1\r\nHost: x\r\n\r\n',
        'GET /metrics/snapshot HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      6,
    );
    expect(answers.map((a) => a.status)).toEqual([202, 400, 400, 202, 200, 200]);
    expect(answers[1].body).toMatch(/stream ID 'wrong-stream' included in this request didn't match/);
    expect(answers[2].body).toMatch(/Expecting 'acknowledge' to be present/);
    expect(JSON.parse(answers[5].body)['master/valid_calls']).toBeGreaterThanOrEqual(3); // SUBSCRIBE, REVIVE, RECONCILE
  } finally {
    sub.close();
  }
});

it('still opens a SUBSCRIBE stream sent on a connection after pipelined calls were answered there', async () => {
  const sub = await Subscription.open(master.url);
  try {
    const fw = { value: sub.frameworkId };
    const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'second' } } });
    const answers = await pipelined(
      [post(sub.streamId, { type: 'REVIVE', framework_id: fw }), `POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`],
      2,
    );
    expect(answers.map((a) => a.status)).toEqual([202, 200]);
  } finally {
    sub.close();
  }
});
