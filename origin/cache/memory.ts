import { LRUCache } from 'lru-cache';
import type { CacheStore } from './interface.ts';

/** Bounds of the in-memory store. */
export interface MemoryStoreConfig {
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
}

/**
 * A size-bounded LRU with per-entry TTL, for running without Redis (local dev) and as a
 * reference implementation of the store contract.
 */
export function createMemoryStore(config: MemoryStoreConfig): CacheStore {
  const lru = new LRUCache<string, string>({ max: config.maxEntries, ttlAutopurge: false });
  return {
    name: 'memory',
    async connect() {},
    async get(key) {
      return lru.get(key);
    },
    async set(key, value, ttlMs) {
      lru.set(key, value, { ttl: Math.max(1, Math.round(ttlMs)) });
    },
    async delete(...keys) {
      for (const key of keys) lru.delete(key);
    },
    async ping() {},
    async close() {
      lru.clear();
    },
  };
}
