/**
 * Building what clients receive: stored or fresh responses with `Age` and `Cache-Status`, and
 * 304s for conditional requests the stored response satisfies (RFC 9110 §13.1, via jshttp's
 * `fresh`). Origin headers arrive here already cleaned (`upstream/forward.ts`); the targeted
 * cache-control fields stop here, being addressed to this cache only (RFC 9213 §3).
 */
import fresh from 'fresh';
import type { CachePolicy, HeaderRecord } from './policy.ts';
import { TARGETED_FIELDS } from './semantics/targeted.ts';
import { appendCacheStatus, hitStatus } from './status.ts';
import type { StoredMeta } from './storage.ts';

// Statuses whose responses have no content (RFC 9110 §15.3.5, §15.3.6, §15.4.5).
const NO_CONTENT = new Set([204, 205, 304]);

// Headers a 304 carries (RFC 9110 §15.4.5), plus the two caches add.
const NOT_MODIFIED_HEADERS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'age', 'cache-status'];

/** Sets this request's own per-request headers on a response of the cache: its `X-Request-Id`. */
export function requestHeaders(response: Response, requestId: string): void {
  response.headers.set('x-request-id', requestId);
}

/** Whether a request carries validators (If-None-Match / If-Modified-Since). */
function isConditional(request: Request): boolean {
  return request.headers.has('if-none-match') || request.headers.has('if-modified-since');
}

function validatorsOf(request: Request) {
  return { 'if-none-match': request.headers.get('if-none-match') ?? undefined, 'if-modified-since': request.headers.get('if-modified-since') ?? undefined };
}

/**
 * The client's response: `status` and `headers` with `body`, or a 304 when the request's
 * validators match, or no body for HEAD. `member` is this cache's Cache-Status entry.
 */
export function clientResponse(request: Request, status: number, headers: HeaderRecord, body: BodyInit | null, member: string): Response {
  const out = new Headers(headers);
  for (const field of TARGETED_FIELDS) if (field in headers) out.delete(field);
  appendCacheStatus(out, member);
  if (status === 200 && isConditional(request) && fresh(validatorsOf(request), { etag: headers.etag, 'last-modified': headers['last-modified'] })) {
    if (body instanceof ReadableStream) void body.cancel();
    const kept = new Headers();
    for (const name of NOT_MODIFIED_HEADERS) {
      const value = out.get(name);
      if (value !== null) kept.set(name, value);
    }
    return new Response(null, { status: 304, headers: kept });
  }
  if (request.method === 'HEAD' || NO_CONTENT.has(status)) {
    if (body instanceof ReadableStream) void body.cancel();
    return new Response(null, { status, headers: out });
  }
  return new Response(body, { status, headers: out });
}

/** A stored response as the client gets it: stored headers, current `Age`, conditional 304. */
export function fromStorage(request: Request, meta: StoredMeta, body: BodyInit | null, policy: CachePolicy, member?: string): Response {
  const headers = { ...meta.headers, age: String(Math.round(policy.age())) };
  return clientResponse(request, meta.status, headers, body, member ?? hitStatus(policy.maxAge() - policy.age()));
}
