import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Connections, Peer, Port, SecurityGroup, type IConnectable, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  DefaultAuthScheme,
  type AuroraPostgresEngineVersion,
  type DatabaseProxy,
} from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as d from './defaults.ts';

/** Props of {@link OriginDatabase}. */
export interface OriginDatabaseProps {
  readonly vpc: IVpc;
  /** Subnets of the cluster and the proxy (isolated). */
  readonly subnets: SubnetSelection;
  /** Subnets of the rotation function: it needs the Secrets Manager endpoint and the cluster. */
  readonly rotationSubnets: SubnetSelection;
  /** Cluster identifier, e.g. `strata-dev-db`; also names its log group. */
  readonly clusterIdentifier: string;
  /** Secrets Manager name of the admin credentials. */
  readonly secretName: string;
  /** @default strata */
  readonly databaseName?: string;
  /** The owner: Aurora's admin user, who migrates. @default strata */
  readonly username?: string;
  /** The role the application signs in as (created by the migrator). @default strata_app */
  readonly appUsername?: string;
  /** @default Aurora PostgreSQL 17.5 */
  readonly engineVersion?: AuroraPostgresEngineVersion;
  /** Serverless v2 capacity in ACUs, in steps of 0.5. @default 0.5 */
  readonly minCapacity?: number;
  /** @default 4 */
  readonly maxCapacity?: number;
  /** Serverless v2 readers besides the writer. @default 1 */
  readonly readers?: number;
  /** @default 14 days */
  readonly backupRetention?: Duration;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** How often the admin password rotates. @default 30 days */
  readonly rotationInterval?: Duration;
  /** @default one month */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.SNAPSHOT */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Aurora PostgreSQL Serverless v2 behind RDS Proxy. Two database users: the owner (the admin
 * user, rotated secret) migrates, from the migrator's security group straight to the writer;
 * the application role can only read and write rows, and signs in through the proxy with IAM
 * end to end: the Lambdas sign a token with their role (`rds-db:connect` as that user) and the
 * proxy signs in to the cluster with its own, so no password exists for it anywhere.
 */
export class OriginDatabase extends Construct implements IConnectable {
  readonly cluster: DatabaseCluster;
  readonly proxy: DatabaseProxy;
  /** Admin (owner) credentials; rotated, read by the rotation function and the migrator only. */
  readonly secret: ISecret;
  readonly databaseName: string;
  /** The owner. */
  readonly username: string;
  /** The application role. */
  readonly appUsername: string;
  /** The proxy's connections: allow clients in with `allowDefaultPortFrom`. */
  readonly connections: Connections;
  /** `postgres://strata_app@proxy:5432/db?sslmode=require`: no password, the client signs an IAM token. */
  readonly connectionUrl: string;
  /** Security group of the migrator: the only client allowed to the writer itself. */
  readonly migratorSecurityGroup: SecurityGroup;
  /** `postgres://strata@writer:port/db?sslmode=require`: the owner, password from {@link secret}. */
  readonly ownerConnectionUrl: string;

