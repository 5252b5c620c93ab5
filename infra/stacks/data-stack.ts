import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CacheAccess } from '../constructs/cache-access/index.ts';
import { CacheEvents } from '../constructs/cache-events/index.ts';
import { OriginDatabase, type OriginDatabaseProps } from '../constructs/database/index.ts';
import { EdgeAuthorizer } from '../constructs/edge-authorizer/index.ts';
import { StrataNetwork, type StrataNetworkProps } from '../constructs/network/index.ts';
import { CacheReplicationGroup, type CacheReplicationGroupProps } from '../constructs/replication-group/index.ts';
import { assertStage, namePrefix, replicationGroupId, secretNames } from '../naming.ts';
import { CACHE_GROUP, SESSIONS_GROUP } from './defaults.ts';

/** Sizing and schedule of one replication group. */
export type ReplicationGroupSettings = Pick<
  CacheReplicationGroupProps,
  'numShards' | 'replicasPerShard' | 'nodeType' | 'engine' | 'engineVersion' | 'snapshotRetentionDays' | 'snapshotWindow' | 'maintenanceWindow'
>;

/** Sizing and safety settings of the database. */
export type DatabaseSettings = Pick<
  OriginDatabaseProps,
  'engineVersion' | 'minCapacity' | 'maxCapacity' | 'readers' | 'backupRetention' | 'deletionProtection' | 'rotationInterval'
>;

/** Props of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Deployment stage (`dev`, `staging`, `production`). */
  readonly stage: string;
  /** @default StrataNetwork's defaults */
  readonly network?: StrataNetworkProps;
  /** Tenant data group. @default 3 shards × 1 replica, allkeys-lru */
  readonly cache?: ReplicationGroupSettings;
  /** Sessions group. @default 1 shard × 1 replica, noeviction */
  readonly sessions?: ReplicationGroupSettings;
  /** @default OriginDatabase's defaults */
  readonly database?: DatabaseSettings;
  /** Subscribed to the ElastiCache events topic. @default no subscription */
  readonly alarmEmail?: string;
}

/** What the origin stack needs from the data stack. */
export interface OriginDependencies {
  readonly network: StrataNetwork;
  readonly cacheAccess: CacheAccess;
  readonly cache: CacheReplicationGroup;
  readonly sessions: CacheReplicationGroup;
  readonly database: OriginDatabase;
  /** The edge's credential toward API Gateway (`strata/<stage>/edge-origin-token`). */
  readonly edgeToken: ISecret;
  /** The operator API's bearer token (`strata/<stage>/operator-token`), for `strata` (cli/). */
  readonly operatorToken: ISecret;
}

/**
 * The stateful half: the VPC, both Redis replication groups with their RBAC users, and Aurora
 * behind RDS Proxy. Deployed separately from the origin so a code change never touches data.
 * The only ways in: Lambdas → Redis (6379) and Lambdas → RDS Proxy (5432) → Aurora.
 */
export class DataStack extends Stack implements OriginDependencies {
  readonly network: StrataNetwork;
  readonly cacheAccess: CacheAccess;
  readonly cache: CacheReplicationGroup;
  readonly sessions: CacheReplicationGroup;
  readonly database: OriginDatabase;
  readonly edgeToken: ISecret;
  readonly operatorToken: ISecret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    assertStage(props.stage, 'DataStack');
    const prefix = namePrefix(props.stage);
    this.network = new StrataNetwork(this, 'Network', props.network);
    const { vpc, dataSubnets, appSubnets, lambdaSecurityGroup } = this.network;

    this.cacheAccess = new CacheAccess(this, 'CacheAccess', { idPrefix: prefix, secretName: secretNames.redisApp(props.stage) });
    Validations.of(this.cacheAccess.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: "ElastiCache RBAC passwords have no managed rotation function; docs/deploy.md documents rotating it by hand with the user's two-password slot",
    });
    const events = new CacheEvents(this, 'CacheEvents', { topicName: `${prefix}-cache-events`, ...(props.alarmEmail ? { email: props.alarmEmail } : {}) });
    const group = (name: 'cache' | 'sessions', defaults: typeof CACHE_GROUP, settings: ReplicationGroupSettings | undefined, description: string) => {
      const created = new CacheReplicationGroup(this, name === 'cache' ? 'Cache' : 'Sessions', {
        replicationGroupId: replicationGroupId(props.stage, name),
        description,
        vpc,
        subnets: dataSubnets,
        userGroup: this.cacheAccess.userGroup,
        notificationTopic: events.topic,
        ...defaults,
        ...settings,
      });
      created.connections.allowDefaultPortFrom(lambdaSecurityGroup, `Strata Lambdas to ${name} Redis`);
      return created;
    };
    this.cache = group('cache', CACHE_GROUP, props.cache, 'Strata tenant data: users, projects, API responses, config (allkeys-lru)');
    this.sessions = group('sessions', SESSIONS_GROUP, props.sessions, 'Strata sessions only (noeviction)');

    this.database = new OriginDatabase(this, 'Database', {
      vpc,
      subnets: dataSubnets,
      rotationSubnets: appSubnets,
      clusterIdentifier: `${prefix}-db`,
      secretName: secretNames.database(props.stage),
      ...props.database,
    });
    this.database.connections.allowDefaultPortFrom(lambdaSecurityGroup, 'Strata Lambdas to RDS Proxy');

    // Here rather than beside its authorizer (origin stack): it exists, and the Worker can hold
    // it, before the first origin deploy enforces it, so switching it on refuses no request.
    this.edgeToken = EdgeAuthorizer.createTokenSecret(this, 'EdgeToken', secretNames.edgeOriginToken(props.stage));

    // Stateful like the edge token: redeploying the origin never changes what operators hold.
    this.operatorToken = new Secret(this, 'OperatorToken', {
      secretName: secretNames.operatorToken(props.stage),
      description: 'Bearer token of the Strata origin operator API (/ops/*), for the strata CLI (STRATA_OPERATOR_TOKEN)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.operatorToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Operators hold the token, so no rotation function can hand them the new one; docs/deploy.md documents rotating it by hand (the origin reads the new value within SECRETS_MAX_AGE_SECONDS)',
    });

    new CfnOutput(this, 'CacheEndpoint', { value: this.cache.configurationEndpoint, description: 'Configuration endpoint of the cache group' });
    new CfnOutput(this, 'SessionsEndpoint', { value: this.sessions.configurationEndpoint, description: 'Configuration endpoint of the sessions group' });
    new CfnOutput(this, 'DatabaseProxyEndpoint', { value: this.database.proxy.endpoint });
    new CfnOutput(this, 'EdgeTokenSecretName', {
      value: secretNames.edgeOriginToken(props.stage),
      description: 'Copy its value to the Worker: wrangler secret put EDGE_ORIGIN_TOKEN',
    });
    new CfnOutput(this, 'OperatorTokenSecretName', {
      value: secretNames.operatorToken(props.stage),
      description: "The strata CLI's STRATA_OPERATOR_TOKEN (docs/operating.md, A deployed stage)",
    });
    new CfnOutput(this, 'CacheEventsTopic', {
      value: events.topic.topicArn,
      description: 'ElastiCache events (failovers, replacements, maintenance); subscribe with -c alarmEmail',
    });
  }
}
