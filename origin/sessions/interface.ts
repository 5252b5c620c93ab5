/**
 * The session store's contract: what a session holds, the source of truth it writes through to,
 * and its timing. The store is `store.ts`; the API's PostgreSQL source is origin/sessions/source.ts.
 */

/** What a session holds. Times are epoch milliseconds. */
export interface Session {
  tenant: string;
  userId: string;
  createdAt: number;
  lastAccess: number;
  /** The absolute cap: no access extends a session past this. */
  expiresAt: number;
}

/** A session that was ended; its cached copy may still exist until a delete lands. */
export interface Revocation {
  tenant: string;
  userId: string;
  sid: string;
}

/** The source of truth for sessions (PostgreSQL in the API). Keyed by session id, never by token. */
export interface SessionSource {
  /** Inserts a new session or records an access; false when the accessed session no longer exists. */
  save(sid: string, session: Session): Promise<boolean>;
  load(tenant: string, sid: string): Promise<Session | undefined>;
  /**
   * Deletes the sessions and, in the same step, records a revocation for each that existed,
   * which stays until `settle`: a crash or a failed Redis delete after it cannot undo a logout.
   */
  delete(tenant: string, sids: readonly string[]): Promise<Revocation[]>;
  /** Session ids of a user, for "end every session" when the index set is gone. */
  listByUser(tenant: string, userId: string): Promise<string[]>;
  /** Open revocations of unexpired sessions, oldest first (at most `limit`). */
  revocations(limit: number): Promise<Revocation[]>;
  /** Forgets revocations whose cached copies are gone. */
  settle(sids: readonly string[]): Promise<void>;
}

/** Timing and durability of sessions. */
export interface SessionOptions {
  idleTtlMs: number;
  absoluteTtlMs: number;
  /** Minimum time between two refreshes of one session's idle TTL. */
  touchIntervalMs: number;
  /** Replicas that should acknowledge a new session (0 for a server without replicas), and how long to wait. */
  replicas: number;
  replicaTimeoutMs: number;
  /** How often each process reads the open revocations (`revocations.ts`). @default 2000 */
  revocationPollMs?: number;
}

/** The design's 24 h sliding sessions, capped at 7 days, refreshed at most every 5 minutes. */
export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  idleTtlMs: 24 * 3_600_000,
  absoluteTtlMs: 7 * 24 * 3_600_000,
  touchIntervalMs: 5 * 60_000,
  replicas: 1,
  replicaTimeoutMs: 200,
};

/** How a session read was answered. */
export type SessionOutcome = 'hit' | 'miss' | 'bypass';
