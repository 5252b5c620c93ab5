/**
 * The edge's shared cache (RFC 9111) as Hono middleware, for the routes the route policy lists
 * (docs/edge.md, "Request path"). A request is answered from storage while the stored response
 * is fresh for it and not purged; served stale while it is revalidated in the background
 * (`stale-while-revalidate`) or when the origin fails (`stale-if-error`); otherwise revalidated
 * with the stored validators or fetched, concurrent misses collapsed, and stored when the
 * origin's headers (or the route's override) allow. Other requests go to the next handler.
 */
import type { MiddlewareHandler } from 'hono';
import type { EdgeEnv } from '../env.ts';
import { cacheFillRequest, fetchOrigin, responseHeaders } from '../upstream/forward.ts';
import { buffer, MissCollapser } from './collapse.ts';
import { finish, openExchange, type Exchange } from './exchange.ts';
import { judge, lookup } from './lookup.ts';
import { miss } from './miss.ts';
import { allowsCredentials } from './policy.ts';
import { clientResponse, fromStorage } from './respond.ts';
import { revalidateForClient, revalidateInBackground } from './revalidate.ts';
import { matchRoute } from './routes.ts';
import { forwardStatus } from './status.ts';
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
  const fetched = await buffer(await fetchOrigin(cacheFillRequest(x.request), x.c.env, x.c.get('requestId')));
  const response = clientResponse(x.request, fetched.status, responseHeaders(fetched.headers), fetched.body, forwardStatus('request', false));
  return finish(x, response, 'bypass-credentials', key);
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
    const { key, stored } = await lookup(x, storage);
    if (!stored) return miss(x, storage, collapser);
    if (x.credentials && !allowsCredentials(stored.meta.headers)) return forCredentials(x, key, stored);

    const verdict = await judge(x, stored, key);
    switch (verdict.kind) {
      case 'fresh':
        return finish(x, fromStorage(x.request, stored.meta, stored.body, verdict.policy), 'hit', key, verdict.policy);
      case 'stale-while-revalidate': {
        // One copy of the stored body for the client now, one for the background revalidation.
        const [now, later] = split(stored.body);
        const revalidation = { key, stored: { ...stored, body: later }, policy: verdict.policy, conditional: verdict.conditional };
        c.executionCtx.waitUntil(revalidateInBackground(x, storage, revalidation).catch(() => {}));
        return finish(x, fromStorage(x.request, stored.meta, now, verdict.policy), 'stale-while-revalidate', key, verdict.policy);
      }
      case 'revalidate':
        return revalidateForClient(x, storage, { key, stored, policy: verdict.policy, conditional: verdict.conditional });
      case 'purged':
        await discard(stored.body);
        return miss(x, storage, collapser);
    }
  };
}
