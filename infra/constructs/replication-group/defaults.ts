/** Defaults of {@link CacheReplicationGroup}. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Valkey, not Redis OSS. ElastiCache prices Valkey node-based clusters about 20% below Redis
 * OSS; Valkey continues Redis 7.2 under the BSD licence with the same protocol, commands and
 * Lua, so ioredis and the origin's scripts work unchanged (and the tests' `redis-server` is a
 * faithful stand-in); and new engine versions land on Valkey, while Redis OSS on ElastiCache
 * stops at 7.1.
 */
export const DEFAULT_ENGINE = 'valkey';
export const DEFAULT_ENGINE_VERSION = '8.1';
/** Graviton, memory-optimised: 13 GiB per node; size with `nodeType`. */
export const DEFAULT_NODE_TYPE = 'cache.r7g.large';
/** The design's topology: 3 masters, 1 replica each (docs/architecture.md, "Design targets"). */
export const DEFAULT_SHARDS = 3;
export const DEFAULT_REPLICAS_PER_SHARD = 1;
export const DEFAULT_PORT = 6379;
/** Cache data may be evicted: least recently used first, over all keys. */
export const DEFAULT_EVICTION_POLICY = 'allkeys-lru';
/** A week of daily snapshots: enough to restore after a bad write noticed a few days late. */
export const DEFAULT_SNAPSHOT_RETENTION_DAYS = 7;
/** UTC; kept clear of the maintenance window, which ElastiCache requires. */
export const DEFAULT_SNAPSHOT_WINDOW = '03:00-04:00';
export const DEFAULT_MAINTENANCE_WINDOW = 'sun:05:00-sun:06:00';
export const DEFAULT_SLOW_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** A final snapshot when the group is deleted or replaced. */
export const DEFAULT_REMOVAL_POLICY = RemovalPolicy.SNAPSHOT;

/**
 * Parameter group families per engine and major version. Redis 6 is left out: it lacks sharded
 * pub/sub (`SPUBLISH`), which the origin's invalidation bus uses in cluster mode.
 */
export const PARAMETER_GROUP_FAMILIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  valkey: { '7': 'valkey7', '8': 'valkey8' },
  redis: { '7': 'redis7' },
};

/** Redis/Valkey `maxmemory-policy` values. */
export const EVICTION_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
] as const;
