/**
 * The peer: Hono's `hono/cache` middleware in front of the same origin, configured as its
 * documentation's usage example does (hono.dev/docs/middleware/builtin/cache): a cache name and
 * a `cacheControl`, and `wait` left at its default (`false`: the response does not wait for
 * `cache.put`, which runs under `waitUntil`; the docs require `wait: true` only on Deno). The
 * `cacheControl` given is the origin's own, so it adds nothing to the responses. Like the
 * edge, it sends the edge credential when one is bound (the origin may require it).
 */
import { Hono } from 'hono';
import { cache } from 'hono/cache';

const app = new Hono<{ Bindings: { ORIGIN_URL: string; EDGE_ORIGIN_TOKEN?: string } }>();
app.get('*', cache({ cacheName: 'hono-peer', cacheControl: 'public, s-maxage=3600' }), async (c) => {
  const url = new URL(c.req.url);
  const headers = c.env.EDGE_ORIGIN_TOKEN ? { 'x-strata-edge-token': c.env.EDGE_ORIGIN_TOKEN } : undefined;
  const origin = await fetch(`${c.env.ORIGIN_URL}${url.pathname}${url.search}`, { headers });
  return new Response(origin.body, origin);
});

export default app;
