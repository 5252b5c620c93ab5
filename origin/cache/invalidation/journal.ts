/**
 * The durable record of invalidations that could not reach the store, as the engine needs it.
 * The app provides it (the origin keeps it in PostgreSQL); `journal-sync.ts` is the engine's side.
 */

/** A version bump that did not land, as the journal holds it. */
export interface JournalEntry {
  tenant: string;
  /** The version key to set anew. */
  key: string;
  /** Changes each time the bump is recorded again: settling an older token leaves a newer record. */
  token: string;
}

/**
 * Optional: a durable record of invalidations that could not reach the store, shared by every
 * process. Any process that sees an entry reads that tenant from the source and retries the
 * bump; once one lands, the entry is settled. Without it, a failed bump lives only in the
 * process that made it.
 */
export interface InvalidationJournal {
  /** Records that `keys` (version keys of `tenant`) still need a new version. */
  record(tenant: string, keys: readonly string[]): Promise<JournalEntry[]>;
  /** The recorded entries, oldest first (at most `limit`). */
  list(limit: number): Promise<JournalEntry[]>;
  /** Forgets entries whose bump landed, unless they were recorded again since (a newer token). */
  settle(entries: readonly JournalEntry[]): Promise<void>;
}
