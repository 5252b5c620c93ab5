/**
 * The API's body limit, enforced at the edge: a request body over API_MAX_BODY_BYTES is refused
 * with 413 `payload_too_large` here, by its declared `Content-Length` or, for a chunked body, by
 * counting it as it arrives, and never forwarded. Left to the origin, a large body raced the
 * origin's own 413: the origin closes the connection while the edge is still sending, and the
 * client got 502 `origin_unavailable` instead (docs/security-testing.md).
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { API_MAX_BODY_BYTES } from '../../common/api-limits.ts';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import type { EdgeEnv } from '../env.ts';

/** Refuses API request bodies larger than the origin reads. */
export function apiBodyLimit(): MiddlewareHandler<EdgeEnv> {
  return bodyLimit({
    maxSize: API_MAX_BODY_BYTES,
    onError: () => {
      throw new HttpError(413, ERROR_CODES.payloadTooLarge, `request body exceeds ${API_MAX_BODY_BYTES} bytes`);
    },
  });
}
