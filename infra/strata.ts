/** Composes one stage of Strata: the data stack, then the origin stack that uses it. */
import { RemovalPolicies, type App } from 'aws-cdk-lib';
import { addCloudFrontEdge, type CloudFrontStacks } from './cloudfront.ts';
import { DataStack } from './stacks/data-stack.ts';
import { OriginStack } from './stacks/origin-stack.ts';
import type { StrataConfig } from './stages.ts';

/** The stacks of a stage: `Strata-<stage>-Data`, `Strata-<stage>-Origin`, and with `edge=cloudfront` the edge's. */
export interface StrataStacks extends Partial<CloudFrontStacks> {
  readonly data: DataStack;
  readonly origin: OriginStack;
}

/**
 * What CDK and the constructs keep on deletion by default (Retain or Snapshot): a `destroy`
 * stage deletes them too. API Gateway's account-wide CloudWatch role stays: other stages and
 * APIs of the account and region use it.
 */
const KEPT_BY_DEFAULT = ['AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::ElastiCache::ReplicationGroup', 'AWS::RDS::DBCluster', 'AWS::SecretsManager::Secret'];

/** Adds a stage's stacks to `app`. */
export function addStrata(app: App, config: StrataConfig): StrataStacks {
  const env = { account: config.account, region: config.region };
  const tags = { project: 'strata', stage: config.stage };
  const data = new DataStack(app, `Strata-${config.stage}-Data`, {
    env,
    tags,
    stage: config.stage,
    network: config.network,
    terminationProtection: config.terminationProtection,
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    ...(config.cache ? { cache: config.cache } : {}),
    ...(config.sessions ? { sessions: config.sessions } : {}),
    ...(config.database ? { database: config.database } : {}),
  });
  const origin = new OriginStack(app, `Strata-${config.stage}-Origin`, {
    env,
    tags,
    stage: config.stage,
    entry: config.entry,
    migratorEntry: config.migratorEntry,
    outboxDelivererEntry: config.outboxDelivererEntry,
    authorizerEntry: config.authorizerEntry,
    data,
    tenants: config.tenants,
    terminationProtection: config.terminationProtection,
    ...(config.api ? { api: config.api } : {}),
    // Under CloudFront the stage caches nothing: CloudFront cannot send the purge version the
    // stage cache keys on, so it would answer purged responses; Origin Shield is layer 2.
    ...(config.edge === 'cloudfront' ? { api: { ...config.api, publicRoutes: [] }, edge: 'cloudfront' as const } : {}),
    ...(config.origin ? { origin: config.origin } : {}),
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
  });
  origin.addStackDependency(data);
  if (config.teardown === 'destroy') {
    for (const stack of [data, origin]) RemovalPolicies.of(stack).destroy({ applyToResourceTypes: KEPT_BY_DEFAULT });
  }
  if (config.edge === 'cloudfront') return { data, origin, ...addCloudFrontEdge(app, config, data, origin) };
  return { data, origin };
}
