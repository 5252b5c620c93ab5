import { Aws, Stack, Validations } from 'aws-cdk-lib';
import type { IRestApi, Stage } from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** What API Gateway does with a `Cache-Control: max-age=0` from a caller without permission. */
export type UnauthorizedCacheControlStrategy = 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER';

/** Props of {@link CacheControlAuthorization}. */
export interface CacheControlAuthorizationProps {
  readonly api: IRestApi;
  readonly stage: Stage;
  /** Resource paths of the cached GET methods, e.g. `/v1/{tenant}/public/projects`. */
  readonly cachedResourcePaths: readonly string[];
  /** Changes whenever the stage's method settings change, so the patch is applied again. */
  readonly stageSettingsFingerprint: string;
  /** @default SUCCEED_WITHOUT_RESPONSE_HEADER: the header is ignored, the request served */
  readonly unauthorizedStrategy?: UnauthorizedCacheControlStrategy;
}

/** The id CDK gives the one Lambda function behind every `AwsCustomResource` of a stack. */
const PROVIDER_ID = `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/**
 * Requires `execute-api:InvalidateCache` for client cache invalidation (`Cache-Control:
 * max-age=0`) on the stage and on every cached method; otherwise anyone could empty the stage
 * cache and send the whole load to the origin. Only an IAM (SigV4) caller can hold that
 * permission, so no caller through the edge can. An unauthorised header is ignored, never
 * answered 403: a browser reload sends one, and a 403 would reach the user. CloudFormation's
 * `MethodSetting` has no such property, so this patches the stage with `UpdateStage` after each
 * deploy that changes it.
 */
export class CacheControlAuthorization extends Construct {
  readonly resource: AwsCustomResource;

  constructor(scope: Construct, id: string, props: CacheControlAuthorizationProps) {
    super(scope, id);
    // Without a response header: a warning header would be stored by the edge with the response.
    const strategy = props.unauthorizedStrategy ?? 'SUCCEED_WITHOUT_RESPONSE_HEADER';
    // Method setting paths escape `/` as `~1` (JSON Pointer); `*/*` is the stage default.
    const targets = ['/*/*', ...props.cachedResourcePaths.map((path) => `/${path.replace(/\//g, '~1')}/GET`)];
    const patchOperations = targets.flatMap((target) => [
      { op: 'replace', path: `${target}/caching/requireAuthorizationForCacheControl`, value: 'true' },
      { op: 'replace', path: `${target}/caching/unauthorizedCacheControlHeaderStrategy`, value: strategy },
    ]);
    const call = {
      service: 'APIGateway',
      action: 'updateStage',
      parameters: { restApiId: props.api.restApiId, stageName: props.stage.stageName, patchOperations },
      // A new id whenever the stage settings change makes CloudFormation run the update again.
      physicalResourceId: PhysicalResourceId.of(`${props.stage.stageName}-cache-control-auth-${props.stageSettingsFingerprint}`),
    };
    this.resource = new AwsCustomResource(this, 'PatchStage', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      logGroup: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH }),
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['apigateway:PATCH'],
          resources: [`arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/restapis/${props.api.restApiId}/stages/${props.stage.stageName}`],
        }),
      ]),
    });
    this.resource.node.addDependency(props.stage);

    const provider = Stack.of(this).node.tryFindChild(PROVIDER_ID);
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's AwsCustomResource provider: the AWS-managed basic execution policy only lets it write its own logs",
      });
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-L1',
        reason: "CDK's AwsCustomResource provider: its runtime is chosen by aws-cdk-lib and moves with it; it runs only during deploys",
      });
    }
  }
}
