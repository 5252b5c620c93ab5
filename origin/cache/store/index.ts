/** Stores behind one contract: Redis standalone, Redis Cluster and an in-memory LRU. */
export type { CacheStore, StoreWrite } from './interface.ts';
export { createStore, type StoreConfig } from './config.ts';
export { createMemoryStore, type MemoryStoreConfig } from './memory.ts';
export { createRedisClusterStore, createRedisStore } from './redis/store.ts';
export type { RedisClusterStoreConfig, RedisConnectionConfig, RedisStoreConfig, RedisStoreOptions } from './redis/options.ts';
export { TrackedValues } from './tracked-values.ts';
export { followPassword, type FollowedPassword, type RotatingPassword } from './redis/password.ts';
export { globMatches, prefixOf, type StoreCensus, type StoreInspection } from './inspection.ts';
