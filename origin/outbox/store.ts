/**
 * The purge outbox table (`purge_outbox`, migration 0003). A write that changes public data adds
 * its purge here in the same transaction as the row change, so a commit without its purge (or a
 * purge without its commit) cannot happen. Rows are claimed with a short lease instead of a long
 * transaction, so a deliverer that dies mid-flight leaves rows that the next run picks up.
 */
import type { Queryable } from '../db/index.ts';
import type { PurgeMessage } from '../../common/purge.ts';

/** A purge to send; the id is the row id and the message's id, reused on every redelivery. */
export interface OutboxRecord {
  id: string;
  message: PurgeMessage;
  attempts: number;
}

interface OutboxRow {
  id: string;
  message: PurgeMessage | string;
  attempts: number;
}

/**
 * Adds a purge to the outbox inside the caller's transaction; returns the record, which the
 * caller hands to the deliverer's `kick` once the transaction committed.
 */
export async function enqueuePurge(tx: Queryable, selectors: Omit<PurgeMessage, 'id'>): Promise<OutboxRecord> {
  const id = crypto.randomUUID();
  const message: PurgeMessage = { id, ...selectors };
  await tx.query('INSERT INTO purge_outbox (id, message) VALUES ($1, $2::jsonb)', [id, JSON.stringify(message)]);
  return { id, message, attempts: 0 };
}

/**
 * Claims up to `limit` due, undelivered records, oldest first, by pushing their next attempt
 * `leaseMs` ahead. `FOR UPDATE SKIP LOCKED` lets concurrent deliverers on a real server take
 * disjoint rows; on PGlite (one connection) it is the same statement without contention.
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<OutboxRecord[]> {
  const rows = await db.query<OutboxRow>(
    `WITH claimed AS (
       UPDATE purge_outbox SET next_attempt_at = now() + $2 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM purge_outbox
         WHERE delivered_at IS NULL AND next_attempt_at <= now()
         ORDER BY seq
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING id, message, attempts, seq)
     SELECT id, message, attempts FROM claimed ORDER BY seq`,
    [limit, leaseMs],
  );
  return rows.map((row) => ({
    id: row.id,
    message: typeof row.message === 'string' ? (JSON.parse(row.message) as PurgeMessage) : row.message,
    attempts: row.attempts,
  }));
}

/** Records an acknowledged delivery. */
export async function markDelivered(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE purge_outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1', [id]);
}

/** Records a failed attempt and when to try again. */
export async function markFailed(db: Queryable, id: string, error: string, retryInMs: number): Promise<void> {
  await db.query(
    `UPDATE purge_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3 * interval '1 millisecond'
     WHERE id = $1`,
    [id, error.slice(0, 1000), retryInMs],
  );
}

/**
 * Makes every undelivered record due now, whatever its backoff said: used when the edge is known
 * to be back (the local stack restarted it). A record a deliverer holds may then be sent twice,
 * which the edge answers `duplicate` (purges are idempotent). Returns how many were released.
 */
export async function releaseBackoff(db: Queryable): Promise<number> {
  const rows = await db.query<{ id: string }>(
    'UPDATE purge_outbox SET next_attempt_at = now() WHERE delivered_at IS NULL AND next_attempt_at > now() RETURNING id',
  );
  return rows.length;
}

/** How many records still wait for delivery. */
export async function countPending(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number | string }>('SELECT count(*) AS n FROM purge_outbox WHERE delivered_at IS NULL');
  return Number(rows[0]?.n ?? 0);
}
