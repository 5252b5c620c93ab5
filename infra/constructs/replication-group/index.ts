import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Connections, Port, SecurityGroup, type IConnectable, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { CfnParameterGroup, CfnReplicationGroup, CfnSubnetGroup, type CfnUserGroup } from 'aws-cdk-lib/aws-elasticache';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { cacheNodeId } from '../../naming.ts';
import * as d from './defaults.ts';
import { parseDailyWindow, parseWeeklyWindow, windowsOverlap } from './windows.ts';

/** A `maxmemory-policy` value. */
export type EvictionPolicy = (typeof d.EVICTION_POLICIES)[number];

/** Props of {@link CacheReplicationGroup}. */
export interface CacheReplicationGroupProps {
  /** ElastiCache id: 1–40 lowercase letters, digits, hyphens; starts with a letter. */
  readonly replicationGroupId: string;
  readonly description: string;
  readonly vpc: IVpc;
  /** Subnets of the nodes, in at least two AZs. */
  readonly subnets: SubnetSelection;
  /** RBAC user group (see `CacheAccess`). */
  readonly userGroup: CfnUserGroup;
  /** @default allkeys-lru */
  readonly evictionPolicy?: EvictionPolicy;
  /** @default 3 */
  readonly numShards?: number;
  /** @default 1 */
  readonly replicasPerShard?: number;
  /** @default cache.r7g.large */
  readonly nodeType?: string;
  /** @default valkey */
  readonly engine?: 'valkey' | 'redis';
  /** @default 8.1 */
  readonly engineVersion?: string;
  /** @default 6379 */
  readonly port?: number;
  /** Key for encryption at rest. @default a new key with yearly rotation */
  readonly encryptionKey?: IKey;
  /** 0 turns automatic snapshots off. @default 7 */
  readonly snapshotRetentionDays?: number;
  /** @default 03:00-04:00 (UTC) */
  readonly snapshotWindow?: string;
  /** @default sun:05:00-sun:06:00 (UTC) */
  readonly maintenanceWindow?: string;
  /** @default one month */
  readonly slowLogRetention?: RetentionDays;
  /** @default RemovalPolicy.SNAPSHOT */
  readonly removalPolicy?: RemovalPolicy;
  /** Where ElastiCache publishes this group's events (an unencrypted topic). @default none */
  readonly notificationTopic?: ITopic;
}

/**
 * An ElastiCache replication group in cluster mode: shards × replicas across AZs with automatic
 * failover, TLS required in transit, KMS at rest, RBAC, its own parameter group (cluster mode
 * and the eviction policy), daily snapshots, a maintenance window and the slow log in CloudWatch.
 * Changing `numShards` reshards online: CloudFormation's `UseOnlineResharding` update policy.
 */
export class CacheReplicationGroup extends Construct implements IConnectable {
  readonly replicationGroup: CfnReplicationGroup;
  readonly connections: Connections;
  readonly replicationGroupId: string;
  readonly numShards: number;
  readonly replicasPerShard: number;
  readonly evictionPolicy: EvictionPolicy;
  readonly port: number;
  /** `host:port` of the configuration endpoint, as `REDIS_CLUSTER_NODES` takes it. */
  readonly configurationEndpoint: string;
  readonly slowLog: LogGroup;

