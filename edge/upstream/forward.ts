/**
 * Forwarding to the origin, and every header rule of it in one place, both ways (docs/edge.md,
 * "Forwarding"). Removed from what the client sent: hop-by-hop headers (RFC 9110 §7.6.1);
 * headers an intermediary could use to change what the origin answers without changing the cache
 * key (unkeyed inputs, the root of cache poisoning); the client's cache directives, which API
 * Gateway's stage cache would take as an order to flush or bypass an entry; and every
 * `x-strata-*` header, because those are the edge's to set (its credential, the stage cache's
 * version key, the client address). Added: those. Removed from what the origin answers, before
 * it is stored or sent: hop-by-hop headers, the origin's tag header and per-request headers.
 */
import { CACHE_TAGS_HEADER } from '../../common/cache-tags.ts';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import type { Env } from '../env.ts';

/** Hop-by-hop header names (RFC 9110 §7.6.1); never stored or forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** The request headers only the edge sets; a client's copies never reach the origin. */
export const EDGE_HEADERS = {
  /** The edge's credential (`EDGE_ORIGIN_TOKEN`); API Gateway refuses requests without it. */
  token: 'x-strata-edge-token',
  /** Digest of the purge versions the edge read; part of the stage cache's key. */
  cacheVersion: 'x-strata-cache-version',
  /** The client's address, from `CF-Connecting-IP`; the origin's view of who is calling. */
  clientIp: 'x-strata-client-ip',
} as const;

const EDGE_PREFIX = 'x-strata-';

const UNKEYED = [
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-scheme',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-host',
  'x-original-url',
  'x-original-host',
  'x-rewrite-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'forwarded',
];

// A browser reload sends `Cache-Control: max-age=0` (and `Pragma: no-cache` from older clients):
// to API Gateway that asks to invalidate the stage cache entry. The edge is the shared cache the
// client talks to and honours these itself (RFC 9111 §5.2.1); the layers behind it are not the
// client's to flush.
const CLIENT_CACHE_DIRECTIVES = ['cache-control', 'pragma'];

// A cache fill asks for the full response to store, whatever validators or range the client
// sent: the edge answers those itself from what it stores (RFC 9111 §4.3.2).
const CLIENT_VALIDATORS = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'];

// Response headers that describe one exchange, not the resource: never stored, so never served
// to another request; each response gets its own request's values.
const PER_REQUEST = ['x-request-id'];

const DEFAULT_TIMEOUT_MS = 10_000;

/** The origin URL for `path` (with its query), under `ORIGIN_URL`. */
export function originUrl(env: Env, path: string): string {
  return `${env.ORIGIN_URL.replace(/\/+$/, '')}${path}`;
}

/**
 * Headers of a request the edge makes on its own behalf (the health check, the tenant-limit
 * lookup): its credential and the request id, nothing of the client's.
 */
export function edgeRequestHeaders(env: Env, requestId: string): Headers {
  const headers = new Headers({ 'x-request-id': requestId });
  if (env.EDGE_ORIGIN_TOKEN) headers.set(EDGE_HEADERS.token, env.EDGE_ORIGIN_TOKEN);
  return headers;
}

/** Copies the client's `headers` without what the origin must not see from a client (see above). */
function forwardableHeaders(headers: Headers): Headers {
  const named = (headers.get('connection') ?? '').split(',').map((name) => name.trim().toLowerCase());
  const dropped = new Set([...HOP_BY_HOP, ...UNKEYED, ...CLIENT_CACHE_DIRECTIVES, ...named]);
  const out = new Headers();
  for (const [name, value] of headers) if (!dropped.has(name) && !name.startsWith(EDGE_PREFIX)) out.append(name, value);
  return out;
}

/**
 * The headers of the origin request for a client's `request`: what may pass of the client's, then
 * the edge's own — the credential, the request id, the client address, and `edgeHeaders` (the
 * cache version of a cached route).
 */
function originRequestHeaders(request: Request, env: Env, requestId: string, edgeHeaders: Record<string, string> = {}): Headers {
  const headers = forwardableHeaders(request.headers);
  for (const [name, value] of edgeRequestHeaders(env, requestId)) headers.set(name, value);
  const clientIp = request.headers.get('cf-connecting-ip')?.trim();
  if (clientIp) headers.set(EDGE_HEADERS.clientIp, clientIp);
  for (const [name, value] of Object.entries(edgeHeaders)) headers.set(name, value);
  return headers;
}

/**
 * A GET of `url` (the cache key: only the route's query parameters) with `request`'s headers
 * but not its validators, plus `extra` (a revalidation's own).
 */
export function cacheFillRequest(url: string, request: Request, extra: Record<string, string> = {}): Request {
  const headers = new Headers(request.headers);
  for (const name of CLIENT_VALIDATORS) headers.delete(name);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Request(url, { method: 'GET', headers });
}

const RESPONSE_DROPPED = new Set([...HOP_BY_HOP, ...PER_REQUEST, CACHE_TAGS_HEADER, 'cache-tag']);

/**
 * Origin response headers as the edge keeps and forwards them, as a plain record: no hop-by-hop
 * (nor those `Connection` names), no internal tag header, nothing of the request that fetched them.
 */
export function responseHeaders(headers: Headers): Record<string, string> {
  const named = new Set((headers.get('connection') ?? '').split(',').map((n) => n.trim().toLowerCase()));
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!RESPONSE_DROPPED.has(name) && !named.has(name)) out[name] = value;
  });
  return out;
}

/** The purge tags the origin put on a response. */
export function tagsOf(headers: Headers): string[] {
  return (headers.get(CACHE_TAGS_HEADER) ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** How long an origin request may take, headers and body (`ORIGIN_TIMEOUT_MS`, 10 s by default). */
export function originTimeoutMs(env: Env): number {
  return Number(env.ORIGIN_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
}

/**
 * Sends `request` to the origin with {@link originRequestHeaders}; 502 when it cannot be reached,
 * 504 when it is too slow.
 */
export async function fetchOrigin(request: Request, env: Env, requestId: string, edgeHeaders: Record<string, string> = {}): Promise<Response> {
  const url = new URL(request.url);
  const timeoutMs = originTimeoutMs(env);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    return await fetch(originUrl(env, `${url.pathname}${url.search}`), {
      method: request.method,
      headers: originRequestHeaders(request, env, requestId, edgeHeaders),
      body: hasBody ? request.body : null,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new HttpError(504, ERROR_CODES.originUnavailable, `origin did not answer within ${timeoutMs} ms`, { cause: error });
    }
    throw new HttpError(502, ERROR_CODES.originUnavailable, 'origin unreachable', { cause: error });
  }
}
