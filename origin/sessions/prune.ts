/**
 * Deletes sessions past their absolute expiry. Nothing reads them again (every read checks
 * `expires_at`), but nothing removed them either, so the table grew with every sign-in. A
 * session idle past its idle TTL is dead too; it goes once its absolute cap passes as well,
 * which keeps this one indexed range scan (`sessions_by_expiry`, migration 0006).
 */
import type { Queryable } from '../db/index.ts';

/** Rows one run deletes at most: a run stays short however far behind it is. */
export const PRUNE_BATCH = 1000;

/**
 * Deletes at most `limit` expired sessions, oldest expiry first, and as many revocation records
 * of expired sessions (their cached copies have left Redis by TTL); returns how many sessions.
 */
export async function pruneExpiredSessions(db: Queryable, limit = PRUNE_BATCH): Promise<number> {
  const [row] = await db.query<{ n: number | string }>(
    `WITH gone AS (
       DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < now() ORDER BY expires_at LIMIT $1)
       RETURNING 1
     ) SELECT count(*)::int AS n FROM gone`,
    [limit],
  );
  await db.query('DELETE FROM session_revocations WHERE sid IN (SELECT sid FROM session_revocations WHERE expires_at < now() LIMIT $1)', [limit]);
  return Number(row?.n ?? 0);
}
