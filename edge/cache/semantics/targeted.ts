/**
 * Targeted cache control (RFC 9213). The edge's target list, most specific first: its own
 * `Strata-CDN-Cache-Control`, then `CDN-Cache-Control`. The first of them with a valid,
 * non-empty value decides for the edge, which then ignores `Cache-Control` and `Expires` (§2.1);
 * an empty field or one that does not parse as a Structured Fields Dictionary (RFC 8941 §3.2:
 * lower-case keys, integers, strings, tokens, booleans) is ignored as if absent (§2.2).
 * Neither field reaches clients: they are addressed to this cache.
 */
import { parseDictionary, Token } from 'structured-headers';
import type { Directives } from './directives.ts';

/** The targeted fields the edge obeys, most specific first (RFC 9213 §2.1 target list). */
export const TARGETED_FIELDS = ['strata-cdn-cache-control', 'cdn-cache-control'] as const;

// Directives whose argument is delta-seconds, and those that take none (RFC 9111 §5.2.2).
const DELTAS = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);
const FLAGS = new Set(['public', 'no-store', 'must-revalidate', 'proxy-revalidate', 'must-understand', 'no-transform', 'immutable']);
// These may carry a list of field names as a String (the qualified form) or none.
const QUALIFIABLE = new Set(['no-cache', 'private']);

/**
 * One member as a Cache-Control directive argument, or `undefined` when its value has a type the
 * directive does not take: RFC 9213 §2.2 says not to consume it (`max-age=1.5`, `no-store=?0`).
 */
function argumentOf(name: string, value: unknown): string | true | undefined {
  if (DELTAS.has(name)) return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : undefined;
  if (FLAGS.has(name)) return value === true ? true : undefined;
  if (QUALIFIABLE.has(name)) return value === true ? true : typeof value === 'string' ? value : undefined;
  // Extensions: kept as Cache-Control would carry them.
  if (value === true) return true;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return value instanceof Token ? value.toString() : undefined;
}

/** The directives of one targeted field value; `undefined` when empty or not a valid Dictionary. */
function parseTargeted(value: string): Directives | undefined {
  if (value.trim() === '') return undefined;
  let dictionary: ReturnType<typeof parseDictionary>;
  try {
    dictionary = parseDictionary(value);
  } catch {
    return undefined;
  }
  const directives: Directives = new Map();
  for (const [name, [item]] of dictionary) {
    // An Inner List is no cache directive's value; parameters are ignored (§2.2).
    if (Array.isArray(item)) continue;
    const argument = argumentOf(name, item);
    if (argument !== undefined) directives.set(name, argument);
  }
  return dictionary.size > 0 ? directives : undefined;
}

/** The directives of the most specific valid targeted field in `headers`, with its name; `undefined` when none. */
export function targetedDirectives(headers: Record<string, string>): { field: string; directives: Directives } | undefined {
  for (const field of TARGETED_FIELDS) {
    const value = headers[field];
    if (value === undefined) continue;
    const directives = parseTargeted(value);
    if (directives) return { field, directives };
  }
  return undefined;
}
