/**
 * A PostgreSQL restart (or an operator's pg_terminate_backend) ends connections the pool has
 * handed out, mid-query or between a transaction's statements. node-postgres then emits
 * `error` on the client; with no listener that is an uncaught exception and the origin process
 * dies (found by `npm run bench -- chaos postgres-restart`). The request fails; the process
 * and the pool must not. Runs only with DATABASE_URL: PGlite has no backends to terminate.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../origin/db/index.ts';
import { eventually } from '../harness/eventually.ts';
import { openTestDatabase } from './databases.ts';

describe.skipIf(!process.env.DATABASE_URL)('PostgreSQL connections ended under the origin', () => {
  let db: Database;
  let close: () => Promise<void>;
  let admin: pg.Client;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase('postgres'));
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await close?.();
  });

  const terminate = async (pid: number) => {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(
      'the backend to be gone',
      async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount,
      (n) => n === 0,
    );
  };

  it('fails a transaction whose connection was terminated between statements, and goes on', async () => {
    const failed = db.transaction(async (tx) => {
      const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await terminate(row!.pid);
      // Let the socket's end reach the client before the next statement.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await tx.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow(/terminat|not queryable/i);
    expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('fails a query whose connection was terminated while it ran, and goes on', async () => {
    // Settled as soon as it fails, so its rejection is never unhandled while the test waits.
    const running = db.query("SELECT pg_sleep(30), 'marker-connection-loss' AS marker").then(
      () => undefined,
      (error: unknown) => error,
    );
    const { rows } = await eventually(
      'the query to be running',
      () =>
        admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE query LIKE '%marker-connection-loss%' AND pid <> pg_backend_pid() AND state = 'active'",
        ),
      (result) => (result.rowCount ?? 0) > 0,
    );
    await terminate(rows[0]!.pid);
    expect(String(await running)).toMatch(/terminat/i);
    expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
