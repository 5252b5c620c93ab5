/**
 * The operator API's credential: `Authorization: Bearer <token>`, compared in constant time
 * (SHA-256 of both sides, then `timingSafeEqual`, so lengths leak nothing either). The token is
 * `OPERATOR_TOKEN`, or deployed the secret `OPERATOR_TOKEN_SECRET_ARN` names, read per request
 * through the secrets cache so a rotated token is the one compared once the max age has passed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';

/** The token itself, or a reader of its current value (a Secrets Manager secret that may rotate). */
export type OperatorToken = string | (() => Promise<string>);

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Refuses, with 401 `unauthorized`, any request without the operator token. */
export function requireOperator(token: OperatorToken): MiddlewareHandler {
  const fixed = typeof token === 'string' ? digest(token) : undefined;
  const expected = async () => fixed ?? digest(await (token as () => Promise<string>)());
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), await expected())) {
      c.header('www-authenticate', 'Bearer realm="strata-operator"');
      throw new HttpError(401, ERROR_CODES.unauthorized, 'the operator API needs the operator token (Authorization: Bearer …)');
    }
    await next();
  };
}
