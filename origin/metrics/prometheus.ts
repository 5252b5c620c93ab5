/**
 * The cache engine's Prometheus metrics, labelled with the app's data types (the policies'
 * labels), on a registry of their own so that they never collide with (or leak into) the
 * application's global registry. Series, all with closed label sets:
 *
 * - `strata_cache_reads_total{type,outcome}`                      reads by outcome
 * - `strata_cache_loads_total{type,result}`                       loader calls, result ok|error
 * - `strata_cache_load_duration_seconds{type}`                    loader latency, ok or not
 * - `strata_cache_operation_duration_seconds{type,operation,result}` Redis operation latency
 * - `strata_cache_hit_ratio{type}`                                (hit+stale+stale_error)/all reads
 *   since start, computed on scrape; absent until a type has been read. For a windowed ratio use
 *   `rate()` over `strata_cache_reads_total` instead.
 * - `strata_cache_hit_ratio_target{type}`                         HIT_RATIO_TARGETS (none for resource)
 * - `strata_cache_metrics_rejected_total`                         calls dropped for a label outside
 *   the closed sets or a duration that is not a finite, non-negative number
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataType } from '../../common/keys.ts';
import { SERVED_FROM_CACHE, isCacheOperation, isDuration, isReadOutcome, type CacheMetrics } from '../cache/index.ts';
import { DATA_TYPES, HIT_RATIO_TARGETS, isDataType } from './data-types.ts';

/** Seconds; Redis answers in ~100 µs on a warm connection and a command timeout is about 1 s. */
export const OPERATION_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Seconds; loaders read Postgres through a pool, from a millisecond to a slow query's seconds. */
export const LOAD_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Options of `prometheusMetrics`. */
export interface PrometheusMetricsOptions {
  /** Registry to register on; names must not already be registered there. @default a new `Registry` */
  readonly registry?: Registry;
  /** Histogram buckets, in seconds, for store operations. @default OPERATION_BUCKETS */
  readonly operationBuckets?: readonly number[];
  /** Histogram buckets, in seconds, for loader calls. @default LOAD_BUCKETS */
  readonly loadBuckets?: readonly number[];
}

/** `CacheMetrics` that a `/metrics` endpoint can expose. */
export interface PrometheusCacheMetrics extends CacheMetrics {
  /** The registry holding the cache series, e.g. to merge with the application's. */
  readonly registry: Registry;
  /** The `Content-Type` of `text()`. */
  readonly contentType: string;
  /** The Prometheus text exposition of every series on the registry. */
  text(): Promise<string>;
}

/** Cache metrics as Prometheus counters, histograms and hit-ratio gauges. */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusCacheMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  // Tallies for the hit-ratio gauge, kept apart so a scrape never has to read the counter back.
  const tallies = new Map<DataType, { served: number; total: number }>(DATA_TYPES.map((t) => [t, { served: 0, total: 0 }]));

  const reads = new Counter({
    name: 'strata_cache_reads_total',
    help: 'Cache reads by data type and outcome (hit, miss, stale, stale_error, bypass).',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });
  const loads = new Counter({
    name: 'strata_cache_loads_total',
    help: 'Loader (source) calls by data type and result (ok, error).',
    labelNames: ['type', 'result'] as const,
    registers,
  });
  const loadDuration = new Histogram({
    name: 'strata_cache_load_duration_seconds',
    help: 'Loader (source) call latency by data type, successful or not.',
    labelNames: ['type'] as const,
    buckets: [...(options.loadBuckets ?? LOAD_BUCKETS)],
    registers,
  });
  const operationDuration = new Histogram({
    name: 'strata_cache_operation_duration_seconds',
    help: 'Cache store operation latency by data type, operation and result (ok, error).',
    labelNames: ['type', 'operation', 'result'] as const,
    buckets: [...(options.operationBuckets ?? OPERATION_BUCKETS)],
    registers,
  });
  new Gauge({
    name: 'strata_cache_hit_ratio',
    help: 'Reads served from the cache (hit, stale, stale_error) over all reads since start, by data type.',
    labelNames: ['type'] as const,
    registers,
    collect() {
      for (const [type, { served, total }] of tallies) if (total > 0) this.set({ type }, served / total);
    },
  });
  const target = new Gauge({
    name: 'strata_cache_hit_ratio_target',
    help: 'Hit-ratio target by data type, from the design targets.',
    labelNames: ['type'] as const,
    registers,
  });
  for (const type of DATA_TYPES) {
    const goal = HIT_RATIO_TARGETS[type];
    if (goal !== undefined) target.set({ type }, goal);
  }
  const rejected = new Counter({
    name: 'strata_cache_metrics_rejected_total',
    help: 'Measurements dropped because a label was outside its closed set or a duration was invalid.',
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    read(type, outcome) {
      const tally = isDataType(type) ? tallies.get(type) : undefined;
      if (!tally || !isReadOutcome(outcome)) return rejected.inc();
      reads.inc({ type, outcome });
      tally.total += 1;
      if (SERVED_FROM_CACHE.has(outcome)) tally.served += 1;
    },
    load(type, ok, durationMs) {
      if (!isDataType(type) || !isDuration(durationMs)) return rejected.inc();
      loads.inc({ type, result: ok ? 'ok' : 'error' });
      loadDuration.observe({ type }, durationMs / 1000);
    },
    operation(type, operation, ok, durationMs) {
      if (!isDataType(type) || !isCacheOperation(operation) || !isDuration(durationMs)) return rejected.inc();
      operationDuration.observe({ type, operation, result: ok ? 'ok' : 'error' }, durationMs / 1000);
    },
  };
}
