import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { CacheControlAuthorization } from '../constructs/cache-control-authorization/index.ts';
import { TIMEOUT as AUTHORIZER_TIMEOUT } from '../constructs/edge-authorizer/defaults.ts';
import { EdgeAuthorizer } from '../constructs/edge-authorizer/index.ts';
import { DatabaseMigrator } from '../constructs/database-migrator/index.ts';
import type { AlarmThresholds } from '../constructs/observability/defaults.ts';
import { StrataObservability, type WatchedFunction } from '../constructs/observability/index.ts';
import { OriginApi, type OriginApiProps } from '../constructs/origin-api/index.ts';
import { DEFAULT_TIMEOUT } from '../constructs/origin-function/defaults.ts';
import { OriginFunction, type OriginFunctionProps } from '../constructs/origin-function/index.ts';
import { OutboxSchedule } from '../constructs/outbox-schedule/index.ts';
import { TenantUsagePlans, type TenantAssignment } from '../constructs/tenant-usage-plans/index.ts';
import { assertStage, cloudFrontDistributionIdParameter, edgePurgeUrlParameter, namePrefix, secretNames } from '../naming.ts';
import type { OriginDependencies } from './data-stack.ts';
import { originServiceName } from './defaults.ts';
import { operatorTokenAccess, originSecrets } from './origin-secrets.ts';

/** Props of {@link OriginStack}. */
export interface OriginStackProps extends StackProps {
  /** Deployment stage (`dev`, `staging`, `production`). */
  readonly stage: string;
  /** Path of the origin's Lambda entry file. */
  readonly entry: string;
  /** Path of the migrator's entry file (`origin/migrate-lambda.ts`), run as the database owner. */
  readonly migratorEntry: string;
  /** The data stack's network, Redis groups and database. */
  readonly data: OriginDependencies;
  /** Tenants that get an API key, and their plans. */
  readonly tenants: readonly TenantAssignment[];
  /**
   * Entry file of the purge-outbox deliverer (handler `handler`), run every minute, so a purge
   * that failed right after its commit is redelivered until the edge acknowledges it.
   */
  readonly outboxDelivererEntry: string;
  /** Entry file of the API Gateway authorizer that admits only the edge (handler `handler`). */
  readonly authorizerEntry: string;
  /** @default OriginApi's defaults */
  readonly api?: Pick<OriginApiProps, 'publicRoutes' | 'cacheClusterSize' | 'throttling'>;
  /** Size and concurrency of the origin function. @default OriginFunction's defaults */
  readonly origin?: Pick<OriginFunctionProps, 'memorySize' | 'timeout' | 'reservedConcurrentExecutions' | 'provisionedConcurrentExecutions'>;
  /** @default no e-mail subscription */
  readonly alarmEmail?: string;
  /** @default StrataObservability's defaults */
  readonly thresholds?: Partial<AlarmThresholds>;
  /**
   * `cloudfront`: purges are invalidations of the edge stack's distribution, whose id the
   * functions read from SSM at run time; no Worker purge URL is read. @default the Worker
   */
  readonly edge?: 'cloudflare' | 'cloudfront';
}

/**
 * The stateless half: the origin Lambda in the VPC behind API Gateway (the edge-token
 * authorizer, stage cache, throttling, usage plans), the purge-outbox schedule, and the
 * dashboard with its alarms.
 */
