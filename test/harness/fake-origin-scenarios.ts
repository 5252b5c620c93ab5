/**
 * The fake origin's behaviours for the edge cache tests, chosen by the tenant's prefix so every
 * test can use a fresh tenant. `hits` is how many times the origin served that path before.
 */
import type { IncomingMessage } from 'node:http';

/** What the fake origin answers for one request. */
export interface Scenario {
  status: number;
  headers: Record<string, string>;
  delayMs: number;
  /** Extra fields for the JSON body. */
  body: Record<string, unknown>;
}

const FIXED_LAST_MODIFIED = new Date(Date.now() - 10 * 24 * 3600_000).toUTCString();

/** The answer for `tenant`'s public route on its `hits`-th request. */
export function scenarioFor(tenant: string, id: string | undefined, request: IncomingMessage, hits: number): Scenario {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'public, max-age=30, s-maxage=60',
    etag: `"${tenant}-${hits}"`,
    date: new Date().toUTCString(),
    'cache-status': 'fake-origin; fwd=miss',
    'x-strata-cache-tags': `tenant:${tenant},projects${id ? `,project:${id}` : ''}`,
  };
  // Like the origin's request-id middleware: the id the edge sent comes back on the response.
  const requestId = request.headers['x-request-id'];
  if (typeof requestId === 'string') headers['x-request-id'] = requestId;
  const s: Scenario = { status: 200, headers, delayMs: 0, body: {} };
  const prefix = tenant.split('-')[0];
  switch (prefix) {
    case 'nostore':
      headers['cache-control'] = 'no-store';
      break;
    case 'private':
      headers['cache-control'] = 'private, max-age=60';
      break;
    case 'cookie':
      headers['set-cookie'] = 'sid=secret; HttpOnly';
      break;
    case 'short':
      headers['cache-control'] = 'public, s-maxage=1';
      break;
    case 'err':
      s.status = 500;
      break;
    case 'gone':
      s.status = 404;
      break;
    case 'slow':
      s.delayMs = 2000;
      break;
    case 'slowish':
      s.delayMs = 300;
      break;
    // max-age only: storable, but not for requests with credentials (RFC 9111 §3.5).
    case 'maxage':
      headers['cache-control'] = 'max-age=60';
      break;
    case 'swr':
      headers['cache-control'] = 'public, s-maxage=1, stale-while-revalidate=30';
      break;
    // Fresh for a second, then usable for a minute if the origin fails; it fails after the first answer.
    case 'sie':
      headers['cache-control'] = 'public, s-maxage=1, stale-if-error=60';
      if (hits > 1) s.status = 503;
      break;
    // Validators and a one-second (`etaglong`: one-hour) lifetime; 304 to a matching If-None-Match.
    case 'etag':
    case 'etaglong': {
      headers['cache-control'] = prefix === 'etag' ? 'public, s-maxage=1' : 'public, s-maxage=3600';
      headers.etag = `"${tenant}-v1"`;
      headers['x-revalidated'] = String(hits);
      if (request.headers['if-none-match'] === headers.etag) s.status = 304;
      break;
    }
    case 'vary':
      headers.vary = 'Accept-Language';
      s.body.language = request.headers['accept-language'] ?? null;
      break;
    case 'lastmod':
      headers['cache-control'] = '';
      headers['last-modified'] = FIXED_LAST_MODIFIED;
      break;
    case 'nofresh':
      headers['cache-control'] = '';
      break;
    case 'varystar':
      headers.vary = '*';
      break;
    case 'errcache':
      s.status = 404;
      headers['cache-control'] = 'public, s-maxage=60';
      break;
  }
  if (headers['cache-control'] === '') delete headers['cache-control'];
  return s;
}
