import { Validations, type Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Alias, Architecture, LoggingFormat, Runtime, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_BANNER, BUNDLE_EXTERNALS, BUNDLE_TARGET } from './bundling.ts';
import * as d from './defaults.ts';

/** Props of {@link OriginFunction}. */
export interface OriginFunctionProps {
  /** Path of the Lambda entry file (`origin/lambda.ts`). */
  readonly entry: string;
  /** Exported handler name. @default handler */
  readonly handler?: string;
  /** Environment of the function (database and Redis locations, secrets as dynamic references). */
  readonly environment: Record<string, string>;
  readonly description?: string;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Runs the function in this VPC (with `vpcSubnets` and `securityGroups`). @default not in a VPC */
  readonly vpc?: IVpc;
  /** @default the VPC's private subnets with egress */
  readonly vpcSubnets?: SubnetSelection;
  /** @default a security group CDK creates */
  readonly securityGroups?: ISecurityGroup[];
  /** Concurrency reserved for (and capped at) this function. @default unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** Pre-initialised instances, on an alias `live` that callers then invoke. @default none */
  readonly provisionedConcurrentExecutions?: number;
  /** @default one month */
  readonly logRetention?: RetentionDays;
}

/**
 * The origin API as one Lambda function: Node 24 on arm64, bundled with esbuild as ESM so the
 * handler's top-level `await` builds its clients once per instance.
 */
export class OriginFunction extends Construct {
  readonly function: NodejsFunction;
  /** What callers invoke: the `live` alias with provisioned concurrency, else the function. */
  readonly target: IFunction;

  constructor(scope: Construct, id: string, props: OriginFunctionProps) {
    super(scope, id);
    const reserved = props.reservedConcurrentExecutions;
    const provisioned = props.provisionedConcurrentExecutions;
    if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) {
      throw new Error(`OriginFunction: reservedConcurrentExecutions must be a positive integer (0 would stop the function), got ${reserved}`);
    }
    if (provisioned !== undefined && (!Number.isInteger(provisioned) || provisioned < 0)) {
      throw new Error(`OriginFunction: provisionedConcurrentExecutions must be a non-negative integer, got ${provisioned}`);
    }
    if (reserved !== undefined && provisioned !== undefined && provisioned > reserved) {
      throw new Error(`OriginFunction: provisionedConcurrentExecutions (${provisioned}) cannot exceed reservedConcurrentExecutions (${reserved})`);
    }
    if (!props.vpc && (props.vpcSubnets || props.securityGroups)) {
      throw new Error('OriginFunction: vpcSubnets and securityGroups need vpc');
    }

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? d.DEFAULT_LOG_RETENTION });
    this.function = new NodejsFunction(this, 'Handler', {
      entry: props.entry,
      handler: props.handler ?? d.DEFAULT_HANDLER,
      ...(props.description ? { description: props.description } : {}),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? d.DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? d.DEFAULT_TIMEOUT,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      // X-Ray: each invocation is traced, joined to API Gateway's trace of the request.
      tracing: Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups } : {}),
      ...(reserved !== undefined ? { reservedConcurrentExecutions: reserved } : {}),
      bundling: {
        // Also what `npm run bench -- lambda` builds with (`bundling.ts`).
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: true,
        banner: BUNDLE_BANNER,
        externalModules: [...BUNDLE_EXTERNALS],
      },
    });
    if (this.function.role) {
      const managed = ['AWSLambdaBasicExecutionRole', ...(props.vpc ? ['AWSLambdaVPCAccessExecutionRole'] : [])];
      for (const policy of managed) {
        Validations.of(this.function.role).acknowledge({
          id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
          reason: `${policy} is the AWS-maintained minimum for a Lambda function ${policy.includes('VPC') ? 'to attach to its VPC (ENI management)' : 'to write its logs'}`,
        });
      }
      Validations.of(this.function.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Active X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so CDK grants them on *',
      });
    }
    this.target = provisioned
      ? new Alias(this, 'Live', { aliasName: d.LIVE_ALIAS, version: this.function.currentVersion, provisionedConcurrentExecutions: provisioned })
      : this.function;
  }
}
