/**
 * Entry point of the ZooKeeper thread (a worker_thread started by ThreadedElector): the session,
 * its pings, the election znodes, their watches and the pause detector all live here, so a main
 * thread busy for seconds (a 10,000-run launch) neither lets the session lapse nor looks like a
 * frozen process. A process really frozen (SIGSTOP) stops this thread too: its pause detector
 * sees the gap on waking and drops the session, as before.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ZkElector } from './elector';
import type { ElectorEvent } from './listeners';
import type { FromThread, ThreadOptions, ToThread } from './thread-messages';

const port = parentPort;
if (!port) throw new Error('elector-thread.ts runs only as a worker thread (ThreadedElector)');
const post = (m: FromThread) => port.postMessage(m);

let lastMembers = '';
/** The last restart the main thread asked for, carried out: sent back with every event. */
let seq = 0;
const elector = new ZkElector({
  ...(workerData as ThreadOptions),
  log: (level, message) => post({ t: 'log', level, message }),
  onView: () => {
    const members = elector.members().join('\n');
    if (members !== lastMembers) forward('leader-changed')();
  },
});
function forward(event: ElectorEvent): () => void {
  return () => {
    const members = elector.members();
    lastMembers = members.join('\n');
    post({ t: 'event', seq, event, state: { leader: elector.leader(), members, epoch: elector.epoch() } });
  };
}
for (const event of ['elected', 'deposed', 'leader-changed'] as const) elector.on(event, forward(event));

port.on('message', (m: ToThread) => {
  switch (m.t) {
    case 'restart':
      seq = m.seq;
      elector.restartSession(m.reason);
      // the main thread has deposed itself already; tell it this session is the one to follow
      forward('leader-changed')();
      return;
    case 'advance':
      elector.advanceEpoch(m.min).then(
        (value) => post({ t: 'reply', id: m.id, value }),
        (e: Error) => post({ t: 'reply', id: m.id, error: e.message }),
      );
      return;
    case 'stop':
      // the thread then ends by itself once the client's socket is closed (the candidate node went
      // with the session), not cut off while closeSession is still in flight
      void elector.stop().finally(() => {
        post({ t: 'reply', id: m.id });
        port.close();
      });
      return;
    case 'sync':
      post({ t: 'reply', id: m.id });
      return;
  }
});
void elector.start();
