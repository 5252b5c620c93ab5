/**
 * Tenant isolation, property-tested: whatever the path, query and headers, a response stored
 * for tenant A is never what tenant B receives. Also cache-poisoning attempts through unkeyed
 * headers, which must neither reach the origin nor change what others get.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edgeFetch, freshTenant } from './edge-fetch.ts';

const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const query = fc.array(fc.tuple(fc.constantFrom('page', 'sort', 'utm_source', 'q', 'fbclid'), segment), { maxLength: 3 });
const headers = fc.record(
  {
    accept: fc.constantFrom('application/json', '*/*'),
    'accept-language': fc.constantFrom('en', 'fr', 'de'),
    'x-forwarded-host': fc.constantFrom('evil.test', 'acme.test'),
    authorization: fc.constantFrom('Bearer a', 'Bearer b'),
  },
  { requiredKeys: [] },
);

describe('tenant isolation', () => {
  it('never serves one tenant’s stored response to another', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), query, headers, headers, async (withId, pairs, headersA, headersB) => {
        const [a, b] = [freshTenant(), freshTenant()];
        const search = pairs.length ? `?${new URLSearchParams(pairs).toString()}` : '';
        const tail = withId ? '/public/projects/1a000000-0000-4000-8000-000000000001' : '/public/projects';
        await edgeFetch(`/v1/${a}${tail}${search}`, { headers: headersA });
        await edgeFetch(`/v1/${a}${tail}${search}`, { headers: headersA });
        const other = await edgeFetch(`/v1/${b}${tail}${search}`, { headers: headersB });
        expect(other.json().tenant).toBe(b);
      }),
      { numRuns: 25 },
    );
  });
});

describe('cache poisoning', () => {
  it('does not let unkeyed headers change what is stored for others', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    const poisoned = await edgeFetch(path, { headers: { 'x-forwarded-host': 'evil.test', 'x-original-url': '/admin', 'x-http-method-override': 'DELETE' } });
    expect(poisoned.response.status).toBe(200);
    const victim = await edgeFetch(path);
    expect(victim.body).toBe(poisoned.body);
    expect(victim.body).not.toContain('evil');
  });

  it('does not store an error a crafted request provokes', async () => {
    const path = `/v1/${freshTenant('err')}/public/projects`;
    await edgeFetch(path, { headers: { 'x-forwarded-host': 'evil.test' } });
    const next = await edgeFetch(path);
    expect(next.json().hits).toBe(2);
  });
});
