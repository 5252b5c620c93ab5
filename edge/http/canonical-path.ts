/**
 * Percent-encoding normalisation of the request path (RFC 3986 §6.2.2), applied before routing:
 * `/v1/acme/%70ublic/projects` and `/v1/acme/public/projects` name the same resource, so they
 * must reach the same route, cache key, rate limits and origin path. Without it an encoded
 * variant matched no cached route (the route patterns and the cache key compare encoded text)
 * and went to the origin uncached every time, a way around the cache for anyone.
 */
import type { MiddlewareHandler } from 'hono';
import type { EdgeEnv } from '../env.ts';

// RFC 3986 §2.3: unreserved characters mean the same encoded or not.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;

/**
 * `pathname` in normal form: percent-encoded unreserved characters decoded (§6.2.2.2), every other
 * escape upper-cased (§6.2.2.1); anything else is left as it is.
 */
export function canonicalPathname(pathname: string): string {
  if (!pathname.includes('%')) return pathname;
  return pathname.replace(ESCAPE, (escape, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

/** `request` with its path in normal form, or `request` itself when it already is. */
export function canonicalRequest(request: Request): Request {
  if (!request.url.includes('%')) return request; // the common case, without parsing the URL
  const url = new URL(request.url);
  const pathname = canonicalPathname(url.pathname);
  if (pathname === url.pathname) return request;
  // The URL setter parses the path again, so dot segments that decoding revealed are removed
  // (§6.2.2.3) and nothing can climb out of the path it was written under.
  url.pathname = pathname;
  return new Request(url.href, request);
}

/**
 * Middleware that runs first: a request whose path is not in normal form is dispatched again by
 * `app` with the normalised path, so routing and everything after it only see normal paths.
 */
export function canonicalPath(app: {
  fetch: (request: Request, env: EdgeEnv['Bindings'], ctx: ExecutionContext) => Response | Promise<Response>;
}): MiddlewareHandler<EdgeEnv> {
  return async function canonicalPath(c, next) {
    const request = canonicalRequest(c.req.raw);
    if (request === c.req.raw) return next();
    return app.fetch(request, c.env, c.executionCtx as ExecutionContext);
  };
}
