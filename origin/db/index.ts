/**
 * Opens the configured database and brings its schema up to date.
 */
import type { Database } from './interface.ts';
import { MIGRATIONS } from './migrations.ts';
import { assertMigrated, migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type { Database, Queryable } from './interface.ts';

/** Where the source of truth lives. */
export type DatabaseConfig =
  | {
      kind: 'postgres';
      url: string;
      maxConnections: number;
      iamAuth?: { region: string | undefined };
      /** The password, read per new connection (a rotated Secrets Manager secret). */
      password?: () => Promise<string>;
      /** false: only check that the owner has migrated (the app role may not). @default true */
      migrate?: boolean;
    }
  | { kind: 'pglite'; dataDir: string };

/** Opens the database and applies pending migrations (or, with `migrate: false`, checks there are none). */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const db =
    config.kind === 'postgres'
      ? openPostgres({
          connectionString: config.url,
          maxConnections: config.maxConnections,
          ...(config.iamAuth ? { iamAuth: config.iamAuth } : {}),
          ...(config.password ? { password: config.password } : {}),
        })
      : await openPglite({ dataDir: config.dataDir });
  try {
    if (config.kind === 'postgres' && config.migrate === false) await assertMigrated(db, MIGRATIONS);
    else await migrate(db, MIGRATIONS);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}
