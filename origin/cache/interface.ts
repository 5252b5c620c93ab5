/**
 * The narrow contract every cache store implements (Redis standalone, Redis Cluster, memory).
 * Stores know nothing about strategies: those are composed on top (see `cache-aside.ts`).
 */

/** A key-value store with per-entry time to live. Values are opaque strings. */
export interface CacheStore {
  /** Adapter name for logs and `/health`: `redis`, `redis-cluster`, `memory`. */
  readonly name: string;
  /**
   * Opens connections. Rejects when the store is unreachable; the store stays usable, keeps
   * reconnecting in the background, and its operations fail fast until it is back.
   */
  connect(): Promise<void>;
  /** The stored value, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs` milliseconds, replacing any previous value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes keys; absent keys are ignored. */
  delete(...keys: string[]): Promise<void>;
  /** Resolves when the store answers a round trip; rejects when it is unreachable. */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
