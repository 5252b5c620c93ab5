/**
 * PostgreSQL as the source of truth for sessions (the `SessionSource` of the cache's session
 * store). Rows are keyed by the session id, the SHA-256 of the token; the token is never stored.
 */
import type { Revocation, Session, SessionSource } from './interface.ts';
import type { Queryable } from '../db/index.ts';

interface SessionRow {
  tenant_id: string;
  user_id: string;
  created_at: Date | string;
  last_access: Date | string;
  expires_at: Date | string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const revocation = (row: { sid: string; tenant_id: string; user_id: string }): Revocation => ({ tenant: row.tenant_id, userId: row.user_id, sid: row.sid });
const ms = (value: Date | string) => new Date(value).getTime();

/** Sessions in the `sessions` table. */
export class PostgresSessionSource implements SessionSource {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  /**
   * Inserts a new session, or records a later access of an existing one. An access never inserts:
   * a refresh racing a logout must not bring the ended session back; it answers false instead.
   */
  async save(sid: string, session: Session): Promise<boolean> {
    if (session.lastAccess > session.createdAt) {
      const touched = await this.#db.query('UPDATE sessions SET last_access = GREATEST(last_access, $3) WHERE id = $1 AND tenant_id = $2 RETURNING 1', [
        sid,
        session.tenant,
        iso(session.lastAccess),
      ]);
      return touched.length > 0;
    }
    await this.#db.query(
      // The roles column (migration 0002) is left at its default: sessions hold no roles.
      `INSERT INTO sessions (id, tenant_id, user_id, created_at, last_access, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [sid, session.tenant, session.userId, iso(session.createdAt), iso(session.lastAccess), iso(session.expiresAt)],
    );
    return true;
  }

  /** The session `sid` of `tenant`, or `undefined` (another tenant's session is not found). */
  async load(tenant: string, sid: string): Promise<Session | undefined> {
    const rows = await this.#db.query<SessionRow>(
      'SELECT tenant_id, user_id, created_at, last_access, expires_at FROM sessions WHERE id = $1 AND tenant_id = $2',
      [sid, tenant],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      tenant: row.tenant_id,
      userId: row.user_id,
      createdAt: ms(row.created_at),
      lastAccess: ms(row.last_access),
      expiresAt: ms(row.expires_at),
    };
  }

  /**
   * Deletes the given sessions of `tenant` and records their revocation (`session_revocations`,
   * migration 0007) in the same statement, so no failure in between can lose it.
   */
  async delete(tenant: string, sids: readonly string[]): Promise<Revocation[]> {
    if (sids.length === 0) return [];
    const rows = await this.#db.query<{ sid: string; tenant_id: string; user_id: string }>(
      `WITH gone AS (
         DELETE FROM sessions WHERE tenant_id = $1 AND id = ANY($2::text[]) RETURNING id, tenant_id, user_id, expires_at
       )
       INSERT INTO session_revocations (sid, tenant_id, user_id, expires_at)
       SELECT id, tenant_id, user_id, expires_at FROM gone ON CONFLICT (sid) DO NOTHING
       RETURNING sid, tenant_id, user_id`,
      [tenant, [...sids]],
    );
    return rows.map(revocation);
  }

  /** Open revocations of sessions that have not expired (an expired copy has left Redis by TTL). */
  async revocations(limit: number): Promise<Revocation[]> {
    const rows = await this.#db.query<{ sid: string; tenant_id: string; user_id: string }>(
      'SELECT sid, tenant_id, user_id FROM session_revocations WHERE expires_at > now() ORDER BY recorded_at, sid LIMIT $1',
      [limit],
    );
    return rows.map(revocation);
  }

  /** Forgets revocations whose cached copies are gone. */
  async settle(sids: readonly string[]): Promise<void> {
    if (sids.length === 0) return;
    await this.#db.query('DELETE FROM session_revocations WHERE sid = ANY($1::text[])', [[...sids]]);
  }

  /** Ids of a user's unexpired sessions. */
  async listByUser(tenant: string, userId: string): Promise<string[]> {
    const rows = await this.#db.query<{ id: string }>('SELECT id FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND expires_at > now()', [tenant, userId]);
    return rows.map((row) => row.id);
  }
}
