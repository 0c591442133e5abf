import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo';

describe('Fifo', () => {
  it('gives items back in the order they came, across growth and wrap-around', () => {
    const q = new Fifo<number>();
    const seen: number[] = [];
    let next = 0;
    // interleave pushes and shifts so the ring wraps several times while it grows
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < round + 3; i++) q.push(next++);
      for (let i = 0; i < 2; i++) seen.push(q.shift()!);
    }
    while (q.size > 0) seen.push(q.shift()!);
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('drain empties the queue, oldest first, and keeps falsy items', () => {
    const q = new Fifo<number>();
    for (const x of [0, 1, 0, 2]) q.push(x);
    expect(q.peek()).toBe(0);
    expect(q.drain()).toEqual([0, 1, 0, 2]);
    expect(q.size).toBe(0);
  });
});
