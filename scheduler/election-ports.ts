/** Leader election as the rest of the scheduler sees it (adapters/zookeeper implements it; re-exported by ports.ts). */

/** This instance's view of the election, for the UI and the follower → leader proxy. */
export interface LeaderView {
  /** This instance's id (host:port). */
  id: string;
  isLeader(): boolean;
  /** The leader's id, or null while unknown. */
  leader(): string | null;
  /** Every candidate's id, leader first (optional). */
  members?(): string[];
  /** The secret the instances share to sign proxied requests; null until read (trust nothing). */
  proxySecret?: string | null;
}

/** Leader election. With no ZooKeeper configured the single instance is always leader. */
export interface LeaderElector {
  readonly id: string;
  isLeader(): boolean;
  /** Current leader's id (host:port), or null while unknown. */
  leader(): string | null;
  /** Monotonic epoch of this instance's leadership, checked on writes (fencing). */
  epoch(): number;
  /** Ids of every candidate, leader first (optional: the UI shows them). */
  members?(): string[];
  /** Moves the epoch past `min` (the database holds a larger one); leader only (optional). */
  advanceEpoch?(min: number): Promise<number>;
  on(event: 'elected' | 'deposed' | 'leader-changed', fn: () => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
