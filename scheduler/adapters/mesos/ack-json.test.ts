import { describe, expect, it } from 'vitest';
import { ackJson } from './ack-json';

describe('ackJson: an ACKNOWLEDGE written directly is what JSON.stringify of the call gives', () => {
  const ack = { agent_id: { value: 'agent-"1"' }, task_id: { value: 'ct:1700000000000:0:job\u00e9\n' }, uuid: 'RXnW+oT5BMsjsQemHRl4pw==' };

  it('the same bytes, framework_id added', () => {
    const call = { type: 'ACKNOWLEDGE', acknowledge: ack };
    expect(ackJson(call, 'fw-1')?.toString('utf8')).toBe(JSON.stringify({ ...call, framework_id: { value: 'fw-1' } }));
  });

  it.each([
    { name: 'another call type', call: { type: 'REVIVE', acknowledge: ack } },
    { name: 'a framework_id already set', call: { type: 'ACKNOWLEDGE', acknowledge: ack, framework_id: { value: 'other' } } },
    { name: 'an extra field in acknowledge', call: { type: 'ACKNOWLEDGE', acknowledge: { ...ack, extra: 1 } } },
    { name: 'a task id that is not a string', call: { type: 'ACKNOWLEDGE', acknowledge: { ...ack, task_id: { value: 5 } } } },
  ])('leaves $name to the generic path', ({ call }) => {
    expect(ackJson(call, 'fw-1')).toBeNull();
  });

  it('leaves a call without a framework id to the generic path', () => {
    expect(ackJson({ type: 'ACKNOWLEDGE', acknowledge: ack }, null)).toBeNull();
  });
});
