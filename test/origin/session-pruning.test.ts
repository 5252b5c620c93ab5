/**
 * Sessions past their absolute expiry leave the table on a schedule, a bounded batch per run:
 * the Node server's maintenance loop (here with fake timers) and the scheduled outbox Lambda
 * both run it. Live sessions stay.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../origin/db/index.ts';
import { seedDemoData } from '../../origin/db/seed.ts';
import { log } from '../../origin/log.ts';
import { startMaintenance } from '../../origin/maintenance.ts';
import { pruneExpiredSessions } from '../../origin/sessions/prune.ts';
import { alice } from './api-client.ts';
import { DATABASE_KINDS, openTestDatabase } from './databases.ts';

describe.each(DATABASE_KINDS)('session pruning on %s', (kind) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase(kind));
    await seedDemoData(db);
  });
  afterAll(() => close());

  /** Inserts `n` sessions of alice that expire `offset` from now (negative: already expired). */
  async function sessions(n: number, offset: string): Promise<string[]> {
    const ids = Array.from({ length: n }, () => crypto.randomUUID().replaceAll('-', '').padEnd(64, '0'));
    await db.query(
      `INSERT INTO sessions (id, tenant_id, user_id, created_at, last_access, expires_at)
       SELECT id, 'acme', $2, now() - interval '8 days', now() - interval '1 day', now() + $3::interval FROM unnest($1::text[]) AS id`,
      [ids, alice.id, offset],
    );
    return ids;
  }
  const remaining = async (ids: string[]) => (await db.query<{ id: string }>('SELECT id FROM sessions WHERE id = ANY($1::text[])', [ids])).length;

  it('deletes expired sessions a bounded batch at a time and keeps live ones', async () => {
    const expired = await sessions(5, '-1 hour');
    const live = await sessions(2, '1 hour');
    expect(await pruneExpiredSessions(db, 3)).toBe(3);
    expect(await remaining(expired)).toBe(2);
    expect(await pruneExpiredSessions(db, 3)).toBe(2);
    expect(await pruneExpiredSessions(db, 3)).toBe(0);
    expect(await remaining(expired)).toBe(0);
    expect(await remaining(live)).toBe(2);
  });

  it('runs on the Node server’s maintenance loop', async () => {
    const expired = await sessions(3, '-1 minute');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const quiet = vi.spyOn(log, 'info').mockImplementation(() => {});
    let ran: () => void = () => {};
    const done = new Promise<void>((resolve) => (ran = resolve));
    try {
      const maintenance = startMaintenance(db, { intervalMs: 60_000, onRun: () => ran() });
      expect(await remaining(expired)).toBe(3);
      await vi.advanceTimersByTimeAsync(60_000);
      await done;
      maintenance.stop();
    } finally {
      vi.useRealTimers();
      quiet.mockRestore();
    }
    expect(await remaining(expired)).toBe(0);
  });
});
