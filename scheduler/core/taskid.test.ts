import { describe, expect, it } from 'vitest';
import { buildTaskId, formatTaskId, parseTaskId, taskArguments, taskIdProblem, taskName } from './taskid';

/** The due instant of the Chronos TaskUtilsSpec vectors. */
const DUE = 1420843781398;

describe('buildTaskId (chronos.md §3 vector 14)', () => {
  const cases: Array<{ name: string; args: string[]; override?: string | null; expected: string }> = [
    { name: 'job arguments', args: ['-a 1 -b 2'], expected: 'ct:1420843781398:0:sample-name:-a 1 -b 2' },
    { name: 'no arguments', args: [], expected: 'ct:1420843781398:0:sample-name:' },
    { name: 'override', args: ['-a 1 -b 2'], override: '-c 1 -d 2', expected: 'ct:1420843781398:0:sample-name:-c 1 -d 2' },
    {
      name: 'override with a semicolon',
      args: [],
      override: '-c 1 ; ./evil.sh',
      expected: 'ct:1420843781398:0:sample-name:-c 1  ./evil.sh',
    },
    { name: 'several job arguments joined by a space', args: ['-a', '1'], expected: 'ct:1420843781398:0:sample-name:-a 1' },
    { name: 'blank override falls back', args: ['-x'], override: '   ', expected: 'ct:1420843781398:0:sample-name:-x' },
    { name: 'override of only semicolons falls back', args: ['-x'], override: ';;', expected: 'ct:1420843781398:0:sample-name:-x' },
    { name: 'null override falls back', args: ['-x'], override: null, expected: 'ct:1420843781398:0:sample-name:-x' },
  ];
  it.each(cases)('$name', ({ args, override, expected }) => {
    expect(buildTaskId({ name: 'sample-name', arguments: args }, DUE, 0, override)).toBe(expected);
  });

  it('writes the attempt', () => {
    expect(formatTaskId(DUE, 3, 'j', 'x')).toBe('ct:1420843781398:3:j:x');
  });

  it('does not strip semicolons from the job arguments', () => {
    expect(taskArguments({ arguments: ['a;b'] })).toBe('a;b');
  });
});

describe('parseTaskId (chronos.md §3 vector 15)', () => {
  const good: Array<{ name: string; id: string; jobName: string; due: number; attempt: number; args: string }> = [
    { name: 'args with colons', id: 'ct:1420843781398:0:test:-a 1:2 --B test', jobName: 'test', due: DUE, attempt: 0, args: '-a 1:2 --B test' },
    { name: 'no trailing colon', id: 'ct:1420843781398:0:test', jobName: 'test', due: DUE, attempt: 0, args: '' },
    { name: 'trailing colon, empty args', id: 'ct:1420843781398:2:sample-name:', jobName: 'sample-name', due: DUE, attempt: 2, args: '' },
    { name: 'dotted name', id: 'ct:5:1:a.b_c-d:x', jobName: 'a.b_c-d', due: 5, attempt: 1, args: 'x' },
    // The colon before the args is optional in the Chronos pattern: the name stops at the first
    // character outside [\w.-].
    { name: 'name ended by a space', id: 'ct:5:1:a b', jobName: 'a', due: 5, attempt: 1, args: ' b' },
  ];
  it.each(good)('$name', ({ name: _case, id, ...expected }) => {
    expect(parseTaskId(id)).toEqual({ ok: true, value: expected });
  });

  it('round-trips a built id', () => {
    const id = buildTaskId({ name: 'sample-name', arguments: ['-a 1 -b 2'] }, DUE, 1);
    expect(parseTaskId(id)).toEqual({
      ok: true,
      value: { jobName: 'sample-name', due: DUE, attempt: 1, args: '-a 1 -b 2' },
    });
  });

  const bad: Array<{ name: string; id: string; reason: RegExp }> = [
    { name: 'other prefix', id: 'mt:1:0:a', reason: /does not start with 'ct:'/ },
    { name: 'not a number', id: 'ct:abc:0:a', reason: /does not match/ },
    { name: 'no job name', id: 'ct:1:0:', reason: /does not match/ },
    { name: 'bad job name', id: 'ct:1:0:/x', reason: /does not match/ },
    { name: 'empty', id: '', reason: /does not start/ },
    { name: 'due out of range', id: 'ct:99999999999999999999:0:a', reason: /out of range/ },
  ];
  it.each(bad)('rejects $name', ({ id, reason }) => {
    const r = parseTaskId(id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });
});

describe('taskName', () => {
  it('is ChronosTask:<job>', () => {
    expect(taskName('sample-name')).toBe('ChronosTask:sample-name');
  });
});

describe('taskIdProblem: task ids Mesos refuses (issue 12)', () => {
  it.each([
    ['plain arguments', 'job', '-a 1 -b 2', 2, null],
    ['no arguments', 'job', '', 0, null],
    ['a slash', 'job', 'x/../../etc', 0, /^'\/' cannot be used/],
    ['a backslash', 'job', 'a\\b', 0, /^'\\' cannot be used/],
    ['a tab', 'job', 'a\tb', 0, /^the control character U\+0009 cannot be used/],
    ['DEL', 'job', 'a\u007fb', 0, /^the control character U\+007F/],
    ['an id of 256 bytes', 'j', 'x'.repeat(233), 0, /^too long: with them the Mesos task id would be up to 256 bytes/],
    ['an id of exactly 255 bytes', 'j', 'x'.repeat(232), 0, null],
    ['many attempts make it longer', 'j', 'x'.repeat(232), 1000, /would be up to 258 bytes/],
    ['multi-byte characters count as bytes', 'j', 'é'.repeat(117), 0, /would be up to 257 bytes/],
  ])('%s', (_, name, args, attempts, expected) => {
    const why = taskIdProblem(name, args, attempts);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });
});