export class OriginStack extends Stack {
  readonly origin: OriginFunction;
  /** The scheduled purge-outbox deliverer. */
  readonly outboxDeliverer: OriginFunction;
  readonly api: OriginApi;
  readonly originEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: OriginStackProps) {
    super(scope, id, props);
    assertStage(props.stage, 'OriginStack');
    if (props.tenants.length === 0) throw new Error('OriginStack: tenants must not be empty; every method requires a tenant API key');
    const prefix = namePrefix(props.stage);
    const { network, cacheAccess, cache, sessions, database, edgeToken, operatorToken } = props.data;
    const serviceName = originServiceName(props.stage);

    // The HMAC key of purge webhooks; the operator copies it to the Worker (PURGE_SECRET).
    const purgeSecret = new Secret(this, 'PurgeSecret', {
      secretName: secretNames.purge(props.stage),
      description: 'HMAC-SHA256 key of Strata purge webhooks; the edge Worker holds the same value',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(purgeSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The key is shared with the Cloudflare Worker, which no rotation function can update; docs/deploy.md documents rotating both sides by hand',
    });

    // Secrets by ARN, read at run time (origin/secrets/); the URL is read from SSM at deploy time.
    const secrets = originSecrets(this, { stage: props.stage, redis: cacheAccess.secret, purge: purgeSecret });
    const purgeTarget: Record<string, string> =
      props.edge === 'cloudfront'
        ? { CLOUDFRONT_DISTRIBUTION_ID_PARAMETER: cloudFrontDistributionIdParameter(props.stage) }
        : { PURGE_URL: StringParameter.valueForStringParameter(this, edgePurgeUrlParameter(props.stage)) };
    this.originEnvironment = {
      // The app role, which may not change the schema: the migrator below migrates as the owner.
      DATABASE_URL: database.connectionUrl,
      DATABASE_IAM_AUTH: 'true',
      DATABASE_MIGRATE: 'false',
      REDIS_CLUSTER_NODES: cache.configurationEndpoint,
      REDIS_SESSIONS_CLUSTER_NODES: sessions.configurationEndpoint,
      REDIS_TLS: 'true',
      REDIS_USERNAME: cacheAccess.appUsername,
      ...purgeTarget,
      ...secrets.environment,
      // The `service` dimension of the origin's EMF metrics, which the dashboard reads.
      METRICS_SERVICE_NAME: serviceName,
      POWERTOOLS_SERVICE_NAME: serviceName,
    };
    const inVpc = { vpc: network.vpc, vpcSubnets: network.appSubnets, securityGroups: [network.lambdaSecurityGroup] };

    // The operator API (`/ops/*`, `strata`) is served by this function only.
    const operator = operatorTokenAccess(operatorToken);
    this.origin = new OriginFunction(this, 'Origin', {
      entry: props.entry,
      description: 'Strata origin API',
      environment: { ...this.originEnvironment, ...operator.environment },
      ...inVpc,
      ...props.origin,
    });
    database.proxy.grantConnect(this.origin.function, database.appUsername);
    secrets.grantRead(this.origin.function);
    operator.grantRead(this.origin.function);
    const migrator = new DatabaseMigrator(this, 'Migrator', {
      entry: props.migratorEntry,
      vpc: network.vpc,
      vpcSubnets: network.appSubnets,
      securityGroup: database.migratorSecurityGroup,
      ownerUrl: database.ownerConnectionUrl,
      ownerSecret: database.secret,
      appRole: database.appUsername,
      environment: { POWERTOOLS_SERVICE_NAME: `${prefix}-migrator` },
    });
    migrator.runBefore(this.origin);
    const watched: WatchedFunction[] = [{ label: 'origin', function: this.origin.function, timeout: props.origin?.timeout ?? DEFAULT_TIMEOUT }];

    const deliverer = new OriginFunction(this, 'OutboxDeliverer', {
      entry: props.outboxDelivererEntry,
      description: 'Strata purge-outbox deliverer',
      environment: this.originEnvironment,
      timeout: DEFAULT_TIMEOUT,
      // One sweep at a time: two would only race for the same pending rows.
      reservedConcurrentExecutions: 1,
      ...inVpc,
    });
    database.proxy.grantConnect(deliverer.function, database.appUsername);
    secrets.grantRead(deliverer.function);
    migrator.runBefore(deliverer);
    this.outboxDeliverer = deliverer;
    new OutboxSchedule(this, 'OutboxSchedule', { target: deliverer.function });
    watched.push({ label: 'outbox-deliverer', function: deliverer.function, timeout: DEFAULT_TIMEOUT });

    // Only the edge reaches the API: its token, generated here, is checked on every method.
    const edge = new EdgeAuthorizer(this, 'EdgeAuthorizer', { entry: props.authorizerEntry, secret: edgeToken });
    watched.push({ label: 'edge-authorizer', function: edge.function.function, timeout: AUTHORIZER_TIMEOUT });
    this.api = new OriginApi(this, 'Api', { handler: this.origin.target, stageName: props.stage, authorizer: edge.authorizer, ...props.api });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'No Cognito: every method is behind the edge-token Lambda authorizer, and Strata verifies its own session tokens in the origin (docs/security.md)',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Clients reach the API through the edge (Cloudflare, or CloudFront with AWS WAF), where the WAF and rate limits run; usage plans throttle what gets past',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-wide logging role; the AWS-managed policy is the documented one and only writes logs",
    });
    new CacheControlAuthorization(this, 'CacheControlAuthorization', {
      api: this.api.api,
      stage: this.api.stage,
      cachedResourcePaths: this.api.cachedMethods.map((method) => method.resourcePath),
      stageSettingsFingerprint: this.api.stageSettingsFingerprint,
    });
    const usage = new TenantUsagePlans(this, 'UsagePlans', { api: this.api.api, stage: this.api.stage, namePrefix: prefix, tenants: props.tenants });

    const observability = new StrataObservability(this, 'Observability', {
      namePrefix: prefix,
      serviceName,
      cacheGroups: [
        { group: cache, holdsSessions: false },
        { group: sessions, holdsSessions: true },
      ],
      database: { clusterIdentifier: database.cluster.clusterIdentifier, proxyName: database.proxy.dbProxyName },
      apiStage: this.api.stage,
      functions: watched,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
      ...(props.thresholds ? { thresholds: props.thresholds } : {}),
    });

    new CfnOutput(this, 'OriginUrl', { value: this.api.api.url, description: 'Set the edge Worker’s ORIGIN_URL to this' });
    new CfnOutput(this, 'PurgeSecretName', { value: purgeSecret.secretName, description: 'Copy its value to the Worker: wrangler secret put PURGE_SECRET' });
    new CfnOutput(this, 'ApiKeyIds', {
      value: Object.entries(usage.apiKeys)
        .map(([tenant, key]) => `${tenant}=${key.keyId}`)
        .join(','),
      description: 'aws apigateway get-api-key --include-value --api-key <id>',
    });
    new CfnOutput(this, 'Dashboard', { value: observability.dashboard.dashboardName });
    new CfnOutput(this, 'MigratorFunction', {
      value: migrator.function.function.functionName,
      description: 'Runs on every deploy; by hand: aws lambda invoke --function-name <this> --payload \'{"seedDemo":true}\' out.json',
    });
    new CfnOutput(this, 'AlarmTopic', { value: observability.topic.topicArn });
  }
}
