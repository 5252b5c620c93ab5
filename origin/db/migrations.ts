/**
 * Schema migrations, applied in order and never edited once released: add a new one instead.
 * Kept as TypeScript (not .sql files) so the Lambda bundle carries them without a file system.
 */
import type { Migration } from './migrate.ts';

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_tenants_users_projects',
    sql: `
      CREATE TABLE tenants (
        id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE users (
        id          uuid PRIMARY KEY,
        tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        email       text NOT NULL,
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, email)
      );
      CREATE TABLE projects (
        id          uuid PRIMARY KEY,
        tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        owner_id    uuid REFERENCES users (id) ON DELETE SET NULL,
        name        text NOT NULL,
        description text NOT NULL DEFAULT '',
        visibility  text NOT NULL CHECK (visibility IN ('public', 'private')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX projects_by_tenant_visibility ON projects (tenant_id, visibility, created_at, id);
    `,
  },
  {
    // Sessions are keyed by the SHA-256 of the token (the session id): a dump yields no token.
    id: '0002_users_auth_sessions',
    sql: `
      ALTER TABLE users
        ADD COLUMN password_hash text,
        ADD COLUMN roles text[] NOT NULL DEFAULT '{}',
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
      CREATE INDEX users_by_tenant_created ON users (tenant_id, created_at, id);
      CREATE TABLE sessions (
        id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
        tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        roles       text[] NOT NULL DEFAULT '{}',
        created_at  timestamptz NOT NULL,
        last_access timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL
      );
      CREATE INDEX sessions_by_user ON sessions (tenant_id, user_id);
    `,
  },
  {
    // Config rows are seeded here for the demo tenants without a foreign key: a fresh database
    // gets its tenants from the seed after migrating, and the API checks the tenant exists.
    // Outbox rows are sent in `seq` order: insertion order, even within one transaction.
    id: '0003_config_outbox',
    sql: `
      CREATE TABLE tenant_config (
        tenant_id   text NOT NULL CHECK (tenant_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        type        text NOT NULL,
        document    jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, type)
      );
      INSERT INTO tenant_config (tenant_id, type, document) VALUES
        ('acme', 'app_settings', '{"theme": "light", "locale": "en-US"}'),
        ('acme', 'limits', '{"api_calls_per_hour": 10000}'),
        ('globex', 'app_settings', '{"theme": "dark", "locale": "en-GB"}'),
        ('globex', 'limits', '{"api_calls_per_hour": 1000}');
      CREATE TABLE purge_outbox (
        id              text PRIMARY KEY,
        message         jsonb NOT NULL,
        seq             bigint GENERATED ALWAYS AS IDENTITY,
        created_at      timestamptz NOT NULL DEFAULT now(),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at    timestamptz,
        last_error      text
      );
      CREATE INDEX purge_outbox_pending ON purge_outbox (seq) WHERE delivered_at IS NULL;
    `,
  },
  {
    id: '0004_cache_invalidations',
    sql: `
      -- Cache invalidations (version bumps) that could not reach Redis, for any process to retry.
      CREATE TABLE cache_invalidations (
        version_key text PRIMARY KEY,
        tenant_id   text NOT NULL,
        token       text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    // Who changed tenant-wide settings and privileges, written in the transaction of the change.
    // Append-only: the triggers refuse UPDATE, DELETE and TRUNCATE to every role that is not
    // the table's owner dropping them in a migration.
    id: '0005_audit_log',
    sql: `
      CREATE TABLE audit_log (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id   text NOT NULL,
        actor_id    uuid NOT NULL,
        changed_at  timestamptz NOT NULL DEFAULT now(),
        type        text NOT NULL,
        subject     text,
        before      jsonb,
        after       jsonb NOT NULL
      );
      CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, changed_at);
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END
      $$;
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
    `,
  },
  {
    // Expired sessions are pruned in batches by expiry (origin/sessions/prune.ts).
    id: '0006_sessions_by_expiry',
    sql: `CREATE INDEX sessions_by_expiry ON sessions (expires_at);`,
  },
  {
    // Logouts whose Redis delete has not landed yet (origin/sessions/revocations.ts):
    // written with the session's deletion, read by every process, settled once Redis lost it.
    id: '0007_session_revocations',
    sql: `
      CREATE TABLE session_revocations (
        sid         text PRIMARY KEY,
        tenant_id   text NOT NULL,
        user_id     uuid NOT NULL,
        expires_at  timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX session_revocations_by_time ON session_revocations (recorded_at);
    `,
  },
];
