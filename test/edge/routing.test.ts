import { describe, expect, it } from 'vitest';
import { edgeFetch, freshTenant } from './edge-fetch.ts';

describe('edge routing and errors', () => {
  it.each([
    ['/v1/Bad_Tenant/public/projects', 'invalid_tenant'],
    ['/v1/-acme/public/projects', 'invalid_tenant'],
    ['/v1/acme/public/projects/not-a-uuid', 'invalid_id'],
    ['/v1/acme/public/projects/%2A', 'invalid_id'],
  ])('answers %s with a 400 JSON error without calling the origin', async (path, code) => {
    const { response, json } = await edgeFetch(path);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('cache-status')).toBe('strata-edge; fwd=bypass');
    const body = json();
    expect(body.error.code).toBe(code);
    expect(body.error.requestId).toMatch(/.+/);
  });

  it('relays origin errors for unknown tenants and does not cache them', async () => {
    const path = `/v1/${freshTenant('gone')}/public/projects`;
    const { response, json } = await edgeFetch(path);
    expect(response.status).toBe(404);
    expect(json().hits).toBe(1);
    expect((await edgeFetch(path)).json().hits).toBe(2);
  });

  it('forwards other methods and paths untouched by caching', async () => {
    const { response, json } = await edgeFetch('/v1/acme/echo/items?x=1', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-status')).toBe('strata-edge; fwd=bypass');
    expect(json()).toMatchObject({ method: 'POST', path: '/v1/acme/echo/items', query: '?x=1', body: '{"a":1}' });
  });

  it('strips unkeyed headers before the origin and passes a request id', async () => {
    const { json } = await edgeFetch('/v1/acme/echo/headers', {
      headers: {
        'x-forwarded-host': 'evil.test',
        'x-original-url': '/admin',
        'x-rewrite-url': '/admin',
        'x-http-method-override': 'DELETE',
        accept: 'application/json',
      },
    });
    const headers = json().headers as Record<string, string>;
    expect(headers['x-forwarded-host']).toBeUndefined();
    expect(headers['x-original-url']).toBeUndefined();
    expect(headers['x-rewrite-url']).toBeUndefined();
    expect(headers['x-http-method-override']).toBeUndefined();
    expect(headers.accept).toBe('application/json');
    expect(headers['x-request-id']).toMatch(/.+/);
  });

  it('answers 502 when the origin is unreachable', async () => {
    const { response, json } = await edgeFetch(`/v1/${freshTenant()}/public/projects`, undefined, { ORIGIN_URL: 'http://127.0.0.1:1' });
    expect(response.status).toBe(502);
    expect(json().error.code).toBe('origin_unavailable');
  });

  it('answers 504 when the origin is too slow', async () => {
    const { response, json } = await edgeFetch(`/v1/${freshTenant('slow')}/public/projects`, undefined, { ORIGIN_TIMEOUT_MS: '200' });
    expect(response.status).toBe(504);
    expect(json().error.code).toBe('origin_unavailable');
  });
});
