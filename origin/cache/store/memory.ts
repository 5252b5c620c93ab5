/**
 * An in-process store: a size-bounded LRU with per-entry time to live, for running without Redis
 * (local dev) and as the reference implementation of the store contract.
 */
import { LRUCache } from 'lru-cache';
import { globMatches, prefixOf } from './inspection.ts';
import type { CacheStore } from './interface.ts';

/** Bounds of the in-memory store. */
export interface MemoryStoreConfig {
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
}

// Wall-clock time: a frozen Lambda instance must see its entries expire on thaw, which a
// monotonic clock that stops while the process is suspended would not do.
const wallClock = { now: () => Date.now() };

/** A store in this process's memory, bounded to `maxEntries`. */
export function createMemoryStore(config: MemoryStoreConfig): CacheStore {
  // ttlResolution 0: the clock is read at every check. lru-cache's default keeps one reading for a
  // millisecond, cleared by a timer that a busy event loop delays, and an entry set at a later
  // reading than the one kept would report more time to live than it was given.
  const lru = new LRUCache<string, string>({ max: config.maxEntries, perf: wallClock, ttlResolution: 0 });
  const ttl = (ms: number | undefined) => (ms === undefined ? undefined : Math.max(1, Math.round(ms)));
  return {
    name: 'memory',
    async connect() {},
    async get(key) {
      return lru.get(key);
    },
    async getMany(keys) {
      return keys.map((key) => lru.get(key));
    },
    async set(key, value, ttlMs) {
      lru.set(key, value, { ttl: ttl(ttlMs) });
    },
    async setMany(writes) {
      for (const { key, value, ttlMs } of writes) lru.set(key, value, { ttl: ttl(ttlMs) });
    },
    async replace(key, value, ttlMs) {
      if (!lru.has(key)) return false;
      lru.set(key, value, { ttl: ttl(ttlMs) });
      return true;
    },
    async setIfAbsent(key, value, ttlMs) {
      if (lru.has(key)) return false;
      lru.set(key, value, { ttl: ttl(ttlMs) });
      return true;
    },
    async deleteIfEquals(key, value) {
      if (lru.get(key) !== value) return false;
      return lru.delete(key);
    },
    async addToSet(key, member, ttlMs) {
      const members = new Set<string>(JSON.parse(lru.get(key) ?? '[]') as string[]);
      members.add(member);
      lru.set(key, JSON.stringify([...members]), { ttl: ttl(ttlMs) });
    },
    async removeFromSet(key, member) {
      const raw = lru.get(key);
      if (raw === undefined) return;
      const members = (JSON.parse(raw) as string[]).filter((m) => m !== member);
      const remaining = lru.getRemainingTTL(key);
      if (members.length === 0) lru.delete(key);
      else lru.set(key, JSON.stringify(members), { ttl: Number.isFinite(remaining) && remaining > 0 ? remaining : undefined });
    },
    async setMembers(key) {
      return JSON.parse(lru.get(key) ?? '[]') as string[];
    },
    async expire(key, ttlMs) {
      const value = lru.get(key);
      if (value === undefined) return false;
      lru.set(key, value, { ttl: ttl(ttlMs) });
      return true;
    },
    async waitForReplicas() {
      return 0;
    },
    async delete(...keys) {
      for (const key of keys) lru.delete(key);
    },
    inspection: {
      async ttl(key) {
        if (!lru.has(key)) return undefined;
        return lru.getRemainingTTL(key);
      },
      async scan(pattern, budget) {
        const keys: string[] = [];
        let seen = 0;
        for (const key of lru.keys()) {
          if (seen++ >= budget) return { keys, complete: false };
          if (globMatches(pattern, key)) keys.push(key);
        }
        return { keys, complete: true };
      },
      async census(prefixes, budget) {
        const counts: Record<string, number> = Object.fromEntries([...prefixes, 'other'].map((p) => [p, 0]));
        let scanned = 0;
        for (const key of lru.keys()) {
          if (scanned >= budget) break;
          scanned++;
          counts[prefixOf(key, prefixes)]! += 1;
        }
        const total = lru.size;
        return {
          nodes: 1,
          totalKeys: total,
          scannedKeys: scanned,
          complete: scanned >= total,
          counts,
          usedMemoryBytes: undefined,
          maxMemoryBytes: undefined,
          evictionPolicy: `lru, ${config.maxEntries} entries`,
        };
      },
    },
    async ping() {},
    async close() {
      lru.clear();
    },
  };
}
