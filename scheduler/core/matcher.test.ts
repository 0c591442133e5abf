import { describe, expect, it } from 'vitest';
import { checkInvariants, match, offer, placements, scalarRes, T0, task } from '../testing/matcher-fixtures';
import { matchOffers, type MatchInput, type PendingTask } from './matcher';
import type { Constraint, Offer } from './types';

/* ---------- packing ---------- */

describe('packing', () => {
  it('puts several tasks in one offer and subtracts what they take', () => {
    const input: MatchInput = {
      pending: [task('t1', 1, 256), task('t2', 1, 256), task('t3', 1, 256), task('t4', 1, 256)],
      offers: [offer({ id: 'o1', agent: 'a1', cpus: 3, mem: 1024 })],
      running: new Set(),
    };
    const out = matchOffers(input);
    checkInvariants(input, out);
    expect(out.launches).toHaveLength(1);
    expect(out.launches[0].offerIds).toEqual(['o1']);
    expect(out.launches[0].tasks.map((t) => t.taskId)).toEqual(['t1', 't2', 't3']);
    expect(out.launches[0].tasks[0].resources).toEqual([scalarRes('cpus', 1), scalarRes('mem', 256)]);
    expect(out.unplaced).toEqual([
      expect.objectContaining({ taskId: 't4', reason: 'no-offer-fits-cpus' }),
    ]);
    expect(out.declines).toEqual([]);
  });

  it('combines the offers of one agent into one pool and one accept', () => {
    const input: MatchInput = {
      pending: [task('big', 3, 1536)],
      offers: [
        offer({ id: 'o1', agent: 'a1', cpus: 2, mem: 1024 }),
        offer({ id: 'o2', agent: 'a2', cpus: 1, mem: 512 }),
        offer({ id: 'o3', agent: 'a1', cpus: 2, mem: 1024 }),
      ],
      running: new Set(),
    };
    const out = matchOffers(input);
    checkInvariants(input, out);
    expect(out.launches).toEqual([
      {
        agentId: 'a1',
        hostname: 'a1.example.com',
        offerIds: ['o1', 'o3'],
        tasks: [
          {
            taskId: 'big',
            jobName: 'big',
            resources: [scalarRes('cpus', 2), scalarRes('cpus', 1), scalarRes('mem', 1024), scalarRes('mem', 512)],
          },
        ],
      },
    ]);
    expect(out.declines).toEqual(['o2']);
  });

  it('keeps going past a task that does not fit so smaller ones use the room (unlike Chronos)', () => {
    const out = match(
      [task('huge', 8, 128, { due: T0 }), task('small', 2, 128, { due: T0 + 1 })],
      [offer({ id: 'o1', agent: 'a1', cpus: 4, mem: 1024 })],
    );
    expect(placements(out)).toEqual({ small: 'a1' });
    expect(out.unplaced).toEqual([expect.objectContaining({ taskId: 'huge', reason: 'no-offer-fits-cpus' })]);
  });

  it('is exact with thousandths: ten 0.1-cpu tasks fill a 1-cpu offer', () => {
    const pending = Array.from({ length: 11 }, (_, i) => task(`t${String(i).padStart(2, '0')}`, 0.1, 10));
    const out = match(pending, [offer({ id: 'o1', agent: 'a1', cpus: 1, mem: 1000 })]);
    expect(out.launches[0].tasks).toHaveLength(10);
    expect(out.unplaced.map((u) => u.taskId)).toEqual(['t10']);
  });

  const bestFitCases: Array<{ name: string; pending: PendingTask[]; offers: Offer[]; want: Record<string, string> }> = [
    {
      name: 'least leftover of the dominant resource when leftover shapes are alike',
      pending: [task('t', 4, 4096)],
      offers: [
        offer({ id: 'o1', agent: 'a8', cpus: 8, mem: 8192 }),
        offer({ id: 'o2', agent: 'a4', cpus: 4, mem: 4096 }),
        offer({ id: 'o3', agent: 'a6', cpus: 6, mem: 6144 }),
      ],
      want: { t: 'a4' },
    },
    {
      name: 'mem-dominant task: least mem left over when shapes are alike',
      pending: [task('t', 1, 8192)],
      offers: [
        offer({ id: 'o1', agent: 'big-mem', cpus: 4, mem: 32768 }),
        offer({ id: 'o2', agent: 'small-mem', cpus: 2, mem: 16384 }),
      ],
      want: { t: 'small-mem' },
    },
    {
      name: 'a leftover shaped like the queue beats a tighter fit that strands mem behind zero cpus',
      pending: [task('t', 4, 4096)],
      offers: [
        offer({ id: 'o1', agent: 'tight', cpus: 4, mem: 65536 }),
        offer({ id: 'o2', agent: 'balanced', cpus: 8, mem: 8192 }),
      ],
      want: { t: 'balanced' },
    },
    {
      name: 'best fit skips agents short of a secondary resource',
      pending: [task('t', 4, 4096)],
      offers: [
        offer({ id: 'o1', agent: 'tight-cpu-no-mem', cpus: 4, mem: 1024 }),
        offer({ id: 'o2', agent: 'roomy', cpus: 16, mem: 8192 }),
      ],
      want: { t: 'roomy' },
    },
    {
      name: 'ties go to the agent offered first',
      pending: [task('t', 2, 128)],
      offers: [offer({ id: 'o1', agent: 'first', cpus: 4, mem: 1024 }), offer({ id: 'o2', agent: 'second', cpus: 4, mem: 1024 })],
      want: { t: 'first' },
    },
    {
      name: 'disk is honoured',
      pending: [task('t', 1, 128, { disk: 5000 })],
      offers: [
        offer({ id: 'o1', agent: 'no-disk', cpus: 1, mem: 1024, disk: 100 }),
        offer({ id: 'o2', agent: 'disk', cpus: 4, mem: 1024, disk: 10000 }),
      ],
      want: { t: 'disk' },
    },
  ];
  it.each(bestFitCases)('$name', ({ pending, offers, want }) => {
    const input: MatchInput = { pending, offers, running: new Set() };
    const out = matchOffers(input);
    checkInvariants(input, out);
    expect(placements(out)).toEqual(want);
  });
});

