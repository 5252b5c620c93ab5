/**
 * Building what clients receive: stored or fresh responses without the edge's internal
 * headers, with `Age` and `Cache-Status`, and 304s for conditional requests the stored
 * response satisfies (RFC 9110 §13.1, via jshttp's `fresh`).
 */
import fresh from 'fresh';
import { CACHE_TAGS_HEADER } from '../../common/cache-tags.ts';
import { HOP_BY_HOP as HOP_BY_HOP_NAMES } from '../origin/forward.ts';
import type { HeaderRecord } from './policy.ts';
import { appendCacheStatus } from './status.ts';

const HOP_BY_HOP = new Set(HOP_BY_HOP_NAMES);
// Headers a 304 carries (RFC 9110 §15.4.5), plus the two caches add.
const NOT_MODIFIED_HEADERS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'age', 'cache-status'];

// Headers that describe one exchange, not the resource: never stored, so never served to
// another request; each response gets its own request's values (`requestHeaders`).
const PER_REQUEST = new Set(['x-request-id']);

/**
 * Origin headers as the edge keeps and forwards them: no hop-by-hop, no internal tag header,
 * nothing that belongs to the request that fetched them.
 */
export function cleanHeaders(headers: Headers): HeaderRecord {
  const named = new Set((headers.get('connection') ?? '').split(',').map((n) => n.trim().toLowerCase()));
  const out: HeaderRecord = {};
  headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && !named.has(name) && !PER_REQUEST.has(name) && name !== CACHE_TAGS_HEADER && name !== 'cache-tag') out[name] = value;
  });
  return out;
}

/** Sets this request's own per-request headers on a response of the cache: its `X-Request-Id`. */
export function requestHeaders(response: Response, requestId: string): void {
  response.headers.set('x-request-id', requestId);
}

/** Tags the origin put on a response. */
export function tagsOf(headers: Headers): string[] {
  return (headers.get(CACHE_TAGS_HEADER) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
}

/** Whether a request carries validators (If-None-Match / If-Modified-Since). */
export function isConditional(request: Request): boolean {
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
  if (request.method === 'HEAD') {
    if (body instanceof ReadableStream) void body.cancel();
    return new Response(null, { status, headers: out });
  }
  return new Response(body, { status, headers: out });
}
