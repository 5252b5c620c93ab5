/**
 * Per-stage settings of the CDK app, and how `cdk … -c name=value` context overrides them.
 * `dev`, `staging` and `production` have presets; any other valid stage name (say a personal
 * `alice`) gets the dev preset.
 */
import { Duration } from 'aws-cdk-lib';
import type { StrataNetworkProps } from './constructs/network/index.ts';
import type { TenantAssignment } from './constructs/tenant-usage-plans/index.ts';
import type { OriginStackProps } from './stacks/origin-stack.ts';
import type { DatabaseSettings, ReplicationGroupSettings } from './stacks/data-stack.ts';
import { assertStage } from './naming.ts';

/** What stands in front of the API: the Cloudflare Worker (`edge/`), or CloudFront (`-c edge=cloudfront`). */
export type EdgeKind = 'cloudflare' | 'cloudfront';

/** Everything one deployment of Strata is built from. */
export interface StrataConfig {
  readonly stage: string;
  readonly region: string;
  /** @default the CLI's account (CDK_DEFAULT_ACCOUNT); unset synthesizes account-agnostic templates */
  readonly account?: string;
  readonly entry: string;
  /** Entry file of the database migrator, run as the owner on every deploy. */
  readonly migratorEntry: string;
  readonly outboxDelivererEntry: string;
  readonly authorizerEntry: string;
  readonly tenants: readonly TenantAssignment[];
  readonly network: StrataNetworkProps;
  readonly cache?: ReplicationGroupSettings;
  readonly sessions?: ReplicationGroupSettings;
  readonly database?: DatabaseSettings;
  readonly api?: OriginStackProps['api'];
  readonly origin?: OriginStackProps['origin'];
  readonly alarmEmail?: string;
  readonly terminationProtection: boolean;
  /**
   * What `cdk destroy` does to the stage's data. `destroy`: everything goes (dev data is seed
   * and test data; nothing left to pay for). `protect`: Aurora keeps deletion protection, Aurora
   * and Redis leave final snapshots, and the keys and logs stay.
   */
  readonly teardown: 'destroy' | 'protect';
  /** @default 'cloudflare': the Worker, deployed with wrangler; `cloudfront` adds `Strata-<stage>-Edge` */
  readonly edge?: EdgeKind;
  /** Entry file of the edge token's rotation under CloudFront. */
  readonly edgeTokenEntry?: string;
}

type Preset = Omit<
  StrataConfig,
  'stage' | 'region' | 'account' | 'entry' | 'migratorEntry' | 'outboxDelivererEntry' | 'authorizerEntry' | 'tenants' | 'alarmEmail' | 'network'
> & {
  readonly azCount: number;
  readonly natGateways: number;
};

/** The tenants `npm run dev` seeds; every stage starts with them unless `-c tenants=` says otherwise. */
const SEED_TENANTS: readonly TenantAssignment[] = [{ tenant: 'acme' }, { tenant: 'globex' }];

const PRESETS: Readonly<Record<string, Preset>> = {
  dev: {
    azCount: 2,
    natGateways: 1,
    cache: { nodeType: 'cache.t4g.small' },
    sessions: { nodeType: 'cache.t4g.small' },
    database: { maxCapacity: 2, readers: 0, backupRetention: Duration.days(3), deletionProtection: false },
    api: { cacheClusterSize: '0.5', throttling: { rateLimit: 100, burstLimit: 200 } },
    terminationProtection: false,
    teardown: 'destroy',
  },
  staging: {
    azCount: 3,
    natGateways: 1,
    cache: { nodeType: 'cache.m7g.large' },
    sessions: { nodeType: 'cache.t4g.medium' },
    database: { maxCapacity: 8, readers: 1 },
    api: { cacheClusterSize: '0.5', throttling: { rateLimit: 500, burstLimit: 1000 } },
    terminationProtection: false,
    teardown: 'protect',
  },
  production: {
    azCount: 3,
    natGateways: 3,
    cache: { nodeType: 'cache.r7g.xlarge', numShards: 3, replicasPerShard: 2 },
    sessions: { nodeType: 'cache.r7g.large', numShards: 1, replicasPerShard: 2 },
    database: { minCapacity: 1, maxCapacity: 16, readers: 1, backupRetention: Duration.days(30) },
    api: { cacheClusterSize: '1.6', throttling: { rateLimit: 2000, burstLimit: 4000 } },
    origin: { memorySize: 1769, reservedConcurrentExecutions: 800, provisionedConcurrentExecutions: 5 },
    terminationProtection: true,
    teardown: 'protect',
  },
};

/** Reads `tenants=acme,globex:premium` (plan after a colon). */
function parseTenants(value: string): TenantAssignment[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [tenant, plan] = item.split(':');
      return plan ? { tenant: tenant!, plan } : { tenant: tenant! };
    });
}

/** Context values the app reads (all optional). */
export interface StrataContext {
  readonly stage?: string;
  readonly region?: string;
  readonly account?: string;
  /** `acme,globex:premium` */
  readonly tenants?: string;
  /** `us-east-1a,us-east-1b` */
  readonly azs?: string;
  readonly alarmEmail?: string;
  /** `cloudflare` (default) or `cloudfront`. */
  readonly edge?: string;
}

/** The configuration of `context.stage` (default `dev`), with the context's overrides. */
export function stageConfig(context: StrataContext): StrataConfig {
  const stage = context.stage ?? 'dev';
  assertStage(stage, 'cdk context');
  if (context.edge !== undefined && context.edge !== 'cloudflare' && context.edge !== 'cloudfront') {
    throw new Error(`cdk context: edge must be cloudflare (the Worker, the default) or cloudfront, got ${JSON.stringify(context.edge)}`);
  }
  const preset = PRESETS[stage] ?? PRESETS.dev!;
  const { azCount, natGateways, ...rest } = preset;
  const region = context.region ?? 'us-east-1';
  // Explicit AZ names let a synth without credentials spread over three AZs.
  const availabilityZones = context.azs
    ? context.azs.split(',').map((az) => az.trim())
    : ['a', 'b', 'c'].slice(0, azCount).map((suffix) => `${region}${suffix}`);
  return {
    ...rest,
    stage,
    region,
    ...(context.account ? { account: context.account } : {}),
    entry: 'origin/lambda.ts',
    migratorEntry: 'origin/migrate-lambda.ts',
    outboxDelivererEntry: 'origin/outbox-lambda.ts',
    authorizerEntry: 'origin/authorizer-lambda.ts',
    tenants: context.tenants ? parseTenants(context.tenants) : SEED_TENANTS,
    network: { availabilityZones, natGateways: Math.min(natGateways, availabilityZones.length) },
    ...(context.alarmEmail ? { alarmEmail: context.alarmEmail } : {}),
    ...(context.edge === 'cloudfront' ? { edge: 'cloudfront' as const, edgeTokenEntry: 'origin/edge-token-lambda.ts' } : {}),
  };
}
