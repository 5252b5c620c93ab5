/**
 * RFC 9111 semantics come from `http-cache-semantics`; this file adapts Fetch API objects to it,
 * applies a route's override, and serialises a policy so it can travel with the stored body.
 */
import CachePolicy from 'http-cache-semantics';
import { overrideCacheControl, type RouteRule } from './route-policy.ts';

export { CachePolicy };

/**
 * http-cache-semantics with one cost taken out: on every hit `evaluateRequest` builds the
 * response headers the library would send, which the edge never reads (it sends the stored
 * headers itself) — about 5 % of a hit's Worker CPU when profiled. Only that unused value
 * differs; `test/edge/policy.test.ts` pins every decision to the library's own. Should a later
 * version rename the hook, the override stops applying and nothing but speed changes.
 */
class EdgeCachePolicy extends CachePolicy {
  _evaluateRequestHitResult(revalidation: unknown) {
    return { response: { headers: {} }, revalidation };
  }
}

/** Headers as plain lower-case records, the form the policy library reads. */
export type HeaderRecord = Record<string, string>;

/** Header records of a Fetch `Headers`. */
function headerRecord(headers: Headers): HeaderRecord {
  return Object.fromEntries(headers);
}

/**
 * A request as the policy sees it: addressed by its cache key (so equivalent URLs match), and a
 * HEAD treated as the GET it can be answered from (RFC 9110 §9.3.2).
 */
export function policyRequest(request: Request, key: string, headers: HeaderRecord = headerRecord(request.headers)): CachePolicy.Request {
  return { url: key, method: request.method === 'HEAD' ? 'GET' : request.method, headers };
}

// The request fields `evaluateRequest` and `revalidatedPolicy` read besides the Vary'd ones.
const EVALUATED = ['host', 'cache-control', 'pragma'];

/**
 * `policyRequest` for judging a stored response: only the request headers the policy reads
 * (host, cache-control, pragma and the stored response's `Vary` names), instead of a record of
 * all of them on every hit. Revalidation headers built from it are merged into the full request.
 */
export function evaluationRequest(request: Request, key: string, vary: string | undefined): CachePolicy.Request {
  const headers: HeaderRecord = {};
  const names = vary ? [...EVALUATED, ...vary.split(',').map((name) => name.trim().toLowerCase())] : EVALUATED;
  for (const name of names) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return policyRequest(request, key, headers);
}

/** Whether a response may be kept by any shared cache at all, override or not (docs/edge.md, "Storing"). */
export function sharedStorable(headers: HeaderRecord): boolean {
  const cc = headers['cache-control'] ?? '';
  return !headers['set-cookie'] && !/(^|[,\s])(private|no-store)([,\s=]|$)/i.test(cc) && headers.vary?.trim() !== '*';
}

/**
 * The headers the edge decides with: `headers`, with the route's lifetime in place of the origin's
 * `Cache-Control` when the route overrides it and `stored` (the response as it will be kept) may
 * be shared at all.
 */
export function decisionHeaders(headers: HeaderRecord, rule: RouteRule, stored: HeaderRecord = headers): HeaderRecord {
  return rule.mode === 'override' && sharedStorable(stored) ? { ...headers, 'cache-control': overrideCacheControl(rule) } : headers;
}

/** The policy of `response` to `request` stored under `key`, under `rule`. */
export function policyFor(request: Request, key: string, status: number, headers: HeaderRecord, rule: RouteRule): CachePolicy {
  return new EdgeCachePolicy(policyRequest(request, key), { status, headers: decisionHeaders(headers, rule) }, { shared: true });
}

/**
 * RFC 9111 §3.5: a shared cache serves or stores a response to a request with credentials only
 * when the response says it may (public, s-maxage or must-revalidate). Cookies get the same rule.
 */
export function allowsCredentials(headers: HeaderRecord): boolean {
  return /(^|[,\s])(public|s-maxage|must-revalidate)([,\s=]|$)/i.test(headers['cache-control'] ?? '');
}

/**
 * Serialises a policy. The policy keeps request headers only for `Vary` matching; everything
 * else (notably `Authorization` and `Cookie`) is dropped so no credential is ever stored.
 */
export function serializePolicy(policy: CachePolicy): CachePolicy.CachePolicyObject {
  const object = policy.toObject() as CachePolicy.CachePolicyObject & { reqh: HeaderRecord | null; resh: HeaderRecord };
  if (object.reqh) {
    const varied = new Set((object.resh.vary ?? '').split(',').map((name) => name.trim().toLowerCase()));
    object.reqh = Object.fromEntries(Object.entries(object.reqh).filter(([name]) => varied.has(name)));
  }
  return object;
}

// Policies already restored, by the stored object they came from. The memory tier hands out the
// same metadata object on every hit, so a hot entry's policy is rebuilt once, not per request;
// a policy is never changed after it is built (revalidation makes a new one), so sharing is safe.
const restored = new WeakMap<CachePolicy.CachePolicyObject, CachePolicy>();

/** Restores a policy written by `serializePolicy`. */
export function deserializePolicy(object: CachePolicy.CachePolicyObject): CachePolicy {
  let policy = restored.get(object);
  if (!policy) {
    policy = EdgeCachePolicy.fromObject(object);
    restored.set(object, policy);
  }
  return policy;
}
