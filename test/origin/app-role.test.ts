/**
 * Least privilege in the database: the owner migrates and grants; the app role reads and writes
 * rows and can change nothing else. On PGlite and, with DATABASE_URL, on a PostgreSQL server,
 * where the whole API also runs signed in as the role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../origin/app.ts';
import { grantAppRole } from '../../origin/db/app-role.ts';
import { openDatabase, type Database } from '../../origin/db/index.ts';
import { runMigrator } from '../../origin/db/migrator.ts';
import { DEMO_TENANTS } from '../../origin/db/seed.ts';
import { logger } from '../../origin/log.ts';
import { buildServices } from '../../origin/services.ts';
import { acme, alice } from './api-client.ts';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './databases.ts';

const REFUSED = /permission denied|must be owner/;

describe.each(DATABASE_KINDS)('the app role on %s', (kind) => {
  // Roles belong to the whole server: one of its own per run, dropped afterwards.
  const role = `strata_app_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  let test: TestDatabase;
  let owner: Database;

  beforeAll(async () => {
    logger.setLogLevel('SILENT');
    test = await createTestDatabase(kind);
    owner = await openDatabase(test.config);
    expect(await runMigrator(owner, { appRole: role, seedDemo: true })).toEqual({ applied: [], appRole: role, seeded: true });
  });
  afterAll(async () => {
    if (kind === 'postgres') await owner.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    await owner?.close();
    await test?.cleanup();
    logger.setLogLevel('INFO');
  });

  /** Runs `sql` as the app role (SET ROLE inside a transaction that is then rolled back). */
  const asApp = (sql: string) =>
    owner
      .transaction(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${role}`);
        await tx.exec(sql);
        throw new Error('rolled back');
      })
      .catch((error: Error) => (error.message === 'rolled back' ? 'ok' : error.message));

  it('reads and writes the rows of every table', async () => {
    const tenant = DEMO_TENANTS[0]!.id;
    expect(await asApp(`SELECT count(*) FROM projects; SELECT id FROM strata_migrations`)).toBe('ok');
    expect(await asApp(`UPDATE tenants SET name = name WHERE id = '${tenant}'`)).toBe('ok');
    expect(await asApp(`INSERT INTO purge_outbox (id, message) VALUES ('p1', '{}'); DELETE FROM purge_outbox WHERE id = 'p1'`)).toBe('ok');
    expect(await asApp(`INSERT INTO cache_invalidations (version_key, tenant_id, token) VALUES ('k', '${tenant}', 't')`)).toBe('ok');
    expect(await asApp(`DELETE FROM sessions`)).toBe('ok');
  });

  it.each([
    ['create a table', 'CREATE TABLE intruder (id int)'],
    ['drop a table', 'DROP TABLE projects'],
    ['alter a table', 'ALTER TABLE users ADD COLUMN intruder text'],
    ['truncate a table', 'TRUNCATE sessions'],
    ['create an index', 'CREATE INDEX intruder ON projects (name)'],
    ['create a function', 'CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
    ['rewrite the migration record', `DELETE FROM strata_migrations`],
    ['create a role', 'CREATE ROLE intruder'],
    ['raise its own rights', 'ALTER ROLE CURRENT_USER CREATEROLE'],
    ['take a table over', 'ALTER TABLE projects OWNER TO CURRENT_USER'],
  ])('cannot %s', async (_, sql) => {
    expect(await asApp(sql)).toMatch(REFUSED);
  });

  it('gets the same rights on tables later migrations create, and re-granting changes nothing', async () => {
    await owner.exec('CREATE TABLE later_feature (id int PRIMARY KEY, note text)');
    try {
      expect(await asApp(`INSERT INTO later_feature VALUES (1, 'a'); UPDATE later_feature SET note = 'b'; DELETE FROM later_feature`)).toBe('ok');
      expect(await asApp('DROP TABLE later_feature')).toMatch(REFUSED);
      await grantAppRole(owner, role);
      expect(await asApp('TRUNCATE later_feature')).toMatch(REFUSED);
    } finally {
      await owner.exec('DROP TABLE later_feature');
    }
  });

  it('refuses role names that would need quoting', async () => {
    await expect(grantAppRole(owner, 'strata"; DROP TABLE projects; --')).rejects.toThrow(/app role must match/);
  });
});

// Signing in as the role needs a server; PGlite has one user. Runs when DATABASE_URL is set.
for (const kind of DATABASE_KINDS.filter((k) => k === 'postgres')) {
  describe('the app role signed in to a PostgreSQL server', () => {
    const role = `strata_app_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    let test: TestDatabase;
    let owner: Database;

    beforeAll(async () => {
      logger.setLogLevel('SILENT');
      test = await createTestDatabase(kind);
      owner = await openDatabase(test.config);
      await runMigrator(owner, { appRole: role, seedDemo: true });
    });
    afterAll(async () => {
      await owner.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
      await owner?.close();
      await test?.cleanup();
      logger.setLogLevel('INFO');
    });

    it('serves the API signed in as the role, which only checks that the owner migrated', async () => {
      const url = new URL((test.config as { url: string }).url);
      url.username = role;
      const services = await buildServices({
        database: { kind: 'postgres', url: url.toString(), maxConnections: 2, migrate: false },
        cache: { kind: 'memory', maxEntries: 100 },
      });
      const app = createApp(services);
      try {
        const [me] = await services.db.query<{ user: string }>('SELECT current_user AS user');
        expect(me!.user).toBe(role);
        const signIn = await app.request(`/v1/${acme.id}/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: alice.email, password: 'correct horse battery staple' }),
        });
        expect(signIn.status).toBe(201);
        const { token } = (await signIn.json()) as { token: string };
        const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const created = await app.request(`/v1/${acme.id}/projects`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ name: 'Least privilege', visibility: 'public' }),
        });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        expect((await app.request(`/v1/${acme.id}/projects/${id}`, { method: 'PATCH', headers: auth, body: JSON.stringify({ name: 'Renamed' }) })).status).toBe(
          200,
        );
        expect((await app.request(`/v1/${acme.id}/projects/${id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
        const [queued] = await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM purge_outbox');
        expect(queued!.n).toBeGreaterThan(0);
        expect((await app.request(`/v1/${acme.id}/sessions/current`, { method: 'DELETE', headers: auth })).status).toBe(204);
      } finally {
        await services.close();
      }
    });

    it('will not start as the role on a database the owner has not migrated', async () => {
      const empty = await createTestDatabase('postgres');
      try {
        const url = new URL((empty.config as { url: string }).url);
        url.username = role;
        await expect(openDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 1, migrate: false })).rejects.toThrow(
          /no migration record: run the migrator as the owner/,
        );
      } finally {
        await empty.cleanup();
      }
    });
  });
}
