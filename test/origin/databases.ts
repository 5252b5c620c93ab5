/**
 * The databases origin tests run on: a throw-away PGlite always, and the server in
 * `DATABASE_URL` too when it is set, each test file in a schema of its own that is dropped after.
 */
import pg from 'pg';
import { openDatabase, type Database, type DatabaseConfig } from '../../origin/db/index.ts';

/** A database for one test file. */
export interface TestDatabase {
  readonly name: string;
  readonly config: DatabaseConfig;
  /** Drops what the test created (a no-op for PGlite in memory). */
  cleanup(): Promise<void>;
}

/** Names of the databases this run covers, for `describe.each`. */
export const DATABASE_KINDS: readonly ('pglite' | 'postgres')[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** Creates an isolated database of `kind`. */
export async function createTestDatabase(kind: 'pglite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'pglite') return { name: 'pglite', config: { kind: 'pglite', dataDir: 'memory://' }, cleanup: async () => {} };
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const schema = `strata_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'postgres',
    config: { kind: 'postgres', url: scoped.toString(), maxConnections: 3 },
    async cleanup() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** An isolated database of `kind`, opened and migrated; `close` also drops what it created. */
export async function openTestDatabase(kind: 'pglite' | 'postgres'): Promise<{ db: Database; close(): Promise<void> }> {
  const test = await createTestDatabase(kind);
  const db = await openDatabase(test.config);
  return {
    db,
    async close() {
      await db.close();
      await test.cleanup();
    },
  };
}
