/**
 * One request's passage through the shared cache: what every step (lookup, revalidation,
 * storing, the miss) needs to know about it, gathered once per request by the middleware.
 */
import type { Context } from 'hono';
import type { EdgeEnv } from '../env.ts';
import { logDecision, type Decision } from './decisions.ts';
import { cacheKeyFor } from './key.ts';
import type { CachePolicy } from './policy.ts';
import { requestHeaders } from './respond.ts';
import type { RouteMatch } from './routes.ts';
import type { RouteRule } from './route-policy.ts';
import { parseCacheControl } from './semantics/directives.ts';
import type { VersionReader, VersionScope } from './versions.ts';

/** A cached route's request, as the cache steps see it. */
export interface Exchange {
  readonly c: Context<EdgeEnv>;
  readonly rule: RouteRule;
  readonly request: Request;
  /** The key before any `Vary` variant: the URL with the route's query parameters only, which is also what the origin is asked for. */
  readonly base: string;
  /** Whether the request carries `Authorization` or `Cookie` (RFC 9111 §3.5). */
  readonly credentials: boolean;
  /** The request's `only-if-cached` (RFC 9111 §5.2.1.7): a stored response or a 504, never the origin. */
  readonly onlyIfCached: boolean;
  /** Purge versions for this request's bindings; undefined when none are configured. */
  readonly versions: VersionReader | undefined;
  /** What a response with `tags` to this request can be purged by. */
  scope(tags: readonly string[]): VersionScope;
  /** When the edge started on the request, epoch ms. */
  readonly started: number;
}

/** The exchange of `c`'s request on the route `match`. */
export function openExchange(c: Context<EdgeEnv>, match: RouteMatch, versions: VersionReader | undefined): Exchange {
  const request = c.req.raw;
  let pathname: string | undefined;
  return {
    c,
    rule: match.rule,
    request,
    base: cacheKeyFor(request, match.rule.query),
    credentials: request.headers.has('authorization') || request.headers.has('cookie'),
    onlyIfCached: request.headers.has('cache-control') && parseCacheControl(request.headers.get('cache-control')).directives.has('only-if-cached'),
    versions,
    scope: (tags) => ({ tenant: match.params.tenant ?? '', tags, path: (pathname ??= new URL(request.url).pathname) }),
    started: Date.now(),
  };
}

/** Completes `response` for the client (its own request id) and logs the decision. */
export function finish(x: Exchange, response: Response, decision: Decision, key: string, policy?: CachePolicy): Response {
  requestHeaders(response, x.c.get('requestId'));
  logDecision(x.c, { key, decision, status: response.status, started: x.started, policy, response });
  return response;
}
