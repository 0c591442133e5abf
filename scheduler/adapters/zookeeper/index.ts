/** Leader election adapters: the only place that imports node-zookeeper-client for the scheduler. */
export { ZkElector, zkServers, electionOrder, sequenceOf, type ZkElectorOptions } from './elector';
export { SingleElector } from './single';
export { ThreadedElector } from './threaded-elector';
export { electorThreadEntry, type ThreadEntry } from './thread-entry';
