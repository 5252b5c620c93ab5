import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockClock } from './clock.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';

describe('edge shared cache', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('misses, stores, then answers the same body from the cache', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    const first = await edgeFetch(path);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('cache-status')).toBe('fake-origin; fwd=miss, strata-edge; fwd=miss; stored');

    mockClock().advance(5_000);
    const second = await edgeFetch(path);
    expect(second.response.status).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.json().hits).toBe(1);
    expect(second.response.headers.get('cache-status')).toMatch(/^fake-origin; fwd=miss, strata-edge; hit; ttl=\d+$/);
    expect(second.response.headers.get('etag')).toBe(first.response.headers.get('etag'));
    expect(second.response.headers.get('date')).toBe(first.response.headers.get('date'));
    // Held 5 s by the injected clock (the origin sent no Age): the header is there, in delta-seconds.
    expect(second.response.headers.get('age')).toBe('5');
  });

  it('keeps tenants apart', async () => {
    const [a, b] = [freshTenant(), freshTenant()];
    await edgeFetch(`/v1/${a}/public/projects`);
    const other = await edgeFetch(`/v1/${b}/public/projects`);
    expect(other.json().tenant).toBe(b);
    expect(other.response.headers.get('cache-status')).toContain('strata-edge; fwd=miss');
  });

  it('treats reordered query parameters and tracking parameters as the same resource', async () => {
    const base = `/v1/${freshTenant()}/public/projects`;
    // The route keys on `a` and `b` (the default routes key on no parameter: query-keys.test.ts).
    const keyed = { ROUTE_POLICY: JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'honor', query: ['a', 'b'] }]) };
    await edgeFetch(`${base}?b=2&a=1&utm_source=mail`, undefined, keyed);
    const same = await edgeFetch(`${base}?a=1&b=2&fbclid=x`, undefined, keyed);
    expect(same.response.headers.get('cache-status')).toContain('strata-edge; hit');
    const different = await edgeFetch(`${base}?a=1&b=3`, undefined, keyed);
    expect(different.response.headers.get('cache-status')).toContain('strata-edge; fwd=miss');
  });

  it.each([
    ['no-store responses', 'nostore'],
    ['private responses', 'private'],
    ['responses that set a cookie', 'cookie'],
    ['origin errors', 'err'],
    ['not-found answers', 'gone'],
  ])('never stores %s', async (_, prefix) => {
    const path = `/v1/${freshTenant(prefix)}/public/projects`;
    const first = await edgeFetch(path);
    const second = await edgeFetch(path);
    expect(first.response.headers.get('cache-status')).toMatch(/strata-edge; fwd=miss$/);
    expect(second.response.headers.get('cache-status')).toMatch(/strata-edge; fwd=miss$/);
    expect(second.json().hits).toBe(2);
  });

  it('answers HEAD from a stored GET without a body', async () => {
    const path = `/v1/${freshTenant()}/public/projects/1a000000-0000-4000-8000-000000000001`;
    const get = await edgeFetch(path);
    const head = await edgeFetch(path, { method: 'HEAD' });
    expect(head.response.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.response.headers.get('etag')).toBe(get.response.headers.get('etag'));
    expect(head.response.headers.get('cache-status')).toContain('strata-edge; hit');
  });

  it('goes back to the origin once the stored response is stale', async () => {
    const path = `/v1/${freshTenant('short')}/public/projects`;
    await edgeFetch(path);
    expect((await edgeFetch(path)).response.headers.get('cache-status')).toContain('strata-edge; hit');
    mockClock().advance(2100); // the edge's clock: the stored response ages without waiting
    const stale = await edgeFetch(path);
    // Until revalidation arrives, an expired entry is gone from storage or stale: either way a refetch.
    expect(stale.response.headers.get('cache-status')).toMatch(/strata-edge; fwd=(miss|stale)(; fwd-status=200)?; stored$/);
    expect(stale.json().hits).toBe(2);
  });
});
