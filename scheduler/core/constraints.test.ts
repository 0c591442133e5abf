import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  constraintsMatch,
  describeAttribute,
  effectiveAttributes,
  firstFailingConstraint,
  formatJavaDouble,
} from './constraints';
import type { Attribute, Constraint, Offer } from './types';

const text = (name: string, value: string): Attribute => ({ name, type: 'TEXT', text: value });
const scalar = (name: string, value: number): Attribute => ({ name, type: 'SCALAR', scalar: value });
const set = (name: string, items: string[]): Attribute => ({ name, type: 'SET', set: items });
const ranges = (name: string): Attribute => ({ name, type: 'RANGES', ranges: [{ begin: 1, end: 3 }] });

const offer = (attributes: Attribute[], hostname = 'agent.example.com'): Offer => ({
  id: 'o1',
  agentId: 'a1',
  hostname,
  resources: [],
  attributes,
});

describe('constraintsMatch: chronos.md §5 spec vectors', () => {
  const cases: Array<{ name: string; constraint: Constraint; attrs: Attribute[]; host?: string; want: boolean }> = [
    // LIKE
    { name: 'LIKE rack-[1-3] vs rack-1', constraint: ['rack', 'LIKE', 'rack-[1-3]'], attrs: [text('rack', 'rack-1')], want: true },
    { name: 'LIKE rack-[2-3] vs rack-1', constraint: ['rack', 'LIKE', 'rack-[2-3]'], attrs: [text('rack', 'rack-1')], want: false },
    { name: 'LIKE north|south vs north', constraint: ['dc', 'LIKE', 'north|south'], attrs: [text('dc', 'north')], want: true },
    { name: 'LIKE \\d\\.\\d vs scalar 1 (printed 1.0)', constraint: ['n', 'LIKE', '\\d\\.\\d'], attrs: [scalar('n', 1)], want: true },
    { name: 'LIKE ^n.* vs set{north}', constraint: ['dc', 'LIKE', '^n.*'], attrs: [set('dc', ['north'])], want: true },
    { name: 'LIKE ^n.* vs set{south}', constraint: ['dc', 'LIKE', '^n.*'], attrs: [set('dc', ['south'])], want: false },
    // UNLIKE
    { name: 'UNLIKE rack-[1-3] vs rack-4', constraint: ['rack', 'UNLIKE', 'rack-[1-3]'], attrs: [text('rack', 'rack-4')], want: true },
    { name: 'UNLIKE north|south vs north', constraint: ['dc', 'UNLIKE', 'north|south'], attrs: [text('dc', 'north')], want: false },
    { name: 'UNLIKE \\d\\.\\d vs scalar 1', constraint: ['n', 'UNLIKE', '\\d\\.\\d'], attrs: [scalar('n', 1)], want: false },
    { name: 'UNLIKE 100.\\d vs scalar 1', constraint: ['n', 'UNLIKE', '100.\\d'], attrs: [scalar('n', 1)], want: true },
    // EQUALS hostname
    {
      name: 'EQUALS hostname, no attribute: offer host used',
      constraint: ['hostname', 'EQUALS', 'slave.one.com'],
      attrs: [],
      host: 'slave.one.com',
      want: true,
    },
    {
      name: 'EQUALS hostname, explicit attribute takes precedence (host value no longer matches)',
      constraint: ['hostname', 'EQUALS', 'slave.one.com'],
      attrs: [text('hostname', 'slave.explicit.com')],
      host: 'slave.one.com',
      want: false,
    },
    {
      name: 'EQUALS hostname, explicit attribute value matches',
      constraint: ['hostname', 'EQUALS', 'slave.explicit.com'],
      attrs: [text('hostname', 'slave.explicit.com')],
      host: 'slave.one.com',
      want: true,
    },
    // missing attribute
    { name: 'LIKE, attribute missing', constraint: ['rack', 'LIKE', '.*'], attrs: [text('dc', 'north')], want: false },
    { name: 'UNLIKE, attribute missing', constraint: ['rack', 'UNLIKE', 'rack-1'], attrs: [text('dc', 'north')], want: false },
    { name: 'EQUALS, attribute missing', constraint: ['rack', 'EQUALS', 'rack-1'], attrs: [], want: false },
    // EQUALS details
    { name: 'EQUALS exact text', constraint: ['rack', 'EQUALS', 'rack-1'], attrs: [text('rack', 'rack-1')], want: true },
    { name: 'EQUALS is not a regex', constraint: ['rack', 'EQUALS', 'rack-.'], attrs: [text('rack', 'rack-1')], want: false },
    { name: 'EQUALS needs TEXT (scalar 1 vs "1.0")', constraint: ['n', 'EQUALS', '1.0'], attrs: [scalar('n', 1)], want: false },
    { name: 'EQUALS needs TEXT (set)', constraint: ['dc', 'EQUALS', 'north'], attrs: [set('dc', ['north'])], want: false },
    // full match, not find
    { name: 'LIKE is a full match (prefix)', constraint: ['rack', 'LIKE', 'rack'], attrs: [text('rack', 'rack-1')], want: false },
    { name: 'LIKE alternation is anchored as a whole', constraint: ['dc', 'LIKE', 'north|south'], attrs: [text('dc', 'northeast')], want: false },
    { name: 'UNLIKE full match (prefix does not count)', constraint: ['rack', 'UNLIKE', 'rack'], attrs: [text('rack', 'rack-1')], want: true },
    // scalar printing
    { name: 'LIKE scalar 2.5', constraint: ['n', 'LIKE', '2\\.5'], attrs: [scalar('n', 2.5)], want: true },
    { name: 'LIKE scalar 1 is not "1"', constraint: ['n', 'LIKE', '1'], attrs: [scalar('n', 1)], want: false },
    // sets
    { name: 'LIKE any set item', constraint: ['dc', 'LIKE', 's.*'], attrs: [set('dc', ['north', 'south'])], want: true },
    { name: 'UNLIKE set: false when any item matches', constraint: ['dc', 'UNLIKE', 's.*'], attrs: [set('dc', ['north', 'south'])], want: false },
    { name: 'UNLIKE set: true when no item matches', constraint: ['dc', 'UNLIKE', 'e.*'], attrs: [set('dc', ['north', 'south'])], want: true },
    // ranges
    { name: 'LIKE ranges never matches', constraint: ['p', 'LIKE', '.*'], attrs: [ranges('p')], want: false },
    { name: 'UNLIKE ranges never matches', constraint: ['p', 'UNLIKE', 'x'], attrs: [ranges('p')], want: false },
    // hostname with LIKE
    { name: 'LIKE on hostname fallback', constraint: ['hostname', 'LIKE', 'slave\\..*'], attrs: [], host: 'slave.one.com', want: true },
    { name: 'UNLIKE on hostname fallback', constraint: ['hostname', 'UNLIKE', 'slave\\..*'], attrs: [], host: 'slave.one.com', want: false },
    // first attribute of a name is the one looked at
    {
      name: 'duplicate attribute names: the first one counts',
      constraint: ['rack', 'EQUALS', 'rack-2'],
      attrs: [text('rack', 'rack-1'), text('rack', 'rack-2')],
      want: false,
    },
    // a bad pattern never matches
    { name: 'invalid regex LIKE', constraint: ['rack', 'LIKE', 'rack-[1'], attrs: [text('rack', 'rack-[1')], want: false },
    { name: 'invalid regex UNLIKE', constraint: ['rack', 'UNLIKE', 'rack-[1'], attrs: [text('rack', 'x')], want: false },
  ];

  it.each(cases)('$name', ({ constraint, attrs, host, want }) => {
    expect(constraintsMatch([constraint], offer(attrs, host))).toBe(want);
  });
});

