/**
 * RFC 9111 semantics come from `http-cache-semantics`; this file only adapts Fetch API objects
 * to it and serialises a policy so it can travel with the stored response.
 */
import CachePolicy from 'http-cache-semantics';

export { CachePolicy };

type HeaderRecord = Record<string, string>;

function headerRecord(headers: Headers): HeaderRecord {
  return Object.fromEntries(headers);
}

/**
 * A request as the policy sees it: addressed by its cache key (so equivalent URLs match), and a
 * HEAD treated as the GET it can be answered from (RFC 9110 §9.3.2).
 */
export function policyRequest(request: Request, key: string): CachePolicy.Request {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  return { url: key, method, headers: headerRecord(request.headers) };
}

/** The policy of a response to `request` stored under `key`, as a shared cache sees it. */
export function policyFor(request: Request, key: string, response: Response): CachePolicy {
  return new CachePolicy(
    { ...policyRequest(request, key), method: request.method },
    { status: response.status, headers: headerRecord(response.headers) },
    { shared: true },
  );
}

/**
 * Serialises a policy. The policy keeps request headers only for `Vary` matching; everything
 * else (notably `Authorization` and `Cookie`) is dropped so no credential is ever stored.
 */
export function serializePolicy(policy: CachePolicy): string {
  const object = policy.toObject() as { reqh: HeaderRecord | null; resh: HeaderRecord };
  if (object.reqh) {
    const varied = new Set((object.resh.vary ?? '').split(',').map((name) => name.trim().toLowerCase()));
    object.reqh = Object.fromEntries(Object.entries(object.reqh).filter(([name]) => varied.has(name)));
  }
  return JSON.stringify(object);
}

/** Restores a policy written by `serializePolicy`. */
export function deserializePolicy(text: string): CachePolicy {
  return CachePolicy.fromObject(JSON.parse(text) as CachePolicy.CachePolicyObject);
}

/**
 * The headers to send with a stored response: as stored, with the current `Age` (RFC 9111 §5.1).
 * The origin's `Date` is kept: it says when the origin generated the response.
 */
export function storedResponseHeaders(policy: CachePolicy): Headers {
  const computed = policy.responseHeaders() as HeaderRecord;
  const original = (policy.toObject() as { resh: HeaderRecord }).resh;
  const headers = new Headers(computed);
  if (original.date) headers.set('date', original.date);
  else headers.delete('date');
  return headers;
}
