import { describe, expect, it } from 'vitest';
import { grammarOf, parseScheduleSpec } from './spec';

/** 2026-05-14T10:23:45Z */
const NOW = Date.UTC(2026, 4, 14, 10, 23, 45);

describe('grammarOf: which grammar a schedule is written in (the parser and the editor agree)', () => {
  const cases: Array<{ name: string; expr: string; grammar: 'iso' | 'cron' | null }> = [
    { name: 'ISO 8601 repeating interval', expr: 'R/2026-06-01T02:00:00Z/P1D', grammar: 'iso' },
    { name: 'ISO with a count', expr: 'R3//PT15M', grammar: 'iso' },
    { name: 'anything starting with R is read as ISO', expr: 'R 2 * * *', grammar: 'iso' },
    { name: 'five cron fields', expr: '30 2 * * 1-5', grammar: 'cron' },
    { name: 'cron with steps and extra spaces', expr: '*/15  *  * * *', grammar: 'cron' },
    { name: 'four fields', expr: '0 2 * *', grammar: null },
    { name: 'six fields', expr: '0 0 2 * * *', grammar: null },
    { name: 'a word', expr: 'daily', grammar: null },
    { name: 'empty', expr: '', grammar: null },
  ];
  it.each(cases)('$name: "$expr"', ({ expr, grammar }) => {
    expect(grammarOf(expr)).toBe(grammar);
    const spec = parseScheduleSpec(expr, '', NOW);
    if (spec.ok) expect(spec.value.kind).toBe(grammar);
    else if (grammar === null) expect(spec.error.code).toBe('UNPARSEABLE');
  });
});
