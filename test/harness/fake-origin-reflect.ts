/**
 * A reflecting origin for the edge's isolation tests: `GET /v1/{tenant}/reflect/…` answers with
 * everything an origin could base its answer on — the tenant, the raw path and query exactly as
 * they arrived, and the host and forwarding headers that cache poisoning abuses — so two
 * requests get the same body exactly when the origin received the same request. The answer is
 * shareable for a minute (`public, s-maxage=60`) and declares the content-negotiation headers it
 * reflects in `Vary`, as a correct origin must; the host and forwarding headers it reflects
 * without `Vary`, as a naive origin would, so only the edge keeps them from poisoning the cache.
 * Nothing else goes in the body (no counters, no dates): the same request, the same bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const REFLECT_PATH = /^\/v1\/([^/]+)\/reflect(?:\/|$)/;

/** Request headers the answer depends on without saying so in `Vary` (the poisoning vectors). */
export const REFLECTED_UNKEYED = ['host', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-original-url', 'x-http-method-override'] as const;
/** Request headers the answer depends on and names in `Vary`. */
export const REFLECTED_VARY = ['accept', 'accept-language'] as const;

/** Answers a reflect path; true when it did. */
export function reflectRoute(request: IncomingMessage, response: ServerResponse, url: URL): boolean {
  const tenant = REFLECT_PATH.exec(url.pathname)?.[1];
  if (tenant === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  const raw = request.url ?? '/';
  const at = raw.indexOf('?');
  const headers: Record<string, string | null> = {};
  for (const name of [...REFLECTED_UNKEYED, ...REFLECTED_VARY]) headers[name] = [request.headers[name] ?? null].flat().join(', ') || null;
  const body = JSON.stringify({ tenant, method: request.method, path: at < 0 ? raw : raw.slice(0, at), query: at < 0 ? '' : raw.slice(at), headers });
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, s-maxage=60', vary: 'Accept, Accept-Language' });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
