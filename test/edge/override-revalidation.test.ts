/**
 * An `override` route's lifetime applies to every stored version of an entry: one refreshed by
 * a 304 keeps the route's lifetime, not the origin's (RFC 9111 §4.3.4 updates the stored
 * headers; the route decides how long the edge keeps them).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClock } from './clock.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';

const status = (r: { response: Response }) => r.response.headers.get('cache-status') ?? '';
const ttlOf = (r: { response: Response }) => Number(/strata-edge; hit; ttl=(-?\d+)/.exec(status(r))?.[1]);

describe('override routes across revalidation', () => {
  beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
  afterEach(() => vi.restoreAllMocks());

  it('keeps ttlSeconds after a 304 that carries the origin’s longer s-maxage', async () => {
    const clock = mockClock();
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'override', ttlSeconds: 5 }]);
    const bindings = { ROUTE_POLICY: policy };
    const path = `/v1/${freshTenant('etaglong')}/public/projects`;
    await edgeFetch(path, undefined, bindings);
    clock.advance(6000);
    const revalidated = await edgeFetch(path, undefined, bindings);
    expect(status(revalidated)).toContain('strata-edge; fwd=stale; fwd-status=304; stored');
    expect(revalidated.response.headers.get('cache-control')).toBe('public, s-maxage=3600');

    const hit = await edgeFetch(path, undefined, bindings);
    expect(ttlOf(hit)).toBeGreaterThanOrEqual(0);
    expect(ttlOf(hit)).toBeLessThanOrEqual(5);
    clock.advance(6000);
    const again = await edgeFetch(path, undefined, bindings);
    expect(status(again)).toContain('strata-edge; fwd=stale; fwd-status=304; stored');
    expect(again.response.headers.get('x-revalidated')).toBe('3');
  });
});
