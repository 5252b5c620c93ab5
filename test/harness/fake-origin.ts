/**
 * A scripted origin for the edge tests, served by Node on a loopback port that the Worker under
 * test fetches from inside workerd. The tenant segment selects the behaviour, so each test can
 * use a fresh tenant and never see another test's stored entries:
 *   `nostore-*` no-store · `private-*` private · `cookie-*` sets a cookie · `short-*` s-maxage=1 ·
 *   `err-*` 500 · `gone-*` 404 · `slow-*` answers after 2 s · anything else public, s-maxage=60.
 * Every body carries `hits`, how many times the origin served that path, so a test can tell a
 * cached answer from a fresh one. `/echo/*` answers with the method and headers it received.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fake origin. */
export interface FakeOrigin {
  readonly url: string;
  stop(): Promise<void>;
}

const PUBLIC_PATH = /^\/v1\/([^/]+)\/public\/projects(?:\/([^/?]+))?$/;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/** Starts the fake origin on a free loopback port. */
export async function startFakeOrigin(): Promise<FakeOrigin> {
  const hits = new Map<string, number>();
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://origin.test');
    const count = (hits.get(url.pathname + url.search) ?? 0) + 1;
    hits.set(url.pathname + url.search, count);

    if (url.pathname.startsWith('/echo/')) {
      const body = await readBody(request);
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ method: request.method, path: url.pathname, query: url.search, headers: request.headers, body }));
      return;
    }
    const match = PUBLIC_PATH.exec(url.pathname);
    if (!match) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'not_found', message: 'fake origin: no route', requestId: 'fake' } }));
      return;
    }
    const tenant = match[1]!;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=30, s-maxage=60',
      etag: `"${tenant}-${count}"`,
      date: new Date().toUTCString(),
      'cache-status': 'fake-origin; fwd=miss',
    };
    let status = 200;
    if (tenant.startsWith('nostore-')) headers['cache-control'] = 'no-store';
    if (tenant.startsWith('private-')) headers['cache-control'] = 'private, max-age=60';
    if (tenant.startsWith('cookie-')) headers['set-cookie'] = 'sid=secret; HttpOnly';
    if (tenant.startsWith('short-')) headers['cache-control'] = 'public, s-maxage=1';
    if (tenant.startsWith('err-')) status = 500;
    if (tenant.startsWith('gone-')) status = 404;
    if (tenant.startsWith('slow-')) await new Promise((resolve) => setTimeout(resolve, 2000));
    response.writeHead(status, headers);
    response.end(request.method === 'HEAD' ? undefined : JSON.stringify({ tenant, id: match[2] ?? null, query: url.search, hits: count }));
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
