/**
 * The route policy: which paths the edge caches, and how. Only listed routes are ever stored
 * (never chosen by file extension: cache deception). A route either honours the origin's HTTP
 * caching headers exactly as RFC 9111 prescribes for a shared cache, or overrides the freshness
 * lifetime (1 h–24 h suits public API responses) while every rule that keeps a
 * response out of a shared cache (private, no-store, Set-Cookie, Vary: *) still applies.
 * `ROUTE_POLICY` (JSON) replaces the default list, e.g. `[{"pattern":"/v1/:tenant/*","mode":"honor"}]`
 * puts the whole API behind a standards-following shared cache.
 */
import { z } from 'zod';

const RuleSchema = z.discriminatedUnion('mode', [
  z.object({ pattern: z.string().startsWith('/'), mode: z.literal('honor'), cacheErrors: z.boolean().default(false) }),
  z.object({
    pattern: z.string().startsWith('/'),
    mode: z.literal('override'),
    ttlSeconds: z.number().int().min(1).max(31_536_000),
    staleWhileRevalidateSeconds: z.number().int().min(0).default(0),
    staleIfErrorSeconds: z.number().int().min(0).default(0),
    cacheErrors: z.boolean().default(false),
  }),
]);

/** One route's caching rule. */
export type RouteRule = z.infer<typeof RuleSchema>;

/** Public API responses, as the origin describes them (it sends s-maxage, SWR and SIE). */
export const DEFAULT_ROUTES: readonly RouteRule[] = [
  { pattern: '/v1/:tenant/public/projects', mode: 'honor', cacheErrors: false },
  { pattern: '/v1/:tenant/public/projects/:id', mode: 'honor', cacheErrors: false },
];

/** Parses `ROUTE_POLICY`; throws a message naming the problem (the Worker then answers 500 on every request). */
export function parseRoutePolicy(text: string | undefined): readonly RouteRule[] {
  if (!text) return DEFAULT_ROUTES;
  const parsed = z.array(RuleSchema).min(1).safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`ROUTE_POLICY: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * The Cache-Control an override rule gives the edge's own decisions. The client still sees the
 * origin's headers; only how long the edge keeps the response changes.
 */
export function overrideCacheControl(rule: Extract<RouteRule, { mode: 'override' }>): string {
  return `public, s-maxage=${rule.ttlSeconds}, stale-while-revalidate=${rule.staleWhileRevalidateSeconds}, stale-if-error=${rule.staleIfErrorSeconds}`;
}
