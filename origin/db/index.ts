/**
 * Opens the configured database and brings its schema up to date.
 */
import type { Database } from './interface.ts';
import { MIGRATIONS } from './migrations.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type { Database, Queryable } from './interface.ts';

/** Where the source of truth lives. */
export type DatabaseConfig =
  | { kind: 'postgres'; url: string; maxConnections: number; iamAuth?: { region: string | undefined } }
  | { kind: 'pglite'; dataDir: string };

/** Opens the database and applies pending migrations. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const db = config.kind === 'postgres'
    ? openPostgres({ connectionString: config.url, maxConnections: config.maxConnections, ...(config.iamAuth ? { iamAuth: config.iamAuth } : {}) })
    : await openPglite({ dataDir: config.dataDir });
  try {
    await migrate(db, MIGRATIONS);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}
