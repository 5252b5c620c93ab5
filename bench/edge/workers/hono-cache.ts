/** The peer: Hono's `hono/cache` middleware in front of the same origin Strata's edge uses. */
import { Hono } from 'hono';
import { cache } from 'hono/cache';

const app = new Hono<{ Bindings: { ORIGIN_URL: string } }>();
app.get('*', cache({ cacheName: 'hono-peer', cacheControl: 'public, s-maxage=3600', wait: true }), async (c) => {
  const url = new URL(c.req.url);
  const origin = await fetch(`${c.env.ORIGIN_URL}${url.pathname}${url.search}`);
  return new Response(origin.body, origin);
});

export default app;
