/**
 * The narrow contract every cache store implements (Redis standalone, Redis Cluster, memory).
 * Stores know nothing about strategies, tiers or tags: those are composed on top (`../engine.ts`).
 * Values are opaque strings; every time to live is in milliseconds.
 */
import type { StoreInspection } from './inspection.ts';
import type { TrackedValues } from './tracked-values.ts';

/** One value to write in a batch. */
export interface StoreWrite {
  key: string;
  value: string;
  ttlMs: number;
}

/** A key-value store with per-entry time to live. */
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
  /**
   * Values of `keys`, in order. Keys may span cluster slots: the store groups them so that each
   * node is asked once.
   */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Stores `value` for `ttlMs`, replacing any previous value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores several values, one round trip per node. */
  setMany(writes: readonly StoreWrite[]): Promise<void>;
  /** Replaces the value of `key` only while it exists (SET XX); true when it did. */
  replace(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Stores `value` only when `key` is absent; true when it did. Without `ttlMs` it never expires. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Deletes `key` only while it still holds `value` (atomic); true when it did. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Adds `member` to the set at `key` and sets the set's time to live (index sets). */
  addToSet(key: string, member: string, ttlMs: number): Promise<void>;
  /** Removes `member` from the set at `key`. */
  removeFromSet(key: string, member: string): Promise<void>;
  /** Members of the set at `key` (empty when absent). */
  setMembers(key: string): Promise<string[]>;
  /** Moves the expiry of `key`; false when the key is absent. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Waits until the last write to `key`'s node reached `replicas` replicas or `timeoutMs` passed;
   * resolves with the number of replicas that acknowledged (Redis `WAIT`). Stores without
   * replicas resolve with 0.
   */
  waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number>;
  /** Removes keys; absent keys are ignored. */
  delete(...keys: string[]): Promise<void>;
  /**
   * Optional: holds the values of keys under `prefix` in this process, kept exact by the server
   * reporting every change to them (Redis client tracking). Stores that cannot leave it out.
   * Calling it again with the same prefix returns the same values. `onError` hears of a server
   * that refuses tracking; the values then stay unused and reads go to the server.
   */
  track?(prefix: string, onError?: (error: unknown) => void): TrackedValues;
  /** Optional: read-only views of what the store holds, for operators (`inspection.ts`). */
  readonly inspection?: StoreInspection;
  /** Topology and health of the server(s) behind the store, as the probe it was given reports them. */
  describe?(): Promise<unknown>;
  /** Resolves when the store answers a round trip; rejects when it is unreachable. */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
