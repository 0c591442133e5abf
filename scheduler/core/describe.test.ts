import { describe, expect, it } from 'vitest';
import { scheduleInWords } from './describe';

const NOW = Date.UTC(2026, 11, 6, 12);

describe('scheduleInWords: a schedule as words for the jobs list', () => {
  it.each([
    ['R/2026-12-07T03:00:00Z/PT1H', '', 'every hour from 03:00 UTC'],
    ['R5/2026-12-07T03:15:00Z/PT15M', '', 'every 15 minutes from 03:15 UTC, 5 more times'],
    ['R/2026-12-07T03:00:00/PT6H', 'Asia/Tokyo', 'every 6 hours from 03:00 Asia/Tokyo'],
    ['R/2026-12-07T03:00:00/P1D', 'Europe/Berlin', 'every day at 03:00 Europe/Berlin'],
    ['R/2026-12-07T03:00:00Z/P1W', '', 'every week on Monday at 03:00 UTC'],
    ['R1/2026-12-07T03:00:00Z/PT24H', '', 'once at 2026-12-07 03:00 UTC'],
    ['R//PT30M', '', 'every 30 minutes from now'],
    ['0 2 * * 1-5', '', 'at 02:00 on Monday–Friday UTC'],
    ['*/15 * * * *', 'Europe/Paris', 'every 15 minutes Europe/Paris'],
    ['R/2026-12-07T03:00:00Z/PX1', '', 'invalid schedule'],
    ['', '', 'no schedule'],
  ])('%s (%s) → %s', (expr, zone, words) => {
    expect(scheduleInWords(expr, zone, NOW)).toBe(words);
  });
});
