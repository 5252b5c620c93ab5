/**
 * A small migration runner: each migration runs in its own transaction together with the row
 * that records it, so a failed migration leaves neither a half-applied schema nor a record.
 * An advisory lock keeps two processes (two Lambda cold starts) from migrating at once.
 */
import type { Database } from './interface.ts';

/** One forward-only schema change. `id` sorts in application order. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

// Arbitrary constant: the advisory-lock id that serialises migrators on one database.
const MIGRATION_LOCK_ID = 7_305_221_001;

/** Applies the migrations `db` has not seen yet, in order; returns the ids it applied. */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  assertOrdered(migrations);
  await db.query(`CREATE TABLE IF NOT EXISTS strata_migrations (
    id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      const seen = await tx.query('SELECT 1 FROM strata_migrations WHERE id = $1', [migration.id]);
      if (seen.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO strata_migrations (id) VALUES ($1)', [migration.id]);
      return true;
    });
    if (ran) applied.push(migration.id);
  }
  return applied;
}

/**
 * Throws unless every migration has been applied: for processes that sign in as the app role,
 * which may not change the schema (`app-role.ts`); the owner migrates first.
 */
export async function assertMigrated(db: Database, migrations: readonly Migration[]): Promise<void> {
  let rows: { id: string }[];
  try {
    rows = await db.query<{ id: string }>('SELECT id FROM strata_migrations');
  } catch (error) {
    throw new Error('the database has no migration record: run the migrator as the owner first (docs/deploy.md)', { cause: error });
  }
  const applied = new Set(rows.map((row) => row.id));
  const missing = migrations.filter((migration) => !applied.has(migration.id)).map((migration) => migration.id);
  if (missing.length > 0) throw new Error(`the database lacks migrations ${missing.join(', ')}: run the migrator as the owner first (docs/deploy.md)`);
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const previous = migrations[i - 1]!.id;
    if (previous >= migrations[i]!.id) {
      throw new Error(`migrations out of order or duplicated: ${previous} before ${migrations[i]!.id}`);
    }
  }
}
