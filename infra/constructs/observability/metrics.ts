/** Metric builders for the dashboard and the alarms; names come from `defaults.ts`. */
import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import * as d from './defaults.ts';

/** One origin cache metric of a data type. */
export function cacheMetric(serviceName: string, name: string, type: d.DataType, period: Duration = d.PERIOD): Metric {
  return new Metric({
    namespace: d.METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { [d.SERVICE_DIMENSION]: serviceName, [d.DATA_TYPE_DIMENSION]: type },
    statistic: 'Sum',
    period,
  });
}

/**
 * Hit ratio of a data type. Periods with fewer than `minReads` reads count as 1, so a quiet
 * night cannot raise an alarm on three misses.
 */
export function hitRatio(serviceName: string, type: d.DataType, minReads: number): MathExpression {
  const served = d.SERVED_METRICS.map((_, i) => `s${i}`);
  const unserved = d.UNSERVED_METRICS.map((_, i) => `u${i}`);
  const usingMetrics: Record<string, IMetric> = {};
  d.SERVED_METRICS.forEach((name, i) => (usingMetrics[`s${i}`] = cacheMetric(serviceName, name, type)));
  d.UNSERVED_METRICS.forEach((name, i) => (usingMetrics[`u${i}`] = cacheMetric(serviceName, name, type)));
  const hits = served.join('+');
  const total = [...served, ...unserved].join('+');
  return new MathExpression({
    expression: `IF((${total}) >= ${minReads}, (${hits}) / (${total}), 1)`,
    usingMetrics,
    label: `${type} hit ratio`,
    period: d.PERIOD,
  });
}

/** An ElastiCache engine or host metric of one node. */
export function nodeMetric(nodeId: string, name: string, statistic: string, period: Duration = d.PERIOD): Metric {
  return new Metric({ namespace: 'AWS/ElastiCache', metricName: name, dimensionsMap: { CacheClusterId: nodeId }, statistic, period, label: nodeId });
}

/** The worst node of a shard: `MAX` (or `SUM` for counts) across its primary and replicas. */
export function shardMetric(nodeIds: readonly string[], name: string, statistic: 'Maximum' | 'Sum', label: string): MathExpression {
  const usingMetrics: Record<string, IMetric> = {};
  nodeIds.forEach((id, i) => (usingMetrics[`n${i}`] = nodeMetric(id, name, statistic)));
  const all = `[${nodeIds.map((_, i) => `n${i}`).join(', ')}]`;
  return new MathExpression({
    expression: statistic === 'Sum' ? `SUM(${all})` : `MAX(${all})`,
    usingMetrics,
    label,
    period: d.PERIOD,
  });
}

/**
 * Evictions minus writes (`SetTypeCmds`) of a shard's primary (the node with the most of each:
 * replicas evict nothing and count replicated writes again), in periods with at least
 * `minEvictions` evictions, else 0. Above 0: the shard evicts more keys than it is written.
 */
export function evictionsOverWrites(nodeIds: readonly string[], minEvictions: number, label: string): MathExpression {
  const usingMetrics: Record<string, IMetric> = {};
  nodeIds.forEach((id, i) => {
    usingMetrics[`e${i}`] = nodeMetric(id, 'Evictions', 'Sum');
    usingMetrics[`w${i}`] = nodeMetric(id, 'SetTypeCmds', 'Sum');
  });
  const evictions = `MAX([${nodeIds.map((_, i) => `e${i}`).join(', ')}])`;
  const writes = `MAX([${nodeIds.map((_, i) => `w${i}`).join(', ')}])`;
  return new MathExpression({ expression: `IF(${evictions} >= ${minEvictions}, ${evictions} - ${writes}, 0)`, usingMetrics, label, period: d.PERIOD });
}

/** An `AWS/RDS` metric with the given dimensions (a cluster, or a proxy). */
export function rdsMetric(dimensionsMap: Record<string, string>, name: string, statistic: string, label: string): Metric {
  return new Metric({ namespace: 'AWS/RDS', metricName: name, dimensionsMap, statistic, period: d.PERIOD, label });
}

/** `numerator / denominator` over periods where the denominator reaches `min`, else `whenQuiet`. */
export function guardedRatio(numerator: IMetric, denominator: IMetric, min: number, whenQuiet: number, label: string): MathExpression {
  return new MathExpression({
    expression: `IF(b >= ${min}, a / b, ${whenQuiet})`,
    usingMetrics: { a: numerator, b: denominator },
    label,
    period: d.PERIOD,
  });
}
