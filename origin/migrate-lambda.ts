/**
 * Lambda entry of the migrator. It signs in to the Aurora writer as the owner (the admin user,
 * password from Secrets Manager: DATABASE_PASSWORD_SECRET_ARN), applies pending migrations and
 * grants the app role (DATABASE_APP_ROLE) its rights. A CloudFormation trigger runs it on every
 * deploy that changes it, before the origin's functions get the new code
 * (infra/stacks/database-migrator.ts); by hand, `{"seedDemo": true}` adds the demo data:
 *   aws lambda invoke --function-name <MigratorFunction output> --payload '{"seedDemo":true}' out.json
 */
// First: stack traces are mapped to the sources from here on (without --enable-source-maps).
import './stack-traces.ts';
import { loadConfig } from './config.ts';
import { DEFAULT_APP_ROLE } from './db/app-role.ts';
import { runMigrator, type MigratorReport } from './db/migrator.ts';
import { openPostgres } from './db/postgres.ts';
import { log } from './log.ts';
import { openRuntimeSecrets } from './secrets/index.ts';

// The migrator caches nothing, so it has no keyring: it does not need one to start.
const config = loadConfig(process.env, { purpose: 'migrator' });
if (config.database.kind !== 'postgres') throw new Error('the migrator needs DATABASE_URL (the owner on the Aurora writer)');
const database = config.database;
const secrets = await openRuntimeSecrets(config.secrets);

/** Runs the migrator once; a failure fails the invocation, and so the deploy that ran it. */
export async function handler(event: { seedDemo?: boolean } | null | undefined): Promise<MigratorReport> {
  // Not openDatabase: that migrates first, as whoever connects, before the report is made.
  const db = openPostgres({
    connectionString: database.url,
    maxConnections: 1,
    ...(database.iamAuth ? { iamAuth: database.iamAuth } : {}),
    ...(secrets.databasePassword ? { password: secrets.databasePassword } : {}),
  });
  try {
    const report = await runMigrator(db, { appRole: config.databaseAppRole ?? DEFAULT_APP_ROLE, seedDemo: event?.seedDemo === true });
    log.info('migrator run', { ...report });
    return report;
  } finally {
    await db.close();
  }
}
