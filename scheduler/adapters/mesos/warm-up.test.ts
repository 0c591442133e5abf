/**
 * A follower compiles the Mesos messages ahead of its takeover (proto warmUp, called by boot.ts):
 * afterwards events read exactly as they do in a process that never warmed up.
 */
import { describe, expect, it } from 'vitest';
import { deserialize, mesosTypes, serialize, warmUp, type Encoding, type Json } from '../../../proto';

const update: Json = { type: 'UPDATE', update: { status: { task_id: { value: 'ct:1:0:job:' }, agent_id: { value: 'a1' }, state: 'TASK_FAILED', message: 'exit 1', uuid: 'AQI=' } } };

describe('warming up the Mesos messages', () => {
  it.each<Encoding>(['json', 'protobuf'])('leaves %s events read as before', (encoding) => {
    const { Event } = mesosTypes();
    const before = deserialize(Event, serialize(Event, update, encoding), encoding);
    warmUp(encoding);
    warmUp(encoding);
    expect(deserialize(Event, serialize(Event, update, encoding), encoding)).toEqual(before);
    expect((before.update as { status: { state: string } }).status.state).toBe('TASK_FAILED');
  });
});
