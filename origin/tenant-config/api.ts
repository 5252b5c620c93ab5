/**
 * `GET|PUT /v1/{tenant}/config/{type}`. Reading `limits` needs no session: the edge's rate
 * limiter asks for `api_calls_per_hour` without one (edge/ratelimit/tenant-limit.ts). Every
 * other read needs a session of the tenant, and every write an admin's. Nothing here is
 * shared-cacheable.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { validTenant } from '../../common/params.ts';
import { originCacheStatus } from '../http/cache-headers.ts';
import { AUTHENTICATED_ERRORS, BEARER, errorResponse, TenantParam } from '../http/schemas.ts';
import { apiRouter, limitBody, PRIVATE_NO_STORE } from '../http/api-router.ts';
import type { AuthEnv } from '../sessions/auth.ts';
import { CONFIG_TYPES, type ConfigType, type TenantConfig } from './service.ts';

const NO_STORE = { 'cache-control': PRIVATE_NO_STORE };

/** `limits`: `api_calls_per_hour` is required; other keys are kept. */
export const LimitsSchema = z.looseObject({ api_calls_per_hour: z.number().int().positive().max(1_000_000_000) }).openapi('Limits');

/** `app_settings`: any JSON object. */
export const AppSettingsSchema = z.record(z.string(), z.unknown()).openapi('AppSettings');

const DocumentSchema = z.union([LimitsSchema, AppSettingsSchema]).openapi('ConfigDocument');
const params = z.object({
  tenant: TenantParam,
  type: z.enum(CONFIG_TYPES).openapi({ param: { name: 'type', in: 'path' }, example: 'limits' }),
});
const json = (description: string) => ({ description, content: { 'application/json': { schema: DocumentSchema } } });

/**
 * The config router; `authenticate` must refuse requests without a session of `{tenant}`, and
 * `authorize` (after it) those whose user is not an admin of the tenant: configuration is
 * tenant-wide (the hourly limit the edge enforces, the settings every member reads).
 */
export function tenantConfigRoutes(config: TenantConfig, authenticate: MiddlewareHandler, authorize: MiddlewareHandler<AuthEnv>) {
  const router = apiRouter<AuthEnv>();
  // Only `limits` is readable without a session.
  const readGuard: MiddlewareHandler = async function readGuard(c, next) {
    if (c.req.param('type') === 'limits') return next();
    return authenticate(c, next);
  };

  const read = createRoute({
    method: 'get',
    path: '/v1/{tenant}/config/{type}',
    tags: ['config'],
    middleware: [validTenant, readGuard] as const,
    description: '`limits` is public (the edge rate limiter reads it); other types need a session.',
    request: { params },
    responses: { 200: json('The document'), ...AUTHENTICATED_ERRORS },
  });
  router.openapi(read, async (c) => {
    const { tenant, type } = c.req.valid('param');
    const { value, status } = await config.get(tenant, type);
    return c.json(value, 200, { ...NO_STORE, 'cache-status': originCacheStatus(status) });
  });

  const write = createRoute({
    method: 'put',
    path: '/v1/{tenant}/config/{type}',
    tags: ['config'],
    security: BEARER,
    middleware: [validTenant, authenticate, authorize, limitBody] as const,
    description: 'Admins only (403 `forbidden` otherwise); each change is recorded in the audit log.',
    request: { params, body: { required: true, content: { 'application/json': { schema: DocumentSchema } } } },
    responses: {
      200: json('The stored document'),
      ...AUTHENTICATED_ERRORS,
      403: errorResponse('Not an admin of the tenant'),
      413: errorResponse('Body too large'),
    },
  });
  router.openapi(write, async (c) => {
    const { tenant, type } = c.req.valid('param');
    const parsed = (type === 'limits' ? LimitsSchema : AppSettingsSchema).safeParse(c.req.valid('json'));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, ERROR_CODES.invalidRequest, `json: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const actor = c.get('session').userId;
    const stored = await config.put(tenant, type as ConfigType, parsed.data as Record<string, unknown>, actor);
    return c.json(stored, 200, NO_STORE);
  });

  return router;
}
