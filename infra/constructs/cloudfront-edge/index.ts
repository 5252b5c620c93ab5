import { fileURLToPath } from 'node:url';
import { Stack, Validations, type SecretValue } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginRequestPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Policy, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DEFAULT_PUBLIC_ROUTES } from '../origin-api/defaults.ts';
import type { PublicRoute } from '../origin-api/routes.ts';
import * as d from './defaults.ts';
import { cachedRouteOriginRequests, pathPattern, responseHeaders, routeCachePolicy } from './policies.ts';

/** Props of {@link CloudFrontEdge}. */
export interface CloudFrontEdgeProps {
  /** The origin API (its stage is the origin path). */
  readonly api: RestApi;
  /** The edge token CloudFront sends as `x-strata-edge-token`: a Secrets Manager dynamic reference. */
  readonly edgeToken: SecretValue;
  /** `strata-<stage>`: names of the policies and the function. */
  readonly namePrefix: string;
  /** SSM parameter the distribution id is written to, for the origin's purges. */
  readonly distributionIdParameterName: string;
  /** The routes CloudFront caches, as the API declares them. @default the API's public routes */
  readonly publicRoutes?: readonly PublicRoute[];
  /** Roles that may invalidate (the origin's functions, whose outbox purges). @default none */
  readonly purgers?: readonly IRole[];
  /** ARN of a CLOUDFRONT-scope AWS WAF web ACL. @default none */
  readonly webAclArn?: string;
  /** Region of Origin Shield. @default the stack's region (where the API is) */
  readonly originShieldRegion?: string;
}

/**
 * CloudFront in front of the API Gateway stage, as the Cloudflare Worker is otherwise: the
 * public routes cached under the origin's own lifetimes, everything else passed through uncached
 * (`CachingDisabled`), only `/v1/…` served, the edge token added as an origin custom header so
 * the API's authorizer admits CloudFront only. Origin Shield in the API's region, compression,
 * HTTP/3, standard logs to S3.
 */
export class CloudFrontEdge extends Construct {
  readonly distribution: Distribution;
  readonly viewerRequest: CloudFrontFunction;
  readonly distributionIdParameter: StringParameter;

  constructor(scope: Construct, id: string, props: CloudFrontEdgeProps) {
    super(scope, id);
    const routes = props.publicRoutes ?? DEFAULT_PUBLIC_ROUTES;
    const prefix = props.namePrefix;

    this.viewerRequest = new CloudFrontFunction(this, 'ViewerRequest', {
      functionName: `${prefix}-viewer-request`,
      comment: 'Strata: /v1 only, client x-strata-* dropped, client address passed',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromFile({ filePath: fileURLToPath(new URL('./viewer-request.js', import.meta.url)) }),
    });
    const functionAssociations = [{ function: this.viewerRequest, eventType: FunctionEventType.VIEWER_REQUEST }];

    const origin = new RestApiOrigin(props.api, {
      originShieldRegion: props.originShieldRegion ?? Stack.of(this).region,
      customHeaders: { [d.EDGE_TOKEN_HEADER]: props.edgeToken.unsafeUnwrap() },
    });
    const responseHeadersPolicy = responseHeaders(this, 'ResponseHeaders', prefix);
    const common = { origin, functionAssociations, responseHeadersPolicy, compress: true, viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY };

    const publicRequests = cachedRouteOriginRequests(this, 'PublicOriginRequests', prefix);
    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    routes.forEach((route, i) => {
      additionalBehaviors[pathPattern(route)] = {
        ...common,
        cachePolicy: routeCachePolicy(this, `RouteCache${i}`, route, prefix),
        originRequestPolicy: publicRequests,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: CachedMethods.CACHE_GET_HEAD,
      };
    });

    const logs = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: d.LOG_RETENTION }],
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds CloudFront access logs; logging the log bucket itself would only log the log delivery',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${prefix}: the Strata API through CloudFront`,
      // Private routes and everything unlisted: never cached, every viewer header but Host passed
      // (Authorization included, which CloudFront forwards only with caching off).
      defaultBehavior: {
        ...common,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        allowedMethods: AllowedMethods.ALLOW_ALL,
      },
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'On the default *.cloudfront.net certificate CloudFront cannot be pinned to TLS 1.2; that needs a custom domain with its own ACM certificate, which the stage does not have yet',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'A multi-tenant API serves its tenants wherever they are; no country is excluded by default',
    });

    this.distributionIdParameter = new StringParameter(this, 'DistributionId', {
      parameterName: props.distributionIdParameterName,
      description: 'Strata: the CloudFront distribution the origin’s purges invalidate',
      stringValue: this.distribution.distributionId,
    });
    if (props.purgers && props.purgers.length > 0) {
      // A policy of this stack attached to the origin's roles: their own policies cannot name the
      // distribution, whose origin is their API (a dependency cycle).
      new Policy(this, 'PurgerGrants', {
        roles: [...props.purgers],
        statements: [
          new PolicyStatement({ actions: ['cloudfront:CreateInvalidation'], resources: [this.distribution.distributionArn] }),
          new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [this.distributionIdParameter.parameterArn] }),
        ],
      });
    }
  }
}
