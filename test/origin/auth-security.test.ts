import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sessionIdOf } from '../../origin/sessions/token.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { alice, bob, databaseState, hank, send, signIn, watchStore } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

// Counts scrypt derivations, so password work is compared by count, never by time.
const scrypt = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  const counted = ((...args: Parameters<typeof actual.scrypt>) => {
    scrypt.calls++;
    return (actual.scrypt as (...a: unknown[]) => void)(...args);
  }) as typeof actual.scrypt;
  return { ...actual, default: { ...actual, scrypt: counted }, scrypt: counted };
});

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));
const BAD_IDS = ['a:b', '*', '%7Bx%7D', '..%2Fx', 'ALICE', '0A000000-0000-4000-8000-000000000001'];
const big = 'x'.repeat(20 * 1024);

describe.each(combos)('authentication and bad input on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  let token: string;

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
    token = await signIn(origin, 'acme', bob.email);
  });
  afterAll(async () => {
    await origin.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Sends the request and asserts a JSON 4xx that wrote nothing and put no input in a key. */
  async function expectRefused(request: () => Promise<Response>, status: number, code: string, notInKeys: string[] = []) {
    const before = await databaseState(origin);
    const watch = watchStore(origin);
    const response = await request().finally(() => watch.stop());
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toMatch(/no-store/);
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
    expect(watch.writes).toEqual([]);
    for (const bad of notInKeys) expect(watch.keys.filter((key) => key.includes(decodeURIComponent(bad)))).toEqual([]);
    expect(await databaseState(origin)).toEqual(before);
    return body;
  }

  it.each([
    ['malformed JSON', '{"email": "bob@acme.test", "password": '],
    ['wrong types', { email: 1, password: true }],
    ['a missing field', { email: bob.email }],
    ['an unknown field', { email: bob.email, password: DEMO_PASSWORD, roles: ['admin'] }],
    ['an array', [bob.email, DEMO_PASSWORD]],
  ])('refuses a sign-in with %s as 400 invalid_request', async (_, body) => {
    const refused = await expectRefused(() => send(origin, 'POST', '/v1/acme/sessions', { body }), 400, 'invalid_request');
    expect(refused.error.message.length).toBeGreaterThan(5);
  });

  it('refuses an oversized body with 413 and a non-JSON body with 415', async () => {
    await expectRefused(() => send(origin, 'POST', '/v1/acme/sessions', { body: { email: bob.email, password: big } }), 413, 'payload_too_large');
    await expectRefused(() => send(origin, 'PATCH', `/v1/acme/users/${bob.id}`, { token, body: { name: big } }), 413, 'payload_too_large');
    const form = { body: `email=${bob.email}&password=x`, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    await expectRefused(() => send(origin, 'POST', '/v1/acme/sessions', form), 415, 'unsupported_media_type');
  });

  it.each([
    ['malformed JSON', '{"name": '],
    ['a wrong type', { name: 42 }],
    ['an empty change', {}],
    ['an unknown field (email)', { name: 'Bob', email: 'mallory@acme.test' }],
    ['a blank name', { name: '   ' }],
  ])('refuses a PATCH with %s as 400 invalid_request', async (_, body) => {
    await expectRefused(() => send(origin, 'PATCH', `/v1/acme/users/${bob.id}`, { token, body }), 400, 'invalid_request');
  });

  it.each([
    ['a short new password', { currentPassword: DEMO_PASSWORD, newPassword: 'short' }],
    ['a missing current password', { newPassword: 'long enough new password' }],
    ['malformed JSON', '{"currentPassword'],
  ])('refuses a password change with %s', async (_, body) => {
    await expectRefused(() => send(origin, 'POST', `/v1/acme/users/${bob.id}/password`, { token, body }), 400, 'invalid_request');
  });

  it.each(BAD_IDS)('refuses the user id %s with 400 invalid_id on every route', async (id) => {
    await expectRefused(() => send(origin, 'GET', `/v1/acme/users/${id}`, { token }), 400, 'invalid_id', [id]);
    await expectRefused(() => send(origin, 'PATCH', `/v1/acme/users/${id}`, { token, body: { name: 'x' } }), 400, 'invalid_id', [id]);
    const body = { currentPassword: DEMO_PASSWORD, newPassword: 'long enough new password' };
    await expectRefused(() => send(origin, 'POST', `/v1/acme/users/${id}/password`, { token, body }), 400, 'invalid_id', [id]);
  });

  it.each(['a:b', '*', '%7Bx%7D', 'ACME'])('refuses the tenant %s with 400 invalid_tenant', async (tenant) => {
    await expectRefused(() => send(origin, 'GET', `/v1/${tenant}/me`, { token }), 400, 'invalid_tenant', [tenant]);
    await expectRefused(() => send(origin, 'POST', `/v1/${tenant}/sessions`, { body: { email: bob.email, password: DEMO_PASSWORD } }), 400, 'invalid_tenant', [
      tenant,
    ]);
  });

  // Cursors that pass the format check but hold a date PostgreSQL cannot cast (it answered 500).
  const impossible = ['2025-13-01 00:00:00+00', '2025-02-30 00:00:00+00', '2025-01-01 24:61:00+00', '0000-01-01 00:00:00+00', '2025-01-01 00:00:00+16'].map(
    (at) => `cursor=${Buffer.from(JSON.stringify([at, bob.id])).toString('base64url')}`,
  );
  it.each(['limit=0', 'limit=101', 'limit=ten', 'cursor=bm90LWEtY3Vyc29y', 'cursor=%25%25', 'order=desc', ...impossible])(
    'refuses the list query %s',
    async (query) => {
      await expectRefused(() => send(origin, 'GET', `/v1/acme/users?${query}`, { token }), 400, 'invalid_request');
    },
  );

  it('refuses a token of tenant A on tenant B’s path', async () => {
    await expectRefused(() => send(origin, 'GET', '/v1/globex/me', { token }), 401, 'unauthorized');
    await expectRefused(() => send(origin, 'GET', `/v1/globex/users/${hank.id}`, { token }), 401, 'unauthorized');
    await expectRefused(() => send(origin, 'PATCH', `/v1/globex/users/${hank.id}`, { token, body: { name: 'Owned' } }), 401, 'unauthorized');
    await expectRefused(() => send(origin, 'DELETE', '/v1/globex/sessions/current', { token }), 401, 'unauthorized');
    // The watch sees what a valid request touches: the absence of keys above is meaningful.
    const watch = watchStore(origin);
    const own = await send(origin, 'GET', '/v1/acme/me', { token }).finally(() => watch.stop());
    expect(own.status).toBe(200);
    expect(watch.keys.some((key) => key.startsWith('session:{acme}:'))).toBe(true);
    expect(watch.keys.some((key) => key.includes('{globex}'))).toBe(false);
  });

  it('refuses missing, malformed, forged and tampered tokens', async () => {
    const forged = Buffer.concat([Buffer.from(alice.id.replaceAll('-', ''), 'hex'), randomBytes(32)]).toString('base64url');
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const response = await expectRefused(() => send(origin, 'GET', '/v1/acme/me'), 401, 'unauthorized');
    expect(response.error.message).toContain('bearer');
    for (const bad of [forged, flipped, 'x', `${token}x`, '*', 'a:b']) {
      await expectRefused(() => send(origin, 'GET', '/v1/acme/me', { token: bad }), 401, 'unauthorized');
    }
    await expectRefused(() => send(origin, 'GET', '/v1/acme/me', { headers: { authorization: `Basic ${token}` } }), 401, 'unauthorized');
  });

  it('refuses a session past its absolute lifetime, from the cache and from Postgres', async () => {
    const session = await signIn(origin, 'acme', bob.email);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 8 * 24 * 3_600_000 });
    await expectRefused(() => send(origin, 'GET', '/v1/acme/me', { token: session }), 401, 'unauthorized');
    vi.useRealTimers();
    expect((await send(origin, 'GET', '/v1/acme/me', { token: session })).status).toBe(200);

    await origin.services.db.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [sessionIdOf(session)]);
    await origin.services.cache.delete(`session:{acme}:${bob.id}:${sessionIdOf(session)}`);
    await expectRefused(() => send(origin, 'GET', '/v1/acme/me', { token: session }), 401, 'unauthorized');
  });

  it('answers the same to an unknown email as to a wrong password, with the same scrypt work', async () => {
    const attempt = async (email: string) => {
      const before = scrypt.calls;
      const response = await send(origin, 'POST', '/v1/acme/sessions', { body: { email, password: 'wrong horse battery staple' } });
      return { scrypt: scrypt.calls - before, body: (await response.json()) as { error: { code: string; message: string; requestId: string } } };
    };
    await attempt('warm-up@acme.test'); // the first unknown email also hashes the decoy once
    const unknown = await attempt('nobody@acme.test');
    const wrong = await attempt(bob.email);
    expect(unknown.body.error).toEqual({ ...wrong.body.error, requestId: unknown.body.error.requestId });
    // One derivation each: without the decoy an unknown email would answer with none, and fast.
    expect([unknown.scrypt, wrong.scrypt]).toEqual([1, 1]);
  });
});
