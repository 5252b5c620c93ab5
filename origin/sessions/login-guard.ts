/**
 * The HTTP side of the login limits: the attempt's account and client address, and the 429
 * `rate_limited` answer with `Retry-After` (RFC 9110 §10.2.3, in seconds) when a limit is spent.
 */
import type { Context } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { addressKey, clientAddress } from '../http/client-address.ts';
import type { LoginLimiter } from './login-limits.ts';

/** Reserves a password attempt on `email` in `tenant`, or throws 429 before any password work. */
export async function beginPasswordAttempt(c: Context, limits: LoginLimiter, tenant: string, email: string): Promise<{ succeeded(): Promise<void> }> {
  const attempt = await limits.begin(tenant, email, addressKey(clientAddress(c)));
  if (attempt.allowed) return attempt;
  const seconds = Math.ceil(attempt.retryAfterMs / 1000);
  c.header('retry-after', String(seconds));
  throw new HttpError(429, ERROR_CODES.rateLimited, `too many failed password attempts; retry in ${seconds} s`);
}
