import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jitterDelay, launchNotBefore, MAX_JITTER_MS, parseJitter } from './jitter';

const MIDNIGHT = Date.UTC(2026, 0, 31);
const DAY = 86_400_000;

describe('parseJitter', () => {
  it.each([
    { text: 'PT5M', want: 300_000 },
    { text: 'PT0S', want: 0 },
    { text: 'PT1H', want: 3_600_000 },
    { text: 'PT59M59.5S', want: 3_599_500 },
    { text: 'PT90S', want: 90_000 },
  ])('$text → $want ms', ({ text, want }) => expect(parseJitter(text)).toEqual({ ok: true, value: want }));

  it.each([
    { text: 'PT1H1S', why: 'must be at most PT1H' },
    { text: 'P1D', why: 'must be at most PT1H' },
    { text: 'P1M', why: 'must be a fixed duration (no years or months) such as PT5M' },
    { text: '5m', why: 'must be an ISO 8601 duration such as PT5M (at most PT1H)' },
    { text: '', why: 'must be an ISO 8601 duration such as PT5M (at most PT1H)' },
    { text: 'PT-5M', why: 'must be an ISO 8601 duration such as PT5M (at most PT1H)' },
  ])('$text is refused: $why', ({ text, why }) => expect(parseJitter(text)).toEqual({ ok: false, error: why }));
});

describe('jitterDelay', () => {
  it('is within [0, spread], in whole seconds, and the same for the same job and instant', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 0, max: MAX_JITTER_MS }), (name, due, spread) => {
        const d = jitterDelay(name, due, spread);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(spread);
        if (spread >= 1000) expect(d % 1000).toBe(0);
        expect(jitterDelay(name, due, spread)).toBe(d);
      }),
      { seed: 17, numRuns: 500 },
    );
  });

  it('spreads 1,000 jobs due at midnight over the window (no second holds more than 1%)', () => {
    const delays = Array.from({ length: 1000 }, (_, i) => jitterDelay(`job-${i}`, MIDNIGHT, 300_000));
    const perSecond = new Map<number, number>();
    for (const d of delays) perSecond.set(d, (perSecond.get(d) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    // both halves of the 5 minutes are used
    expect(delays.filter((d) => d < 150_000).length).toBeGreaterThan(400);
    expect(delays.filter((d) => d >= 150_000).length).toBeGreaterThan(400);
  });

  it('differs from night to night for one job', () => {
    const nights = new Set(Array.from({ length: 30 }, (_, n) => jitterDelay('nightly', MIDNIGHT + n * DAY, 3_600_000)));
    expect(nights.size).toBeGreaterThan(20);
  });

  it('no spread, no delay', () => expect(jitterDelay('nightly', MIDNIGHT, 0)).toBe(0));
});

describe('launchNotBefore', () => {
  it('is the due instant without jitter, and due + the delay with it', () => {
    expect(launchNotBefore({ name: 'nightly' }, MIDNIGHT)).toBe(MIDNIGHT);
    expect(launchNotBefore({ name: 'nightly', jitter: 'PT10M' }, MIDNIGHT)).toBe(MIDNIGHT + jitterDelay('nightly', MIDNIGHT, 600_000));
  });
});
