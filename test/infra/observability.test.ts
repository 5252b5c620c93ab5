/** StrataObservability: the dashboard, its metric contract with the origin, and the alarms. */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CacheAccess } from '../../infra/constructs/cache-access/index.ts';
import { StrataObservability, type StrataObservabilityProps } from '../../infra/constructs/observability/index.ts';
import { OriginApi } from '../../infra/constructs/origin-api/index.ts';
import { CacheReplicationGroup } from '../../infra/constructs/replication-group/index.ts';
import { constructStack, inlineFunction, resources } from './support.ts';

function build(props: Partial<StrataObservabilityProps> = {}) {
  const { stack, vpc } = constructStack();
  const access = new CacheAccess(stack, 'Access', { idPrefix: 'strata-test', secretName: 's' });
  const group = (id: string, numShards: number, evictionPolicy: 'allkeys-lru' | 'noeviction') =>
    new CacheReplicationGroup(stack, id, {
      replicationGroupId: `strata-test-${id.toLowerCase()}`,
      description: id,
      vpc,
      subnets: { subnetGroupName: 'data' },
      userGroup: access.userGroup,
      numShards,
      evictionPolicy,
    });
  const fn = inlineFunction(stack);
  const api = new OriginApi(stack, 'Api', { handler: fn, stageName: 'test' });
  const observability = new StrataObservability(stack, 'Obs', {
    namePrefix: 'strata-test',
    serviceName: 'strata-test-origin',
    cacheGroups: [
      { group: group('Cache', 3, 'allkeys-lru'), holdsSessions: false },
      { group: group('Sessions', 1, 'noeviction'), holdsSessions: true },
    ],
    database: { clusterIdentifier: 'strata-test-db', proxyName: 'strata-test-db-proxy' },
    apiStage: api.stage,
    functions: [{ label: 'origin', function: fn, timeout: Duration.seconds(10) }],
    ...props,
  });
  const template = Template.fromStack(stack);
  const alarms = new Map(resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => [a.AlarmName as string, a]));
  return { observability, stack, template, alarms };
}

