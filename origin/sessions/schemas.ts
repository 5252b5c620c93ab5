/**
 * Request and response schemas the session and user routes share (zod, with OpenAPI metadata).
 */
import { z } from '@hono/zod-openapi';
import { RESOURCE_ID_PATTERN, TENANT_ID_PATTERN } from '../../common/ids.ts';

/** `{tenant}` in the path. */
export const TenantParams = z.object({
  tenant: z
    .string()
    .regex(TENANT_ID_PATTERN)
    .openapi({ param: { name: 'tenant', in: 'path' }, example: 'acme' }),
});

/** `{tenant}` and a user `{id}` in the path. */
export const UserParams = TenantParams.extend({
  id: z
    .string()
    .regex(RESOURCE_ID_PATTERN)
    .openapi({ param: { name: 'id', in: 'path' }, example: '0a000000-0000-4000-8000-000000000001' }),
});

/** The error body every route answers with. */
export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }) }).openapi('Error');
