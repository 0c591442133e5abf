/** The fuzzer's judge of a 400's message: does it name the field? */
import { describe, expect, it } from 'vitest';
import { namesField } from './check';

describe('namesField', () => {
  it('finds the field as a word outside the echoed value, or Chronos\'s sentence for it', () => {
    expect(namesField("owner: 'a\\u0000b' contains a NUL character", 'owner', ['a\\u0000b'])).toBe(true);
    expect(namesField("'owner' is what I got", 'command', ['owner'])).toBe(false);
    expect(namesField('the value schedule was quoted', 'schedule', ['schedule'])).toBe(false);
  });

  it('a field named like an Object property (constructor, toString) is a field like any other', () => {
    // the fuzzer crashed on these: WORDING['constructor'] was Object's constructor, not a RegExp
    expect(namesField('constructor: unknown field', 'constructor')).toBe(true);
    expect(namesField('something else', 'toString')).toBe(false);
  });
});
