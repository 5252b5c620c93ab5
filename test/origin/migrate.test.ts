import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPglite } from '../../origin/db/pglite.ts';
import { openPostgres } from '../../origin/db/postgres.ts';
import type { Database } from '../../origin/db/interface.ts';
import { migrate } from '../../origin/db/migrate.ts';
import { MIGRATIONS } from '../../origin/db/migrations.ts';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from './databases.ts';

describe.each(DATABASE_KINDS)('migration runner on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeEach(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.config.kind === 'pglite' ? await openPglite(testDb.config) : openPostgres({ connectionString: testDb.config.url, maxConnections: 2 });
  });
  afterEach(async () => {
    await db.close();
    await testDb.cleanup();
  });

  it('applies every migration once, in order, and records it', async () => {
    expect(await migrate(db, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db, MIGRATIONS)).toEqual([]);
    const rows = await db.query<{ id: string }>('SELECT id FROM strata_migrations ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it('rolls a failing migration back whole and records nothing for it', async () => {
    const broken = [
      { id: '0001_ok', sql: 'CREATE TABLE ok_table (id int)' },
      { id: '0002_broken', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table' },
    ];
    await expect(migrate(db, broken)).rejects.toThrow(/no_such_table/);
    const recorded = await db.query<{ id: string }>('SELECT id FROM strata_migrations');
    expect(recorded.map((r) => r.id)).toEqual(['0001_ok']);
    const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(tables).toHaveLength(0);
  });

  it('refuses migrations that are out of order or duplicated', async () => {
    const shuffled = [
      { id: '0002_b', sql: 'SELECT 1' },
      { id: '0001_a', sql: 'SELECT 1' },
    ];
    await expect(migrate(db, shuffled)).rejects.toThrow(/out of order/);
    await expect(migrate(db, [shuffled[0]!, shuffled[0]!])).rejects.toThrow(/out of order or duplicated/);
  });
});
