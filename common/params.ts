/**
 * Path parameter checks shared by the edge and the origin, as Hono middleware (Hono runs on
 * both platforms). They run before any handler, so a malformed tenant or id is refused with
 * the same code and message everywhere and never reaches a cache key or a query.
 */
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES, HttpError } from './errors.ts';
import { isResourceId, isTenantId } from './ids.ts';

/** Rejects a malformed `:tenant` path parameter with 400 `invalid_tenant`. */
export const validTenant: MiddlewareHandler = async function validTenant(c, next) {
  const tenant = c.req.param('tenant');
  if (tenant === undefined || !isTenantId(tenant)) {
    throw new HttpError(400, ERROR_CODES.invalidTenant, 'tenant must match [a-z0-9][a-z0-9-]{0,62}');
  }
  await next();
};

/** Rejects a malformed `:id` path parameter with 400 `invalid_id`. */
export const validId: MiddlewareHandler = async function validId(c, next) {
  const id = c.req.param('id');
  if (id === undefined || !isResourceId(id)) {
    throw new HttpError(400, ERROR_CODES.invalidId, 'id must be a lowercase UUID');
  }
  await next();
};
