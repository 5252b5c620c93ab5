/**
 * Purges reach the shared cache: after a signed purge by tag, tenant, prefix or URL, the edge no
 * longer serves what it stored, and other tenants' entries stay.
 */
import { describe, expect, it } from 'vitest';
import { edgeFetch, freshTenant } from './edge-fetch.ts';
import { deliver, freshId, purgeBindings } from './purge-support.ts';

const status = (r: { response: Response }) => r.response.headers.get('cache-status') ?? '';

async function storedTwice(path: string) {
  await edgeFetch(path, undefined, purgeBindings());
  const second = await edgeFetch(path, undefined, purgeBindings());
  expect(status(second)).toContain('strata-edge; hit');
}

describe('purges and the shared cache', () => {
  it.each([
    ['a tag', (t: string) => ({ tags: [`tenant:${t}`] })],
    ['a tenant', (t: string) => ({ tenants: [t] })],
    ['a prefix', (t: string) => ({ prefixes: [`/v1/${t}/public`] })],
    ['a URL', (t: string) => ({ urls: [`https://edge.test/v1/${t}/public/projects`] })],
    ['everything', () => ({ everything: true })],
  ])('stops serving entries purged by %s, and only those', async (_, selector) => {
    const [tenant, other] = [freshTenant(), freshTenant()];
    const path = `/v1/${tenant}/public/projects`;
    const otherPath = `/v1/${other}/public/projects`;
    await storedTwice(path);
    await storedTwice(otherPath);
    const id = freshId();
    const purge = await deliver(id, { id, ...selector(tenant) });
    expect(purge.response.status).toBe(200);
    const after = await edgeFetch(path, undefined, purgeBindings());
    expect(status(after)).toMatch(/strata-edge; fwd=miss; stored$/);
    expect(after.json().hits).toBe(2);
    const untouched = await edgeFetch(otherPath, undefined, purgeBindings());
    if ('everything' in selector(tenant)) expect(untouched.json().hits).toBe(2);
    else expect(status(untouched)).toContain('strata-edge; hit');
  });

  it('keeps answering when Upstash is unreachable, revalidating what it stored with the origin', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    await storedTwice(path);
    const down = await edgeFetch(path, undefined, purgeBindings({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' }));
    expect(down.response.status).toBe(200);
    // Whether a purge landed cannot be read, so the origin is asked (purge-races.test.ts has the rest).
    expect(down.response.headers.get('cache-status')).toMatch(/strata-edge; fwd=stale; fwd-status=\d+;.*detail=purge-unverified/);
  });

  it('tells the origin the purge versions it read, for API Gateway’s cache key', async () => {
    const tenant = freshTenant();
    const first = await edgeFetch(`/v1/${tenant}/echo/version`, undefined, purgeBindings());
    expect(first.json().headers['x-strata-cache-version']).toBeUndefined(); // not a cached route
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/echo/*', mode: 'honor' }]);
    const routed = await edgeFetch(`/v1/${tenant}/echo/version`, undefined, purgeBindings({ ROUTE_POLICY: policy }));
    const before = routed.json().headers['x-strata-cache-version'];
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    const id = freshId();
    expect((await deliver(id, { id, everything: true })).response.status).toBe(200);
    const again = await edgeFetch(`/v1/${tenant}/echo/version`, undefined, purgeBindings({ ROUTE_POLICY: policy }));
    expect(again.json().headers['x-strata-cache-version']).not.toBe(before);
  });
});
