/**
 * The cache engine's CloudWatch metrics, written to stdout in Embedded Metric Format by Powertools
 * (Lambda ships stdout to CloudWatch Logs, which extracts the metrics). The CDK dashboard graphs
 * exactly these names; change them together.
 *
 * Namespace `Strata`; every metric also carries `service` (the `serviceName` option).
 * Dimensions [service, DataType]:
 *   CacheHit, CacheMiss, CacheStale, CacheStaleError, CacheBypass  Count         reads by outcome
 *   LoadError                                                      Count         failed loader calls
 *   LoadLatency                                                    Milliseconds  every loader call
 * Dimensions [service, DataType, Operation]:
 *   OperationLatency                                               Milliseconds  every store operation
 *   OperationError                                                 Count         failed store operations
 * Hit ratio: (CacheHit + CacheStale + CacheStaleError) / (all five read counts), as in prometheus.ts.
 * Counts are summed in memory and written once per flush, with zeros for the other members of
 * their group (a type that was read reports all five read counts), so a ratio always has both
 * terms; latencies are written sample by sample, for percentiles.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DataType } from '../../common/keys.ts';
import { isCacheOperation, isDuration, isReadOutcome, type CacheMetrics, type CacheOperation, type ReadOutcome } from '../cache/index.ts';
import { isDataType } from './data-types.ts';

/** The CloudWatch namespace of every cache metric. */
export const EMF_NAMESPACE = 'Strata';

/** CloudWatch metric name per read outcome. */
export const READ_METRIC_NAMES: Readonly<Record<ReadOutcome, string>> = {
  hit: 'CacheHit',
  miss: 'CacheMiss',
  stale: 'CacheStale',
  stale_error: 'CacheStaleError',
  bypass: 'CacheBypass',
};

/** Options of `emfMetrics`. */
export interface EmfMetricsOptions {
  /** Value of the `service` dimension, e.g. `strata-origin`. */
  readonly serviceName: string;
  /** Receives Powertools' warnings. @default Powertools' own, which writes to stdout */
  readonly logger?: NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger'];
}

/** `CacheMetrics` buffered until `flush()`, e.g. at the end of each Lambda invocation. */
export interface EmfCacheMetrics extends CacheMetrics {
  /** Writes everything recorded since the last flush as EMF documents on stdout. */
  flush(): void;
}

/** One dimension combination: its Powertools instance and the counts since the last flush. */
interface DimensionSet {
  readonly metrics: Metrics;
  readonly counts: Map<string, number>;
}

const READ_NAMES = Object.values(READ_METRIC_NAMES);

/** Adds `by` to `name`, first zeroing every name of its group so the dashboard sees both terms. */
function count(set: DimensionSet, group: readonly string[], name: string, by: number): void {
  for (const member of group) if (!set.counts.has(member)) set.counts.set(member, 0);
  set.counts.set(name, (set.counts.get(name) ?? 0) + by);
}

/** Cache metrics as CloudWatch EMF through Powertools. */
export function emfMetrics(options: EmfMetricsOptions): EmfCacheMetrics {
  if (!options.serviceName) throw new TypeError('emfMetrics: serviceName must be a non-empty string');
  // An EMF document has one value per dimension, so each dimension combination gets its own
  // Powertools instance (and document); default dimensions survive Powertools' auto-flush at 100 values.
  const sets = new Map<string, DimensionSet>();
  const setFor = (type: DataType, operation?: CacheOperation): DimensionSet => {
    const id = operation ? `${type}/${operation}` : type;
    let set = sets.get(id);
    if (!set) {
      const metrics = new Metrics({
        namespace: EMF_NAMESPACE,
        serviceName: options.serviceName,
        defaultDimensions: operation ? { DataType: type, Operation: operation } : { DataType: type },
        ...(options.logger ? { logger: options.logger } : {}),
      });
      set = { metrics, counts: new Map() };
      sets.set(id, set);
    }
    return set;
  };

  return {
    read(type, outcome) {
      // Values outside the closed sets are dropped: they would create new CloudWatch metrics.
      if (!isDataType(type) || !isReadOutcome(outcome)) return;
      count(setFor(type), READ_NAMES, READ_METRIC_NAMES[outcome], 1);
    },
    load(type, ok, durationMs) {
      if (!isDataType(type) || !isDuration(durationMs)) return;
      const set = setFor(type);
      count(set, ['LoadError'], 'LoadError', ok ? 0 : 1);
      set.metrics.addMetric('LoadLatency', MetricUnit.Milliseconds, durationMs);
    },
    operation(type, operation, ok, durationMs) {
      if (!isDataType(type) || !isCacheOperation(operation) || !isDuration(durationMs)) return;
      const set = setFor(type, operation);
      count(set, ['OperationError'], 'OperationError', ok ? 0 : 1);
      set.metrics.addMetric('OperationLatency', MetricUnit.Milliseconds, durationMs);
    },
    flush() {
      for (const { metrics, counts } of sets.values()) {
        for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
        counts.clear();
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }
    },
  };
}
