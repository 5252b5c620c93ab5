import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Validations, type Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Alias, Architecture, Code, Function as LambdaFunction, LoggingFormat, Runtime, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_ENTRY_FILE } from './bundling.ts';
import * as d from './defaults.ts';

/** The repository's root: esbuild resolves packages from its `node_modules`. */
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILD_CLI = fileURLToPath(new URL('./build-cli.ts', import.meta.url));

/**
 * The function's code: `entry` bundled by `build.ts` (code splitting, so chunks reached with
 * `import()` load on first use) on this machine, in a child process since CDK's local bundling is
 * synchronous. The asset is hashed by its output, as `NodejsFunction`'s is. Local bundling either
 * succeeds or fails the synth with esbuild's message, so Docker never runs: the image is CDK's
 * required placeholder, the one `NodejsFunction` itself passes when esbuild is installed.
 */
function bundledCode(entry: string): Code {
  const entryPath = resolve(PROJECT_ROOT, entry);
  // Checked here too: a synth that skips bundling (other stacks') must still refuse a wrong path.
  if (!existsSync(entryPath)) throw new Error(`OriginFunction: no entry file at ${entryPath}`);
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('dummy'),
      // CDK reuses a bundle made earlier in the synth for the same source path and bundling
      // options, and `tryBundle`, a function, is not part of those: the entry is, through this.
      environment: { STRATA_ENTRY: relative(PROJECT_ROOT, entryPath) },
      local: {
        tryBundle(outputDir) {
          try {
            execFileSync(process.execPath, [BUILD_CLI, entryPath, outputDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
          } catch (error) {
            const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
            throw new Error(`bundling ${entry} failed: ${stderr || String(error)}`);
          }
          return true;
        },
      },
    },
  });
}

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
 * handler's top-level `await` builds its clients once per instance (`bundledCode`).
 */
export class OriginFunction extends Construct {
  readonly function: LambdaFunction;
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
    this.function = new LambdaFunction(this, 'Handler', {
      code: bundledCode(props.entry),
      handler: `${BUNDLE_ENTRY_FILE.replace(/\.mjs$/, '')}.${props.handler ?? d.DEFAULT_HANDLER}`,
      ...(props.description ? { description: props.description } : {}),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? d.DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? d.DEFAULT_TIMEOUT,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      // X-Ray: each invocation is traced, joined to API Gateway's trace of the request.
      tracing: Tracing.ACTIVE,
      // No `--enable-source-maps`: it parses every file's map at load; each entry imports
      // `origin/stack-traces.ts`, which maps a trace when one is printed (docs/origin-speed.md).
      environment: props.environment,
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups } : {}),
      ...(reserved !== undefined ? { reservedConcurrentExecutions: reserved } : {}),
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
