/**
 * OpenAPI pieces the project and config routers share: path parameters and error responses
 * (the error body schema is the one the session routes register as `Error`).
 */
import { z } from '@hono/zod-openapi';
import { RESOURCE_ID_PATTERN, TENANT_ID_PATTERN } from '../../common/ids.ts';
import { ErrorSchema } from '../sessions/schemas.ts';

/** `{tenant}` in a path. */
export const TenantParam = z
  .string()
  .regex(TENANT_ID_PATTERN)
  .openapi({ param: { name: 'tenant', in: 'path' }, example: 'acme' });

/** `{id}` in a path: a lowercase UUID. */
export const IdParam = z
  .string()
  .regex(RESOURCE_ID_PATTERN)
  .openapi({ param: { name: 'id', in: 'path' }, example: '1a000000-0000-4000-8000-000000000001' });

/** An error response of the given meaning. */
export function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: ErrorSchema } } };
}

/** The usual error responses of an authenticated route. */
export const AUTHENTICATED_ERRORS = {
  400: errorResponse('Malformed tenant, id or body (`invalid_tenant`, `invalid_id`, `invalid_request`)'),
  401: errorResponse('Missing, expired or forged bearer token'),
  403: errorResponse('The token belongs to another tenant'),
  404: errorResponse('Unknown tenant or resource'),
} as const;

/** `Authorization: Bearer <token>` as an OpenAPI security requirement. */
export const BEARER = [{ bearer: [] }];
