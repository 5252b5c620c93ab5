/**
 * What the origin receives from the edge, read back from the scripted origin, which guards its
 * routes as the deployed API Gateway does (403 without the edge's credential, 403 to a client's
 * `Cache-Control: max-age=0`): the edge's own `x-strata-*` headers on every request it makes,
 * nothing of the client's under that prefix, no client cache directives, and no path outside the
 * API.
 */
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { Env } from '../../edge/env.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';
import { memberToken } from './ratelimit-support.ts';
import { fileUpstash } from './upstash-namespace.ts';

type Seen = { hits: number; headers: Record<string, string> | null };

/** What the scripted origin saw for `path` (with its query): requests, and the last one's headers. */
async function seen(path: string): Promise<Seen> {
  return (await (await fetch(`${inject('fakeOriginUrl')}/_fake/hits?path=${encodeURIComponent(path)}`)).json()) as Seen;
}

const upstash = (): Partial<Env> => fileUpstash();

// The edge logs its cache decisions and the failed lookups these tests provoke; nothing reads them.
beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

/** Headers a client might send to steer or impersonate the edge. */
const FORGED = {
  'x-strata-edge-token': 'guessed',
  'x-strata-cache-version': 'forged',
  'x-strata-client-ip': '198.51.100.66',
  'x-strata-anything': 'x',
  'cf-connecting-ip': '203.0.113.7',
  'x-api-key': 'tenant-key',
};

describe('requests the edge forwards', () => {
  it("carry the edge's credential and the client's address, and none of the client's x-strata-* headers", async () => {
    const { response, json } = await edgeFetch(`/v1/${freshTenant()}/echo/headers`, { headers: FORGED });
    expect(response.status).toBe(200);
    const headers = json().headers as Record<string, string>;
    expect(
      Object.keys(headers)
        .filter((name) => name.startsWith('x-strata-'))
        .sort(),
    ).toEqual(['x-strata-client-ip', 'x-strata-edge-token']);
    expect(headers['x-strata-edge-token']).toBe(inject('fakeEdgeToken'));
    expect(headers['x-strata-client-ip']).toBe('203.0.113.7');
    expect(headers['x-api-key']).toBe('tenant-key');
  });

  it('send no client address the edge did not see', async () => {
    const headers = (await edgeFetch(`/v1/${freshTenant()}/echo/headers`, { headers: { 'x-strata-client-ip': '198.51.100.66' } })).json().headers;
    expect(headers['x-strata-client-ip']).toBeUndefined();
  });

  it('on a cached route, carry the cache version the edge computed, never the client’s', async () => {
    const tenant = freshTenant();
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/echo/*', mode: 'honor' }]);
    const withoutVersions = await edgeFetch(`/v1/${tenant}/echo/a`, { headers: FORGED }, { ROUTE_POLICY: policy });
    expect(withoutVersions.json().headers['x-strata-cache-version']).toBeUndefined();
    const versioned = (await edgeFetch(`/v1/${tenant}/echo/b`, { headers: FORGED }, { ROUTE_POLICY: policy, ...upstash() })).json().headers;
    expect(versioned['x-strata-cache-version']).toMatch(/^[0-9a-f]{16}$/);
    expect(versioned['x-strata-edge-token']).toBe(inject('fakeEdgeToken'));
  });

  it('answer a browser reload (Cache-Control: max-age=0) without passing the directive on', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    const reloads: Record<string, string>[] = [{ 'cache-control': 'max-age=0' }, { 'cache-control': 'no-cache', pragma: 'no-cache' }];
    for (const headers of reloads) {
      const passed = await edgeFetch(`/v1/${freshTenant()}/echo/reload`, { method: 'POST', headers });
      expect(passed.json().headers).not.toHaveProperty('cache-control');
      expect(passed.json().headers).not.toHaveProperty('pragma');
      const { response } = await edgeFetch(path, { headers });
      expect(response.status).toBe(200);
      expect((await seen(path)).headers).not.toHaveProperty('cache-control');
    }
  });

  it('revalidate with the credential too', async () => {
    const path = `/v1/${freshTenant('etag')}/public/projects`;
    await edgeFetch(path);
    // `no-cache` makes the edge revalidate its stored copy with the origin (RFC 9111 §5.2.1.4).
    const { response } = await edgeFetch(path, { headers: { 'cache-control': 'no-cache' } });
    expect(response.headers.get('cache-status')).toContain('strata-edge; fwd=stale; fwd-status=304');
    expect((await seen(path)).headers).toMatchObject({ 'if-none-match': expect.any(String), 'x-strata-edge-token': inject('fakeEdgeToken') });
  });
});

describe('requests the edge makes on its own behalf', () => {
  it('check the origin’s health with the credential', async () => {
    const { response, json } = await edgeFetch('/_strata/health');
    expect([response.status, json()]).toEqual([200, expect.objectContaining({ ok: true, origin: 'ok' })]);
    const anonymous = await edgeFetch('/_strata/health', undefined, { EDGE_ORIGIN_TOKEN: undefined });
    expect([anonymous.response.status, anonymous.json()]).toEqual([503, expect.objectContaining({ ok: false, origin: 'status 403' })]);
  });

  it("look up a tenant's limit with the edge's credential, never the caller's, even for a keyless caller", async () => {
    // A member without an API key: the limit comes back (3, the fake origin's `limited` tenants).
    const tenant = freshTenant('limited');
    const bindings = { ...upstash(), RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '100' };
    const keyless = await edgeFetch(`/v1/${tenant}/me`, { headers: { authorization: `Bearer ${memberToken(tenant)}` } }, bindings);
    expect(keyless.response.headers.get('ratelimit-limit')).toBe('3');
    const lookup = await seen(`/v1/${tenant}/config/limits`);
    expect(lookup.hits).toBe(1);
    expect(lookup.headers).toMatchObject({ 'x-strata-edge-token': inject('fakeEdgeToken') });

    const other = freshTenant('limited');
    await edgeFetch(`/v1/${other}/public/projects`, { headers: { ...FORGED, authorization: 'Bearer secret', cookie: 'sid=1' } }, bindings);
    const headers = (await seen(`/v1/${other}/config/limits`)).headers!;
    for (const name of ['x-api-key', 'authorization', 'cookie', 'x-strata-client-ip', 'x-strata-cache-version']) expect(headers).not.toHaveProperty(name);
    expect(headers['x-strata-edge-token']).toBe(inject('fakeEdgeToken'));
  });
});

describe('paths outside the API', () => {
  it.each(['/health', '/metrics', '/openapi.json', '/', '/echo/x', '/_strata/unknown', '/v1'])('%s is a 404 at the edge, never forwarded', async (path) => {
    const probe = `${path}?probe=${crypto.randomUUID()}`;
    const { response, json } = await edgeFetch(probe);
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-status')).toBe('strata-edge; fwd=bypass');
    expect(json().error).toMatchObject({ code: 'not_found', requestId: expect.stringMatching(/.+/) });
    expect((await seen(probe)).hits).toBe(0);
  });

  it('is refused whatever the method, and the purge endpoint only takes POST', async () => {
    for (const method of ['POST', 'DELETE']) expect((await edgeFetch('/openapi.json', { method })).response.status).toBe(404);
    expect((await edgeFetch('/_strata/purge')).response.status).toBe(404);
  });
});
