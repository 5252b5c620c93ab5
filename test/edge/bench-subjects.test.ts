/**
 * The edge benchmark's Workers measure what their names say (`bench/edge/workers/`): the edge
 * without its memory tier reads the Cache API on every hit, and the `hono/cache` peer runs as its
 * documentation configures it, not waiting for `cache.put` before answering a MISS, and serving
 * the next request from its cache.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import honoPeer from '../../bench/edge/workers/hono-cache.ts';
import noMemoryTier from '../../bench/edge/workers/strata-no-memory-tier.ts';
import strata from '../../edge/index.ts';
import { freshTenant } from './edge-fetch.ts';

type Worker = { fetch(request: Request, env: any, ctx: ExecutionContext): Response | Promise<Response> };

const bindings = () => ({ ...env, ORIGIN_URL: inject('fakeOriginUrl'), EDGE_ORIGIN_TOKEN: inject('fakeEdgeToken') });

/** One request through `worker`, its background work awaited; `onContext` sees the context first. */
async function call(worker: Worker, path: string, onContext?: (ctx: ExecutionContext) => void) {
  const ctx = createExecutionContext();
  onContext?.(ctx);
  const response = await worker.fetch(new Request(`https://edge.test${path}`), bindings(), ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, body };
}

/** How many times a hit (after a MISS that stored the path) opened a Cache API cache. */
async function cacheOpensOnHit(worker: Worker): Promise<number> {
  const path = `/v1/${freshTenant()}/public/projects`;
  await call(worker, path);
  const open = vi.spyOn(caches, 'open');
  const hit = await call(worker, path);
  expect(hit.response.headers.get('cache-status')).toMatch(/strata-edge; hit/);
  return open.mock.calls.length;
}

describe('edge benchmark subjects', () => {
  beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
  afterEach(() => vi.restoreAllMocks());

  it('strata-no-memory-tier answers every hit from the Cache API', async () => {
    expect(await cacheOpensOnHit(noMemoryTier)).toBeGreaterThan(0);
  });

  it('the deployed edge answers the same hit from its memory tier (what the row without it isolates)', async () => {
    expect(await cacheOpensOnHit(strata)).toBe(0);
  });

  it('hono/cache hands cache.put to waitUntil on a MISS and serves the next request from its cache', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    let waitUntil: ReturnType<typeof vi.spyOn> | undefined;
    const miss = await call(honoPeer, path, (ctx) => (waitUntil = vi.spyOn(ctx, 'waitUntil')));
    expect(miss.response.status).toBe(200);
    expect(waitUntil).toHaveBeenCalledTimes(1);
    const hit = await call(honoPeer, path);
    expect(JSON.parse(hit.body).hits).toBe(JSON.parse(miss.body).hits);
  });
});
