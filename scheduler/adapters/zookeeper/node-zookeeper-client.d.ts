/**
 * node-zookeeper-client ships no type declarations: the module is `any` here, and each adapter
 * types the slice it uses (scheduler/adapters/zookeeper/elector.ts, scheduler/adapters/mesos/detect.ts).
 */
declare module 'node-zookeeper-client';
