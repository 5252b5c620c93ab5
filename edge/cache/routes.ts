/**
 * Matching requests to the route policy. Patterns are URLPattern pathnames (`/v1/:tenant/*`),
 * compiled once per policy text. Named `tenant` and `id` groups are checked with the same rules
 * as the origin, so a malformed tenant or id is refused before it can reach the cache key.
 */
import { LRUCache } from 'lru-cache';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { isResourceId, isTenantId } from '../../common/ids.ts';
import { cacheKeyFor } from './key.ts';
import { parseRoutePolicy, type RouteRule } from './route-policy.ts';

/** A matched rule and the path's named groups. */
export interface RouteMatch {
  rule: RouteRule;
  params: Record<string, string | undefined>;
}

type Compiled = { rule: RouteRule; pattern: URLPattern }[];
/** What matching a path gave: a match, no rule, or the error to answer with. */
type Outcome = { match: RouteMatch | undefined } | { error: HttpError };

// Matching runs URLPattern's regular expressions on every request, the largest single cost of a
// cache hit when profiled; the outcome depends only on the policy text and the path, so recent
// paths keep theirs (reset whenever the policy text changes).
const MEMO_PATHS = 1000;
let compiledFor: { text: string | undefined; outcomes: LRUCache<string, Outcome, string> } | undefined;

function compile(text: string | undefined) {
  if (compiledFor && compiledFor.text === text) return compiledFor;
  const routes = parseRoutePolicy(text).map((rule) => ({ rule, pattern: new URLPattern({ pathname: rule.pattern }) }));
  // Keyed by the URL up to its query; `context` is the whole URL, parsed only on a miss.
  const outcomes = new LRUCache<string, Outcome, string>({
    max: MEMO_PATHS,
    maxSize: 256 * 1024,
    sizeCalculation: (_, location) => location.length + 1,
    memoMethod: (_location, _stale, { context }) => matchPath(routes, new URL(context).pathname),
  });
  compiledFor = { text, outcomes };
  return compiledFor;
}

function matchPath(routes: Compiled, pathname: string): Outcome {
  for (const { rule, pattern } of routes) {
    const result = pattern.exec({ pathname });
    if (!result) continue;
    const params = Object.freeze({ ...result.pathname.groups });
    if (params.tenant !== undefined && !isTenantId(params.tenant)) {
      return { error: new HttpError(400, ERROR_CODES.invalidTenant, 'tenant must match [a-z0-9][a-z0-9-]{0,62}') };
    }
    if (params.id !== undefined && !isResourceId(params.id)) return { error: new HttpError(400, ERROR_CODES.invalidId, 'id must be a lowercase UUID') };
    return { match: Object.freeze({ rule, params }) };
  }
  return { match: undefined };
}

/** The first rule whose pattern matches `url`, with its groups validated; `undefined` when none. */
export function matchRoute(policyText: string | undefined, url: string): RouteMatch | undefined {
  const { outcomes } = compile(policyText);
  // The path is everything before the query: the same string always has the same pathname.
  const end = url.search(/[?#]/);
  const location = end < 0 ? url : url.slice(0, end);
  const outcome = outcomes.memo(location, { context: url });
  if ('error' in outcome) throw outcome.error;
  return outcome.match;
}

/**
 * The base cache key `url` is stored under, for deleting it (unsafe requests, purges by URL);
 * `undefined` when no route of the policy caches it, so nothing can be stored under it.
 */
export function storedKeyFor(policyText: string | undefined, url: string): string | undefined {
  try {
    const match = matchRoute(policyText, url);
    return match && cacheKeyFor(new Request(url), match.rule.query);
  } catch {
    return undefined; // a malformed tenant or id: never routed, never stored
  }
}
