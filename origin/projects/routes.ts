/**
 * `GET /v1/{tenant}/public/projects[/{id}]`: the public, edge-cacheable project reads. Each
 * answer names its purge tags in CACHE_TAGS_HEADER, which the edge stores them under.
 */
import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';
import { CACHE_TAGS_HEADER } from '../../common/cache-tags.ts';
import { validId, validTenant } from '../../common/params.ts';
import { apiRouter } from '../http/api-router.ts';
import { PUBLIC_CACHE_CONTROL, originCacheStatus } from '../http/cache-headers.ts';
import { sendRepresentation } from '../http/representation.ts';
import { errorResponse, IdParam, TenantParam } from '../http/schemas.ts';
import { ProjectListSchema, ProjectSchema } from './schemas.ts';
import type { PublicProjects } from './service.ts';

const ERRORS = { 400: errorResponse('Malformed tenant or id'), 404: errorResponse('Unknown tenant, or no such public project') } as const;
const ok = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  headers: { [CACHE_TAGS_HEADER]: { schema: { type: 'string' as const }, description: 'Purge tags of this response, comma separated' } },
  content: { 'application/json': { schema } },
});

const list = createRoute({
  method: 'get',
  path: '/v1/{tenant}/public/projects',
  tags: ['public'],
  request: { params: z.object({ tenant: TenantParam }) },
  responses: { 200: ok(ProjectListSchema, 'The tenant’s public projects (shared-cacheable)'), ...ERRORS },
});

const one = createRoute({
  method: 'get',
  path: '/v1/{tenant}/public/projects/{id}',
  tags: ['public'],
  request: { params: z.object({ tenant: TenantParam, id: IdParam }) },
  responses: { 200: ok(ProjectSchema, 'One public project (shared-cacheable)'), ...ERRORS },
});

const sha1 = (body: Uint8Array): ArrayBuffer => {
  const digest = createHash('sha1').update(body).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
};

/** The public project routes under `/v1/{tenant}/public`. */
export function publicProjectRoutes(projects: PublicProjects) {
  const router = apiRouter();
  // The same SHA-1 as hono's default, hashed in place: WebCrypto's digest is a trip through the
  // thread pool on every answer.
  router.use('/v1/:tenant/public/*', etag({ retainedHeaders: [...RETAINED_304_HEADERS, 'cache-status'], generateDigest: sha1 }));

  // These are the reads every cache in front asks for, so each is documented from its route
  // (the same OpenAPI entry as `router.openapi` makes) and mounted without zod's parameter
  // validator: `validTenant` and `validId` run first and refuse every value the parameter
  // schemas would (the same patterns, `common/ids.ts`), so the validator could only agree, at
  // about 10 µs of CPU per read (docs/origin-speed.md).
  for (const route of [list, one]) router.openAPIRegistry.registerPath(route);

  router.get('/v1/:tenant/public/projects', validTenant, async (c) => {
    const tenant = c.req.param('tenant');
    const { value, status } = await projects.list(tenant);
    const tags = `tenant:${tenant},projects`;
    // Stored as sent, ETag included: the etag middleware only compares it.
    const headers = { 'cache-control': PUBLIC_CACHE_CONTROL, 'cache-status': originCacheStatus(status), [CACHE_TAGS_HEADER]: tags };
    return sendRepresentation(c, value, headers, { validator: true });
  });

  router.get('/v1/:tenant/public/projects/:id', validTenant, validId, async (c) => {
    const { tenant, id } = c.req.param();
    const { value, status } = await projects.get(tenant, id);
    const tags = `tenant:${tenant},projects,project:${id}`;
    return c.json(value, 200, { 'cache-control': PUBLIC_CACHE_CONTROL, 'cache-status': originCacheStatus(status), [CACHE_TAGS_HEADER]: tags });
  });

  return router;
}
