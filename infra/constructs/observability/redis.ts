/**
 * The Redis alarms and graphs: per shard, on its worst node. What means trouble differs by
 * group: the cache group (`allkeys-lru`) is meant to be full, so it alarms when evictions
 * outpace writes, not on memory; the sessions group (`noeviction`) refuses logins when full,
 * so it alarms on memory and on any eviction. Both alarm on CPU, swap and replica lag.
 */
import { GraphWidget, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { CacheReplicationGroup } from '../replication-group/index.ts';
import * as d from './defaults.ts';
import { evictionsOverWrites, nodeMetric, shardMetric } from './metrics.ts';

/** Creates one alarm (see StrataObservability). */
export type AlarmFactory = (name: string, metric: IMetric, threshold: number, above: boolean, description: string, periods?: number) => unknown;

/** A replication group to watch, and whether it holds sessions (memory and evictions differ). */
export interface WatchedCacheGroup {
  readonly group: CacheReplicationGroup;
  readonly holdsSessions: boolean;
}

/** Adds the alarms of `groups` through `alarm`; returns one dashboard row per group. */
export function redisAlarms(alarm: AlarmFactory, groups: readonly WatchedCacheGroup[], t: d.AlarmThresholds): IWidget[][] {
  const rows: IWidget[][] = [];
  for (const { group, holdsSessions } of groups) {
    const nodes = group.nodeIds();
    const label = holdsSessions ? 'sessions' : 'cache';
    const id = group.replicationGroupId;
    nodes.forEach((shardNodes, i) => {
      const shard = `${label}-shard${i + 1}`;
      const where = `${id} shard ${i + 1}`;
      alarm(
        `${shard}-cpu`,
        shardMetric(shardNodes, 'EngineCPUUtilization', 'Maximum', `${shard} CPU`),
        t.redisCpuPercent,
        true,
        `${where}: engine CPU above ${t.redisCpuPercent}%`,
      );
      if (holdsSessions) {
        alarm(
          `${shard}-memory`,
          shardMetric(shardNodes, 'DatabaseMemoryUsagePercentage', 'Maximum', `${shard} memory`),
          t.sessionsMemoryPercent,
          true,
          `${where}: memory above ${t.sessionsMemoryPercent}%; at 100% noeviction refuses new logins`,
        );
        // Sessions are never evicted (noeviction): one eviction means the policy changed.
        alarm(`${shard}-evictions`, shardMetric(shardNodes, 'Evictions', 'Sum', `${shard} evictions`), 0, true, `${where}: a session was evicted`, 1);
      } else {
        alarm(
          `${shard}-evictions-outpace-writes`,
          evictionsOverWrites(shardNodes, t.minEvictionsForOutpacing, `${shard} evictions minus writes`),
          0,
          true,
          `${where}: evicting more keys than it is written (at least ${t.minEvictionsForOutpacing} per 5 minutes) for 15 minutes: something besides data is pushing live keys out`,
        );
      }
      alarm(
        `${shard}-swap`,
        shardMetric(shardNodes, 'SwapUsage', 'Maximum', `${shard} swap`),
        t.redisSwapBytes,
        true,
        `${where}: a node swaps more than ${t.redisSwapBytes / 1024 / 1024} MB`,
      );
      alarm(
        `${shard}-replication-lag`,
        shardMetric(shardNodes, 'ReplicationLag', 'Maximum', `${shard} replication lag`),
        t.replicationLagSeconds,
        true,
        `${where}: a replica lags more than ${t.replicationLagSeconds} s`,
      );
    });
    const all = nodes.flat();
    const graph = (title: string, metric: string, statistic: string) =>
      new GraphWidget({ title: `${id}: ${title}`, left: all.map((node) => nodeMetric(node, metric, statistic)), width: 4 });
    rows.push([
      graph('engine CPU %', 'EngineCPUUtilization', 'Maximum'),
      graph('memory %', 'DatabaseMemoryUsagePercentage', 'Maximum'),
      graph('evictions', 'Evictions', 'Sum'),
      graph('writes', 'SetTypeCmds', 'Sum'),
      graph('swap (bytes)', 'SwapUsage', 'Maximum'),
      graph('replication lag (s)', 'ReplicationLag', 'Maximum'),
    ]);
  }
  return rows;
}
