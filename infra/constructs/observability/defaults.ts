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
 * Change these names together with the origin's, and the README's Deploy section.
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

/** The brief's hit-ratio targets; `resource` has none and is graphed only. */
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
  /** Max node `DatabaseMemoryUsagePercentage` of the cache group. */
  readonly cacheMemoryPercent: number;
  /** Of the sessions group: lower, because it refuses writes (logins) when full. */
  readonly sessionsMemoryPercent: number;
  /** Evictions per shard and period in the cache group: sustained evictions mean it is too small. */
  readonly cacheEvictions: number;
  /** Replica `ReplicationLag`, seconds: sessions acknowledged by `WAIT` rely on it. */
  readonly replicationLagSeconds: number;
  /** API Gateway stage-cache hit ratio, judged over periods with at least `minRequestsForApiRatio`. */
  readonly apiCacheHitRatio: number;
  readonly minRequestsForApiRatio: number;
  /** 5XX answers per period. */
  readonly api5xx: number;
  /** Lambda error rate (errors / invocations). */
  readonly lambdaErrorRate: number;
  /** Lambda p99 duration as a share of its timeout. */
  readonly lambdaDurationShareOfTimeout: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  minReadsForHitRatio: 100,
  redisCpuPercent: 80,
  cacheMemoryPercent: 85,
  sessionsMemoryPercent: 70,
  cacheEvictions: 1000,
  replicationLagSeconds: 1,
  apiCacheHitRatio: 0.5,
  minRequestsForApiRatio: 100,
  api5xx: 10,
  lambdaErrorRate: 0.01,
  lambdaDurationShareOfTimeout: 0.8,
};
