import { describe, expect, it } from 'vitest';
import { TestClock } from '../testing/test-clock';
import { TakeoverTrace } from './takeover-trace';

describe('takeover trace', () => {
  it('keeps each phase at its first mark, in ms after the election, in the order passed', async () => {
    const clock = new TestClock(1_000_000);
    const trace = new TakeoverTrace(() => clock.now(), clock.now() - 40); // elected 40 ms ago
    trace.mark('epoch raised');
    await clock.advanceAsync(250);
    trace.mark('jobs in hand');
    await clock.advanceAsync(100);
    trace.mark('epoch raised'); // marked again: keeps its first instant
    trace.mark('first launch recorded');
    expect(trace.fields()).toEqual({ 'epoch raised': 40, 'jobs in hand': 290, 'first launch recorded': 390 });
    expect(trace.summary()).toBe('epoch raised +40, jobs in hand +290, first launch recorded +390');
    expect(trace.has('jobs in hand')).toBe(true);
    expect(trace.has('loaded')).toBe(false);
  });
});
