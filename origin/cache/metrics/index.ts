/** The cache engine's metrics sinks (Prometheus, CloudWatch EMF, none) and the Redis health probe. */
export { HIT_RATIO_TARGETS, type CacheMetrics, type CacheOperation, type ReadOutcome } from './interface.ts';
export { CACHE_OPERATIONS, DATA_TYPES, READ_OUTCOMES, SERVED_FROM_CACHE } from './labels.ts';
export {
  LOAD_BUCKETS,
  OPERATION_BUCKETS,
  prometheusMetrics,
  type PrometheusCacheMetrics,
  type PrometheusMetricsOptions,
} from './prometheus.ts';
export { EMF_NAMESPACE, READ_METRIC_NAMES, emfMetrics, type EmfCacheMetrics, type EmfMetricsOptions } from './emf.ts';
export { noMetrics } from './null.ts';
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
