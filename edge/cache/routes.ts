/**
 * Matching requests to the route policy. Patterns are URLPattern pathnames (`/v1/:tenant/*`),
 * compiled once per policy text. Named `tenant` and `id` groups are checked with the same rules
 * as the origin, so a malformed tenant or id is refused before it can reach the cache key.
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { isResourceId, isTenantId } from '../../common/ids.ts';
import { parseRoutePolicy, type RouteRule } from './route-policy.ts';

/** A matched rule and the path's named groups. */
export interface RouteMatch {
  rule: RouteRule;
  params: Record<string, string | undefined>;
}

type Compiled = { rule: RouteRule; pattern: URLPattern }[];
let compiledFor: { text: string | undefined; routes: Compiled } | undefined;

function compile(text: string | undefined): Compiled {
  if (compiledFor && compiledFor.text === text) return compiledFor.routes;
  const routes = parseRoutePolicy(text).map((rule) => ({ rule, pattern: new URLPattern({ pathname: rule.pattern }) }));
  compiledFor = { text, routes };
  return routes;
}

/** The first rule whose pattern matches `url`, with its groups validated; `undefined` when none. */
export function matchRoute(policyText: string | undefined, url: string): RouteMatch | undefined {
  const pathname = new URL(url).pathname;
  for (const { rule, pattern } of compile(policyText)) {
    const result = pattern.exec({ pathname });
    if (!result) continue;
    const params = result.pathname.groups;
    if (params.tenant !== undefined && !isTenantId(params.tenant)) {
      throw new HttpError(400, ERROR_CODES.invalidTenant, 'tenant must match [a-z0-9][a-z0-9-]{0,62}');
    }
    if (params.id !== undefined && !isResourceId(params.id)) throw new HttpError(400, ERROR_CODES.invalidId, 'id must be a lowercase UUID');
    return { rule, params };
  }
  return undefined;
}
