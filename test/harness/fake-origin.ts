/**
 * A scripted origin for the edge tests, served by Node on a loopback port that the Worker under
 * test fetches from inside workerd. On `/v1/{tenant}/public/projects[/{id}]` the tenant's prefix
 * selects the behaviour (`fake-origin-scenarios.ts`), so each test can use a fresh tenant and
 * never see another test's stored entries; writes there answer 201 with a Location. Every body
 * carries `hits`, how many times the origin served that path, so a test can tell a cached answer
 * from a fresh one. `/v1/{tenant}/echo/*` answers with the method and headers it received, `/v1/{tenant}/reflect/*`
 * with everything a request could change its answer by (`fake-origin-reflect.ts`), and
 * `/_fake/hits?path=` tells how many requests a path (with its query) got and the last one's headers.
 * Member routes (sign-in, `/me`) are in `fake-origin-members.ts`; a switchable way to Upstash in
 * `fake-upstash.ts`; answers a test scripts header by header in `fake-origin-scripted.ts`.
 *
 * Started with an `edgeToken`, it guards its routes as the deployed API Gateway does: 403 without
 * `x-strata-edge-token: <edgeToken>`, and 403 to a client's invalidation request
 * (`Cache-Control: max-age=0`), which a stage that requires authorization for it would refuse.
 * `/health` answers 200 to the edge.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memberRoute } from './fake-origin-members.ts';
import { reflectRoute } from './fake-origin-reflect.ts';
import { scenarioFor } from './fake-origin-scenarios.ts';
import { scriptedRoute } from './fake-origin-scripted.ts';
import { fakeUpstash, type UpstashFor } from './fake-upstash.ts';

/** A running fake origin. */
export interface FakeOrigin {
  readonly url: string;
  stop(): Promise<void>;
}

const PUBLIC_PATH = /^\/v1\/([^/]+)\/public\/projects(?:\/([^/?]+))?$/;

// Tenant limits for the edge's rate limiter: `limited-*` 3 calls per hour, `badlimits-*` a
// malformed config, `limitserr-*` a 500; any other tenant has none (404 below).
const LIMITS_PATH = /^\/v1\/([^/]+)\/config\/limits$/;
const LIMITS = new Map<string, [number, unknown]>([
  ['limited', [200, { api_calls_per_hour: 3 }]],
  ['badlimits', [200, { api_calls_per_hour: 'lots' }]],
  ['limitserr', [500, { error: { code: 'internal_error', message: 'fake origin: failing', requestId: 'fake' } }]],
]);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

// Cloudflare's zone purge API, captured for the edge's purge tests (CF_API_BASE points here):
// `POST /cf/client/v4/zones/{zone}/purge_cache` records each request; the zone's prefix picks
// the answer: `flaky-*` 429 (Retry-After: 0) to its first request, `down-*` always 500,
// `denied-*` 403, anything else success. `GET /cf/_captured?zone=` lists what was recorded.
const ZONE_PURGE_PATH = /^\/cf\/client\/v4\/zones\/([^/]+)\/purge_cache$/;
const zonePurges = new Map<string, { status: number; authorization: string; body: unknown }[]>();

async function cloudflareApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  if (url.pathname === '/cf/_captured') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ requests: zonePurges.get(url.searchParams.get('zone') ?? '') ?? [] }));
    return;
  }
  const zone = ZONE_PURGE_PATH.exec(url.pathname)?.[1];
  if (!zone || request.method !== 'POST') {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ success: false, errors: [{ code: 7003, message: 'No route for the URI' }] }));
    return;
  }
  const recorded = zonePurges.get(zone) ?? [];
  zonePurges.set(zone, recorded);
  const raw = await readBody(request);
  let status = 200;
  if (zone.startsWith('flaky-') && recorded.length === 0) status = 429;
  if (zone.startsWith('down-')) status = 500;
  if (zone.startsWith('denied-')) status = 403;
  recorded.push({ status, authorization: String(request.headers.authorization ?? ''), body: JSON.parse(raw) as unknown });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 429) headers['retry-after'] = '0';
  response.writeHead(status, headers);
  const errors = status === 200 ? [] : [{ code: status === 403 ? 10000 : 1200, message: `fake cloudflare: ${status}` }];
  response.end(JSON.stringify({ success: status === 200, errors, messages: [], result: status === 200 ? { id: zone } : null }));
}

