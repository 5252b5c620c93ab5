/**
 * The base of the origin's JSON API routers: an `OpenAPIHono` whose zod validation failures
 * answer 400 `invalid_request` naming the first problem, and a body size limit for request
 * bodies. Malformed JSON and wrong media types are the app's `onError`'s (`errors.ts`): a router
 * with an error handler of its own would wrap every one of its handlers in another dispatch.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { API_MAX_BODY_BYTES } from '../../common/api-limits.ts';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';

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

/** A router whose request schemas answer 400 `invalid_request` naming the first problem. */
export function apiRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new HttpError(400, ERROR_CODES.invalidRequest, `${result.target}: ${where}${issue?.message ?? 'invalid'}`);
    },
  });
}
