/**
 * The metric contract with the origin, and the alarm thresholds.
 *
 * The origin's cache engine publishes, through Powertools EMF (`origin/metrics/emf.ts`):
 *   namespace `Strata`, dimensions exactly [service, DataType], unit Count, one value per flush:
 *     CacheHit, CacheMiss, CacheStale, CacheStaleError, CacheBypass
 *   `service` is the `METRICS_SERVICE_NAME` the stack sets on the function
 *   (`strata-<stage>-origin`), so stages sharing an account do not mix.
 *   DataType is one of session, config, user, api, resource.
 * Hit ratio = (CacheHit + CacheStale + CacheStaleError) / (all five): a stale serve was still
 * answered by Redis; a bypass (Redis failed) counts against the cache.
 * Change these names together with the origin's, and docs/deploy.md's metric contract.
 */
import { Duration } from 'aws-cdk-lib';

export const METRIC_NAMESPACE = 'Strata';
export const SERVICE_DIMENSION = 'service';
export const DATA_TYPE_DIMENSION = 'DataType';
/** Reads answered from the cache. */
export const SERVED_METRICS = ['CacheHit', 'CacheStale', 'CacheStaleError'] as const;
/** Reads that went to the source. */
export const UNSERVED_METRICS = ['CacheMiss', 'CacheBypass'] as const;
export const DATA_TYPES = ['session', 'config', 'user', 'api', 'resource'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** The design's hit-ratio targets (docs/architecture.md, "Design targets"); `resource` has none and is graphed only. */
export const HIT_RATIO_TARGETS: Readonly<Partial<Record<DataType, number>>> = { session: 0.95, config: 0.9, user: 0.85, api: 0.7 };

/** Every alarm looks at 5-minute periods and fires after 3 bad ones in a row (15 min). */
export const PERIOD = Duration.minutes(5);
export const EVALUATION_PERIODS = 3;

/** Thresholds of the alarms; every one can be overridden. */
export interface AlarmThresholds {
  /** A ratio is judged only over periods with at least this many reads (per data type). */
  readonly minReadsForHitRatio: number;
  /** Max node `EngineCPUUtilization`, percent. */
  readonly redisCpuPercent: number;
  /**
   * Max node `DatabaseMemoryUsagePercentage` of the sessions group, which refuses writes (logins)
   * when full. The cache group has none: a full `allkeys-lru` cache is its steady state.
   */
  readonly sessionsMemoryPercent: number;
  /**
   * The cache group's shard alarms when, with at least this many evictions in a period, it
   * evicts more keys than it is written: a full LRU cache evicts about one key per new key, so
   * more means something besides data (client buffers, fragmentation, bigger values) is pushing
   * live keys out, and the hit ratio will follow.
   */
  readonly minEvictionsForOutpacing: number;
  /** Max node `SwapUsage`, bytes: a node that swaps answers in milliseconds, not microseconds. */
  readonly redisSwapBytes: number;
  /** Replica `ReplicationLag`, seconds: sessions acknowledged by `WAIT` rely on it. */
  readonly replicationLagSeconds: number;
  /** API Gateway stage-cache hit ratio, judged over periods with at least `minRequestsForApiRatio`. */
  readonly apiCacheHitRatio: number;
  readonly minRequestsForApiRatio: number;
  /** 5XX answers per period. */
  readonly api5xx: number;
  /** Lambda error rate (errors / invocations). */
  readonly lambdaErrorRate: number;
  /** Lambda throttle rate (throttles / (invocations + throttles)). */
  readonly lambdaThrottleRate: number;
  /** Lambda p99 duration as a share of its timeout. */
  readonly lambdaDurationShareOfTimeout: number;
  /** Aurora writer and readers, max `CPUUtilization`, percent. */
  readonly databaseCpuPercent: number;
  /** Aurora Serverless v2 `ACUUtilization` (share of the maximum capacity), percent. */
  readonly databaseCapacityPercent: number;
  /** Aurora `AuroraReplicaLagMaximum`, milliseconds. */
  readonly databaseReplicaLagMs: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  minReadsForHitRatio: 100,
  redisCpuPercent: 80,
  sessionsMemoryPercent: 70,
  minEvictionsForOutpacing: 100,
  // AWS's guidance for ElastiCache: SwapUsage should not exceed 50 MB.
  redisSwapBytes: 50 * 1024 * 1024,
  replicationLagSeconds: 1,
  apiCacheHitRatio: 0.5,
  minRequestsForApiRatio: 100,
  api5xx: 10,
  lambdaErrorRate: 0.01,
  lambdaThrottleRate: 0.01,
  lambdaDurationShareOfTimeout: 0.8,
  databaseCpuPercent: 80,
  databaseCapacityPercent: 90,
  databaseReplicaLagMs: 1000,
};
