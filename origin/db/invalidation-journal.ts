/**
 * The cache's invalidation journal in PostgreSQL (`cache_invalidations`, migration 0004): a
 * version bump that could not reach Redis is recorded here, so that it is retried, and its
 * tenant read from the source meanwhile, by every origin process, whether or not the one that
 * made it lives on (a Lambda instance may be frozen or reaped).
 */
import type { InvalidationJournal, JournalEntry } from '../cache/index.ts';
import type { Queryable } from './interface.ts';

interface Row {
  version_key: string;
  tenant_id: string;
  token: string;
}

const entry = (row: Row): JournalEntry => ({ tenant: row.tenant_id, key: row.version_key, token: row.token });

/** The journal over `db`. */
export function postgresInvalidationJournal(db: Queryable): InvalidationJournal {
  return {
    async record(tenant, keys) {
      // One row per key: ON CONFLICT cannot update a row twice in one statement.
      keys = [...new Set(keys)];
      if (keys.length === 0) return [];
      // One new token per record: a retry that read the older one cannot settle this one.
      const rows = await db.query<Row>(
        `INSERT INTO cache_invalidations (version_key, tenant_id, token)
         SELECT key, $2, gen_random_uuid()::text FROM unnest($1::text[]) AS key
         ON CONFLICT (version_key) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, token = EXCLUDED.token, recorded_at = now()
         RETURNING version_key, tenant_id, token`,
        [keys, tenant],
      );
      return rows.map(entry);
    },
    async list(limit) {
      const rows = await db.query<Row>('SELECT version_key, tenant_id, token FROM cache_invalidations ORDER BY recorded_at, version_key LIMIT $1', [limit]);
      return rows.map(entry);
    },
    async settle(entries) {
      if (entries.length === 0) return;
      await db.query(
        `DELETE FROM cache_invalidations AS c
         USING unnest($1::text[], $2::text[]) AS landed(version_key, token)
         WHERE c.version_key = landed.version_key AND c.token = landed.token`,
        [entries.map((e) => e.key), entries.map((e) => e.token)],
      );
    },
  };
}