describe('several constraints', () => {
  const o = offer([text('rack', 'rack-1'), text('dc', 'north')], 'h1');
  const cases: Array<{ name: string; cs: Constraint[]; want: boolean; failing?: Constraint }> = [
    { name: 'none', cs: [], want: true },
    { name: 'all hold', cs: [['rack', 'LIKE', 'rack-\\d'], ['dc', 'EQUALS', 'north'], ['hostname', 'EQUALS', 'h1']], want: true },
    {
      name: 'second fails',
      cs: [['rack', 'LIKE', 'rack-\\d'], ['dc', 'EQUALS', 'south'], ['hostname', 'EQUALS', 'h2']],
      want: false,
      failing: ['dc', 'EQUALS', 'south'],
    },
  ];
  it.each(cases)('$name', ({ cs, want, failing }) => {
    expect(constraintsMatch(cs, o)).toBe(want);
    expect(firstFailingConstraint(cs, o)).toEqual(failing);
  });
});

describe('effectiveAttributes', () => {
  it('adds hostname from the offer host', () => {
    expect(effectiveAttributes(offer([text('rack', 'r1')], 'h1'))).toEqual([text('rack', 'r1'), text('hostname', 'h1')]);
  });
  it('keeps an explicit hostname', () => {
    const attrs = [text('hostname', 'explicit')];
    expect(effectiveAttributes(offer(attrs, 'h1'))).toEqual(attrs);
  });
});

describe('formatJavaDouble', () => {
  const cases: Array<[number, string]> = [
    [1, '1.0'],
    [2.5, '2.5'],
    [0, '0.0'],
    [128, '128.0'],
    [0.1, '0.1'],
    [-3, '-3.0'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1e7, '1.0E7'],
    [1.5e10, '1.5E10'],
    [9999999, '9999999.0'],
  ];
  it.each(cases)('%s → %s', (x, want) => {
    expect(formatJavaDouble(x)).toBe(want);
  });
});

describe('regex cache', () => {
  it('returns the same compiled regex for the same pattern', () => {
    expect(compilePattern('rack-\\d')).toBe(compilePattern('rack-\\d'));
    expect(compilePattern('(')).toBeNull();
  });
});

describe('describeAttribute', () => {
  it.each([
    ['rack', 'rack=r1'],
    ['n', 'n=1.0'],
    ['dc', 'dc={a,b}'],
    ['hostname', 'hostname=h1'],
    ['zone', 'zone missing'],
  ])('%s', (name, want) => {
    expect(describeAttribute(offer([text('rack', 'r1'), scalar('n', 1), set('dc', ['a', 'b'])], 'h1'), name)).toBe(want);
  });
});
