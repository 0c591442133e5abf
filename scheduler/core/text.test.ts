import { describe, expect, it } from 'vitest';
import { storableText, textIssues, textProblem } from './text';

describe('textProblem: what PostgreSQL and UTF-8 cannot take', () => {
  it.each([
    ['plain text', 'ffmpeg -i in.mp4', null],
    ['emoji (a surrogate pair)', 'night 🎬', null],
    ['CJK', '转码', null],
    ['a NUL', 'a\u0000b', /NUL/],
    ['a lone high surrogate', 'a\ud800', /unpaired UTF-16 surrogate/],
    ['a lone low surrogate', '\udc00a', /unpaired UTF-16 surrogate/],
    ['a reversed pair', '\udc00\ud800', /unpaired UTF-16 surrogate/],
  ])('%s', (_, text, expected) => {
    const why = textProblem(text);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });

  it('storableText replaces exactly the bad characters with U+FFFD and keeps pairs', () => {
    expect(storableText('a\u0000b\ud800c🎬\udc00')).toBe('a\ufffdb\ufffdc🎬\ufffd');
    expect(storableText('fine')).toBe('fine');
  });
});

describe('textIssues: every bad string of a JSON value, with its path', () => {
  it('names nested fields and keys, in document order', () => {
    const issues = textIssues({ a: 'ok', b: ['x', 'y\u0000'], c: { d: '\ud800' }, ['k\u0000']: 1 });
    expect(issues.map((i) => i.field)).toEqual(['b[1]', 'c.d', 'k\ufffd']);
  });

  it('the value itself is "job"; a limit stops early', () => {
    expect(textIssues('\u0000')).toEqual([{ field: 'job', message: expect.stringMatching(/NUL/) }]);
    expect(textIssues(['\u0000', '\u0000', '\u0000'], 2)).toHaveLength(2);
  });

  it('walks 100,000 nested arrays without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"\\u0000"${']'.repeat(100_000)}`);
    expect(textIssues(deep, 1)).toHaveLength(1);
  });
});
