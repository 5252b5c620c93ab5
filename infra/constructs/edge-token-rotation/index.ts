import { Validations, type Duration } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { RotationSchedule, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { OriginFunction } from '../origin-function/index.ts';
import * as d from './defaults.ts';

/** Props of {@link EdgeTokenRotation}. */
export interface EdgeTokenRotationProps {
  /** Entry file of the function (`origin/edge-token-lambda.ts`, handler `handler`). */
  readonly entry: string;
  /** The edge token (`strata/<stage>/edge-origin-token`), which the authorizer checks. */
  readonly secret: ISecret;
  /** The distribution that sends it as an origin custom header. */
  readonly distribution: IDistribution;
  /** @default 30 days */
  readonly rotateEvery?: Duration;
  /** @default 5 minutes */
  readonly syncEvery?: Duration;
  /** @default the authorizer's two caches, 10 minutes */
  readonly settle?: Duration;
  /** The `service` of its logs. @default strata-edge-token */
  readonly serviceName?: string;
}

/**
 * Rotates the edge token and keeps CloudFront sending an accepted value: Secrets Manager rotates
 * the secret through the function (`origin/cloudfront/token-rotation.ts`), and a schedule runs
 * the same function to switch the distribution's origin header once the authorizer knows the new
 * value, then retire the old one (`origin/cloudfront/token-sync.ts`).
 */
export class EdgeTokenRotation extends Construct {
  readonly function: OriginFunction;
  readonly schedule: RotationSchedule;
  readonly sync: Rule;

  constructor(scope: Construct, id: string, props: EdgeTokenRotationProps) {
    super(scope, id);
    const settle = props.settle ?? d.DEFAULT_SETTLE;
    this.function = new OriginFunction(this, 'Function', {
      entry: props.entry,
      description: 'Strata edge token: rotation steps, and CloudFront origin header sync',
      environment: {
        EDGE_TOKEN_SECRET_ID: props.secret.secretArn,
        CLOUDFRONT_DISTRIBUTION_ID: props.distribution.distributionId,
        EDGE_TOKEN_SETTLE_SECONDS: String(settle.toSeconds()),
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'strata-edge-token',
      },
      memorySize: d.MEMORY_MB,
      timeout: d.TIMEOUT,
      // One at a time: a sync and a rotation step must not both read-modify-write the distribution.
      reservedConcurrentExecutions: 1,
    });
    const fn = this.function.function;
    // Grants DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage and
    // GetRandomPassword, and lets Secrets Manager invoke the function.
    this.schedule = new RotationSchedule(this, 'Rotation', {
      secret: props.secret,
      rotationLambda: fn,
      automaticallyAfter: props.rotateEvery ?? d.DEFAULT_ROTATION,
      // Not on deploy: a stage moving from the Worker keeps its Worker working until the first
      // scheduled rotation, and nothing rotates while a deploy is still rolling out.
      rotateImmediatelyOnUpdate: false,
    });
    props.distribution.grant(fn, 'cloudfront:GetDistribution', 'cloudfront:UpdateDistribution');
    this.sync = new Rule(this, 'Sync', {
      description: 'Move CloudFront to the current Strata edge token once the authorizer accepts it',
      schedule: Schedule.rate(props.syncEvery ?? d.DEFAULT_SYNC_INTERVAL),
      targets: [new LambdaFunction(fn, { event: RuleTargetInput.fromObject({ source: 'strata.edge-token', action: 'sync' }), retryAttempts: 0 })],
    });
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'GetRandomPassword acts on no resource (IAM allows only *); CDK’s RotationSchedule grants it for the new token value',
      });
    }
  }
}
