/**
 * The origin's PostgreSQL pool (`origin/db/postgres.ts`) across a real server restart and a
 * crash, on a server of the test's own (`local/postgres-server.ts`; skipped where the
 * PostgreSQL binaries are not installed, never the machine's :5432). While the server is down
 * every query fails as "database unavailable" (the HTTP layer's 503); the pool's idle
 * connections end under it without killing the process; once the server is back the next query
 * and transaction succeed, with nothing committed lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../origin/db/index.ts';
import { openPostgres } from '../../origin/db/postgres.ts';
import { isDatabaseUnavailable } from '../../origin/db/unavailable.ts';
import { findPostgresBinaries, startPostgresServer, type PostgresServer } from '../../local/postgres-server.ts';

describe.skipIf(!findPostgresBinaries())("the origin's PostgreSQL pool across a server restart and a crash", () => {
  let server: PostgresServer;
  let db: Database;

  beforeAll(async () => {
    server = await startPostgresServer();
    db = openPostgres({ connectionString: server.url, maxConnections: 3 });
    await db.exec('CREATE TABLE kept (n int)');
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await server?.close();
  });

  it.each([
    ['restarted (pg_ctl stop -m fast)', () => server.stop('fast')],
    ['crashed (kill -9 of every server process)', () => server.kill()],
  ])('%s: unavailable while down, then serves again with what was committed', async (_, down) => {
    const [{ n: before } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kept');
    // Three connections open and idle in the pool when the server goes.
    await Promise.all([1, 2, 3].map(() => db.transaction((tx) => tx.query('INSERT INTO kept VALUES (1)'))));
    await down();
    const failure = await db.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isDatabaseUnavailable(failure)).toBe(true);
    await server.start();
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kept')).toEqual([{ n: before + 3 }]);
    await db.transaction((tx) => tx.query('INSERT INTO kept VALUES (2)'));
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kept')).toEqual([{ n: before + 4 }]);
  });
});
