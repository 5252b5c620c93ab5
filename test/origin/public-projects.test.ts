import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../origin/db/seed.ts';
import { projectKey, projectListKey } from '../../origin/projects/service.ts';
import { DATABASE_KINDS } from './databases.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

const acme = DEMO_TENANTS[0]!;
const publicAcme = acme.projects.filter((p) => p.visibility === 'public');
const privateAcme = acme.projects.find((p) => p.visibility === 'private')!;
const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));

describe.each(combos)('public project routes on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  const get = (path: string, headers: Record<string, string> = {}) => origin.app.request(path, { headers });

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
  });
  afterAll(async () => {
    await origin.close();
  });
  beforeEach(async () => {
    // Runs share the harness's Redis: start every test from a cold cache for the demo keys.
    const keys = await Promise.all(DEMO_TENANTS.map((tenant) => projectListKey(tenant.id)));
    const projectKeys = DEMO_TENANTS.flatMap((tenant) => tenant.projects.map((p) => projectKey(tenant.id, p.id)));
    await origin.services.cache.delete(...keys, ...projectKeys);
  });

  it('lists a tenant’s public projects, then answers the same body from the cache', async () => {
    const first = await get('/v1/acme/public/projects');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-status')).toBe('strata-origin; fwd=miss');
    expect(first.headers.get('cache-control')).toContain('public');
    expect(first.headers.get('cache-control')).toContain('s-maxage=');
    const body = (await first.json()) as { data: { id: string }[] };
    expect(body.data.map((p) => p.id)).toEqual(publicAcme.map((p) => p.id));

    const second = await get('/v1/acme/public/projects');
    expect(second.headers.get('cache-status')).toBe('strata-origin; hit');
    const text = await second.text();
    expect(JSON.parse(text)).toEqual(body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    // The strong validator is the SHA-1 of the body, as hono's etag computes it by default, so
    // it stays the same across processes and releases.
    const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
    expect(second.headers.get('etag')).toBe(`"${Buffer.from(digest).toString('hex')}"`);
  });

  it('keeps tenants apart', async () => {
    const acmeBody = (await (await get('/v1/acme/public/projects')).json()) as { data: { id: string }[] };
    const globexBody = (await (await get('/v1/globex/public/projects')).json()) as { data: { id: string }[] };
    expect(globexBody).not.toEqual(acmeBody);
    expect(globexBody.data.every((p) => DEMO_TENANTS[1]!.projects.some((q) => q.id === p.id))).toBe(true);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get('/v1/acme/public/projects');
    const etag = first.headers.get('etag')!;
    const revalidated = await get('/v1/acme/public/projects', { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toBe(first.headers.get('cache-control'));
    expect(await revalidated.text()).toBe('');
  });

  it('serves one public project through the resource cache', async () => {
    const project = publicAcme[0]!;
    const first = await get(`/v1/acme/public/projects/${project.id}`);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id: project.id, name: project.name, visibility: 'public' });
    const second = await get(`/v1/acme/public/projects/${project.id}`);
    expect(second.headers.get('cache-status')).toBe('strata-origin; hit');
  });

  it.each([
    ['a private project', `/v1/acme/public/projects/${privateAcme.id}`, 404, 'not_found'],
    ['another tenant’s project', `/v1/acme/public/projects/${DEMO_TENANTS[1]!.projects[0]!.id}`, 404, 'not_found'],
    ['a missing project', '/v1/acme/public/projects/00000000-0000-4000-8000-000000000000', 404, 'not_found'],
    ['an unknown tenant’s list', '/v1/initech/public/projects', 404, 'tenant_not_found'],
    ['an unknown tenant’s project', '/v1/initech/public/projects/00000000-0000-4000-8000-000000000000', 404, 'tenant_not_found'],
    ['a malformed tenant', '/v1/ACME/public/projects', 400, 'invalid_tenant'],
    ['a tenant with a colon', '/v1/a:b/public/projects', 400, 'invalid_tenant'],
    ['a tenant with a brace', '/v1/%7Bx%7D/public/projects', 400, 'invalid_tenant'],
    ['an id of *', '/v1/acme/public/projects/*', 400, 'invalid_id'],
    ['an id with a colon', '/v1/acme/public/projects/a:b', 400, 'invalid_id'],
    ['an id with a traversal', '/v1/acme/public/projects/..%2Fx', 400, 'invalid_id'],
    ['an unknown route', '/v1/acme/nothing-here', 404, 'not_found'],
  ])('answers %s with a JSON error', async (_, path, status, code) => {
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { error: unknown };
    expect(body.error).toMatchObject({ code, requestId: expect.any(String), message: expect.any(String) });
  });

  it('exposes cache metrics in Prometheus text', async () => {
    await get('/v1/acme/public/projects');
    await get('/v1/acme/public/projects');
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/strata_cache_reads_total\{type="api",outcome="miss"\} [1-9]/);
    expect(text).toMatch(/strata_cache_reads_total\{type="api",outcome="hit"\} [1-9]/);
    expect(text).toContain('strata_cache_hit_ratio_target{type="api"} 0.7');
  });

  it('reports health', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    const health = (await response.json()) as { cache: { topology?: { mode: string; state: string; masters?: number } } };
    expect(health).toMatchObject({
      ok: true,
      database: { kind: dbKind, status: 'ok' },
      cache: { store: cacheKind, status: 'ok', breaker: 'closed', pendingInvalidations: 0 },
    });
    if (cacheKind === 'redis-cluster') expect(health.cache.topology).toMatchObject({ mode: 'cluster', state: 'ok', masters: 3 });
    if (cacheKind === 'redis') expect(health.cache.topology).toMatchObject({ mode: 'standalone' });
    if (cacheKind === 'memory') expect(health.cache.topology).toBeUndefined();
  });
});
