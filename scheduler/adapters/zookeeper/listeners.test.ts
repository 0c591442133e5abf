import { describe, expect, it } from 'vitest';
import { Listeners } from './listeners';
import { SingleElector } from './single';

describe('elector listeners', () => {
  it('calls the listeners of an event in order; the returned function unsubscribes', () => {
    const l = new Listeners();
    const seen: string[] = [];
    const offA = l.on('elected', () => seen.push('a'));
    l.on('elected', () => seen.push('b'));
    l.on('deposed', () => seen.push('d'));
    l.emit('elected');
    offA();
    l.emit('elected');
    expect(seen).toEqual(['a', 'b', 'b']);
  });

  it('a listener added or removed while emitting changes the next emit only', () => {
    const l = new Listeners();
    const seen: string[] = [];
    let offB = () => {};
    l.on('leader-changed', () => {
      seen.push('a');
      offB();
      l.on('leader-changed', () => seen.push('c'));
    });
    offB = l.on('leader-changed', () => seen.push('b'));
    l.emit('leader-changed');
    expect(seen).toEqual(['a', 'b']);
  });

  it('reports a throwing listener to onError and still calls the others; without onError it throws', () => {
    const l = new Listeners();
    const seen: string[] = [];
    l.on('elected', () => {
      throw new Error('boom');
    });
    l.on('elected', () => seen.push('after'));
    const errors: string[] = [];
    l.emit('elected', (e) => errors.push((e as Error).message));
    expect(errors).toEqual(['boom']);
    expect(seen).toEqual(['after']);
    expect(() => l.emit('elected')).toThrow('boom');
  });

  it('SingleElector: leader-changed and elected on start, deposed on stop', async () => {
    const e = new SingleElector('h:1');
    const seen: string[] = [];
    for (const ev of ['elected', 'deposed', 'leader-changed'] as const) e.on(ev, () => seen.push(ev));
    await e.start();
    expect(e.isLeader()).toBe(true);
    await e.stop();
    expect(seen).toEqual(['leader-changed', 'elected', 'deposed']);
  });
});
