/**
 * How the origin's purge outbox did during the run, from its table: purges queued, delivered,
 * still waiting, delivered only after a retry, and the time from commit to the edge's
 * acknowledgement. An edge read staler than its bound is explained (or not) by these.
 */
import type { Database } from '../../origin/db/interface.ts';

/** The outbox's record since the run began. */
export interface PurgeDeliveries {
  queued: number;
  delivered: number;
  pending: number;
  retried: number;
  maxAttempts: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  deliveryMaxMs: number;
  /** Distinct errors of the purges still waiting (delivered ones keep none). */
  errors: string[];
}

/** Reads the outbox rows created at or after `since`. */
export async function readPurgeDeliveries(db: Database, since: Date): Promise<PurgeDeliveries> {
  const [summary] = await db.query<Record<string, string | number | null>>(
    `SELECT count(*) AS queued,
            count(delivered_at) AS delivered,
            count(*) FILTER (WHERE delivered_at IS NULL) AS pending,
            count(*) FILTER (WHERE attempts > 1) AS retried,
            coalesce(max(attempts), 0) AS max_attempts,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at)) AS p50,
            percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at)) AS p99,
            max(extract(epoch FROM delivered_at - created_at)) AS max
       FROM purge_outbox WHERE created_at >= $1`,
    [since.toISOString()],
  );
  const errors = await db.query<{ last_error: string }>(
    'SELECT DISTINCT last_error FROM purge_outbox WHERE created_at >= $1 AND delivered_at IS NULL AND last_error IS NOT NULL LIMIT 5',
    [since.toISOString()],
  );
  const number = (value: unknown) => (value === null || value === undefined ? Number.NaN : Number(value));
  const ms = (value: unknown) => Math.round(number(value) * 1000);
  return {
    queued: number(summary?.queued),
    delivered: number(summary?.delivered),
    pending: number(summary?.pending),
    retried: number(summary?.retried),
    maxAttempts: number(summary?.max_attempts),
    deliveryP50Ms: ms(summary?.p50),
    deliveryP99Ms: ms(summary?.p99),
    deliveryMaxMs: ms(summary?.max),
    errors: errors.map((row) => row.last_error),
  };
}
