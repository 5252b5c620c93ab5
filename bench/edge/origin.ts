/**
 * The origin behind the edge subjects: `GET /v1/bench/public/projects[?…]` answers the shared
 * body (`body.ts`), cacheable for an hour; anything else 404. It counts what it answers, so the
 * benchmark can prove that a HIT slice never reached it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROJECTS_HEADERS, projectsBody } from './body.ts';

/** A running bench origin. */
export interface BenchOrigin {
  readonly url: string;
  /** Requests answered so far. */
  requests(): number;
  stop(): Promise<void>;
}

/** Starts the bench origin on a free loopback port. */
export async function startBenchOrigin(): Promise<BenchOrigin> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    const path = request.url ?? '/';
    if (request.method !== 'GET' || !path.startsWith('/v1/bench/public/projects')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":{"code":"not_found","message":"bench origin: no route","requestId":"bench"}}');
      return;
    }
    response.writeHead(200, { ...PROJECTS_HEADERS, etag: '"bench-v1"' });
    response.end(projectsBody(path));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
