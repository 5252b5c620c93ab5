/**
 * The route policy: which paths the edge caches, and how. Only listed routes are ever stored
 * (never chosen by file extension: cache deception). A route either honours the origin's HTTP
 * caching headers exactly as RFC 9111 prescribes for a shared cache, or overrides the freshness
 * lifetime (1 h–24 h suits public API responses) while every rule that keeps a response out of
 * a shared cache (private, no-store, Set-Cookie, Vary: *) still applies. Each route names the
 * query parameters it keys on; the others are dropped before keying and before forwarding
 * (docs/edge.md, "Cache key"). `ROUTE_POLICY` (JSON) replaces the default list.
 */

interface RuleBase {
  /** A URLPattern pathname, e.g. `/v1/:tenant/public/projects`. */
  pattern: string;
  /** Whether 4xx/5xx answers may be stored (when their headers allow). */
  cacheErrors: boolean;
  /** The query parameters the route keys on and forwards; absent: none. */
  query?: readonly string[];
}

/** One route's caching rule. */
export type RouteRule =
  | (RuleBase & { mode: 'honor' })
  | (RuleBase & { mode: 'override'; ttlSeconds: number; staleWhileRevalidateSeconds: number; staleIfErrorSeconds: number });

/**
 * Public API responses, as the origin describes them (it sends s-maxage, SWR and SIE). The origin
 * reads no query parameter on these routes, so none is keyed, and its errors are not kept.
 */
export const DEFAULT_ROUTES: readonly RouteRule[] = [
  { pattern: '/v1/:tenant/public/projects', mode: 'honor', cacheErrors: false, query: [] },
  { pattern: '/v1/:tenant/public/projects/:id', mode: 'honor', cacheErrors: false, query: [] },
];

/** What the edge names inside its own keys (`key.ts`); no route may key on it, so no client can send it. */
export const RESERVED_QUERY_PREFIX = '__strata';

const MAX_TTL_SECONDS = 31_536_000;
const QUERY_NAME = /^[A-Za-z0-9._~-]{1,64}$/;
const FIELDS = {
  honor: ['pattern', 'mode', 'cacheErrors', 'query'],
  override: ['pattern', 'mode', 'cacheErrors', 'query', 'ttlSeconds', 'staleWhileRevalidateSeconds', 'staleIfErrorSeconds'],
};

class PolicyError extends Error {
  constructor(path: string, rule: string) {
    super(`ROUTE_POLICY: ${path}: ${rule}`);
  }
}

function seconds(value: unknown, path: string, min: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_TTL_SECONDS) {
    throw new PolicyError(path, `must be a whole number of seconds from ${min} to ${MAX_TTL_SECONDS}`);
  }
  return value;
}

function queryNames(value: unknown, path: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PolicyError(path, 'must be a list of query parameter names');
  value.forEach((name, i) => {
    if (typeof name !== 'string' || !QUERY_NAME.test(name)) throw new PolicyError(`${path}.${i}`, `must match ${QUERY_NAME}`);
    if (name.toLowerCase().startsWith(RESERVED_QUERY_PREFIX))
      throw new PolicyError(`${path}.${i}`, `names starting with ${RESERVED_QUERY_PREFIX} are the edge's own`);
  });
  return Object.freeze([...new Set(value as string[])]);
}

function parseRule(value: unknown, at: number): RouteRule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyError(`${at}`, 'must be an object');
  const rule = value as Record<string, unknown>;
  const mode = rule.mode;
  if (mode !== 'honor' && mode !== 'override') throw new PolicyError(`${at}.mode`, 'must be "honor" or "override"');
  const unknown = Object.keys(rule).find((key) => !FIELDS[mode].includes(key));
  if (unknown !== undefined) throw new PolicyError(`${at}.${unknown}`, `not a field of an ${mode} route`);
  if (typeof rule.pattern !== 'string' || !rule.pattern.startsWith('/')) throw new PolicyError(`${at}.pattern`, 'must be a path pattern starting with /');
  if (rule.cacheErrors !== undefined && typeof rule.cacheErrors !== 'boolean') throw new PolicyError(`${at}.cacheErrors`, 'must be true or false');
  // An honor route follows RFC 9111, which lets any final response with explicit freshness be stored.
  const base = { pattern: rule.pattern, cacheErrors: rule.cacheErrors ?? mode === 'honor', query: queryNames(rule.query, `${at}.query`) };
  if (mode === 'honor') return { ...base, mode };
  return {
    ...base,
    mode,
    ttlSeconds: seconds(rule.ttlSeconds, `${at}.ttlSeconds`, 1),
    staleWhileRevalidateSeconds: seconds(rule.staleWhileRevalidateSeconds, `${at}.staleWhileRevalidateSeconds`, 0, 0),
    staleIfErrorSeconds: seconds(rule.staleIfErrorSeconds, `${at}.staleIfErrorSeconds`, 0, 0),
  };
}

/** Parses `ROUTE_POLICY`; throws a message naming the problem (the Worker then answers 500 on every request). */
export function parseRoutePolicy(text: string | undefined): readonly RouteRule[] {
  if (!text) return DEFAULT_ROUTES;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`ROUTE_POLICY: not JSON (${String(error)})`);
  }
  if (!Array.isArray(value) || value.length === 0) throw new Error('ROUTE_POLICY: must be a non-empty JSON list of routes');
  return value.map(parseRule);
}

/**
 * The Cache-Control an override rule gives the edge's own decisions. The client still sees the
 * origin's headers; only how long the edge keeps the response changes.
 */
export function overrideCacheControl(rule: Extract<RouteRule, { mode: 'override' }>): string {
  return `public, s-maxage=${rule.ttlSeconds}, stale-while-revalidate=${rule.staleWhileRevalidateSeconds}, stale-if-error=${rule.staleIfErrorSeconds}`;
}
