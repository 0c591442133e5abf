import { describe, expect, it } from 'vitest';
import { parseScheduleSpec } from './spec';
import { scheduleProblem, scheduleProblems } from './schedule-problem';

const NOW = Date.UTC(2026, 11, 6, 12);

function problem(expr: string, zone = '') {
  const r = parseScheduleSpec(expr, zone, NOW);
  if (r.ok) throw new Error(`${expr} parsed`);
  return scheduleProblem(r.error, zone);
}

describe('scheduleProblem: what is wrong and what is accepted, without the parser framing', () => {
  it.each([
    { expr: 'R/2026-12-07T03:00:00Z/PX1', field: 'schedule', says: /^period 'PX1' is not a duration: a period must look like PT1H or P1D/ },
    { expr: 'R/2026-12-07T03:00:00Z/P-1D', field: 'schedule', says: /^period 'P-1D' is negative: a period must look like PT1H or P1D$/ },
    { expr: 'R/2026-12-07T03:00:00Z/PT', field: 'schedule', says: /^period 'PT' has a 'T' but no hours, minutes or seconds: a period must look like PT1H or P1D$/ },
    { expr: 'R/tomorrow/P1D', field: 'schedule', says: /^start date 'tomorrow' is not a date: the start must look like 2026-01-31T02:00:00Z$/ },
    { expr: 'every day', field: 'schedule', says: /^a schedule must look like R\/2026-01-31T02:00:00Z\/P1D .*or be a 5-field cron line such as 0 2 \* \* \*$/ },
    { expr: '61 * * * *', field: 'schedule', says: /^cron line: / },
  ])('$expr → $says', ({ expr, field, says }) => {
    const p = problem(expr);
    expect(p.field).toBe(field);
    expect(p.message).toMatch(says);
    // never the whole input echoed back with the Chronos framing
    expect(p.message).not.toMatch(/wtf bro|Cannot parse/);
  });

  it('an unknown zone names what is accepted and the zone meant, when one is close', () => {
    expect(problem('R/2026-12-07T03:00:00Z/P1D', 'Asia/Shangai')).toEqual({
      field: 'scheduleTimeZone',
      message: "'Asia/Shangai' is not a time zone: use a name like Europe/Berlin or America/New_York, an offset like +02:00, or leave it empty for UTC (did you mean Asia/Shanghai?)",
    });
    expect(problem('R/2026-12-07T03:00:00Z/P1D', 'Mars/Olympus_Mons').message).not.toMatch(/did you mean/);
  });

  it('scheduleProblems lists a bad zone and a bad period together; none for a good schedule', () => {
    expect(scheduleProblems('R/2026-12-07T03:00:00/PX1', 'Asia/Shangai', NOW).map((p) => p.field)).toEqual(['scheduleTimeZone', 'schedule']);
    expect(scheduleProblems('R/2026-12-07T03:00:00/PT1H', 'Asia/Shanghai', NOW)).toEqual([]);
    expect(scheduleProblems('0 2 * * *', '', NOW)).toEqual([]);
  });
});
