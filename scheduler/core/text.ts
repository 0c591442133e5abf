/**
 * Text Sisyphus can keep and pass on. PostgreSQL refuses a NUL character in `text` and in `jsonb`
 * (SQLSTATE 22021 / 22P05), and an unpaired UTF-16 surrogate (`"\ud800"` in JSON) has no UTF-8
 * form: PostgreSQL refuses it in jsonb, and everywhere else it would silently become U+FFFD. Input
 * from clients is refused with the reason (`textProblem`); text from outside that must be kept
 * anyway (a Mesos status message) is made storable (`storableText`). Pure.
 */

/** An unpaired surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Why `s` cannot be stored as text, in words; null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate (such as \\ud800), which is not valid Unicode';
  return null;
}

/** `s` with every NUL and unpaired surrogate replaced by U+FFFD (the replacement character). */
export function storableText(s: string): string {
  if (textProblem(s) === null) return s;
  return s.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATES, '\ufffd');
}

/** A problem found in a JSON value: the dotted path of the field (`fetch[0].uri`) and why. */
export interface TextIssue {
  field: string;
  message: string;
}

/**
 * Every string of a JSON value (object keys included) that `textProblem` refuses, with its path
 * (`job` for the value itself). At most `limit` issues, in document order. Iterative: a body of
 * 100,000 nested arrays must not overflow the stack.
 */
export function textIssues(value: unknown, limit = Infinity): TextIssue[] {
  const out: TextIssue[] = [];
  const stack: Array<{ v: unknown; at: string }> = [{ v: value, at: '' }];
  while (stack.length > 0 && out.length < limit) {
    const { v, at } = stack.pop()!;
    if (typeof v === 'string') {
      const why = textProblem(v);
      if (why !== null) out.push({ field: at === '' ? 'job' : at, message: why });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], at: `${at}[${i}]` });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i];
        const key = at === '' ? storableText(k) : `${at}.${storableText(k)}`;
        if (textProblem(k) !== null) stack.push({ v: k, at: key });
        else stack.push({ v: x, at: key });
      }
    }
  }
  return out;
}
