/**
 * Edge error answers, in the origin's `{ error: { code, message, requestId } }` shape. Errors the
 * edge makes are never cached and say so in `Cache-Status`.
 */
import type { Context } from 'hono';
import { ERROR_CODES, errorBody, HttpError } from '../../common/errors.ts';
import { appendCacheStatus, bypassStatus } from '../cache/status.ts';
import type { EdgeEnv } from '../env.ts';
import { log } from '../log.ts';

/** `app.onError` for the Worker. */
export function onError(error: Error, c: Context<EdgeEnv>): Response {
  const requestId = c.get('requestId') ?? 'unknown';
  const known = error instanceof HttpError;
  if (!known || error.status >= 500) {
    log('error', 'edge error', { requestId, error: String(error.stack ?? error), cause: String(error.cause ?? '') });
  }
  const body = known ? errorBody(error.code, error.message, requestId) : errorBody(ERROR_CODES.internal, 'internal error', requestId);
  const response = c.json(body, known ? error.status : 500, { 'cache-control': 'no-store' });
  appendCacheStatus(response.headers, bypassStatus());
  return response;
}
