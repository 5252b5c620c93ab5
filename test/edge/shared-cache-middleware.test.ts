/**
 * The shared cache is a Hono middleware like Hono's own (`hono/cache`): `sharedCache(options)`
 * checks its options once, when the app is built, and the handler it returns serves every
 * request of the isolate — in any Hono app, passing requests outside the route policy on.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { sharedCache } from '../../edge/cache/index.ts';
import { workersCacheStorage, type EdgeStorage } from '../../edge/cache/storage.ts';
import type { EdgeEnv } from '../../edge/env.ts';
import { freshTenant } from './edge-fetch.ts';

function appWith(storage: EdgeStorage) {
  const app = new Hono<EdgeEnv>();
  app.use('*', requestId());
  app.on(['GET', 'HEAD'], '*', sharedCache({ storage }));
  app.get('*', (c) => c.text('next handler'));
  return app;
}

async function send(app: Hono<EdgeEnv>, path: string) {
  const ctx = createExecutionContext();
  const bindings = { ...env, ORIGIN_URL: inject('fakeOriginUrl'), EDGE_ORIGIN_TOKEN: inject('fakeEdgeToken') };
  const response = await app.fetch(new Request(`https://edge.test${path}`), bindings, ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, body };
}

describe('sharedCache(options)', () => {
  beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
  afterEach(() => vi.restoreAllMocks());

  it('refuses options it cannot work with when it is built, before any request', () => {
    expect(() => sharedCache({ storage: {} as EdgeStorage })).toThrow(TypeError);
    expect(() => sharedCache({ storage: workersCacheStorage(), versions: 'upstash' as never })).toThrow(/versions/);
  });

  it('serves policy routes from the cache and hands every other request to the next handler', async () => {
    const lookups: string[] = [];
    const inner = workersCacheStorage(`middleware-${crypto.randomUUID()}`);
    const app = appWith({ ...inner, lookup: (key) => (lookups.push(key), inner.lookup(key)) });
    const path = `/v1/${freshTenant()}/public/projects`;

    const other = await send(app, `/v1/${freshTenant()}/echo/x`);
    expect(other.body).toBe('next handler');
    expect(lookups).toEqual([]);

    const first = await send(app, path);
    expect(first.response.headers.get('cache-status')).toMatch(/strata-edge; fwd=miss; stored$/);
    const second = await send(app, path);
    expect(second.response.headers.get('cache-status')).toMatch(/strata-edge; hit; ttl=\d+$/);
    expect(JSON.parse(second.body).hits).toBe(1);
    expect(lookups).toHaveLength(2);
  });
});
