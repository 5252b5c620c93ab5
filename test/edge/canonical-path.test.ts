/**
 * Percent-encoded variants of a path (RFC 3986 §6.2.2): the edge routes, keys and forwards the
 * normalised form, so `/v1/acme/%70ublic/projects` is the cached `/v1/acme/public/projects`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { edgeFetch, freshTenant } from './edge-fetch.ts';

const status = (r: { response: Response }) => r.response.headers.get('cache-status') ?? '';

describe('percent-encoded paths', () => {
  beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
  afterEach(() => vi.restoreAllMocks());

  it('answers an encoded variant of a cached route from the canonical entry', async () => {
    const tenant = freshTenant();
    await edgeFetch(`/v1/${tenant}/public/projects`);
    const variant = await edgeFetch(`/v1/${tenant}/%70ublic/%70rojects`);
    expect(variant.response.status).toBe(200);
    expect(status(variant)).toMatch(/strata-edge; hit; ttl=\d+$/);
    expect(variant.json().hits).toBe(1);
  });

  it('stores an encoded variant under the canonical key', async () => {
    const tenant = freshTenant();
    const variant = await edgeFetch(`/v1/${tenant}/publi%63/projects`);
    expect(status(variant)).toBe('fake-origin; fwd=miss, strata-edge; fwd=miss; stored');
    const canonical = await edgeFetch(`/v1/${tenant}/public/projects`);
    expect(status(canonical)).toMatch(/strata-edge; hit/);
    expect(canonical.json().hits).toBe(1);
  });

  it('forwards other paths normalised: unreserved characters decoded, other escapes upper-cased', async () => {
    const { json } = await edgeFetch('/v1/canonical/echo/%7Euser/%61%2fb%c3%a9%2D?q=%70');
    expect(json().path).toBe('/v1/canonical/echo/~user/a%2Fb%C3%A9-');
    expect(json().query).toBe('?q=%70');
  });

  it('still refuses a tenant that is malformed once decoded', async () => {
    const { response, json } = await edgeFetch('/v1/%41cme/public/projects');
    expect(response.status).toBe(400);
    expect(json().error).toMatchObject({ code: 'invalid_tenant', requestId: expect.stringMatching(/.+/) });
  });
});