/* ---------- priorities ---------- */

describe('priorities', () => {
  const oneSlot = [offer({ id: 'o1', agent: 'a1', cpus: 1, mem: 1024 })];
  const cases: Array<{ name: string; pending: PendingTask[]; placed: string }> = [
    {
      name: 'high priority first, even when due later',
      pending: [task('low', 1, 128, { due: T0 }), task('high', 1, 128, { due: T0 + 60_000, highPriority: true })],
      placed: 'high',
    },
    {
      name: 'then the earlier due time',
      pending: [task('later', 1, 128, { due: T0 + 1 }), task('earlier', 1, 128, { due: T0 })],
      placed: 'earlier',
    },
    {
      name: 'then the task id',
      pending: [task('ct:2', 1, 128), task('ct:1', 1, 128)],
      placed: 'ct:1',
    },
  ];
  it.each(cases)('$name', ({ pending, placed }) => {
    expect(Object.keys(placements(match(pending, oneSlot)))).toEqual([placed]);
  });

  it('a lower-priority task never takes room an earlier task fits in', () => {
    // Alone, `low` would best-fit onto b (leftover 1); `high` can only run on b.
    const out = match(
      [
        task('low', 3, 128, { due: T0 }),
        task('high', 4, 128, { due: T0 + 5, highPriority: true, constraints: [['hostname', 'EQUALS', 'b']] }),
      ],
      [offer({ id: 'oa', agent: 'a', host: 'a', cpus: 6, mem: 1024 }), offer({ id: 'ob', agent: 'b', host: 'b', cpus: 4, mem: 1024 })],
    );
    expect(placements(out)).toEqual({ high: 'b', low: 'a' });
  });

  it('a lower-priority task only backfills room the earlier ones could not use', () => {
    const out = match(
      [task('h8', 8, 128, { highPriority: true }), task('n3', 3, 128), task('n1', 1, 128)],
      [offer({ id: 'o1', agent: 'a1', cpus: 4, mem: 1024 })],
    );
    expect(placements(out)).toEqual({ n3: 'a1', n1: 'a1' });
    expect(out.unplaced).toEqual([expect.objectContaining({ taskId: 'h8', reason: 'no-offer-fits-cpus' })]);
  });
});

