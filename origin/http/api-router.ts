/**
 * The base of the origin's JSON API routers: an `OpenAPIHono` whose zod validation failures,
 * malformed JSON and wrong media types answer 4xx with a stable code (the app's `onError`
 * alone would call them `not_found`), and a body size limit for request bodies.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { API_MAX_BODY_BYTES } from '../../common/api-limits.ts';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { onError } from './errors.ts';

/** What authenticated responses say to every cache (docs/architecture.md, "An authenticated read"). */
export const PRIVATE_NO_STORE = 'private, no-store';

/** The largest JSON body the API reads (the edge refuses larger ones before they get here). */
export const MAX_BODY_BYTES = API_MAX_BODY_BYTES;

/** Refuses bodies over `MAX_BODY_BYTES` with 413 `payload_too_large`, before they are parsed. */
export const limitBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new HttpError(413, ERROR_CODES.payloadTooLarge, `request body exceeds ${MAX_BODY_BYTES} bytes`);
  },
});

/** Turns the validator's own exceptions into the API's error codes, then answers as the app does. */
function apiError(error: Error, c: Parameters<typeof onError>[1]): Response {
  if (error instanceof HTTPException && error.status === 400) {
    return onError(new HttpError(400, ERROR_CODES.invalidRequest, error.message, { cause: error }), c);
  }
  if (error instanceof HTTPException && error.status === 415) {
    return onError(new HttpError(415, ERROR_CODES.unsupportedMediaType, 'request body must be application/json', { cause: error }), c);
  }
  return onError(error, c);
}

/** A router whose request schemas answer 400 `invalid_request` naming the first problem. */
export function apiRouter<E extends Env>(): OpenAPIHono<E> {
  const router = new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new HttpError(400, ERROR_CODES.invalidRequest, `${result.target}: ${where}${issue?.message ?? 'invalid'}`);
    },
  });
  router.onError(apiError);
  return router;
}
