/**
 * `GET /v1/{tenant}/me`, `GET /v1/{tenant}/users`, `GET|PATCH /v1/{tenant}/users/{id}` and
 * `POST /v1/{tenant}/users/{id}/password`. Every route needs a session of the path's tenant;
 * changes are for the user itself or an admin.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { validId, validTenant } from '../../common/params.ts';
import type { SessionStore } from '../sessions/store.ts';
import { apiRouter, limitBody } from '../http/api-router.ts';
import { originCacheStatus } from '../http/cache-headers.ts';
import { requireSession, type AuthEnv } from '../sessions/auth.ts';
import { assertSelfOrAdmin, isAdmin } from '../sessions/authorize.ts';
import { ErrorSchema, TenantParams, UserParams } from '../sessions/schemas.ts';
import { beginPasswordAttempt } from '../sessions/login-guard.ts';
import type { LoginLimiter } from '../sessions/login-limits.ts';
import type { UserDirectory } from './service.ts';

const User = z
  .object({ id: z.string(), email: z.string(), name: z.string(), roles: z.array(z.string()), createdAt: z.string(), updatedAt: z.string() })
  .openapi('User');
const UserPage = z.object({ data: z.array(User), nextCursor: z.string().nullable() }).openapi('UserPage');
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().min(1).max(512).optional() }).strict();
// Role names are lowercase words; only `admin` means anything to the API today.
const Role = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/);
const UserChange = z
  .object({
    name: z.string().trim().min(1).max(200),
    roles: z
      .array(Role)
      .max(16)
      .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat')
      .openapi({ description: 'Admins only; replaces every role of the user' }),
  })
  .partial()
  .strict()
  .refine((change) => Object.keys(change).length > 0, 'at least one field is required')
  .openapi('UserChange');
const PasswordChange = z
  .object({
    currentPassword: z.string().min(1).max(1024).openapi({ description: "The caller's own password (an admin gives theirs)" }),
    newPassword: z.string().min(12).max(1024),
  })
  .strict()
  .openapi('PasswordChange');

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorSchema, 'Malformed request'),
  401: json(ErrorSchema, 'No valid session for this tenant'),
  404: json(ErrorSchema, 'No such user'),
};
const base = { tags: ['users'], security: [{ bearer: [] }] };

const me = createRoute({
  ...base,
  method: 'get',
  path: '/v1/{tenant}/me',
  request: { params: TenantParams },
  responses: { 200: json(User, 'The signed-in user'), ...errors },
});
const list = createRoute({
  ...base,
  method: 'get',
  path: '/v1/{tenant}/users',
  request: { params: TenantParams, query: ListQuery },
  responses: { 200: json(UserPage, 'A page of users, oldest first'), ...errors },
});
const read = createRoute({
  ...base,
  method: 'get',
  path: '/v1/{tenant}/users/{id}',
  request: { params: UserParams },
  responses: { 200: json(User, 'The user'), ...errors },
});
const change = createRoute({
  ...base,
  method: 'patch',
  path: '/v1/{tenant}/users/{id}',
  middleware: [limitBody] as const,
  request: { params: UserParams, body: { required: true, content: { 'application/json': { schema: UserChange } } } },
  responses: { 200: json(User, 'The changed user'), 403: json(ErrorSchema, 'Not this user and not an admin; roles: not an admin'), ...errors },
});
const password = createRoute({
  ...base,
  method: 'post',
  path: '/v1/{tenant}/users/{id}/password',
  middleware: [limitBody] as const,
  request: { params: UserParams, body: { required: true, content: { 'application/json': { schema: PasswordChange } } } },
  responses: {
    204: { description: 'Changed; every session of the user has ended' },
    403: json(ErrorSchema, 'Not this user and not an admin'),
    429: json(ErrorSchema, 'Too many failed password attempts (`rate_limited`, with `Retry-After`)'),
    ...errors,
  },
});

/** The user routes over the user directory and the session store. */
export function userRoutes(services: { sessions: SessionStore; users: UserDirectory; loginLimits: LoginLimiter }): OpenAPIHono<AuthEnv> {
  const { sessions, users, loginLimits } = services;
  const router = apiRouter<AuthEnv>();
  const authenticated = requireSession(sessions);
  for (const path of ['/v1/:tenant/me', '/v1/:tenant/users']) router.use(path, validTenant, authenticated);
  for (const path of ['/v1/:tenant/users/:id', '/v1/:tenant/users/:id/password']) router.use(path, validTenant, authenticated, validId);

  router.openapi(me, async (c) => {
    const { value, status } = await users.get(c.req.valid('param').tenant, c.get('session').userId);
    return c.json(value, 200, { 'cache-status': originCacheStatus(status) });
  });

  router.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await users.list(c.req.valid('param').tenant, limit, cursor), 200);
  });

  router.openapi(read, async (c) => {
    const { tenant, id } = c.req.valid('param');
    const { value, status } = await users.get(tenant, id);
    return c.json(value, 200, { 'cache-status': originCacheStatus(status) });
  });

  router.openapi(change, async (c) => {
    const { tenant, id } = c.req.valid('param');
    const session = c.get('session');
    const changes = c.req.valid('json');
    // Roles are privileges: nobody grants them to themselves.
    if (changes.roles !== undefined && !(await isAdmin(users, session))) {
      throw new HttpError(403, ERROR_CODES.forbidden, 'only an admin may change roles');
    }
    await assertSelfOrAdmin(users, session, id);
    return c.json(await users.update(tenant, id, changes, session.userId), 200);
  });

  router.openapi(password, async (c) => {
    const { tenant, id } = c.req.valid('param');
    const session = c.get('session');
    await assertSelfOrAdmin(users, session, id);
    const { currentPassword, newPassword } = c.req.valid('json');
    // The caller's password is checked: the same brakes as a sign-in of that account.
    const caller = (await users.get(tenant, session.userId)).value;
    const attempt = await beginPasswordAttempt(c, loginLimits, tenant, caller.email);
    if (!(await users.checkPassword(tenant, session.userId, currentPassword))) {
      throw new HttpError(403, ERROR_CODES.invalidCredentials, 'the current password is wrong');
    }
    await attempt.succeeded();
    await users.setPassword(tenant, id, newPassword);
    await sessions.deleteAllForUser(tenant, id);
    return c.body(null, 204);
  });

  return router;
}
