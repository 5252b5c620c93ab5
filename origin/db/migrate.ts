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

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const previous = migrations[i - 1]!.id;
    if (previous >= migrations[i]!.id) {
      throw new Error(`migrations out of order or duplicated: ${previous} before ${migrations[i]!.id}`);
    }
  }
}