  constructor(scope: Construct, id: string, props: CacheReplicationGroupProps) {
    super(scope, id);
    const engine = props.engine ?? d.DEFAULT_ENGINE;
    const engineVersion = props.engineVersion ?? d.DEFAULT_ENGINE_VERSION;
    this.numShards = props.numShards ?? d.DEFAULT_SHARDS;
    this.replicasPerShard = props.replicasPerShard ?? d.DEFAULT_REPLICAS_PER_SHARD;
    this.evictionPolicy = props.evictionPolicy ?? d.DEFAULT_EVICTION_POLICY;
    this.port = props.port ?? d.DEFAULT_PORT;
    this.replicationGroupId = props.replicationGroupId;
    const snapshotRetentionDays = props.snapshotRetentionDays ?? d.DEFAULT_SNAPSHOT_RETENTION_DAYS;
    const snapshotWindow = props.snapshotWindow ?? d.DEFAULT_SNAPSHOT_WINDOW;
    const maintenanceWindow = props.maintenanceWindow ?? d.DEFAULT_MAINTENANCE_WINDOW;
    const family = validate(props, { engine, engineVersion, snapshotRetentionDays, snapshotWindow, maintenanceWindow }, this);

    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `ElastiCache ${props.replicationGroupId}: clients are allowed in by rule, nothing else`,
      allowAllOutbound: false,
    });
    this.connections = new Connections({ securityGroups: [securityGroup], defaultPort: Port.tcp(this.port) });

    const subnetGroup = new CfnSubnetGroup(this, 'SubnetGroup', {
      cacheSubnetGroupName: `${props.replicationGroupId}-subnets`,
      description: `Subnets of ${props.replicationGroupId}`,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });
    const parameterGroup = new CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: family,
      description: `${props.replicationGroupId}: cluster mode, maxmemory-policy ${this.evictionPolicy}`,
      properties: { 'cluster-enabled': 'yes', 'maxmemory-policy': this.evictionPolicy },
    });
    const key = props.encryptionKey ?? new Key(this, 'Key', { enableKeyRotation: true, description: `At-rest encryption of ${props.replicationGroupId}` });
    this.slowLog = new LogGroup(this, 'SlowLog', { retention: props.slowLogRetention ?? d.DEFAULT_SLOW_LOG_RETENTION });

    this.replicationGroup = new CfnReplicationGroup(this, 'Resource', {
      replicationGroupId: props.replicationGroupId,
      replicationGroupDescription: props.description,
      engine,
      engineVersion,
      cacheNodeType: props.nodeType ?? d.DEFAULT_NODE_TYPE,
      port: this.port,
      clusterMode: 'enabled',
      numNodeGroups: this.numShards,
      replicasPerNodeGroup: this.replicasPerShard,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: key.keyArn,
      userGroupIds: [props.userGroup.userGroupId],
      cacheParameterGroupName: parameterGroup.ref,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: snapshotRetentionDays,
      ...(snapshotRetentionDays > 0 ? { snapshotWindow } : {}),
      preferredMaintenanceWindow: maintenanceWindow,
      ...(props.notificationTopic ? { notificationTopicArn: props.notificationTopic.topicArn } : {}),
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          logFormat: 'json',
          logType: 'slow-log',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: this.slowLog.logGroupName } },
        },
      ],
    });
    this.replicationGroup.addResourceDependency(props.userGroup);
    this.replicationGroup.cfnOptions.updatePolicy = { useOnlineResharding: true };
    this.replicationGroup.applyRemovalPolicy(props.removalPolicy ?? d.DEFAULT_REMOVAL_POLICY);
    Validations.of(this.replicationGroup).acknowledge({
      id: 'AwsSolutions-AEC6',
      reason: 'Clients authenticate with RBAC users (userGroupIds), which replaces the single shared AUTH token this rule looks for',
    });
    this.configurationEndpoint = `${this.replicationGroup.attrConfigurationEndPointAddress}:${this.replicationGroup.attrConfigurationEndPointPort}`;
  }

  /** Node ids per shard, as ElastiCache names them at creation (`<group>-0001-001`). */
  nodeIds(): string[][] {
    return Array.from({ length: this.numShards }, (_, shard) =>
      Array.from({ length: this.replicasPerShard + 1 }, (_, node) => cacheNodeId(this.replicationGroupId, shard + 1, node + 1)),
    );
  }
}

interface Resolved {
  engine: string;
  engineVersion: string;
  snapshotRetentionDays: number;
  snapshotWindow: string;
  maintenanceWindow: string;
}

/** Checks every prop ElastiCache would refuse mid-deploy; returns the parameter group family. */
function validate(props: CacheReplicationGroupProps, r: Resolved, self: CacheReplicationGroup): string {
  const where = `CacheReplicationGroup ${props.replicationGroupId}`;
  if (!/^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/.test(props.replicationGroupId)) {
    throw new Error(`${where}: replicationGroupId must be 1–40 lowercase letters, digits or single hyphens, starting with a letter`);
  }
  if (!Number.isInteger(self.numShards) || self.numShards < 1 || self.numShards > 500) {
    throw new Error(`${where}: numShards must be an integer from 1 to 500, got ${self.numShards}`);
  }
  if (!Number.isInteger(self.replicasPerShard) || self.replicasPerShard < 1 || self.replicasPerShard > 5) {
    throw new Error(
      `${where}: replicasPerShard must be an integer from 1 to 5 (Multi-AZ failover needs a replica in every shard), got ${self.replicasPerShard}`,
    );
  }
  if (!(d.EVICTION_POLICIES as readonly string[]).includes(self.evictionPolicy)) {
    throw new Error(`${where}: evictionPolicy must be one of ${d.EVICTION_POLICIES.join(', ')}, got ${JSON.stringify(self.evictionPolicy)}`);
  }
  const major = /^(\d+)(\.\d+)*$/.exec(r.engineVersion)?.[1];
  const family = major === undefined ? undefined : d.PARAMETER_GROUP_FAMILIES[r.engine]?.[major];
  if (!family) {
    const known = Object.entries(d.PARAMETER_GROUP_FAMILIES).map(([engine, majors]) => `${engine} ${Object.keys(majors).join('/')}.x`);
    throw new Error(`${where}: engine ${r.engine} ${r.engineVersion} is not supported; use one of ${known.join(', ')}`);
  }
  if (!Number.isInteger(self.port) || self.port < 1024 || self.port > 65535) throw new Error(`${where}: port must be 1024–65535, got ${self.port}`);
  if (!Number.isInteger(r.snapshotRetentionDays) || r.snapshotRetentionDays < 0 || r.snapshotRetentionDays > 35) {
    throw new Error(`${where}: snapshotRetentionDays must be an integer from 0 to 35, got ${r.snapshotRetentionDays}`);
  }
  const maintenance = parseWeeklyWindow(r.maintenanceWindow, `${where}: maintenanceWindow`);
  if (r.snapshotRetentionDays > 0) {
    const snapshot = parseDailyWindow(r.snapshotWindow, `${where}: snapshotWindow`);
    if (windowsOverlap(snapshot, maintenance)) {
      throw new Error(
        `${where}: snapshotWindow ${r.snapshotWindow} overlaps maintenanceWindow ${r.maintenanceWindow}; ElastiCache refuses overlapping windows`,
      );
    }
  }
  return family;
}
