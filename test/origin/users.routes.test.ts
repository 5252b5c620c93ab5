import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { userKey } from '../../common/keys.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { hashPassword } from '../../origin/users/password.ts';
import { acme, alice, bob, globex, send, signIn } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));
const NEW_PASSWORD = 'tr0ub4dor & 3 new horses';

describe.each(combos)('user routes on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  let aliceToken: string;
  let bobToken: string;
  // A user of this file alone: other files cache the demo users in the same Redis at the same time.
  const carol = { id: crypto.randomUUID(), email: `carol-${crypto.randomUUID().slice(0, 8)}@acme.test`, name: 'Carol Cook' };
  let carolToken: string;

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
    // Other runs share the harness's Redis: start from a cold cache for the demo users.
    await origin.services.cache.delete(...acme.users.map((u) => userKey('acme', u.id)));
    await origin.services.db.query('INSERT INTO users (id, tenant_id, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)', [
      carol.id,
      'acme',
      carol.email,
      carol.name,
      await hashPassword(DEMO_PASSWORD),
    ]);
    [aliceToken, bobToken, carolToken] = (await Promise.all([alice, bob, carol].map((user) => signIn(origin, 'acme', user.email)))) as [string, string, string];
  });
  afterAll(async () => {
    await origin?.close();
  });
  /** A member of acme for one test alone (password tests end sessions and change credentials), signed in. */
  async function newMember(): Promise<{ id: string; email: string; token: string }> {
    const member = { id: crypto.randomUUID(), email: `m-${crypto.randomUUID().slice(0, 8)}@acme.test` };
    await origin.services.db.query('INSERT INTO users (id, tenant_id, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)', [
      member.id,
      'acme',
      member.email,
      'Member',
      await hashPassword(DEMO_PASSWORD),
    ]);
    return { ...member, token: await signIn(origin, 'acme', member.email) };
  }
  beforeEach(async () => {
    await origin.services.cache.delete(...acme.users.map((u) => userKey('acme', u.id)), userKey('acme', carol.id));
  });

  it('answers /me with the signed-in user, cached after the first read, never storable', async () => {
    const first = await send(origin, 'GET', '/v1/acme/me', { token: carolToken });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    expect(first.headers.get('cache-status')).toBe('strata-origin; fwd=miss');
    const body = await first.json();
    // Carol's name as PostgreSQL holds it now: another test of this file may have renamed her.
    const [row] = await origin.services.db.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [carol.id]);
    expect(body).toMatchObject({ id: carol.id, email: carol.email, name: row!.name, roles: [] });
    expect(JSON.stringify(body)).not.toContain('scrypt');
    const second = await send(origin, 'GET', '/v1/acme/me', { token: carolToken });
    expect(second.headers.get('cache-status')).toBe('strata-origin; hit');
    expect(await second.json()).toEqual(body);
  });

  it('stores the cached profile encrypted', async () => {
    await send(origin, 'GET', `/v1/acme/users/${alice.id}`, { token: bobToken });
    const stored = await origin.services.cache.get(userKey('acme', alice.id));
    expect(stored).toEqual(expect.stringMatching(/\S/));
    expect(stored).not.toContain(alice.email);
  });

  it('reads its own changes after PATCH, through the cache', async () => {
    await send(origin, 'GET', `/v1/acme/users/${carol.id}`, { token: carolToken });
    const cached = await send(origin, 'GET', `/v1/acme/users/${carol.id}`, { token: carolToken });
    expect(cached.headers.get('cache-status')).toBe('strata-origin; hit');
    const name = `Carol ${crypto.randomUUID().slice(0, 8)}`;
    const patched = await send(origin, 'PATCH', `/v1/acme/users/${carol.id}`, { token: carolToken, body: { name } });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('cache-control')).toBe('private, no-store');
    expect(await patched.json()).toMatchObject({ id: carol.id, name });
    const after = await send(origin, 'GET', `/v1/acme/users/${carol.id}`, { token: aliceToken });
    expect(await after.json()).toMatchObject({ name });
    expect(await (await send(origin, 'GET', '/v1/acme/me', { token: carolToken })).json()).toMatchObject({ name });
  });

  it('lets an admin change another user, and nobody else', async () => {
    const byAdmin = await send(origin, 'PATCH', `/v1/acme/users/${bob.id}`, { token: aliceToken, body: { name: 'Robert Baker' } });
    expect(byAdmin.status).toBe(200);
    const byPeer = await send(origin, 'PATCH', `/v1/acme/users/${alice.id}`, { token: bobToken, body: { name: 'Mallory' } });
    expect(byPeer.status).toBe(403);
    expect(await byPeer.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(await (await send(origin, 'GET', `/v1/acme/users/${alice.id}`, { token: bobToken })).json()).toMatchObject({ name: alice.name });
  });

  it('pages through users with an opaque cursor', async () => {
    // More users than one page, created in the same instant so the id breaks ties.
    const extra = Array.from({ length: 5 }, () => crypto.randomUUID());
    await origin.services.db.query(
      `INSERT INTO users (id, tenant_id, email, name) SELECT id, 'acme', 'u-' || id || '@acme.test', 'Extra' FROM unnest($1::uuid[]) AS id`,
      [extra],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const response = await send(origin, 'GET', `/v1/acme/users${query}`, { token: bobToken });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const page = (await response.json()) as { data: { id: string }[]; nextCursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((u) => u.id));
      cursor = page.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
    } while (cursor && pages < 20);
    const all = await origin.services.db.query<{ id: string }>("SELECT id FROM users WHERE tenant_id = 'acme' ORDER BY created_at, id");
    expect(seen).toEqual(all.map((u) => u.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([...extra, alice.id, bob.id]));
    for (const other of globex.users) expect(seen).not.toContain(other.id);
  });

  it('changes a password: every session of the user ends, the new password signs in', async () => {
    const dan = await newMember();
    const other = await signIn(origin, 'acme', dan.email);
    const wrong = await send(origin, 'POST', `/v1/acme/users/${dan.id}/password`, {
      token: dan.token,
      body: { currentPassword: 'not my password', newPassword: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(403);
    expect((await send(origin, 'GET', '/v1/acme/me', { token: other })).status).toBe(200);

    const changed = await send(origin, 'POST', `/v1/acme/users/${dan.id}/password`, {
      token: dan.token,
      body: { currentPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(204);
    for (const token of [dan.token, other]) expect((await send(origin, 'GET', '/v1/acme/sessions/current', { token })).status).toBe(401);
    const rows = await origin.services.db.query('SELECT 1 FROM sessions WHERE user_id = $1', [dan.id]);
    expect(rows).toHaveLength(0);
    expect((await send(origin, 'GET', '/v1/acme/me', { token: aliceToken })).status).toBe(200);

    const old = await send(origin, 'POST', '/v1/acme/sessions', { body: { email: dan.email, password: DEMO_PASSWORD } });
    expect(old.status).toBe(401);
    const renewed = await signIn(origin, 'acme', dan.email, NEW_PASSWORD);
    expect((await send(origin, 'GET', '/v1/acme/me', { token: renewed })).status).toBe(200);
  });

  it('lets an admin reset another user’s password with the admin’s own password', async () => {
    const erin = await newMember();
    const reset = await send(origin, 'POST', `/v1/acme/users/${erin.id}/password`, {
      token: aliceToken,
      body: { currentPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
    expect((await send(origin, 'GET', '/v1/acme/me', { token: erin.token })).status).toBe(401);
    expect((await send(origin, 'GET', '/v1/acme/me', { token: aliceToken })).status).toBe(200);
    const erinToken = await signIn(origin, 'acme', erin.email, NEW_PASSWORD);
    const byPeer = await send(origin, 'POST', `/v1/acme/users/${alice.id}/password`, {
      token: erinToken,
      body: { currentPassword: NEW_PASSWORD, newPassword: DEMO_PASSWORD },
    });
    expect(byPeer.status).toBe(403);
  });

  it('answers 404 for a user of another tenant or none', async () => {
    for (const id of ['0b000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000000']) {
      const response = await send(origin, 'GET', `/v1/acme/users/${id}`, { token: bobToken });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
