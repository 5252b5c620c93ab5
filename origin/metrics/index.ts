/**
 * The app's outlets for the cache engine's measurements: Prometheus text locally, CloudWatch EMF
 * on Lambda, both labelled with the app's data types; and the Redis health probe of `/health`.
 */
export type { CacheMetrics, CacheOperation, ReadOutcome } from '../cache/index.ts';
export { CACHE_OPERATIONS, READ_OUTCOMES, SERVED_FROM_CACHE, noMetrics } from '../cache/index.ts';
export { DATA_TYPES, HIT_RATIO_TARGETS, isDataType } from './data-types.ts';
export {
  LOAD_BUCKETS,
  OPERATION_BUCKETS,
  prometheusMetrics,
  type PrometheusCacheMetrics,
  type PrometheusMetricsOptions,
} from './prometheus.ts';
export { EMF_NAMESPACE, READ_METRIC_NAMES, emfMetrics, type EmfCacheMetrics, type EmfMetricsOptions } from './emf.ts';
export {
  clusterHealth,
  clusterHealthFrom,
  parseClusterNodes,
  parseInfo,
  standaloneHealthFrom,
  type ClusterHealth,
  type ClusterNode,
  type RedisHealth,
  type StandaloneHealth,
} from './cluster-health.ts';
