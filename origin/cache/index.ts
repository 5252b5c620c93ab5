/**
 * Chooses the cache store the configuration asks for.
 */
import type { CacheConfig } from '../config.ts';
import type { CacheStore } from './interface.ts';
import { createMemoryStore } from './memory.ts';
import { createRedisClusterStore, createRedisStore } from './redis.ts';

/** Builds the configured store. Redis clients connect in the background. */
export function createCacheStore(config: CacheConfig): CacheStore {
  switch (config.kind) {
    case 'redis':
      return createRedisStore(config);
    case 'redis-cluster':
      return createRedisClusterStore(config);
    case 'memory':
      return createMemoryStore({ maxEntries: config.maxEntries });
  }
}
