/**
 * The single place that turns errors into HTTP answers: `{ error: { code, message, requestId } }`
 * (docs/architecture.md, "What the caches say"). Typed `HttpError`s keep their status and code; a database that cannot be
 * reached is a 503 `database_unavailable`; anything else is a logged 500.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ERROR_CODES, errorBody, HttpError, type ErrorCode } from '../../common/errors.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { log } from '../log.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** Hono's own refusals: the validator's malformed JSON, a method the route does not take, the route's media type gate. */
const HTTP_EXCEPTIONS: Partial<Record<number, { code: ErrorCode; message?: string }>> = {
  400: { code: ERROR_CODES.invalidRequest },
  405: { code: ERROR_CODES.methodNotAllowed },
  415: { code: ERROR_CODES.unsupportedMediaType, message: 'request body must be application/json' },
};

function requestIdOf(c: Context): string {
  return (c.get('requestId') as string | undefined) ?? 'unknown';
}

/** `app.onError`. */
export function onError(error: Error, c: Context): Response {
  const requestId = requestIdOf(c);
  if (error instanceof HttpError) return c.json(errorBody(error.code, error.message, requestId), error.status, NO_STORE);
  if (error instanceof HTTPException && error.status < 500) {
    const known = HTTP_EXCEPTIONS[error.status];
    return c.json(errorBody(known?.code ?? ERROR_CODES.notFound, known?.message ?? error.message, requestId), error.status, NO_STORE);
  }
  if (isDatabaseUnavailable(error)) {
    // Nothing to fix in the request: the client may retry once the database is back.
    log.warn('database unavailable', { requestId, error: String(error) });
    return c.json(errorBody(ERROR_CODES.databaseUnavailable, 'the database is unavailable; retry later', requestId), 503, { ...NO_STORE, 'retry-after': '5' });
  }
  log.error('unhandled error', { requestId, error: String(error?.stack ?? error) });
  return c.json(errorBody(ERROR_CODES.internal, 'internal error', requestId), 500, NO_STORE);
}

/** `app.notFound`: a JSON 404 for unknown routes. */
export function onNotFound(c: Context): Response {
  return c.json(errorBody(ERROR_CODES.notFound, `no route for ${c.req.method} ${c.req.path}`, requestIdOf(c)), 404, NO_STORE);
}
