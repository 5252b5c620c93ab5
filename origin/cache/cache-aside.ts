/**
 * Cache-aside (get-or-load) over any `CacheStore`. The cache is an optimisation, never a
 * dependency: a store that fails or times out makes the read go to the loader, and the caller
 * learns it through `status` (ARCHITECTURE.md §4).
 */
import type { CacheStore } from './interface.ts';

/** How a value was obtained: from the cache, loaded after a miss, or loaded with the cache unavailable. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/** A value and how it was obtained. */
export interface CacheResult<T> {
  value: T;
  status: CacheOutcome;
}

/** Receives store failures; they are degraded, not thrown. */
export type CacheErrorListener = (error: unknown, operation: 'get' | 'set', key: string) => void;

/** Options of one get-or-load call. */
export interface GetOrLoadOptions<T> {
  key: string;
  ttlMs: number;
  /** Loads from the source of truth. `undefined` means "no such thing" and is not cached. */
  load: () => Promise<T | undefined>;
}

/** Reads through a store, loading from the source on a miss and storing what it loaded. */
export class CacheAside {
  readonly #store: CacheStore;
  readonly #onError: CacheErrorListener;

  constructor(store: CacheStore, onError: CacheErrorListener) {
    this.#store = store;
    this.#onError = onError;
  }

  /** Returns the cached value or loads, stores and returns it. */
  async getOrLoad<T>(options: GetOrLoadOptions<T>): Promise<CacheResult<T | undefined>> {
    let cached: string | undefined;
    try {
      cached = await this.#store.get(options.key);
    } catch (error) {
      this.#onError(error, 'get', options.key);
      return { value: await options.load(), status: 'bypass' };
    }
    if (cached !== undefined) return { value: JSON.parse(cached) as T, status: 'hit' };

    const value = await options.load();
    if (value !== undefined) {
      try {
        await this.#store.set(options.key, JSON.stringify(value), options.ttlMs);
      } catch (error) {
        this.#onError(error, 'set', options.key);
      }
    }
    return { value, status: 'miss' };
  }
}
