/**
 * The edge Worker's Hono app (the composition root): routes the route policy lists go through
 * the shared cache; every other method and path of the API (`/v1/…`) is forwarded to the origin,
 * and successful unsafe requests invalidate what they change. Nothing else reaches the origin.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { matchRoute } from './cache/routes.ts';
import { sharedCache, type SharedCacheDeps } from './cache/shared-cache.ts';
import { appendCacheStatus, bypassStatus } from './cache/status.ts';
import type { EdgeEnv } from './env.ts';
import { canonicalPath } from './http/canonical-path.ts';
import { health } from './http/health.ts';
import { apiOnly } from './http/api-only.ts';
import { onError } from './http/errors.ts';
import { fetchOrigin } from './origin/forward.ts';
import { invalidateAfterWrite } from './origin/invalidate.ts';
import { purgeHandler } from './purge/index.ts';
import { rateLimit } from './ratelimit/index.ts';

/** Builds the edge app over its storage and (optionally) purge versions. */
export function createEdgeApp(deps: SharedCacheDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  app.use('*', canonicalPath(app));
  app.use('*', requestId());
  app.onError(onError);
  app.get('/_strata/health', health);
  app.post('/_strata/purge', purgeHandler(deps.storage));
  app.use('*', apiOnly);

  app.use('/v1/:tenant/*', rateLimit());

  const cached = sharedCache(deps);
  app.on(['GET', 'HEAD'], '*', async function cacheable(c, next) {
    const match = matchRoute(c.env.ROUTE_POLICY, c.req.url);
    if (!match) return next();
    return cached(match.rule, match.params)(c);
  });

  app.all('*', async function passThrough(c) {
    const origin = await fetchOrigin(c.req.raw, c.env, c.get('requestId'));
    c.executionCtx.waitUntil(invalidateAfterWrite(deps.storage, c.req.raw, origin));
    const response = new Response(origin.body, origin);
    appendCacheStatus(response.headers, bypassStatus());
    return response;
  });
  return app;
}
