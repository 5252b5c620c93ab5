/**
 * The edge Worker's Hono app (the composition root): routes the route policy lists go through
 * the shared cache; every other method and path of the API (`/v1/…`) is forwarded to the origin,
 * and successful unsafe requests invalidate what they change. Nothing else reaches the origin.
 * docs/edge.md walks a request through these files.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { sharedCache, type SharedCacheOptions } from './cache/index.ts';
import { TARGETED_FIELDS } from './cache/semantics/targeted.ts';
import { appendCacheStatus, bypassStatus } from './cache/status.ts';
import type { EdgeEnv } from './env.ts';
import { canonicalPath } from './http/canonical-path.ts';
import { health } from './http/health.ts';
import { apiOnly } from './http/api-only.ts';
import { apiBodyLimit } from './http/body-limit.ts';
import { onError } from './http/errors.ts';
import { purgeBodyLimit, purgeHandler } from './purge/index.ts';
import { rateLimit } from './ratelimit/index.ts';
import { fetchOrigin } from './upstream/forward.ts';
import { invalidateAfterWrite } from './upstream/invalidate.ts';

/** Builds the edge app over its storage and (optionally) purge versions. */
export function createEdgeApp(options: SharedCacheOptions): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  app.use('*', canonicalPath(app));
  app.use('*', requestId());
  app.onError(onError);
  app.get('/_strata/health', health);
  app.post('/_strata/purge', purgeBodyLimit(), purgeHandler(options.storage));
  app.use('*', apiOnly);

  app.use('/v1/:tenant/*', rateLimit());
  app.use('/v1/:tenant/*', apiBodyLimit());
  app.on(['GET', 'HEAD'], '*', sharedCache(options));

  app.all('*', async function passThrough(c) {
    const origin = await fetchOrigin(c.req.raw, c.env, c.get('requestId'));
    c.executionCtx.waitUntil(invalidateAfterWrite(options.storage, c.env.ROUTE_POLICY, c.req.raw, origin));
    const response = new Response(origin.body, origin);
    for (const field of TARGETED_FIELDS) response.headers.delete(field); // addressed to this cache (RFC 9213)
    appendCacheStatus(response.headers, bypassStatus());
    return response;
  });
  return app;
}