const ECHO_PATH = /^\/v1\/[^/]+\/echo\//;

/** What the fake origin is started with. */
export interface FakeOriginOptions {
  /** The edge credential its routes require, as API Gateway does; unset: no check. */
  edgeToken?: string;
  /** Where `/_fake/upstash/…` and `/_fake/upstash-ns/…` lead (the harness's Upstash endpoints, by namespace). */
  upstashFor?: UpstashFor;
}

/** The gateway's checks, for a request to one of the origin's own routes; true when it answered. */
function refusedAtGateway(request: IncomingMessage, response: ServerResponse, edgeToken: string | undefined): boolean {
  if (edgeToken === undefined) return false;
  const forbidden = (message: string) => {
    response.writeHead(403, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ error: { code: 'forbidden', message: `fake gateway: ${message}`, requestId: 'fake' } }));
    return true;
  };
  if (request.headers['x-strata-edge-token'] !== edgeToken) return forbidden('no edge token');
  if (/(?:^|,)\s*max-age\s*=\s*0\b/i.test(String(request.headers['cache-control'] ?? ''))) return forbidden('unauthorized cache invalidation');
  return false;
}

/** Starts the fake origin on a free loopback port. */
export async function startFakeOrigin(options: FakeOriginOptions = {}): Promise<FakeOrigin> {
  const hits = new Map<string, number>();
  const seen = new Map<string, IncomingMessage['headers']>();
  const upstash = fakeUpstash(options.upstashFor);
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://origin.test');
    const count = (hits.get(url.pathname + url.search) ?? 0) + 1;
    hits.set(url.pathname + url.search, count);
    if (url.pathname.startsWith('/cf/')) return cloudflareApi(request, response, url);
    if (await upstash(request, response, url)) return;
    if (!url.pathname.startsWith('/_fake/')) {
      seen.set(url.pathname + url.search, request.headers);
      if (refusedAtGateway(request, response, options.edgeToken)) return;
    }
    if (await memberRoute(request, response, url, () => readBody(request))) return;
    if (await scriptedRoute(request, response, url, () => readBody(request))) return;
    if (reflectRoute(request, response, url)) return;

    if (url.pathname === '/health') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ ok: true }));
      return;
    }
    if (ECHO_PATH.test(url.pathname)) {
      const body = await readBody(request);
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ method: request.method, path: url.pathname, query: url.search, headers: request.headers, body }));
      return;
    }
    // How many times the origin was asked for `?path=` (a path with its query), for caching
    // tests, and the headers of the last such request, for forwarding tests.
    if (url.pathname === '/_fake/hits') {
      const path = url.searchParams.get('path') ?? '';
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ hits: hits.get(path) ?? 0, headers: seen.get(path) ?? null }));
      return;
    }
    // An Upstash that hangs, for the edge's rate-limit timeout: answers only after 3 s.
    if (url.pathname.startsWith('/_fake/hang')) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ result: null }));
      return;
    }
    const limits = LIMITS.get(LIMITS_PATH.exec(url.pathname)?.[1]?.split('-')[0] ?? '');
    if (limits) {
      response.writeHead(limits[0], { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(limits[1]));
      return;
    }
    const match = PUBLIC_PATH.exec(url.pathname);
    if (!match) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'not_found', message: 'fake origin: no route', requestId: 'fake' } }));
      return;
    }
    const tenant = match[1]!;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // A write: created, with a Location the edge must invalidate too.
      response.writeHead(201, { 'content-type': 'application/json', location: `/v1/${tenant}/public/projects/1a000000-0000-4000-8000-000000000009` });
      response.end(JSON.stringify({ created: true, hits: count }));
      return;
    }
    const scenario = scenarioFor(tenant, match[2], request, count);
    if (scenario.delayMs) await new Promise((resolve) => setTimeout(resolve, scenario.delayMs));
    response.writeHead(scenario.status, scenario.headers);
    const body = JSON.stringify({ tenant, id: match[2] ?? null, query: url.search, hits: count, ...scenario.body });
    response.end(request.method === 'HEAD' || scenario.status === 304 ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
