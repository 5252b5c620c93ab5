/**
 * Only the API (`/v1/…`) reaches the origin through the edge, besides the edge's own
 * `/_strata/…` routes. The origin's internals — `/health` (which runs Redis and database
 * commands and names failing nodes), `/metrics`, `/openapi.json` — are for operators, and a
 * client could otherwise call them anonymously and without limit.
 */
import type { Context, Next } from 'hono';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import type { EdgeEnv } from '../env.ts';

const API_PREFIX = '/v1/';

/** Middleware: a 404 for any path outside the API, before anything reaches the origin. */
export async function apiOnly(c: Context<EdgeEnv>, next: Next): Promise<void> {
  // The path as it will be forwarded, undecoded: what does not literally start with `/v1/` is
  // refused, however it might decode further along.
  const { pathname } = new URL(c.req.url);
  if (!pathname.startsWith(API_PREFIX)) throw new HttpError(404, ERROR_CODES.notFound, `no route for ${pathname}: the edge serves /v1/…`);
  await next();
}
