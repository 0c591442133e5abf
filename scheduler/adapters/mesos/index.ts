/**
 * The Mesos adapter: the v1 scheduler HTTP API client (client.ts), leader detection (detect.ts),
 * RecordIO (recordio.ts), protobuf-JSON ↔ core value conversion (offers.ts) and the framework
 * behaviour (framework.ts and its parts, see README.md). The runtime builds one like this:
 *
 *   const client = new MesosClient({ master: config().mesos.master!, encoding: config().mesos.encoding });
 *   const framework = new MesosFramework({ connection: client, ports: worker, clock });
 *   await framework.start();
 */
export { MesosClient, MesosHttpError, NotSubscribedError, SCHEDULER_PATH } from './client';
export type { MesosClientOptions, ClientEventMap } from './client';
export { MesosFramework, FRAMEWORK_REMOVED } from './framework';
export type { FrameworkCounters, FrameworkEventMap, FrameworkState, MesosFrameworkOptions, SchedulerConnection } from './framework';
export { createDetector, StaticDetector, ZkDetector, masterAddress, parseZkUrl, leaderNode, ipFromNetworkOrder } from './detect';
export type { MasterDetector, DetectorOptions } from './detect';
export { toOffer, toOfferResource, toAttribute, toTaskUpdate, TERMINAL_TASK_STATES } from './offers';
export { RecordIODecoder, RecordIOError, encodeRecord } from './recordio';
export { warmUp as warmMesosTypes } from '../../../proto';
export { parseCredentials, type Credentials } from './http';
export { TypedEmitter } from './emitter';
