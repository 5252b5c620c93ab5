/**
 * The single place that turns errors into HTTP answers: `{ error: { code, message, requestId } }`
 * (docs/architecture.md, "What the caches say"). Typed `HttpError`s keep their status and code; anything else is a logged 500.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ERROR_CODES, errorBody, HttpError } from '../../common/errors.ts';
import { log } from '../log.ts';

const NO_STORE = { 'cache-control': 'no-store' };

function requestIdOf(c: Context): string {
  return (c.get('requestId') as string | undefined) ?? 'unknown';
}

/** `app.onError`. */
export function onError(error: Error, c: Context): Response {
  const requestId = requestIdOf(c);
  if (error instanceof HttpError) return c.json(errorBody(error.code, error.message, requestId), error.status, NO_STORE);
  if (error instanceof HTTPException && error.status < 500) {
    const code = error.status === 405 ? ERROR_CODES.methodNotAllowed : ERROR_CODES.notFound;
    return c.json(errorBody(code, error.message, requestId), error.status, NO_STORE);
  }
  log.error('unhandled error', { requestId, error: String(error?.stack ?? error) });
  return c.json(errorBody(ERROR_CODES.internal, 'internal error', requestId), 500, NO_STORE);
}

/** `app.notFound`: a JSON 404 for unknown routes. */
export function onNotFound(c: Context): Response {
  return c.json(errorBody(ERROR_CODES.notFound, `no route for ${c.req.method} ${c.req.path}`, requestIdOf(c)), 404, NO_STORE);
}
