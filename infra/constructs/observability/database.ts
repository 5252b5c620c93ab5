/**
 * The Aurora and RDS Proxy alarms and graphs. The proxy is the only way the API reaches
 * PostgreSQL, and only the stack's functions can reach the proxy, so any failed sign-in there
 * is a broken deployment (a role without `rds_iam`, a missing `rds-db:connect`), not an attack.
 */
import { GraphWidget, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type * as d from './defaults.ts';
import { rdsMetric } from './metrics.ts';
import type { AlarmFactory } from './redis.ts';

/** The database to watch: cluster and proxy names. */
export interface WatchedDatabase {
  readonly clusterIdentifier: string;
  readonly proxyName: string;
}

/** Adds the database alarms through `alarm`; returns its dashboard row. */
export function databaseAlarms(alarm: AlarmFactory, database: WatchedDatabase, t: d.AlarmThresholds): IWidget[] {
  const cluster = { DBClusterIdentifier: database.clusterIdentifier };
  const proxy = { ProxyName: database.proxyName };
  const cpu = rdsMetric(cluster, 'CPUUtilization', 'Maximum', 'CPU %');
  const capacity = rdsMetric(cluster, 'ACUUtilization', 'Maximum', 'capacity used, % of max ACU');
  const deadlocks = rdsMetric(cluster, 'Deadlocks', 'Maximum', 'deadlocks per second');
  const replicaLag = rdsMetric(cluster, 'AuroraReplicaLagMaximum', 'Maximum', 'replica lag (ms)');
  const authFailures = rdsMetric(proxy, 'ClientConnectionsSetupFailedAuth', 'Sum', 'proxy: failed client sign-ins');
  const databaseFailures = rdsMetric(proxy, 'DatabaseConnectionsSetupFailed', 'Sum', 'proxy: failed connections to Aurora');
  const borrowLatency = rdsMetric(proxy, 'DatabaseConnectionsBorrowLatency', 'p99', 'proxy: connection borrow p99 (µs)');

  const id = database.clusterIdentifier;
  alarm('db-cpu', cpu, t.databaseCpuPercent, true, `${id}: CPU above ${t.databaseCpuPercent}% for 15 minutes`);
  alarm(
    'db-capacity',
    capacity,
    t.databaseCapacityPercent,
    true,
    `${id}: above ${t.databaseCapacityPercent}% of its maximum capacity for 15 minutes; raise maxCapacity`,
  );
  alarm('db-deadlocks', deadlocks, 0, true, `${id}: deadlocks in three periods in a row`);
  alarm('db-replica-lag', replicaLag, t.databaseReplicaLagMs, true, `${id}: a reader lags more than ${t.databaseReplicaLagMs} ms`);
  alarm('db-proxy-auth-failures', authFailures, 0, true, `${database.proxyName}: a function failed to sign in (IAM token, rds-db:connect, rds_iam)`, 1);
  alarm(
    'db-proxy-connect-failures',
    databaseFailures,
    0,
    true,
    `${database.proxyName}: the proxy cannot sign in to Aurora (its role, the app role, or the cluster is down)`,
  );
  return [
    new GraphWidget({ title: `${id}: CPU and capacity`, left: [cpu, capacity], width: 8 }),
    new GraphWidget({ title: `${id}: deadlocks and replica lag`, left: [deadlocks], right: [replicaLag], width: 8 }),
    new GraphWidget({ title: `${database.proxyName}: failures and borrow latency`, left: [authFailures, databaseFailures], right: [borrowLatency], width: 8 }),
  ];
}
