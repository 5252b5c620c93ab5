/**
 * The edge's shared cache (RFC 9111) as Hono middleware, for the routes the route policy lists
 * (docs/edge.md, "Request path"). A request is answered from storage while the stored response
 * is fresh for it and not purged; served stale while it is revalidated in the background
 * (`stale-while-revalidate`) or when the origin fails (`stale-if-error`); otherwise revalidated
 * with the stored validators or fetched, concurrent misses collapsed, and stored when the
 * origin's headers (or the route's override) allow. A single byte range is cut from the complete
 * response. Other requests go to the next handler.
 */
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import type { EdgeEnv } from '../env.ts';
import { cacheFillRequest, fetchOrigin, responseHeaders } from '../upstream/forward.ts';
import { buffer, MissCollapser } from './collapse.ts';
import { finish, openExchange, type Exchange } from './exchange.ts';
import { judge, lookup } from './lookup.ts';
import { miss } from './miss.ts';
import { allowsCredentials } from './policy.ts';
import { cutRange, rangeAsked } from './range.ts';
import { clientResponse, fromStorage } from './respond.ts';
import { revalidateForClient, revalidateInBackground } from './revalidate.ts';
import { TARGETED_FIELDS } from './semantics/targeted.ts';
import { matchRoute } from './routes.ts';
import { appendCacheStatus, bypassStatus, forwardStatus } from './status.ts';
import { discard, split, type EdgeStorage, type StoredEntry } from './storage.ts';
import type { VersionReader } from './versions.ts';

/** What the shared cache is built over. */
export interface SharedCacheOptions {
  /** Where responses are kept (`workersCacheStorage()`, usually behind `withHotTier`). */
  storage: EdgeStorage;
  /** Purge versions for a request's bindings; absent, or undefined for some bindings: none. */
  versions?: (env: EdgeEnv['Bindings']) => VersionReader | undefined;
}

/**
 * A stored response the request's credentials may not use (RFC 9111 §3.5): the origin answers
 * this request, and nothing is stored from it.
 */
async function forCredentials(x: Exchange, key: string, stored: StoredEntry): Promise<Response> {
  await discard(stored.body);
  const fetched = await buffer(await fetchOrigin(cacheFillRequest(x.base, x.request), x.c.env, x.c.get('requestId')));
  const response = clientResponse(x.request, fetched.status, responseHeaders(fetched.headers), fetched.body, forwardStatus('request', false));
  return finish(x, response, 'bypass-credentials', key);
}

/** §5.2.1.7: nothing stored may answer an `only-if-cached` request, and the origin may not be asked. */
function notCached(): never {
  throw new HttpError(504, ERROR_CODES.originUnavailable, 'only-if-cached: nothing stored satisfies this request');
}

/** A request the cache does not answer itself (a range it cannot cut): to the origin as asked, nothing stored. */
async function asAsked(x: Exchange): Promise<Response> {
  if (x.onlyIfCached) notCached();
  const origin = await fetchOrigin(new Request(x.base, { method: x.request.method, headers: x.request.headers }), x.c.env, x.c.get('requestId'));
  const response = new Response(origin.body, { status: origin.status, headers: responseHeaders(origin.headers) });
  for (const field of TARGETED_FIELDS) response.headers.delete(field);
  appendCacheStatus(response.headers, bypassStatus('range'));
  return finish(x, response, 'bypass-range', x.base);
}

/** The complete response for the exchange: from storage, revalidated, or fetched. */
async function answer(x: Exchange, storage: EdgeStorage, collapser: MissCollapser): Promise<Response> {
  const { key, stored } = await lookup(x, storage);
  if (!stored) return x.onlyIfCached ? notCached() : miss(x, storage, collapser);
  if (x.credentials && !allowsCredentials(stored.meta.headers, stored.meta.status)) {
    return x.onlyIfCached ? (await discard(stored.body), notCached()) : forCredentials(x, key, stored);
  }
  const verdict = await judge(x, stored, key);
  if (x.onlyIfCached && (verdict.kind === 'revalidate' || verdict.kind === 'purged')) {
    await discard(stored.body);
    notCached();
  }
  switch (verdict.kind) {
    case 'fresh':
      return finish(x, fromStorage(x.request, stored.meta, stored.body, verdict.policy), 'hit', key, verdict.policy);
    case 'stale-while-revalidate': {
      // One copy of the stored body for the client now, one for the background revalidation.
      const [now, later] = split(stored.body);
      const revalidation = { key, stored: { ...stored, body: later }, policy: verdict.policy, conditional: verdict.conditional };
      x.c.executionCtx.waitUntil(revalidateInBackground(x, storage, revalidation).catch(() => {}));
      return finish(x, fromStorage(x.request, stored.meta, now, verdict.policy), 'stale-while-revalidate', key, verdict.policy);
    }
    case 'revalidate':
      return revalidateForClient(x, storage, {
        key,
        stored,
        policy: verdict.policy,
        conditional: verdict.conditional,
        ...(verdict.unverified ? { unverified: true } : {}),
      });
    case 'purged':
      await discard(stored.body);
      return miss(x, storage, collapser);
  }
}

/** The shared cache middleware for GET and HEAD; `options` are checked once, here. */
export function sharedCache(options: SharedCacheOptions): MiddlewareHandler<EdgeEnv> {
  const { storage, versions } = options;
  if (typeof storage?.lookup !== 'function' || typeof storage.put !== 'function') throw new TypeError('sharedCache: options.storage must be an EdgeStorage');
  if (versions !== undefined && typeof versions !== 'function') throw new TypeError('sharedCache: options.versions must be a function of the bindings');
  const collapser = new MissCollapser();

  return async function sharedCache(c, next) {
    const match = matchRoute(c.env.ROUTE_POLICY, c.req.url);
    if (!match) return next();
    const x = openExchange(c, match, versions?.(c.env));
    const range = rangeAsked(x.request);
    if (range.kind === 'origin') return asAsked(x);
    const response = await answer(x, storage, collapser);
    if (range.kind === 'all') return response;
    return (await cutRange(x.request, response, range)) ?? asAsked(x);
  };
}
