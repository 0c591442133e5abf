import { describe, expect, it } from 'vitest';
import { TestClock } from '../testing/test-clock';
import { FollowLoop } from './follow-loop';

describe('FollowLoop', () => {
  it('reads at once and every pollMs, never two at once; a failing read is said once, the recovery once', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const lines: string[] = [];
    let reads = 0;
    let inFlight = 0;
    let most = 0;
    let fail = false;
    let release: (() => void) | null = null;
    const loop = new FollowLoop({
      clock,
      pollMs: 100,
      read: async () => {
        reads++;
        most = Math.max(most, ++inFlight);
        await new Promise<void>((r) => (release = r));
        inFlight--;
        if (fail) throw new Error('database down');
        return reads;
      },
      said: { read: (n) => (n === 1 ? 'holding' : null), again: () => 'again', failed: (why) => `failed: ${why}` },
      log: (level, line) => lines.push(`${level} ${line}`),
    });
    const settle = async () => {
      while (!release) await clock.advanceAsync(0);
      const r = release as () => void;
      release = null;
      r();
      await loop.settled();
    };

    loop.start();
    await settle(); // read 1 at once
    // a catch-up asked while a timed read is under way waits for it
    await clock.advanceAsync(100);
    const caught = loop.catchUp();
    await settle();
    await settle();
    expect(await caught).toBe(3);
    expect(most).toBe(1);

    fail = true;
    for (let i = 0; i < 3; i++) {
      await clock.advanceAsync(100);
      await settle();
    }
    fail = false;
    for (let i = 0; i < 2; i++) {
      await clock.advanceAsync(100);
      await settle();
    }
    expect(lines).toEqual(['info holding', 'warn failed: database down', 'info again']);

    // paused: no more reads
    loop.pause();
    const before = reads;
    await clock.advanceAsync(1_000);
    expect(reads).toBe(before);
    expect(loop.active).toBe(false);
  });
});
