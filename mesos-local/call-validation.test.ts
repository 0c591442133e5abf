import { describe, expect, it } from 'vitest';
import { CONTENT_TYPE, fromJson, mesosTypes, type Json } from '../proto';
import { findNumericEnum, parseCall } from './call-validation';

describe('findNumericEnum: Mesos answers 400 to a JSON enum given as a number', () => {
  it.each([
    { name: 'enum names everywhere: nothing to say', call: { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n', capabilities: [{ type: 'PARTITION_AWARE' }] } } }, want: null },
    { name: 'the call type as a number', call: { type: 1 }, want: "Not expecting a JSON number for field 'type'" },
    {
      name: 'an enum inside a repeated message, named by its path',
      call: { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n', capabilities: [{ type: 'PARTITION_AWARE' }, { type: 3 }] } } },
      want: "Not expecting a JSON number for field 'subscribe.framework_info.capabilities.type'",
    },
    { name: 'a number where a message is expected is not an enum', call: { type: 'ACKNOWLEDGE', acknowledge: 5 }, want: null },
  ])('$name', ({ call, want }) => {
    expect(findNumericEnum(mesosTypes().Call, call as Json)).toBe(want);
  });
});

describe('parseCall: an ACKNOWLEDGE reads the same on its short path as through protobuf', () => {
  const counters = { invalid_calls: 0 };
  const read = (c: unknown) => parseCall(mesosTypes().Call, CONTENT_TYPE.json, Buffer.from(JSON.stringify(c)), counters);
  const viaProtobuf = (c: unknown) => {
    const r = fromJson(mesosTypes().Call, c);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  const ack = (acknowledge: Json, extra: Json = {}) => ({ type: 'ACKNOWLEDGE', framework_id: { value: 'fw-1' }, acknowledge, ...extra });
  const ids = { agent_id: { value: 'agent-1' }, task_id: { value: 'ct:1:0:job' } };

  it.each([
    { name: 'the plain form', call: ack({ ...ids, uuid: 'RXnW+oT5BMsjsQemHRl4pw==' }) },
    { name: 'a uuid in non-canonical base64 (protobuf re-encodes it)', call: ack({ ...ids, uuid: 'RXnW+oT5BMsjsQemHRl4px==' }) },
    { name: 'a task id given as a number', call: ack({ agent_id: { value: 'a' }, task_id: { value: 5 }, uuid: 'RXnW+oT5BMsjsQemHRl4pw==' }) },
    { name: 'an unknown field (protobuf drops it)', call: ack({ ...ids, uuid: 'RXnW+oT5BMsjsQemHRl4pw==' }, { extra: 1 }) },
  ])('$name', ({ call }) => {
    expect(read(call)).toEqual(viaProtobuf(call));
  });

});
