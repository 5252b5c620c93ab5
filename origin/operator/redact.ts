/**
 * What the operator API never shows: fields whose names say they hold a secret are replaced,
 * at any depth, before a cached value leaves the origin.
 */

const SECRET_NAME = /pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential|signature|authorization|cookie/i;

/** Marks what was removed, so an operator sees that there was something. */
export const REDACTED = '[redacted]';

/** A copy of `value` with every secret-looking field replaced by `REDACTED`. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, SECRET_NAME.test(name) ? REDACTED : redact(inner)]));
  }
  return value;
}
