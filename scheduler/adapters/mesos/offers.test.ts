import { describe, expect, it } from 'vitest';
import { mesosTypes, deserialize, serialize, type Json } from '../../../proto';
import { toAttribute, toOffer, toOfferResource, toTaskUpdate } from './offers';

describe('toOfferResource', () => {
  const cases: Array<[string, Json, { role: string; reserved: boolean }]> = [
    ['unreserved, multi-role', { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, allocation_info: { role: 'web' } }, { role: 'web', reserved: false }],
    ['unreserved, legacy', { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, role: '*' }, { role: '*', reserved: false }],
    ['legacy static reservation', { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, role: 'batch' }, { role: 'batch', reserved: true }],
    [
      'refined reservations (last wins) without allocation_info',
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 }, reservations: [{ type: 'STATIC', role: 'eng' }, { type: 'DYNAMIC', role: 'eng/batch' }] },
      { role: 'eng/batch', reserved: true },
    ],
    [
      'dynamic reservation with allocation_info',
      { name: 'disk', type: 'SCALAR', scalar: { value: 10 }, reservations: [{ type: 'DYNAMIC', role: 'ops' }], allocation_info: { role: 'ops' } },
      { role: 'ops', reserved: true },
    ],
  ];
  for (const [name, raw, want] of cases) {
    it(`reads role and reservation: ${name}`, () => {
      const r = toOfferResource(raw)!;
      expect({ role: r.role, reserved: r.reserved }).toEqual(want);
      expect(r.raw).toBe(raw);
    });
  }

  it('reads ranges (numbers or strings) and sets, and skips TEXT', () => {
    expect(toOfferResource({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '31000', end: 31005 }] } })!.ranges).toEqual([{ begin: 31000, end: 31005 }]);
    expect(toOfferResource({ name: 'gpus_ids', type: 'SET', set: { item: ['a', 'b'] } })!.set).toEqual(['a', 'b']);
    expect(toOfferResource({ name: 'x', type: 'TEXT', text: { value: 'y' } })).toBeNull();
  });
});

describe('toOffer', () => {
  it('converts a protobuf-decoded offer (both encodings agree)', () => {
    const { Offer } = mesosTypes();
    const json: Json = {
      id: { value: 'O-1' },
      framework_id: { value: 'F' },
      agent_id: { value: 'S-1' },
      hostname: 'agent-1',
      allocation_info: { role: 'web' },
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: 'web' } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] }, allocation_info: { role: 'web' } },
      ],
      attributes: [
        { name: 'rack', type: 'TEXT', text: { value: 'r2' } },
        { name: 'gen', type: 'SCALAR', scalar: { value: 3 } },
        { name: 'zones', type: 'SET', set: { item: ['a'] } },
      ],
    };
    const viaProto = deserialize(Offer, serialize(Offer, json, 'protobuf'), 'protobuf');
    for (const o of [json, viaProto]) {
      const offer = toOffer(o);
      expect(offer).toMatchObject({ id: 'O-1', agentId: 'S-1', hostname: 'agent-1', allocationRole: 'web' });
      expect(offer.resources.map((r) => [r.name, r.type, r.scalar ?? r.ranges, r.role])).toEqual([
        ['cpus', 'SCALAR', 0.5, 'web'],
        ['ports', 'RANGES', [{ begin: 31000, end: 32000 }], 'web'],
      ]);
      expect(offer.attributes).toEqual([
        { name: 'rack', type: 'TEXT', text: 'r2' },
        { name: 'gen', type: 'SCALAR', scalar: 3 },
        { name: 'zones', type: 'SET', set: ['a'] },
      ]);
    }
  });

  it('keeps SCALAR resources whose type the protobuf decoder left implicit', () => {
    expect(toAttribute({ name: 'n', scalar: { value: 1 } }).type).toBe('SCALAR');
    expect(toOfferResource({ name: 'cpus', scalar: { value: 1 } })!.type).toBe('SCALAR');
  });
});

describe('toTaskUpdate', () => {
  it('converts a status, keeping the uuid only when present', () => {
    const u = toTaskUpdate({
      task_id: { value: 't' },
      state: 'TASK_FAILED',
      message: 'Command exited with status 1',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      agent_id: { value: 'S' },
      executor_id: { value: 'E' },
      timestamp: 1700000000.25,
      source: 'SOURCE_EXECUTOR',
      uuid: 'AAECAwQFBgcICQoLDA0ODw==',
      healthy: false,
    });
    expect(u).toEqual({
      taskId: 't',
      state: 'TASK_FAILED',
      message: 'Command exited with status 1',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      agentId: 'S',
      executorId: 'E',
      timestamp: 1700000000250,
      source: 'SOURCE_EXECUTOR',
      uuid: 'AAECAwQFBgcICQoLDA0ODw==',
      healthy: false,
    });
    const m = toTaskUpdate({ task_id: { value: 't' }, state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect('uuid' in m).toBe(false);
    expect(m.agentId).toBeNull();
  });
});