/* ---------- concurrency ---------- */

describe('concurrency', () => {
  const roomy = [offer({ id: 'o1', agent: 'a1', cpus: 32, mem: 32768 })];
  const cases: Array<{
    name: string;
    pending: PendingTask[];
    running?: string[];
    placed: string[];
    unplaced: Array<[string, string]>;
  }> = [
    {
      name: 'a non-concurrent job with a run in flight is skipped',
      pending: [task('ct:1:0:etl', 1, 128, { jobName: 'etl' })],
      running: ['etl'],
      placed: [],
      unplaced: [['ct:1:0:etl', 'concurrent-run']],
    },
    {
      name: 'a concurrent job with a run in flight is launched',
      pending: [task('ct:1:0:etl', 1, 128, { jobName: 'etl', concurrent: true })],
      running: ['etl'],
      placed: ['ct:1:0:etl'],
      unplaced: [],
    },
    {
      name: 'a second task of a non-concurrent job in one batch is dropped',
      pending: [
        task('ct:1:0:etl', 1, 128, { jobName: 'etl', due: 1 }),
        task('ct:2:0:etl', 1, 128, { jobName: 'etl', due: 2 }),
      ],
      placed: ['ct:1:0:etl'],
      unplaced: [['ct:2:0:etl', 'duplicate-in-batch']],
    },
    {
      name: 'several tasks of a concurrent job in one batch are launched',
      pending: [
        task('ct:1:0:etl', 1, 128, { jobName: 'etl', due: 1, concurrent: true }),
        task('ct:2:0:etl', 1, 128, { jobName: 'etl', due: 2, concurrent: true }),
      ],
      placed: ['ct:1:0:etl', 'ct:2:0:etl'],
      unplaced: [],
    },
    {
      name: 'other jobs are not affected by a running job',
      pending: [task('ct:1:0:a', 1, 128, { jobName: 'a' }), task('ct:1:0:b', 1, 128, { jobName: 'b' })],
      running: ['a'],
      placed: ['ct:1:0:b'],
      unplaced: [['ct:1:0:a', 'concurrent-run']],
    },
  ];
  it.each(cases)('$name', ({ pending, running = [], placed, unplaced }) => {
    const out = match(pending, roomy, { running: new Set(running) });
    expect(Object.keys(placements(out))).toEqual(placed);
    expect(out.unplaced.map((u) => [u.taskId, u.reason])).toEqual(unplaced);
  });
});

/* ---------- constraints ---------- */

describe('constraints', () => {
  const racks = [
    offer({ id: 'o1', agent: 'a1', cpus: 4, mem: 4096, attributes: [{ name: 'rack', type: 'TEXT', text: 'rack-1' }] }),
    offer({ id: 'o2', agent: 'a2', cpus: 4, mem: 4096, attributes: [{ name: 'rack', type: 'TEXT', text: 'rack-2' }] }),
    offer({ id: 'o3', agent: 'a3', host: 'special', cpus: 4, mem: 4096 }),
  ];
  const cases: Array<{ name: string; constraints: Constraint[]; want: string | undefined }> = [
    { name: 'EQUALS rack-2', constraints: [['rack', 'EQUALS', 'rack-2']], want: 'a2' },
    { name: 'LIKE rack-[12] (best fit: first agent)', constraints: [['rack', 'LIKE', 'rack-[12]']], want: 'a1' },
    { name: 'UNLIKE rack-1 (a3 has no rack attribute)', constraints: [['rack', 'UNLIKE', 'rack-1']], want: 'a2' },
    { name: 'hostname fallback', constraints: [['hostname', 'EQUALS', 'special']], want: 'a3' },
    { name: 'none satisfied', constraints: [['rack', 'EQUALS', 'rack-9']], want: undefined },
  ];
  it.each(cases)('$name', ({ constraints, want }) => {
    const out = match([task('t', 1, 128, { constraints })], racks);
    expect(placements(out).t).toBe(want);
    if (want === undefined) {
      expect(out.unplaced).toEqual([
        {
          taskId: 't',
          jobName: 't',
          reason: 'constraint',
          detail:
            'constraint rack EQUALS rack-9 is not met by 3 of 3 offered agents (e.g. a1.example.com: rack=rack-1)',
        },
      ]);
    }
  });

  it('constraint answers are per agent, across many tasks of the same shape', () => {
    const pending = Array.from({ length: 6 }, (_, i) =>
      task(`t${i}`, 1, 128, { constraints: [['rack', 'EQUALS', 'rack-1']], due: T0 + i }),
    );
    const out = match(pending, racks);
    expect(Object.values(placements(out))).toEqual(['a1', 'a1', 'a1', 'a1']);
    expect(out.unplaced.map((u) => u.reason)).toEqual(['no-offer-fits-cpus', 'no-offer-fits-cpus']);
  });
});

