/**
 * The application's database role: it reads and writes rows and nothing else. The owner (the
 * Aurora admin user) applies migrations and runs this afterwards (`origin/migrate-lambda.ts`);
 * the API and the outbox deliverer sign in as the role (IAM through RDS Proxy), so nothing they
 * run — a bug, an injection — can create, alter, truncate or drop a table, or touch a role.
 */
import type { Queryable } from './interface.ts';

/** The role the stack's functions sign in as. */
export const DEFAULT_APP_ROLE = 'strata_app';

/** Lowercase PostgreSQL identifiers that need no quoting (and leave no room for injection). */
export const ROLE_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates `role` (LOGIN, no password) unless it exists and grants it, in the current schema,
 * SELECT, INSERT, UPDATE and DELETE on every table and use of every sequence, now and for
 * tables later migrations create (default privileges of the owner running this). The migration
 * record is read-only to it. On RDS the role joins `rds_iam`: it signs in with IAM tokens only.
 * Idempotent: the migrator runs it after every migration run.
 */
export async function grantAppRole(db: Queryable, role: string): Promise<void> {
  if (!ROLE_PATTERN.test(role)) throw new Error(`app role must match ${ROLE_PATTERN.source}, got ${JSON.stringify(role)}`);
  await db.exec(`
    DO $$
    DECLARE
      schema_name text := current_schema();
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${role} LOGIN;
      END IF;
      IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
        GRANT rds_iam TO ${role};
      END IF;
      -- Nobody but the owner creates objects here (PostgreSQL 15+ already says so for public).
      EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', schema_name);
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${role}', schema_name);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ${role}', schema_name);
      EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO ${role}', schema_name);
      EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}', schema_name);
      EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO ${role}', schema_name);
      IF to_regclass('strata_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE ON strata_migrations FROM ${role};
      END IF;
    END
    $$;
  `);
}
