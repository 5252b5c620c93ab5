/**
 * Authorization by the user's current roles. A session records who signed in, not what they may
 * do: roles are read through the profile cache (`user:{tenant}:{id}`), which every change drops,
 * so a demotion takes effect on the caller's next request instead of when the session ends.
 */
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import type { Session } from './interface.ts';
import type { UserDirectory } from '../users/service.ts';
import type { AuthEnv } from './auth.ts';

/** True when the session's user has the `admin` role now. */
export async function isAdmin(users: UserDirectory, session: Session): Promise<boolean> {
  return (await users.rolesOf(session.tenant, session.userId)).includes('admin');
}

/** Middleware after `requireSession`: 403 `forbidden` unless the caller is an admin of the tenant. */
export function requireAdmin(users: UserDirectory): MiddlewareHandler<AuthEnv> {
  return async function requireAdmin(c, next) {
    if (!(await isAdmin(users, c.get('session')))) {
      throw new HttpError(403, ERROR_CODES.forbidden, 'only an admin of the tenant may do this');
    }
    await next();
  };
}

/** Throws 403 `forbidden` unless the session's user is `userId` or an admin. */
export async function assertSelfOrAdmin(users: UserDirectory, session: Session, userId: string): Promise<void> {
  if (session.userId !== userId && !(await isAdmin(users, session))) {
    throw new HttpError(403, ERROR_CODES.forbidden, 'only the user or an admin may change this user');
  }
}
