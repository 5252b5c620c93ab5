/**
 * RFC 9111 semantics come from `http-cache-semantics`; this file adapts Fetch API objects to it,
 * applies a route's override, and serialises a policy so it can travel with the stored body.
 */
import CachePolicy from 'http-cache-semantics';
import { overrideCacheControl, type RouteRule } from './route-policy.ts';

export { CachePolicy };

/** Headers as plain lower-case records, the form the policy library reads. */
export type HeaderRecord = Record<string, string>;

/** Header records of a Fetch `Headers`. */
export function headerRecord(headers: Headers): HeaderRecord {
  return Object.fromEntries(headers);
}

/**
 * A request as the policy sees it: addressed by its cache key (so equivalent URLs match), and a
 * HEAD treated as the GET it can be answered from (RFC 9110 §9.3.2).
 */
export function policyRequest(request: Request, key: string, headers: HeaderRecord = headerRecord(request.headers)): CachePolicy.Request {
  return { url: key, method: request.method === 'HEAD' ? 'GET' : request.method, headers };
}

/** Whether a response may be kept by any shared cache at all, override or not (ARCHITECTURE.md §5). */
export function sharedStorable(headers: HeaderRecord): boolean {
  const cc = headers['cache-control'] ?? '';
  return !headers['set-cookie'] && !/(^|[,\s])(private|no-store)([,\s=]|$)/i.test(cc) && headers.vary?.trim() !== '*';
}

/** The policy of `response` to `request` stored under `key`, under `rule`. */
export function policyFor(request: Request, key: string, status: number, headers: HeaderRecord, rule: RouteRule): CachePolicy {
  const decided = rule.mode === 'override' && sharedStorable(headers) ? { ...headers, 'cache-control': overrideCacheControl(rule) } : headers;
  return new CachePolicy(policyRequest(request, key), { status, headers: decided }, { shared: true });
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

/** Restores a policy written by `serializePolicy`. */
export function deserializePolicy(object: CachePolicy.CachePolicyObject): CachePolicy {
  return CachePolicy.fromObject(object);
}
