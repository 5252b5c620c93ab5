/**
 * Cache keys nobody can flood or confuse: each route keys on the query parameters it declares
 * (the default routes: none, as the origin reads none there); the others are dropped before
 * keying and before forwarding, so what is keyed and what reaches the origin are the same
 * request, and the name the edge uses for `Vary` variants cannot come from a client.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hex } from '../../common/hex.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';
import { originSaw } from './scripted-support.ts';

const status = (r: { response: Response }) => r.response.headers.get('cache-status') ?? '';

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {}); // decision logs
  vi.spyOn(console, 'error').mockImplementation(() => {}); // the refused policy below
});
afterEach(() => vi.restoreAllMocks());

describe('query parameters and cache keys', () => {
  it('cannot push a route’s entry out with made-up parameters: one entry, one origin request', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    await edgeFetch(path);
    for (const query of ['?limit=abc', '?cursor=zzz', `?x=${crypto.randomUUID()}`, '?utm_source=mail&limit=1']) {
      const flooded = await edgeFetch(`${path}${query}`);
      expect(status(flooded), query).toMatch(/strata-edge; hit/);
      expect(flooded.json().hits).toBe(1);
    }
    expect((await originSaw(path)).hits).toBe(1);
    expect((await originSaw(`${path}?limit=abc`)).hits).toBe(0);
  });

  it('keys on and forwards exactly the parameters a route declares, sorted', async () => {
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'honor', query: ['limit', 'cursor'] }]);
    const path = `/v1/${freshTenant()}/public/projects`;
    const first = await edgeFetch(`${path}?limit=1&x=2&cursor=a`, undefined, { ROUTE_POLICY: policy });
    expect(first.json().query).toBe('?cursor=a&limit=1');
    const same = await edgeFetch(`${path}?cursor=a&utm_source=z&limit=1`, undefined, { ROUTE_POLICY: policy });
    expect(status(same)).toMatch(/strata-edge; hit/);
    const other = await edgeFetch(`${path}?limit=2&cursor=a`, undefined, { ROUTE_POLICY: policy });
    expect(status(other)).toMatch(/strata-edge; fwd=miss/);
    expect((await originSaw(`${path}?cursor=a&limit=1`)).hits).toBe(1);
  });

  it('does not let a client name a Vary variant in the query, nor knock one out with it', async () => {
    const path = `/v1/${freshTenant('vary')}/public/projects`;
    const french = { headers: { 'accept-language': 'fr' } };
    expect((await edgeFetch(path, french)).json().language).toBe('fr');
    // The key of the `fr` variant, as the edge computes it (key.ts): anyone can compute it.
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('accept-language:fr'));
    const forged = await edgeFetch(`${path}?__strata_vary=${hex(new Uint8Array(digest, 0, 12))}`, { headers: { 'accept-language': 'de' } });
    expect(forged.json().language).toBe('de');
    const again = await edgeFetch(path, french);
    expect(status(again)).toMatch(/strata-edge; hit/);
    expect(again.json()).toMatchObject({ language: 'fr', hits: 1 });
  });

  it('refuses a route policy that would key on the edge’s own names', async () => {
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'honor', query: ['__strata_vary'] }]);
    const refused = await edgeFetch(`/v1/${freshTenant()}/public/projects`, undefined, { ROUTE_POLICY: policy });
    expect(refused.response.status).toBe(500);
    expect(refused.json().error.code).toBe('internal_error');
  });
});
