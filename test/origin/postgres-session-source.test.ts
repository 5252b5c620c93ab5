import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf } from '../../origin/sessions/token.ts';
import type { Session } from '../../origin/sessions/store.ts';
import { openDatabase, type Database } from '../../origin/db/index.ts';
import { DEMO_TENANTS, seedDemoData } from '../../origin/db/seed.ts';
import { PostgresSessionSource } from '../../origin/sessions/source.ts';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './databases.ts';

const alice = DEMO_TENANTS[0]!.users[0]!;
const sid = () => sessionIdOf(crypto.randomUUID());

describe.each(DATABASE_KINDS)('the PostgreSQL session source on %s', (kind) => {
  let test: TestDatabase;
  let db: Database;
  let source: PostgresSessionSource;
  const now = Date.UTC(2026, 5, 1);
  const session: Session = { tenant: 'acme', userId: alice.id, createdAt: now, lastAccess: now, expiresAt: Date.now() + 3_600_000 };

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    db = await openDatabase(test.config);
    await seedDemoData(db);
    source = new PostgresSessionSource(db);
  });
  afterAll(async () => {
    await db.close();
    await test.cleanup();
  });

  it('saves, loads to the millisecond, and lists by user', async () => {
    const id = sid();
    await source.save(id, session);
    expect(await source.load('acme', id)).toEqual(session);
    expect(await source.listByUser('acme', alice.id)).toContain(id);
  });

  it('keeps tenants apart', async () => {
    const id = sid();
    await source.save(id, session);
    expect(await source.load('globex', id)).toBeUndefined();
    await source.delete('globex', [id]);
    expect(await source.load('acme', id)).toEqual(session);
  });

  it('records a later access, never an earlier one', async () => {
    const id = sid();
    await source.save(id, session);
    await source.save(id, { ...session, lastAccess: now + 60_000 });
    await source.save(id, { ...session, lastAccess: now + 30_000 });
    expect((await source.load('acme', id))?.lastAccess).toBe(now + 60_000);
  });

  it('does not bring back a session ended while an access was being recorded', async () => {
    const id = sid();
    await source.save(id, session);
    await source.delete('acme', [id]);
    await source.save(id, { ...session, lastAccess: now + 60_000 });
    expect(await source.load('acme', id)).toBeUndefined();
    expect(await source.listByUser('acme', alice.id)).not.toContain(id);
  });
});
