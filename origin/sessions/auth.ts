/**
 * Bearer authentication (RFC 6750): resolves `Authorization: Bearer <token>` to a live session of
 * the path's tenant through the session store and puts it in the context. A missing, forged,
 * expired or other-tenant token is 401 with a `WWW-Authenticate` challenge (RFC 6750 §3). An
 * authenticated response names the tenant in `SESSION_TENANT_HEADER`: the edge charges the
 * tenant's quota only for those.
 */
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { SESSION_TENANT_HEADER } from '../../common/session-tenant.ts';
import type { Session } from './interface.ts';
import type { SessionStore } from './store.ts';
import { PRIVATE_NO_STORE } from '../http/api-router.ts';

/** Context variables set for authenticated requests. */
export interface AuthEnv {
  Variables: { session: Session; token: string };
}

// RFC 6750 §2.1: b64token; ours are 64 base64url characters, longer input is refused unread.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,512}=*) *$/i;

/** Middleware: requires a live session of `:tenant`; every response it covers is `private, no-store`. */
export function requireSession(sessions: SessionStore): MiddlewareHandler<AuthEnv> {
  return async function requireSession(c, next) {
    const tenant = c.req.param('tenant');
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    const found = tenant && token ? await sessions.get(tenant, token) : undefined;
    if (!found || !token) {
      c.header('www-authenticate', 'Bearer realm="strata"');
      const message = token ? 'the token is invalid, expired or not valid for this tenant' : 'a bearer token is required';
      throw new HttpError(401, ERROR_CODES.unauthorized, message);
    }
    c.set('session', found.session);
    c.set('token', token);
    // Tells the edge this request is the tenant's own traffic, whatever the route answers next.
    c.header(SESSION_TENANT_HEADER, found.session.tenant);
    await next();
    c.header('cache-control', PRIVATE_NO_STORE);
  };
}
