/**
 * `/v1/{tenant}/projects[/{id}]`: project CRUD for signed-in members of the tenant. Every answer
 * is `private, no-store`: nothing here may sit in a shared cache.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { validId, validTenant } from '../../common/params.ts';
import { originCacheStatus } from '../http/cache-headers.ts';
import { sendRepresentation } from '../http/representation.ts';
import { AUTHENTICATED_ERRORS, BEARER, errorResponse, IdParam, TenantParam } from '../http/schemas.ts';
import { apiRouter, limitBody, PRIVATE_NO_STORE } from '../http/api-router.ts';
import type { ProjectCommands } from './commands.ts';
import { ProjectCreateSchema, ProjectListSchema, ProjectPatchSchema, ProjectSchema } from './schemas.ts';

const json = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <S extends z.ZodType>(schema: S) => ({ required: true, content: { 'application/json': { schema } } });
const tenantParams = z.object({ tenant: TenantParam });
const projectParams = z.object({ tenant: TenantParam, id: IdParam });
const ERRORS_WITH_BODY = { ...AUTHENTICATED_ERRORS, 413: errorResponse('Body too large') };

/** The project CRUD router; `authenticate` must refuse requests without a session of `{tenant}`. */
export function projectApiRoutes(commands: ProjectCommands, authenticate: MiddlewareHandler) {
  const router = apiRouter();
  const guard = [validTenant, authenticate] as const;
  const guardId = [validTenant, validId, authenticate] as const;
  const headers = { 'cache-control': PRIVATE_NO_STORE };

  const list = createRoute({
    method: 'get',
    path: '/v1/{tenant}/projects',
    tags: ['projects'],
    security: BEARER,
    middleware: [...guard],
    request: { params: tenantParams },
    responses: { 200: json(ProjectListSchema, 'Every project of the tenant, public and private'), ...AUTHENTICATED_ERRORS },
  });
  router.openapi(list, async (c) => {
    const { value, status } = await commands.list(c.req.valid('param').tenant);
    return sendRepresentation(c, value, { ...headers, 'cache-status': originCacheStatus(status) }, { validator: false });
  });

  const create = createRoute({
    method: 'post',
    path: '/v1/{tenant}/projects',
    tags: ['projects'],
    security: BEARER,
    middleware: [...guard, limitBody],
    request: { params: tenantParams, body: body(ProjectCreateSchema) },
    responses: { 201: json(ProjectSchema, 'Created'), ...ERRORS_WITH_BODY },
  });
  router.openapi(create, async (c) => {
    const { tenant } = c.req.valid('param');
    const project = await commands.create(tenant, c.req.valid('json'));
    return c.json(project, 201, { ...headers, location: `/v1/${tenant}/projects/${project.id}` });
  });

  const read = createRoute({
    method: 'get',
    path: '/v1/{tenant}/projects/{id}',
    tags: ['projects'],
    security: BEARER,
    middleware: [...guardId],
    request: { params: projectParams },
    responses: { 200: json(ProjectSchema, 'The project'), ...AUTHENTICATED_ERRORS },
  });
  router.openapi(read, async (c) => {
    const { tenant, id } = c.req.valid('param');
    const { value, status } = await commands.get(tenant, id);
    return c.json(value, 200, { ...headers, 'cache-status': originCacheStatus(status) });
  });

  const update = createRoute({
    method: 'patch',
    path: '/v1/{tenant}/projects/{id}',
    tags: ['projects'],
    security: BEARER,
    middleware: [...guardId, limitBody],
    request: { params: projectParams, body: body(ProjectPatchSchema) },
    responses: { 200: json(ProjectSchema, 'The changed project'), ...ERRORS_WITH_BODY },
  });
  router.openapi(update, async (c) => {
    const { tenant, id } = c.req.valid('param');
    return c.json(await commands.update(tenant, id, c.req.valid('json')), 200, headers);
  });

  const remove = createRoute({
    method: 'delete',
    path: '/v1/{tenant}/projects/{id}',
    tags: ['projects'],
    security: BEARER,
    middleware: [...guardId],
    request: { params: projectParams },
    responses: { 204: { description: 'Deleted' }, ...AUTHENTICATED_ERRORS },
  });
  router.openapi(remove, async (c) => {
    const { tenant, id } = c.req.valid('param');
    await commands.delete(tenant, id);
    return c.body(null, 204, headers);
  });

  return router;
}
