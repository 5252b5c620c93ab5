import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Connections, Port, SecurityGroup, type IConnectable, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
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
  /** @default strata */
  readonly username?: string;
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
 * Aurora PostgreSQL Serverless v2 behind RDS Proxy. The proxy requires TLS and IAM
 * authentication, so the Lambdas hold no database password: they sign a token with their role
 * (`rds-db:connect`) and the proxy logs in to the cluster with the rotated secret.
 */
export class OriginDatabase extends Construct implements IConnectable {
  readonly cluster: DatabaseCluster;
  readonly proxy: DatabaseProxy;
  /** Admin credentials; rotated, read by the proxy only. */
  readonly secret: ISecret;
  readonly databaseName: string;
  readonly username: string;
  /** The proxy's connections: allow clients in with `allowDefaultPortFrom`. */
  readonly connections: Connections;
  /** `postgres://user@proxy:5432/db?sslmode=require`: no password, the client signs an IAM token. */
  readonly connectionUrl: string;

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

    const clusterSecurityGroup = new SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: props.vpc,
      description: `${props.clusterIdentifier}: RDS Proxy and the rotation function only`,
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
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: 'The cluster sits in isolated subnets and admits only the RDS Proxy and rotation security groups; a non-default port would add nothing',
    });
    this.secret = this.cluster.secret!;

    this.proxy = this.cluster.addProxy('Proxy', {
      dbProxyName: `${props.clusterIdentifier}-proxy`,
      secrets: [this.secret],
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      iamAuth: true,
      debugLogging: false,
    });
    // addProxy opens the cluster to the proxy, and the rotation to its own function; nothing else.
    this.cluster.addRotationSingleUser({ automaticallyAfter: rotationInterval, vpcSubnets: props.rotationSubnets });

    this.connections = new Connections({ securityGroups: [proxySecurityGroup], defaultPort: Port.tcp(d.PROXY_PORT) });
    this.connectionUrl = `postgres://${this.username}@${this.proxy.endpoint}:${d.PROXY_PORT}/${this.databaseName}?sslmode=require`;
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
  if (!Number.isInteger(backupDays) || backupDays < 1 || backupDays > 35) throw new Error(`${where}: backupRetention must be 1–35 whole days, got ${backupDays}`);
}
