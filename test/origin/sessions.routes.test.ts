import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { readToken } from '../../origin/sessions/token.ts';
import { alice, bob, send, signIn } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));

describe.each(combos)('session routes on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
  });
  afterAll(async () => {
    await origin.close();
  });

  it('signs in, reads the session, and signs out', async () => {
    const created = await send(origin, 'POST', '/v1/acme/sessions', { body: { email: alice.email, password: DEMO_PASSWORD } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('private, no-store');
    const { token, expiresAt } = (await created.json()) as { token: string; expiresAt: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const current = await send(origin, 'GET', '/v1/acme/sessions/current', { token });
    expect(current.status).toBe(200);
    expect(current.headers.get('cache-control')).toBe('private, no-store');
    expect(await current.json()).toMatchObject({ tenant: 'acme', userId: alice.id, roles: ['admin'], expiresAt });

    const ended = await send(origin, 'DELETE', '/v1/acme/sessions/current', { token });
    expect(ended.status).toBe(204);
    expect(ended.headers.get('cache-control')).toBe('private, no-store');
    const after = await send(origin, 'GET', '/v1/acme/sessions/current', { token });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('counts session reads on /metrics, toward the session hit-ratio target', async () => {
    const hits = async () => {
      const text = await (await send(origin, 'GET', '/metrics')).text();
      return Number(/strata_cache_reads_total\{type="session",outcome="hit"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const token = await signIn(origin, 'acme', bob.email);
    const before = await hits();
    for (let i = 0; i < 3; i++) expect((await send(origin, 'GET', '/v1/acme/sessions/current', { token })).status).toBe(200);
    // A memory store is the cache itself: its reads are hits as well.
    expect(await hits()).toBe(before + 3);
    expect(await (await send(origin, 'GET', '/metrics')).text()).toContain('strata_cache_hit_ratio_target{type="session"} 0.95');
  });

  it('stores the session in Postgres under the token’s hash, never the token', async () => {
    const token = await signIn(origin, 'acme', bob.email);
    const rows = await origin.services.db.query<{ id: string; user_id: string }>('SELECT id, user_id FROM sessions WHERE user_id = $1', [bob.id]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.id) && row.id !== token)).toBe(true);
  });

  it('signs in with the email in any case', async () => {
    const token = await signIn(origin, 'acme', alice.email.toUpperCase());
    expect((await send(origin, 'GET', '/v1/acme/me', { token })).status).toBe(200);
  });

  it('keeps sessions apart: logging one out leaves the others', async () => {
    const first = await signIn(origin, 'acme', bob.email);
    const second = await signIn(origin, 'acme', bob.email);
    expect(first).not.toBe(second);
    expect((await send(origin, 'DELETE', '/v1/acme/sessions/current', { token: first })).status).toBe(204);
    expect((await send(origin, 'GET', '/v1/acme/sessions/current', { token: first })).status).toBe(401);
    expect((await send(origin, 'GET', '/v1/acme/sessions/current', { token: second })).status).toBe(200);
  });

  it('answers a session from Postgres when its cache entry is gone', async () => {
    const token = await signIn(origin, 'acme', alice.email);
    const { cache } = origin.services;
    const keys = await cache.setMembers(`sessions:{acme}:${alice.id}`);
    expect(keys).toContain(readToken(token)!.sid);
    for (const sid of keys) await cache.delete(`session:{acme}:${alice.id}:${sid}`);
    expect(await cache.get(`session:{acme}:${alice.id}:${readToken(token)!.sid}`)).toBeUndefined();
    expect((await send(origin, 'GET', '/v1/acme/sessions/current', { token })).status).toBe(200);
  });

  it.each([
    ['a wrong password', { email: alice.email, password: 'wrong horse battery staple' }],
    ['an unknown email', { email: 'nobody@acme.test', password: DEMO_PASSWORD }],
    ['another tenant’s user', { email: 'hank@globex.test', password: DEMO_PASSWORD }],
  ])('refuses %s with 401 invalid_credentials', async (_, body) => {
    const response = await send(origin, 'POST', '/v1/acme/sessions', { body });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('answers 404 for an unknown tenant', async () => {
    const response = await send(origin, 'POST', '/v1/initech/sessions', { body: { email: alice.email, password: DEMO_PASSWORD } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'tenant_not_found' } });
  });
});
