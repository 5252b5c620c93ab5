/** Stack-level defaults: how the two replication groups differ. */
import type { CacheReplicationGroupProps } from '../constructs/replication-group/index.ts';

type GroupDefaults = Pick<CacheReplicationGroupProps, 'evictionPolicy' | 'numShards' | 'replicasPerShard' | 'maintenanceWindow'>;

/** Tenant data (users, projects, API responses, config): LRU over all keys under pressure. */
export const CACHE_GROUP: GroupDefaults = { evictionPolicy: 'allkeys-lru' };

/**
 * Sessions live in a replication group of their own, so no amount of cache churn can evict a
 * login. Its policy is `noeviction`: when full it refuses new writes (a failed login is loud and
 * alarmed at 70% memory) instead of silently logging idle users out, which `volatile-lru` would
 * do (every session has a TTL). Sessions are small: one shard, resharded online when needed.
 * Maintenance falls on another day than the cache group's, so both are never patched at once.
 */
export const SESSIONS_GROUP: GroupDefaults = {
  evictionPolicy: 'noeviction',
  numShards: 1,
  replicasPerShard: 1,
  maintenanceWindow: 'wed:05:00-wed:06:00',
};

/** The `service` dimension of the origin's metrics, per stage. */
export const originServiceName = (stage: string) => `strata-${stage}-origin`;
