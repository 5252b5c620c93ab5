/**
 * `POST /v1/{tenant}/sessions` (sign in), `GET` and `DELETE /v1/{tenant}/sessions/current`.
 * Tokens are bearer tokens (RFC 6750); the store keeps only their SHA-256.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { validTenant } from '../../common/params.ts';
import type { SessionStore } from './store.ts';
import { apiRouter, limitBody, PRIVATE_NO_STORE } from '../http/api-router.ts';
import type { UserDirectory } from '../users/service.ts';
import { requireSession, type AuthEnv } from './auth.ts';
import { beginPasswordAttempt } from './login-guard.ts';
import type { LoginLimiter } from './login-limits.ts';
import { ErrorSchema, TenantParams } from './schemas.ts';

const Credentials = z
  .object({
    email: z.string().min(3).max(254).openapi({ example: 'alice@acme.test' }),
    password: z.string().min(1).max(1024),
  })
  .strict()
  .openapi('Credentials');

const IssuedSession = z.object({ token: z.string(), expiresAt: z.string() }).openapi('IssuedSession');

const CurrentSession = z
  .object({ tenant: z.string(), userId: z.string(), roles: z.array(z.string()), createdAt: z.string(), lastAccess: z.string(), expiresAt: z.string() })
  .openapi('Session');

const errors = {
  400: { description: 'Malformed request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing, invalid or expired credentials', content: { 'application/json': { schema: ErrorSchema } } },
};
const limited = {
  429: { description: 'Too many failed password attempts (`rate_limited`, with `Retry-After`)', content: { 'application/json': { schema: ErrorSchema } } },
};

const signIn = createRoute({
  method: 'post',
  path: '/v1/{tenant}/sessions',
  tags: ['sessions'],
  middleware: [validTenant, limitBody] as const,
  request: { params: TenantParams, body: { required: true, content: { 'application/json': { schema: Credentials } } } },
  responses: { 201: { description: 'Signed in', content: { 'application/json': { schema: IssuedSession } } }, ...errors, ...limited },
});

const current = createRoute({
  method: 'get',
  path: '/v1/{tenant}/sessions/current',
  tags: ['sessions'],
  security: [{ bearer: [] }],
  request: { params: TenantParams },
  responses: { 200: { description: 'The session of the token', content: { 'application/json': { schema: CurrentSession } } }, ...errors },
});

const signOut = createRoute({
  method: 'delete',
  path: '/v1/{tenant}/sessions/current',
  tags: ['sessions'],
  security: [{ bearer: [] }],
  request: { params: TenantParams },
  responses: { 204: { description: 'Signed out' }, ...errors },
});

const iso = (ms: number) => new Date(ms).toISOString();

/** The session routes over the session store, the user directory and the login limits. */
export function sessionRoutes(services: { sessions: SessionStore; users: UserDirectory; loginLimits: LoginLimiter }): OpenAPIHono<AuthEnv> {
  const { sessions, users, loginLimits } = services;
  const router = apiRouter<AuthEnv>();
  const authenticated = requireSession(sessions);
  router.use('/v1/:tenant/sessions/current', validTenant, authenticated);

  router.openapi(signIn, async (c) => {
    const { tenant } = c.req.valid('param');
    const { email, password } = c.req.valid('json');
    if (!(await users.tenantExists(tenant))) throw new HttpError(404, ERROR_CODES.tenantNotFound, `tenant ${tenant} does not exist`);
    const attempt = await beginPasswordAttempt(c, loginLimits, tenant, email);
    const user = await users.authenticate(tenant, email, password);
    if (!user) throw new HttpError(401, ERROR_CODES.invalidCredentials, 'email or password is wrong');
    await attempt.succeeded();
    const { token, session } = await sessions.create(tenant, user.id);
    return c.json({ token, expiresAt: iso(session.expiresAt) }, 201, { 'cache-control': PRIVATE_NO_STORE });
  });

  router.openapi(current, async (c) => {
    const session = c.get('session');
    const { tenant, userId } = session;
    // The roles that authorize requests now, not those the user had at sign-in.
    const roles = [...(await users.rolesOf(tenant, userId))];
    return c.json({ tenant, userId, roles, createdAt: iso(session.createdAt), lastAccess: iso(session.lastAccess), expiresAt: iso(session.expiresAt) }, 200);
  });

  router.openapi(signOut, async (c) => {
    await sessions.delete(c.req.valid('param').tenant, c.get('token'));
    return c.body(null, 204);
  });

  return router;
}
