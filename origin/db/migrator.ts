/**
 * What the migrator does as the database owner: apply pending migrations, then (re)grant the
 * app role its rights on every table, including ones those migrations just created; on request
 * also add the demo tenants and users, so a fresh dev stage has someone to sign in as.
 */
import { grantAppRole } from './app-role.ts';
import type { Database } from './interface.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import { seedDemoData } from './seed.ts';

/** Options of {@link runMigrator}. */
export interface MigratorOptions {
  /** The role the API signs in as. */
  appRole: string;
  /** Adds the demo tenants, users and projects (`npm run dev`'s); never on production data. */
  seedDemo?: boolean;
}

/** What one run did. */
export interface MigratorReport {
  applied: string[];
  appRole: string;
  seeded: boolean;
}

/** Migrates `db` (connected as its owner), grants the app role and seeds when asked. */
export async function runMigrator(db: Database, options: MigratorOptions): Promise<MigratorReport> {
  const applied = await migrate(db, MIGRATIONS);
  await grantAppRole(db, options.appRole);
  if (options.seedDemo) await seedDemoData(db);
  return { applied, appRole: options.appRole, seeded: Boolean(options.seedDemo) };
}
