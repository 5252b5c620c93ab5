/**
 * A switchable way to the harness's Upstash endpoint, served by the fake origin, so an edge test
 * can make Upstash fail under a client that worked a moment ago and count what reached it.
 * `/_fake/upstash/{id}/…` forwards to the endpoint while `{id}` is `up` (the default); `down`
 * drops each connection unanswered (what a dead endpoint looks like to workerd); `hold` keeps
 * requests waiting until the next switch. `POST /_fake/upstash-switch?id=&to=up|down|hold`
 * switches, `GET /_fake/upstash-seen?id=` answers `{ seen }`: how many requests arrived.
 *
 * Namespaces keep test files apart: `/_fake/upstash-ns/{ns}/…` forwards to an endpoint over a
 * Redis database of namespace `{ns}` alone (one per test file, `test/edge/upstash-namespace.ts`),
 * so a purge of everything in one file leaves the versions every other file reads alone. A
 * switchable id `{ns}.{name}` forwards to namespace `{ns}`; an id without a dot to the shared one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Mode = 'up' | 'down' | 'hold';

interface Route {
  mode: Mode;
  seen: number;
  held: (() => void)[];
}

const PROXIED = /^\/_fake\/upstash\/([^/]+)(\/.*)?$/;
const NAMESPACED = /^\/_fake\/upstash-ns\/([A-Za-z0-9_-]+)(\/.*)?$/;

/** The Upstash endpoint of namespace `ns` (`''`: the shared one), started on first use. */
export type UpstashFor = (ns: string) => Promise<string>;
const FORWARDED_HEADERS = ['authorization', 'content-type', 'upstash-encoding', 'upstash-sync-token'];

/** Answers the fake Upstash paths; false for any other path. */
export function fakeUpstash(upstashFor: UpstashFor | undefined) {
  const routes = new Map<string, Route>();
  const routeOf = (id: string) => {
    let route = routes.get(id);
    if (!route) routes.set(id, (route = { mode: 'up', seen: 0, held: [] }));
    return route;
  };
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  async function forward(request: IncomingMessage, response: ServerResponse, ns: string, path: string, body: Buffer): Promise<void> {
    if (!upstashFor) return json(response, 500, { error: 'fake origin started without an Upstash endpoint' });
    const upstashUrl = await upstashFor(ns);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) if (typeof request.headers[name] === 'string') headers[name] = request.headers[name];
    const upstream = await fetch(`${upstashUrl}${path}`, { method: request.method, headers, body: request.method === 'GET' ? undefined : body });
    const replyHeaders: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/json' };
    const sync = upstream.headers.get('upstash-sync-token');
    if (sync) replyHeaders['upstash-sync-token'] = sync;
    response.writeHead(upstream.status, replyHeaders);
    response.end(Buffer.from(await upstream.arrayBuffer()));
  }

  return async function handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const id = url.searchParams.get('id') ?? '';
    if (url.pathname === '/_fake/upstash-seen') {
      json(response, 200, { seen: routeOf(id).seen });
      return true;
    }
    if (url.pathname === '/_fake/upstash-switch') {
      const to = url.searchParams.get('to');
      if (to !== 'up' && to !== 'down' && to !== 'hold') {
        json(response, 400, { error: `to must be up, down or hold, not ${to}` });
        return true;
      }
      const route = routeOf(id);
      route.mode = to;
      for (const release of route.held.splice(0)) release();
      json(response, 200, { mode: route.mode });
      return true;
    }
    const namespaced = NAMESPACED.exec(url.pathname);
    if (namespaced) {
      try {
        await forward(request, response, namespaced[1]!, namespaced[2] ?? '/', Buffer.concat(await request.toArray()));
      } catch (error) {
        if (!response.headersSent) json(response, 502, { error: `upstash namespace ${namespaced[1]}: ${String(error)}` });
        else request.socket.destroy();
      }
      return true;
    }
    const match = PROXIED.exec(url.pathname);
    if (!match) return false;
    const route = routeOf(match[1]!);
    route.seen++;
    try {
      const body = Buffer.concat(await request.toArray());
      if (route.mode === 'hold') await new Promise<void>((resolve) => route.held.push(resolve));
      if (route.mode === 'down' || request.socket.destroyed) request.socket.destroy();
      else await forward(request, response, match[1]!.includes('.') ? match[1]!.split('.')[0]! : '', match[2] ?? '/', body);
    } catch {
      // The client gave up (a timeout under test): nothing to answer.
      request.socket.destroy();
    }
    return true;
  };
}