/** The metrics of a metric-math alarm, by id. */
function mathMetrics(alarm: Record<string, any>): Map<string, Record<string, any>> {
  return new Map(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
}

describe('StrataObservability', () => {
  it('alarms on the hit ratio of each data type below its target, read from the origin’s EMF metrics', () => {
    const { alarms } = build();
    for (const [type, target] of Object.entries({ session: 0.95, config: 0.9, user: 0.85, api: 0.7 })) {
      const alarm = alarms.get(`strata-test-hit-ratio-${type}`)!;
      expect(alarm).toMatchObject({
        Threshold: target,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      });
      const expression = alarm.Metrics.find((m: any) => m.Expression).Expression as string;
      expect(expression).toBe('IF((s0+s1+s2+u0+u1) >= 100, (s0+s1+s2) / (s0+s1+s2+u0+u1), 1)');
      const metrics = mathMetrics(alarm);
      expect([...metrics.entries()].map(([id, stat]) => [id, stat.Metric.MetricName])).toEqual([
        ['s0', 'CacheHit'],
        ['s1', 'CacheStale'],
        ['s2', 'CacheStaleError'],
        ['u0', 'CacheMiss'],
        ['u1', 'CacheBypass'],
      ]);
      for (const stat of metrics.values()) {
        expect(stat.Metric.Namespace).toBe('Strata');
        expect(stat.Metric.Dimensions).toEqual([
          { Name: 'DataType', Value: type },
          { Name: 'service', Value: 'strata-test-origin' },
        ]);
        expect(stat).toMatchObject({ Stat: 'Sum', Period: 300 });
      }
    }
    expect(alarms.has('strata-test-hit-ratio-resource')).toBe(false);
  });

  it('alarms per shard on the worst node’s CPU, swap and replication lag', () => {
    const { alarms } = build();
    const shardAlarms = [...alarms.keys()].filter((name) => /shard\d/.test(name));
    // cache: cpu, evictions outpacing writes, swap, lag (× 3 shards); sessions: those with memory and any eviction.
    expect(shardAlarms).toHaveLength(3 * 4 + 5);
    const cpu = alarms.get('strata-test-cache-shard2-cpu')!;
    expect(cpu).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanThreshold' });
    expect(cpu.Metrics.find((m: any) => m.Expression).Expression).toBe('MAX([n0, n1])');
    expect([...mathMetrics(cpu).values()].map((s) => s.Metric.Dimensions[0].Value)).toEqual(['strata-test-cache-0002-001', 'strata-test-cache-0002-002']);
    expect(alarms.get('strata-test-cache-shard1-swap')).toMatchObject({ Threshold: 50 * 1024 * 1024 });
    expect([...mathMetrics(alarms.get('strata-test-sessions-shard1-swap')!).values()][0]!.Metric.MetricName).toBe('SwapUsage');
    expect(alarms.get('strata-test-cache-shard3-replication-lag')).toMatchObject({ Threshold: 1 });
  });

  it('does not alarm on a full LRU cache, but on evictions outpacing writes; sessions alarm on memory and any eviction', () => {
    const { alarms } = build();
    // allkeys-lru is meant to be full: a memory alarm there would stay in ALARM in steady state.
    expect([...alarms.keys()].filter((name) => /cache-shard\d-memory/.test(name))).toEqual([]);
    expect([...alarms.keys()].filter((name) => /cache-shard\d-evictions$/.test(name))).toEqual([]);
    const outpacing = alarms.get('strata-test-cache-shard1-evictions-outpace-writes')!;
    expect(outpacing).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
    expect(outpacing.Metrics.find((m: any) => m.Expression).Expression).toBe('IF(MAX([e0, e1]) >= 100, MAX([e0, e1]) - MAX([w0, w1]), 0)');
    expect([...mathMetrics(outpacing).entries()].map(([id, stat]) => [id, stat.Metric.MetricName, stat.Stat])).toEqual([
      ['e0', 'Evictions', 'Sum'],
      ['w0', 'SetTypeCmds', 'Sum'],
      ['e1', 'Evictions', 'Sum'],
      ['w1', 'SetTypeCmds', 'Sum'],
    ]);
    expect(alarms.get('strata-test-sessions-shard1-memory')!.Threshold).toBe(70);
    expect(alarms.get('strata-test-sessions-shard1-evictions')).toMatchObject({ Threshold: 0, EvaluationPeriods: 1 });
    expect(alarms.get('strata-test-sessions-shard1-evictions')!.Metrics.find((m: any) => m.Expression).Expression).toBe('SUM([n0, n1])');
  });

  it('alarms on Aurora CPU, capacity, deadlocks and replica lag, and on RDS Proxy sign-in failures', () => {
    const { alarms } = build();
    // A labelled metric is written as a one-entry Metrics list: flatten it for the comparisons.
    const metric = (name: string) => {
      const alarm = alarms.get(`strata-test-${name}`)!;
      const { Metric, Stat } = alarm.Metrics[0].MetricStat;
      return {
        Namespace: Metric.Namespace,
        MetricName: Metric.MetricName,
        Dimensions: Metric.Dimensions,
        Stat,
        Threshold: alarm.Threshold,
        EvaluationPeriods: alarm.EvaluationPeriods,
      };
    };
    expect(metric('db-cpu')).toEqual({
      Namespace: 'AWS/RDS',
      MetricName: 'CPUUtilization',
      Stat: 'Maximum',
      Threshold: 80,
      EvaluationPeriods: 3,
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'strata-test-db' }],
    });
    expect(metric('db-capacity')).toMatchObject({ MetricName: 'ACUUtilization', Threshold: 90 });
    expect(metric('db-deadlocks')).toMatchObject({ MetricName: 'Deadlocks', Threshold: 0 });
    expect(metric('db-replica-lag')).toMatchObject({ MetricName: 'AuroraReplicaLagMaximum', Threshold: 1000 });
    expect(metric('db-proxy-auth-failures')).toEqual({
      Namespace: 'AWS/RDS',
      MetricName: 'ClientConnectionsSetupFailedAuth',
      Stat: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 1,
      Dimensions: [{ Name: 'ProxyName', Value: 'strata-test-db-proxy' }],
    });
    expect(metric('db-proxy-connect-failures')).toMatchObject({ MetricName: 'DatabaseConnectionsSetupFailed', Threshold: 0 });
  });

  it('alarms on the API stage cache hit ratio and 5XX, and on Lambda error rate, throttles and p99 duration', () => {
    const { alarms } = build();
    const api = alarms.get('strata-test-api-cache-hit-ratio')!;
    expect(api.Metrics.find((m: any) => m.Expression).Expression).toBe('IF((h + m) >= 100, h / (h + m), 1)');
    expect([...mathMetrics(api).values()].map((s) => s.Metric.MetricName).sort()).toEqual(['CacheHitCount', 'CacheMissCount']);
    expect([...mathMetrics(api).values()][0]!.Metric.Dimensions.map((d: any) => d.Name).sort()).toEqual(['ApiName', 'Stage']);
    expect(alarms.get('strata-test-api-5xx')).toMatchObject({ MetricName: '5XXError', Threshold: 10 });
    expect(alarms.get('strata-test-origin-errors')).toMatchObject({ Threshold: 0.01 });
    const throttles = alarms.get('strata-test-origin-throttles')!;
    expect(throttles).toMatchObject({ Threshold: 0.01, ComparisonOperator: 'GreaterThanThreshold' });
    expect(throttles.Metrics.find((m: any) => m.Expression).Expression).toBe('IF(i + r > 0, r / (i + r), 0)');
    expect([...mathMetrics(throttles).values()].map((s) => s.Metric.MetricName).sort()).toEqual(['Invocations', 'Throttles']);
    expect(alarms.get('strata-test-origin-duration')).toMatchObject({ MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 8000 });
  });

  it('sends every alarm and recovery to an encrypted, TLS-only topic CloudWatch may use', () => {
    const { template, alarms, stack, observability } = build({ alarmEmail: 'ops@example.com' });
    const topic = stack.getLogicalId(observability.topic.node.defaultChild as never);
    for (const alarm of alarms.values()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions).toEqual([{ Ref: topic }]);
    }
    const [, topicProps] = resources(template, 'AWS::SNS::Topic')[0]!;
    expect(topicProps.TopicName).toBe('strata-test-alarms');
    const keyId = topicProps.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    const key = template.toJSON().Resources[keyId].Properties;
    expect(key.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    const policy = resources(template, 'AWS::SNS::TopicPolicy')[0]![1];
    expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('draws one dashboard with the hit ratios, every Redis node, API Gateway and Lambda', () => {
    const { template } = build();
    const [, dashboard] = resources(template, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(dashboard.DashboardName).toBe('strata-test');
    const body = JSON.stringify(dashboard.DashboardBody);
    for (const text of [
      'session hit ratio (target 0.95)',
      'resource hit ratio',
      'CacheHit',
      'EngineCPUUtilization',
      'DatabaseMemoryUsagePercentage',
      'Evictions',
      'ReplicationLag',
      'CacheHitCount',
      'CacheMissCount',
      'strata-test-sessions-0001-002',
      'strata-test-cache-0003-002',
      'SetTypeCmds',
      'SwapUsage',
      'ACUUtilization',
      'DatabaseConnectionsBorrowLatency',
      'Duration',
      'Errors',
      'alarm',
    ]) {
      expect(body).toContain(text);
    }
  });

  it('takes other targets and thresholds, and refuses nonsense', () => {
    const { alarms } = build({ hitRatioTargets: { api: 0.5 }, thresholds: { redisCpuPercent: 60 } });
    expect(alarms.get('strata-test-hit-ratio-api')!.Threshold).toBe(0.5);
    expect(alarms.has('strata-test-hit-ratio-session')).toBe(false);
    expect(alarms.get('strata-test-cache-shard1-cpu')!.Threshold).toBe(60);
    expect(() => build({ hitRatioTargets: { api: 1.5 } })).toThrow(/hit ratio target of api must be in \(0, 1\], got 1.5/);
    expect(() => build({ hitRatioTargets: { sessions: 0.9 } as never })).toThrow(/unknown data type "sessions"/);
    expect(() => build({ alarmEmail: 'ops' })).toThrow(/alarmEmail is not an e-mail address/);
  });
});
