/**
 * The store the app's configuration asks for: the engine's own configuration type, which the
 * app fills from its environment, and the factory the contract suite builds its subjects with.
 */
import type { CacheStore } from './interface.ts';
import { createMemoryStore, type MemoryStoreConfig } from './memory.ts';
import type { RedisClusterStoreConfig, RedisStoreConfig, RedisStoreOptions } from './redis/options.ts';
import { createRedisClusterStore, createRedisStore } from './redis/store.ts';

/** Which store to build, and how it connects. */
export type StoreConfig =
  | ({ kind: 'redis' } & RedisStoreConfig)
  | ({ kind: 'redis-cluster' } & RedisClusterStoreConfig)
  | ({ kind: 'memory' } & MemoryStoreConfig);

/** Builds the configured store; Redis clients connect on `connect()`, then in the background. */
export function createStore(config: StoreConfig, options: RedisStoreOptions = {}): CacheStore {
  switch (config.kind) {
    case 'redis':
      return createRedisStore(config, options);
    case 'redis-cluster':
      return createRedisClusterStore(config, options);
    case 'memory':
      return createMemoryStore({ maxEntries: config.maxEntries });
  }
}
