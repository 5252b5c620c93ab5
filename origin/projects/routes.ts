/**
 * `GET /v1/{tenant}/public/projects[/{id}]`: the public, edge-cacheable project reads.
 */
import { Hono } from 'hono';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';
import { CACHE_TAGS_HEADER } from '../../common/cache-tags.ts';
import { PUBLIC_CACHE_CONTROL, originCacheStatus } from '../http/cache-headers.ts';
import { validId, validTenant } from '../../common/params.ts';
import type { PublicProjects } from './service.ts';

/** Mounts the public project routes on a router under `/v1/:tenant/public`. */
export function publicProjectRoutes(projects: PublicProjects): Hono {
  const router = new Hono();
  router.use('/v1/:tenant/public/*', etag({ retainedHeaders: [...RETAINED_304_HEADERS, 'cache-status'] }));

  router.get('/v1/:tenant/public/projects', validTenant, async (c) => {
    const tenant = c.req.param('tenant');
    const { value, status } = await projects.list(tenant);
    const tags = `tenant:${tenant},projects`;
    return c.json(value, 200, { 'cache-control': PUBLIC_CACHE_CONTROL, 'cache-status': originCacheStatus(status), [CACHE_TAGS_HEADER]: tags });
  });

  router.get('/v1/:tenant/public/projects/:id', validTenant, validId, async (c) => {
    const { tenant, id } = c.req.param();
    const { value, status } = await projects.get(tenant, id);
    const tags = `tenant:${tenant},projects,project:${id}`;
    return c.json(value, 200, { 'cache-control': PUBLIC_CACHE_CONTROL, 'cache-status': originCacheStatus(status), [CACHE_TAGS_HEADER]: tags });
  });

  return router;
}
