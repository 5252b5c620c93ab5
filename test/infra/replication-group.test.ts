/** CacheReplicationGroup: topology, engine, encryption, RBAC, parameters, snapshots, resharding. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CacheAccess } from '../../infra/constructs/cache-access/index.ts';
import { CacheReplicationGroup, type CacheReplicationGroupProps } from '../../infra/constructs/replication-group/index.ts';
import { parseDailyWindow, parseWeeklyWindow, windowsOverlap } from '../../infra/constructs/replication-group/windows.ts';
import { constructStack, resources } from './support.ts';

function build(props: Partial<CacheReplicationGroupProps> = {}) {
  const { stack, vpc } = constructStack();
  const access = new CacheAccess(stack, 'Access', { idPrefix: 'strata-test', secretName: 'strata/test/redis-app' });
  const group = new CacheReplicationGroup(stack, 'Cache', {
    replicationGroupId: 'strata-test-cache',
    description: 'test',
    vpc,
    subnets: { subnetGroupName: 'data' },
    userGroup: access.userGroup,
    ...props,
  });
  return { group, template: Template.fromStack(stack) };
}

describe('CacheReplicationGroup', () => {
  it('runs Valkey 8.1 in cluster mode: 3 shards × 1 replica by default, Multi-AZ, automatic failover', () => {
    build().template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ReplicationGroupId: 'strata-test-cache',
      Engine: 'valkey',
      EngineVersion: '8.1',
      CacheNodeType: 'cache.r7g.large',
      ClusterMode: 'enabled',
      NumNodeGroups: 3,
      ReplicasPerNodeGroup: 1,
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      Port: 6379,
    });
  });

  it('takes shards, replicas and node type as props', () => {
    build({ numShards: 5, replicasPerShard: 2, nodeType: 'cache.r7g.xlarge' }).template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      NumNodeGroups: 5,
      ReplicasPerNodeGroup: 2,
      CacheNodeType: 'cache.r7g.xlarge',
    });
  });

  it('requires TLS in transit, encrypts at rest with a rotating KMS key, and authenticates with the RBAC group', () => {
    const { template } = build();
    const keyId = resources(template, 'AWS::KMS::Key')[0]![0];
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      UserGroupIds: ['strata-test-users'],
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('AuthToken');
  });

  it('uses its own parameter group: cluster mode on, allkeys-lru by default, the given policy otherwise', () => {
    build().template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'valkey8',
      Properties: { 'cluster-enabled': 'yes', 'maxmemory-policy': 'allkeys-lru' },
    });
    build({ evictionPolicy: 'noeviction' }).template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      Properties: { 'cluster-enabled': 'yes', 'maxmemory-policy': 'noeviction' },
    });
  });

  it('keeps snapshots, has a maintenance window and ships the slow log to CloudWatch as JSON', () => {
    const { template } = build();
    const logGroupId = resources(template, 'AWS::Logs::LogGroup')[0]![0];
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      SnapshotRetentionLimit: 7,
      SnapshotWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:05:00-sun:06:00',
      AutoMinorVersionUpgrade: true,
      LogDeliveryConfigurations: [
        {
          DestinationType: 'cloudwatch-logs',
          LogFormat: 'json',
          LogType: 'slow-log',
          DestinationDetails: { CloudWatchLogsDetails: { LogGroup: { Ref: logGroupId } } },
        },
      ],
    });
  });

  it('reshards online when numShards changes, and snapshots on removal', () => {
    build().template.hasResource('AWS::ElastiCache::ReplicationGroup', {
      UpdatePolicy: { UseOnlineResharding: true },
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
    build({ removalPolicy: RemovalPolicy.RETAIN }).template.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Retain' });
  });

  it('sits in the given subnets behind a security group that admits nobody until allowed', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ElastiCache::SubnetGroup', {
      CacheSubnetGroupName: 'strata-test-cache-subnets',
      SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('dataSubnet') })]),
    });
    const groups = resources(template, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('Cache'));
    expect(groups).toHaveLength(1);
    expect(groups[0]![1].SecurityGroupIngress).toBeUndefined();
    expect(resources(template, 'AWS::EC2::SecurityGroupIngress')).toHaveLength(0);
  });

  it('names its nodes as ElastiCache does, per shard', () => {
    expect(build({ numShards: 2, replicasPerShard: 2 }).group.nodeIds()).toEqual([
      ['strata-test-cache-0001-001', 'strata-test-cache-0001-002', 'strata-test-cache-0001-003'],
      ['strata-test-cache-0002-001', 'strata-test-cache-0002-002', 'strata-test-cache-0002-003'],
    ]);
  });

  it.each([
    [{ replicasPerShard: 0 }, /replicasPerShard must be an integer from 1 to 5 \(Multi-AZ failover needs a replica in every shard\), got 0/],
    [{ replicasPerShard: 6 }, /replicasPerShard must be an integer from 1 to 5/],
    [{ numShards: 0 }, /numShards must be an integer from 1 to 500, got 0/],
    [{ numShards: 2.5 }, /numShards must be an integer/],
    [{ engineVersion: '6.2' }, /engine valkey 6.2 is not supported; use one of valkey 7\/8.x, redis 7.x/],
    [{ engine: 'redis' as const, engineVersion: '6.2' }, /engine redis 6.2 is not supported/],
    [{ evictionPolicy: 'lru' as never }, /evictionPolicy must be one of noeviction, allkeys-lru/],
    [{ replicationGroupId: 'Strata--cache' }, /replicationGroupId must be 1–40 lowercase letters/],
    [{ snapshotRetentionDays: 36 }, /snapshotRetentionDays must be an integer from 0 to 35, got 36/],
    [{ port: 80 }, /port must be 1024–65535, got 80/],
    [{ maintenanceWindow: 'sunday 5am' }, /maintenanceWindow must look like ddd:hh24:mi-ddd:hh24:mi/],
    [{ snapshotWindow: '03:00-03:30' }, /snapshotWindow must last at least 60 minutes/],
    [{ snapshotWindow: '05:30-06:30' }, /snapshotWindow 05:30-06:30 overlaps maintenanceWindow sun:05:00-sun:06:00/],
  ])('refuses %o', (props, message) => {
    expect(() => build(props as Partial<CacheReplicationGroupProps>)).toThrow(message);
  });

  it('accepts a redis 7 engine, and a snapshot window clear of maintenance on other days', () => {
    build({ engine: 'redis', engineVersion: '7.1' }).template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'redis7',
    });
    expect(() => build({ snapshotWindow: '05:30-06:30', maintenanceWindow: 'wed:01:00-wed:02:00' })).not.toThrow();
    expect(() => build({ snapshotRetentionDays: 0, snapshotWindow: 'ignored' })).not.toThrow();
  });
});

describe('maintenance and snapshot windows', () => {
  it('detects overlaps across midnight and across the end of the week', () => {
    expect(windowsOverlap(parseDailyWindow('23:30-00:30', 's'), parseWeeklyWindow('mon:00:00-mon:01:00', 'm'))).toBe(true);
    expect(windowsOverlap(parseDailyWindow('23:00-00:00', 's'), parseWeeklyWindow('sat:23:30-sun:00:30', 'm'))).toBe(true);
    expect(windowsOverlap(parseDailyWindow('01:00-02:00', 's'), parseWeeklyWindow('sat:23:30-sun:00:30', 'm'))).toBe(false);
  });
});
