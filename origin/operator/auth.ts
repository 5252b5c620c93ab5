/**
 * The operator API's credential: `Authorization: Bearer <OPERATOR_TOKEN>`, compared in constant
 * time (SHA-256 of both sides, then `timingSafeEqual`, so lengths leak nothing either).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Refuses, with 401 `unauthorized`, any request without the operator token. */
export function requireOperator(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      c.header('www-authenticate', 'Bearer realm="strata-operator"');
      throw new HttpError(401, ERROR_CODES.unauthorized, 'the operator API needs the operator token (Authorization: Bearer …)');
    }
    await next();
  };
}
