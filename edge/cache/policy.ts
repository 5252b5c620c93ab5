/**
 * RFC 9111 semantics come from `http-cache-semantics`, read through `semantics/decision.ts`
 * where the library is lenient and corrected by `semantics/edge-policy.ts` where it decides
 * against the RFC; this file adapts Fetch API objects to it, applies a route's override, and
 * serialises a policy so it can travel with the stored body.
 */
import type CachePolicy from 'http-cache-semantics';
import { overrideCacheControl, type RouteRule } from './route-policy.ts';
import { parseCacheControl } from './semantics/directives.ts';
import { requestCacheControl, responseView, type DecisionView } from './semantics/decision.ts';
import { EdgeCachePolicy } from './semantics/edge-policy.ts';

export type { CachePolicy };

/** Headers as plain lower-case records, the form the policy library reads. */
export type HeaderRecord = Record<string, string>;

/** Header records of a Fetch `Headers`, with the request's Cache-Control read as the RFC says. */
function requestRecord(headers: Headers): HeaderRecord {
  const record = Object.fromEntries(headers);
  const cc = requestCacheControl(record['cache-control']);
  if (cc === undefined) delete record['cache-control'];
  else record['cache-control'] = cc;
  return record;
}

/**
 * A request as the policy sees it: addressed by its cache key (so equivalent URLs match), and a
 * HEAD treated as the GET it can be answered from (RFC 9110 §9.3.2).
 */
export function policyRequest(request: Request, key: string, headers: HeaderRecord = requestRecord(request.headers)): CachePolicy.Request {
  return { url: key, method: request.method === 'HEAD' ? 'GET' : request.method, headers };
}

// The request fields `evaluateRequest` and `revalidatedPolicy` read besides the Vary'd ones.
const EVALUATED = ['host', 'pragma'];

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
  const given = request.headers.get('cache-control');
  const cc = given === null ? undefined : requestCacheControl(given);
  if (cc !== undefined) headers['cache-control'] = cc;
  return policyRequest(request, key, headers);
}

/** Whether a response may be kept by any shared cache at all, override or not (docs/edge.md, "Storing"). */
export function sharedStorable(view: DecisionView): boolean {
  const { directives, headers } = view;
  return !directives.has('private') && !directives.has('no-store') && headers['set-cookie'] === undefined && headers.vary?.trim() !== '*';
}

/**
 * The view the edge decides with for `headers` (as received, targeted fields included) with
 * `status`: the route's lifetime in place of the origin's when the route overrides it and the
 * response may be shared at all.
 */
export function decisionView(headers: HeaderRecord, status: number, rule: RouteRule): DecisionView {
  const view = responseView(headers, status);
  if (rule.mode !== 'override' || !sharedStorable(view)) return view;
  const cc = overrideCacheControl(rule);
  return { headers: { ...view.headers, 'cache-control': cc }, directives: parseCacheControl(cc).directives };
}

/** The policy of a response with `status` and decision `view` to `request`, stored under `key`. */
export function policyOf(request: Request, key: string, status: number, view: DecisionView): CachePolicy {
  return new EdgeCachePolicy(policyRequest(request, key), { status, headers: view.headers }, { shared: true });
}

/** The policy of `response` to `request` stored under `key`, under `rule`. */
export function policyFor(request: Request, key: string, status: number, headers: HeaderRecord, rule: RouteRule): CachePolicy {
  return policyOf(request, key, status, decisionView(headers, status, rule));
}

/**
 * RFC 9111 §3.5: a shared cache serves or stores a response to a request with credentials only
 * when the origin says it may (public, s-maxage or must-revalidate) — its own headers, never a
 * route's override. Cookies get the same rule.
 */
export function allowsCredentials(headers: HeaderRecord, status: number): boolean {
  const { directives } = responseView(headers, status);
  return directives.has('public') || directives.has('s-maxage') || directives.has('must-revalidate');
}

/** Whether `policy` forbids serving its response stale, whatever `stale-if-error` says (§4.2.4). */
export function revalidatesWhenStale(policy: CachePolicy): boolean {
  return policy instanceof EdgeCachePolicy && policy.revalidatesWhenStale();
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
