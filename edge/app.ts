/**
 * The edge Worker's Hono app: allow-listed public routes go through the shared cache; every
 * other method and path is forwarded to the origin untouched by caching.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { validId, validTenant } from '../common/params.ts';
import { sharedCache } from './cache/shared-cache.ts';
import { appendCacheStatus, bypassStatus } from './cache/status.ts';
import type { EdgeStorage } from './cache/storage.ts';
import type { EdgeEnv } from './env.ts';
import { onError } from './http/errors.ts';
import { fetchOrigin } from './origin/forward.ts';

/** Builds the edge app over `storage`. */
export function createEdgeApp(storage: EdgeStorage): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  app.use('*', requestId());
  app.onError(onError);

  // The allow-list of cacheable routes (ARCHITECTURE.md §5): never chosen by file extension.
  const cached = sharedCache(storage);
  app.on(['GET', 'HEAD'], '/v1/:tenant/public/projects', validTenant, cached);
  app.on(['GET', 'HEAD'], '/v1/:tenant/public/projects/:id', validTenant, validId, cached);

  app.all('*', async function passThrough(c) {
    const origin = await fetchOrigin(c.req.raw, c.env, c.get('requestId'));
    const response = new Response(origin.body, origin);
    appendCacheStatus(response.headers, bypassStatus());
    return response;
  });
  return app;
}