/* ---------- roles ---------- */

describe('roles', () => {
  const mixed = (): Offer => ({
    id: 'o1',
    agentId: 'a1',
    hostname: 'a1',
    attributes: [],
    resources: [
      scalarRes('cpus', 1),
      scalarRes('cpus', 8, 'other'),
      scalarRes('cpus', 2, 'analytics', { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [{ role: 'analytics', type: 'STATIC' }] }),
      scalarRes('mem', 1024),
      scalarRes('mem', 65536, 'other'),
      { name: 'ports', type: 'RANGES', ranges: [{ begin: 31000, end: 32000 }], role: '*', reserved: false },
    ],
  });

  it('ignores resources reserved to other roles', () => {
    const out = match([task('t', 2, 128)], [mixed()]);
    expect(out.launches).toEqual([]);
    expect(out.declines).toEqual(['o1']);
    expect(out.unplaced[0]).toMatchObject({ reason: 'no-offer-fits-cpus' });
    expect(out.unplaced[0].detail).toBe(
      'needs 2 cpus, 128 MB mem, 0 MB disk; the most free on an eligible agent is 1 cpus (a1)',
    );
  });

  it('uses resources of its own role first, then unreserved ones, keeping role, reservation and raw', () => {
    const input: MatchInput = { pending: [task('t', 2.5, 128)], offers: [mixed()], running: new Set(), role: 'analytics' };
    const out = matchOffers(input);
    checkInvariants(input, out);
    expect(out.launches[0].tasks[0].resources).toEqual([
      scalarRes('cpus', 2, 'analytics', { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [{ role: 'analytics', type: 'STATIC' }] }),
      scalarRes('cpus', 0.5),
      scalarRes('mem', 128),
    ]);
  });

  it('cuts raw resources to the amount taken', () => {
    const raw = { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, role: '*', allocation_info: { role: '*' } };
    const o: Offer = { id: 'o1', agentId: 'a1', hostname: 'a1', attributes: [], resources: [scalarRes('cpus', 4, '*', raw), scalarRes('mem', 1024)] };
    const out = match([task('t', 1.5, 100)], [o]);
    expect(out.launches[0].tasks[0].resources[0]).toEqual({
      ...scalarRes('cpus', 1.5, '*', { ...raw, scalar: { value: 1.5 } }),
    });
  });
});

/* ---------- declines and reasons ---------- */

describe('declines', () => {
  it('declines every offer of agents with nothing launched, and none of agents with a launch', () => {
    const out = match(
      [task('t', 2, 128)],
      [
        offer({ id: 'o1', agent: 'a1', cpus: 1, mem: 1024 }),
        offer({ id: 'o2', agent: 'a2', cpus: 2, mem: 1024 }),
        offer({ id: 'o3', agent: 'a1', cpus: 0.5, mem: 1024 }),
        offer({ id: 'o4', agent: 'a3', extra: [{ name: 'ports', type: 'RANGES', ranges: [{ begin: 1, end: 2 }], role: '*', reserved: false }] }),
      ],
    );
    expect(out.launches.map((l) => l.offerIds)).toEqual([['o2']]);
    expect(out.declines).toEqual(['o1', 'o3', 'o4']);
  });

  it('declines everything when nothing is pending', () => {
    const out = match([], [offer({ id: 'o1', agent: 'a1', cpus: 1, mem: 1 })]);
    expect(out).toEqual({ launches: [], declines: ['o1'], unplaced: [] });
  });
});