  constructor(scope: Construct, id: string, props: OriginDatabaseProps) {
    super(scope, id);
    const minCapacity = props.minCapacity ?? d.DEFAULT_MIN_CAPACITY;
    const maxCapacity = props.maxCapacity ?? d.DEFAULT_MAX_CAPACITY;
    const readers = props.readers ?? d.DEFAULT_READERS;
    const rotationInterval = props.rotationInterval ?? d.DEFAULT_ROTATION_INTERVAL;
    const backupRetention = props.backupRetention ?? d.DEFAULT_BACKUP_RETENTION;
    validate(props.clusterIdentifier, { minCapacity, maxCapacity, readers, rotationInterval, backupRetention });
    this.databaseName = props.databaseName ?? d.DEFAULT_DATABASE_NAME;
    this.username = props.username ?? d.DEFAULT_USERNAME;
    this.appUsername = props.appUsername ?? d.DEFAULT_APP_USERNAME;
    if (this.appUsername === this.username)
      throw new Error(`OriginDatabase ${props.clusterIdentifier}: appUsername must differ from the owner ${this.username}`);

    const clusterSecurityGroup = new SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: props.vpc,
      description: `${props.clusterIdentifier}: RDS Proxy, the rotation function and the migrator only`,
      allowAllOutbound: false,
    });
    const proxySecurityGroup = new SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: props.vpc,
      description: `${props.clusterIdentifier} proxy: clients are allowed in by rule`,
      allowAllOutbound: false,
    });
    // RDS creates the export's log group on first write, with no expiry; own it first.
    const logGroup = new LogGroup(this, 'PostgresLog', {
      logGroupName: `/aws/rds/cluster/${props.clusterIdentifier}/postgresql`,
      retention: props.logRetention ?? d.DEFAULT_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.cluster = new DatabaseCluster(this, 'Cluster', {
      engine: DatabaseClusterEngine.auroraPostgres({ version: props.engineVersion ?? d.DEFAULT_ENGINE_VERSION }),
      clusterIdentifier: props.clusterIdentifier,
      credentials: Credentials.fromGeneratedSecret(this.username, { secretName: props.secretName }),
      defaultDatabaseName: this.databaseName,
      writer: ClusterInstance.serverlessV2('Writer'),
      readers: Array.from({ length: readers }, (_, i) => ClusterInstance.serverlessV2(`Reader${i + 1}`, { scaleWithWriter: i === 0 })),
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [clusterSecurityGroup],
      storageEncrypted: true,
      storageEncryptionKey: new Key(this, 'Key', { enableKeyRotation: true, description: `Storage encryption of ${props.clusterIdentifier}` }),
      iamAuthentication: true,
      deletionProtection: props.deletionProtection ?? true,
      backup: { retention: backupRetention, preferredWindow: '02:00-03:00' },
      preferredMaintenanceWindow: 'sun:06:30-sun:07:30',
      cloudwatchLogsExports: ['postgresql'],
      removalPolicy: props.removalPolicy ?? d.DEFAULT_REMOVAL_POLICY,
    });
    this.cluster.node.addDependency(logGroup);
    if (props.deletionProtection === false) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'Off only where asked for (the dev preset, teardown: destroy) so cdk destroy removes the stage; staging and production keep it',
      });
    }
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: 'The cluster sits in isolated subnets and admits only the RDS Proxy and rotation security groups; a non-default port would add nothing',
    });
    this.secret = this.cluster.secret!;

    // End-to-end IAM: the proxy signs in to the cluster as the app role with this role's
    // rds-db:connect, so it holds no secret, and the owner cannot be reached through it.
    const proxyRole = new Role(this, 'ProxyRole', {
      assumedBy: new ServicePrincipal('rds.amazonaws.com'),
      description: `${props.clusterIdentifier} proxy: IAM sign-in as ${this.appUsername}`,
    });
    this.cluster.grantConnect(proxyRole, this.appUsername);
    this.proxy = this.cluster.addProxy('Proxy', {
      dbProxyName: `${props.clusterIdentifier}-proxy`,
      defaultAuthScheme: DefaultAuthScheme.IAM_AUTH,
      role: proxyRole,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      iamAuth: true,
      debugLogging: false,
    });
    // addProxy opens the cluster to the proxy, and the rotation to its own function; nothing else.
    this.cluster.addRotationSingleUser({ automaticallyAfter: rotationInterval, vpcSubnets: props.rotationSubnets });

    this.migratorSecurityGroup = new SecurityGroup(this, 'MigratorSecurityGroup', {
      vpc: props.vpc,
      description: `${props.clusterIdentifier} migrator: the writer as owner, and Secrets Manager`,
      allowAllOutbound: false,
    });
    this.migratorSecurityGroup.addEgressRule(Peer.ipv4(props.vpc.vpcCidrBlock), Port.tcp(443), 'HTTPS to the Secrets Manager endpoint');
    this.cluster.connections.allowDefaultPortFrom(this.migratorSecurityGroup, 'The migrator signs in as the owner');

    this.connections = new Connections({ securityGroups: [proxySecurityGroup], defaultPort: Port.tcp(d.PROXY_PORT) });
    this.connectionUrl = `postgres://${this.appUsername}@${this.proxy.endpoint}:${d.PROXY_PORT}/${this.databaseName}?sslmode=require`;
    this.ownerConnectionUrl = `postgres://${this.username}@${this.cluster.clusterEndpoint.socketAddress}/${this.databaseName}?sslmode=require`;
  }
}

interface Sizing {
  minCapacity: number;
  maxCapacity: number;
  readers: number;
  rotationInterval: Duration;
  backupRetention: Duration;
}

function validate(id: string, s: Sizing): void {
  const where = `OriginDatabase ${id}`;
  const step = (value: number) => Number.isInteger(value * 2);
  if (!step(s.minCapacity) || !step(s.maxCapacity) || s.minCapacity < 0.5 || s.maxCapacity > 256 || s.minCapacity > s.maxCapacity) {
    throw new Error(`${where}: capacity must satisfy 0.5 ≤ minCapacity ≤ maxCapacity ≤ 256 in steps of 0.5, got ${s.minCapacity}–${s.maxCapacity}`);
  }
  if (!Number.isInteger(s.readers) || s.readers < 0 || s.readers > 15) throw new Error(`${where}: readers must be an integer from 0 to 15, got ${s.readers}`);
  const rotationDays = s.rotationInterval.toDays({ integral: false });
  if (rotationDays < 1 || rotationDays > 365) throw new Error(`${where}: rotationInterval must be 1–365 days, got ${rotationDays}`);
  const backupDays = s.backupRetention.toDays({ integral: false });
  if (!Number.isInteger(backupDays) || backupDays < 1 || backupDays > 35)
    throw new Error(`${where}: backupRetention must be 1–35 whole days, got ${backupDays}`);
}
