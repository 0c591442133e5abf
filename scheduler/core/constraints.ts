/**
 * Chronos placement constraints (shared/reference/chronos.md §5 "Constraints"), as pure functions
 * over plain offer values.
 *
 * Semantics:
 * - The attribute a constraint looks at is the FIRST attribute of the offer with that name. A
 *   `hostname` TEXT attribute is synthesised from `offer.hostname` unless the offer already carries
 *   an attribute named `hostname` (an explicit attribute takes precedence over the host).
 * - EQUALS: the attribute is TEXT and its value is exactly the constraint value.
 * - LIKE: a FULL regex match (the pattern is anchored as `^(?:p)$`) against the TEXT value, the
 *   SCALAR value printed the Java way (1 → "1.0", 2.5 → "2.5"), or ANY item of a SET.
 * - UNLIKE: the attribute is present, is TEXT, SCALAR or SET, and LIKE would be false.
 * - A missing attribute satisfies neither LIKE nor UNLIKE (nor EQUALS). A RANGES attribute never
 *   matches, and, like a missing one, satisfies neither LIKE nor UNLIKE.
 * - A pattern that does not compile satisfies nothing (the job schema rejects such patterns on
 *   input; this is the defensive answer for stored data).
 */
import type { Attribute, Constraint, Offer } from './types';

/**
 * Prints a double the way Java's `Double.toString` does: always a decimal point ("1.0"),
 * plain notation for 1e-3 ≤ |x| < 1e7, otherwise computerised scientific notation ("1.0E7",
 * "1.0E-4"). Chronos prints SCALAR attributes and the CHRONOS_RESOURCE_* variables this way.
 */
export function formatJavaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x); // shortest round-trip digits; plain notation in this range
    return s.includes('.') ? s : `${s}.0`;
  }
  // JS: "1e+21", "1.5e-7"; Java: "1.0E21", "1.5E-7".
  const [mantissa, exponent] = x.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  const e = exponent.startsWith('+') ? exponent.slice(1) : exponent;
  return `${m}E${e}`;
}

/** The offer's attributes with the `hostname` fallback applied. */
export function effectiveAttributes(offer: Offer): Attribute[] {
  if (offer.attributes.some((a) => a.name === 'hostname')) return offer.attributes;
  return [...offer.attributes, { name: 'hostname', type: 'TEXT', text: offer.hostname }];
}

/* ---------- compiled regex cache ---------- */

const REGEX_CACHE_LIMIT = 1024;
const regexCache = new Map<string, RegExp | null>();

/** The anchored regex for a Chronos pattern, or null when it does not compile. Cached. */
export function compilePattern(pattern: string): RegExp | null {
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    re = null;
  }
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

/** Whether a pattern is a valid constraint regex (for validators). */
export function isValidPattern(pattern: string): boolean {
  return compilePattern(pattern) !== null;
}

/* ---------- evaluation ---------- */

function findAttribute(attributes: readonly Attribute[], name: string): Attribute | undefined {
  for (const a of attributes) if (a.name === name) return a;
  return undefined;
}

/** LIKE's match of a present attribute; undefined when the attribute type can never match. */
function likeMatch(attr: Attribute, re: RegExp): boolean | undefined {
  switch (attr.type) {
    case 'TEXT':
      return re.test(attr.text ?? '');
    case 'SCALAR':
      return re.test(formatJavaDouble(attr.scalar ?? 0));
    case 'SET':
      return (attr.set ?? []).some((item) => re.test(item));
    default:
      return undefined; // RANGES
  }
}

/** Whether one constraint holds against a list of (effective) attributes. */
export function constraintHolds(constraint: Constraint, attributes: readonly Attribute[]): boolean {
  const [name, operator, value] = constraint;
  const attr = findAttribute(attributes, name);
  if (attr === undefined) return false;
  switch (operator) {
    case 'EQUALS':
      return attr.type === 'TEXT' && attr.text === value;
    case 'LIKE':
    case 'UNLIKE': {
      const re = compilePattern(value);
      if (re === null) return false;
      const m = likeMatch(attr, re);
      if (m === undefined) return false;
      return operator === 'LIKE' ? m : !m;
    }
    default:
      return false; // unknown operators are dropped by the parser; never satisfied here
  }
}

/** The first constraint the offer does not satisfy, or undefined when all hold. */
export function firstFailingConstraint(
  constraints: readonly Constraint[],
  offer: Offer,
): Constraint | undefined {
  if (constraints.length === 0) return undefined;
  const attributes = effectiveAttributes(offer);
  for (const c of constraints) if (!constraintHolds(c, attributes)) return c;
  return undefined;
}

/** Whether every constraint holds for the offer. */
export function constraintsMatch(constraints: readonly Constraint[], offer: Offer): boolean {
  return firstFailingConstraint(constraints, offer) === undefined;
}

/** A short human text for a constraint, e.g. `rack LIKE rack-[1-3]`. */
export function describeConstraint(c: Constraint): string {
  return `${c[0]} ${c[1]} ${c[2]}`;
}

/** What the offer holds for an attribute, for "why not running" texts. */
export function describeAttribute(offer: Offer, name: string): string {
  const a = findAttribute(effectiveAttributes(offer), name);
  if (a === undefined) return `${name} missing`;
  switch (a.type) {
    case 'TEXT':
      return `${name}=${a.text ?? ''}`;
    case 'SCALAR':
      return `${name}=${formatJavaDouble(a.scalar ?? 0)}`;
    case 'SET':
      return `${name}={${(a.set ?? []).join(',')}}`;
    default:
      return `${name}=[${(a.ranges ?? []).map((r) => `${r.begin}-${r.end}`).join(',')}]`;
  }
}
