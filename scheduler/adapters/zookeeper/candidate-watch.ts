/**
 * Watches an election folder for one candidate's node to go: the moment ZooKeeper ends that
 * candidate's session (its ephemeral node is deleted). Used by the takeover benchmark to time a
 * killed leader's session end from outside the instances.
 */
import zookeeperModule from 'node-zookeeper-client';

/** The slice of node-zookeeper-client used here (the module ships no types). */
interface ZkClient {
  connect(): void;
  close(): void;
  once(event: 'connected', fn: () => void): void;
  getChildren(path: string, watcher: () => void, cb: (err: Error | null, children: string[]) => void): void;
  getData(path: string, cb: (err: Error | null, data?: Buffer) => void): void;
}
const zookeeper = zookeeperModule as { createClient(servers: string, options: { sessionTimeout: number }): ZkClient };

export interface CandidateWatch {
  /** Resolves with the wall-clock time (ms) at which no node of `dir` holds the candidate's id. */
  gone: Promise<number>;
  close(): void;
}

/** Connects to `servers`, then watches the children of `dir` (and their data) for `id` to disappear. */
export async function watchCandidateGone(servers: string, dir: string, id: string): Promise<CandidateWatch> {
  const zk = zookeeper.createClient(servers, { sessionTimeout: 10_000 });
  zk.connect();
  await new Promise<void>((r) => zk.once('connected', () => r()));
  let closed = false;
  let resolve!: (t: number) => void;
  const gone = new Promise<number>((r) => (resolve = r));
  const dataOf = (child: string) =>
    new Promise<string | null>((r) => zk.getData(`${dir}/${child}`, (err, data) => r(err || !data ? null : data.toString('utf8'))));
  const check = (): void => {
    if (closed) return;
    zk.getChildren(dir, () => check(), (err, children) => {
      if (err || closed) return;
      void Promise.all(children.map(dataOf)).then((ids) => {
        if (!closed && !ids.includes(id)) resolve(Date.now());
      });
    });
  };
  check();
  return {
    gone,
    close: () => {
      closed = true;
      zk.close();
    },
  };
}
