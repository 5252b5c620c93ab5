import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configKey } from '../../common/keys.ts';
import { RESOURCE_ID_PATTERN, TENANT_ID_PATTERN } from '../../common/ids.ts';
import { alice, hank, send, signIn } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';
import { freshTenant } from './project-fixture.ts';

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));
const code = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

describe.each(combos)('config routes on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  let t: Awaited<ReturnType<typeof freshTenant>>;
  const storedRows = (tenant: string) => origin.services.db.query('SELECT type, document FROM tenant_config WHERE tenant_id = $1 ORDER BY type', [tenant]);

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
    // Configuration writes are for admins (config-admin.test.ts covers who may not).
    t = await freshTenant(origin, ['admin']);
    await origin.services.cache.delete(configKey('acme', 'limits'), configKey('acme', 'app_settings'));
  });
  afterAll(async () => {
    await origin.close();
  });

  describe('happy', () => {
    it('serves the seeded limits to anyone, exactly as the edge rate limiter reads them', async () => {
      const response = await send(origin, 'GET', '/v1/acme/config/limits');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ api_calls_per_hour: 10000 });
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const again = await send(origin, 'GET', '/v1/acme/config/limits');
      expect(again.headers.get('cache-status')).toBe('strata-origin; hit');
    });

    it('reads app settings with a session of the tenant', async () => {
      const token = await signIn(origin, 'acme', alice.email);
      const response = await send(origin, 'GET', '/v1/acme/config/app_settings', { token });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ theme: 'light', locale: 'en-US' });
    });

    it('replaces a document; the next read through the cache sees it at once', async () => {
      for (const type of ['limits', 'app_settings'])
        expect((await t.call('PUT', `/v1/{t}/config/${type}`, type === 'limits' ? { api_calls_per_hour: 5 } : { theme: 'a' })).status).toBe(200);
      expect(await (await send(origin, 'GET', `/v1/${t.tenant}/config/limits`)).json()).toEqual({ api_calls_per_hour: 5 });
      const put = await t.call('PUT', '/v1/{t}/config/limits', { api_calls_per_hour: 250, burst: 20 });
      expect(put.status).toBe(200);
      expect(put.headers.get('cache-control')).toBe('private, no-store');
      expect(await put.json()).toEqual({ api_calls_per_hour: 250, burst: 20 });
      const read = await send(origin, 'GET', `/v1/${t.tenant}/config/limits`);
      expect(await read.json()).toEqual({ api_calls_per_hour: 250, burst: 20 });
      expect(read.headers.get('cache-status')).toBe('strata-origin; hit');
      await t.call('PUT', '/v1/{t}/config/app_settings', { theme: 'b', nested: { ok: true } });
      expect(await (await t.call('GET', '/v1/{t}/config/app_settings')).json()).toEqual({ theme: 'b', nested: { ok: true } });
      expect(await storedRows(t.tenant)).toHaveLength(2);
    });
  });

  describe('error', () => {
    it.each([
      ['a missing api_calls_per_hour', { burst: 1 }],
      ['a negative limit', { api_calls_per_hour: -1 }],
      ['a fractional limit', { api_calls_per_hour: 1.5 }],
      ['a string limit', { api_calls_per_hour: '100' }],
      ['an array', [1]],
      ['malformed JSON', '{"api_calls_per_hour":'],
    ])('refuses limits with %s (400 invalid_request) and keeps the old document', async (_, body) => {
      await t.call('PUT', '/v1/{t}/config/limits', { api_calls_per_hour: 77 });
      const response = await t.call('PUT', '/v1/{t}/config/limits', body);
      expect(response.status).toBe(400);
      expect(await code(response)).toBe('invalid_request');
      expect(await (await send(origin, 'GET', `/v1/${t.tenant}/config/limits`)).json()).toEqual({ api_calls_per_hour: 77 });
    });

    it('refuses unknown types, unknown tenants and oversized bodies', async () => {
      const unknownType = await t.call('GET', '/v1/{t}/config/secrets');
      expect(unknownType.status).toBe(400);
      expect(await code(unknownType)).toBe('invalid_request');
      const unknownTenant = await send(origin, 'GET', '/v1/no-such-tenant/config/limits');
      expect(unknownTenant.status).toBe(404);
      expect(await code(unknownTenant)).toBe('tenant_not_found');
      expect((await t.call('PUT', '/v1/{t}/config/app_settings', { blob: 'x'.repeat(20_000) })).status).toBe(413);
      expect((await send(origin, 'GET', '/v1/a:b/config/limits')).status).toBe(400);
    });
  });

  describe('security', () => {
    it('needs a session of the tenant to write anything or read app settings', async () => {
      const before = await storedRows('acme');
      const hankToken = await signIn(origin, 'globex', hank.email);
      for (const token of [undefined, hankToken, 'B'.repeat(64)]) {
        const auth = token ? { token } : {};
        expect((await send(origin, 'PUT', '/v1/acme/config/limits', { ...auth, body: { api_calls_per_hour: 1 } })).status).toBe(401);
        expect((await send(origin, 'GET', '/v1/acme/config/app_settings', auth)).status).toBe(401);
      }
      expect(await storedRows('acme')).toEqual(before);
    });
  });
});

describe('the OpenAPI document', () => {
  let origin: TestOrigin;
  beforeAll(async () => {
    origin = await startTestOrigin('pglite', cacheConfig('memory'));
  });
  afterAll(async () => {
    await origin.close();
  });

  it('is generated from every router’s schemas', async () => {
    const response = await send(origin, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths['/v1/{tenant}/projects'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/v1/{tenant}/projects/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(document.paths['/v1/{tenant}/config/{type}'] ?? {}).sort()).toEqual(['get', 'put']);
    expect(document.paths['/v1/{tenant}/sessions']).toBeDefined();
    expect(document.paths['/v1/{tenant}/public/projects/{id}']).toHaveProperty('get');
    expect(document.components.schemas).toHaveProperty('ProjectCreate');
    expect(document.components.schemas).toHaveProperty('Limits');
  });

  it('documents the public reads’ path parameters, which their middleware checks', async () => {
    const document = (await (await send(origin, 'GET', '/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; in: string; required: boolean; schema: { pattern?: string } }[] } }>;
    };
    const parameters = (path: string) =>
      document.paths[path]?.get?.parameters?.map(({ name, in: where, required, schema }) => ({ name, where, required, pattern: schema.pattern }));
    const tenant = { name: 'tenant', where: 'path', required: true, pattern: TENANT_ID_PATTERN.source };
    expect(parameters('/v1/{tenant}/public/projects')).toEqual([tenant]);
    expect(parameters('/v1/{tenant}/public/projects/{id}')).toEqual([
      tenant,
      { name: 'id', where: 'path', required: true, pattern: RESOURCE_ID_PATTERN.source },
    ]);
  });
});
